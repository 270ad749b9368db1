//! Resolving a requested layer name and style against the catalogue snapshot,
//! shared by the WMS, WMTS and XYZ endpoints; who may see which layer; a
//! layer's default style and caching policy.
//!
//! A layer the caller may not read (`catalogue::access`) is answered exactly
//! as a layer that does not exist.

use crate::catalogue::{Caller, Guard, LayerCollection, RasterLayer, Snapshot};
use crate::model::{LayerRef, TimeSel};
use crate::style::Style;
use serde_json::Value;
use std::borrow::Cow;

/// The style name a layer's default style is advertised and asked by when
/// it is the layer's own `colormap` (or when a client asks for the default).
pub const DEFAULT_STYLE: &str = "default";

/// A layer ready for a `RenderRequest`.
#[derive(Debug)]
pub struct Resolved {
    pub layer: LayerRef,
    /// The canonical style string (the layer's default when none was asked).
    pub style: String,
    /// Readable by anonymous callers: its responses may be stored by shared caches.
    pub public: bool,
    /// The layer's own `options.cache_control`, when it sets a usable one.
    pub cache_control: Option<String>,
}

#[derive(Debug)]
pub enum LayerError {
    NotDefined(String),
    StyleNotDefined(String),
}

/// May `caller` read `layer`?
pub fn readable(layer: &RasterLayer, caller: &Caller) -> bool {
    Guard {
        organisation: layer.organisation,
        access: layer.access_modifier,
        shared_with: &layer.shared_with,
        supplier: layer.supplier.as_deref(),
    }
    .can_read(caller)
}

/// May `caller` read `collection`?
pub fn collection_readable(collection: &LayerCollection, caller: &Caller) -> bool {
    Guard {
        organisation: collection.organisation,
        access: collection.access_modifier,
        shared_with: &[],
        supplier: collection.supplier.as_deref(),
    }
    .can_read(caller)
}

/// The layer named `name` (`org-slug:layer-slug` or uuid) when `caller` may read it.
pub fn find<'a>(snap: &'a Snapshot, caller: &Caller, name: &str) -> Option<&'a RasterLayer> {
    snap.layer_by_name(name.trim())
        .filter(|l| readable(l, caller))
}

/// True when the layer's default style is its own `colormap`: `options.styles`
/// is empty or absent and `colormap` is a non-empty JSON object.
pub fn uses_colormap(layer: &RasterLayer) -> bool {
    let styles_set = layer
        .options
        .get("styles")
        .and_then(Value::as_str)
        .is_some_and(|s| !s.trim().is_empty());
    !styles_set
        && layer
            .colormap
            .as_ref()
            .and_then(Value::as_object)
            .is_some_and(|m| !m.is_empty())
}

/// The STYLES text of the layer's default style: `options.styles`, else its
/// `colormap` as JSON, else `viridis`.
pub fn default_style_text(layer: &RasterLayer) -> Cow<'_, str> {
    match &layer.colormap {
        Some(map) if uses_colormap(layer) => Cow::Owned(map.to_string()),
        _ => Cow::Borrowed(layer.default_style()),
    }
}

/// The name capabilities advertise the default style by: `default` for a
/// layer's own colormap, else the STYLES string itself.
pub fn default_style_name(layer: &RasterLayer) -> &str {
    if uses_colormap(layer) {
        DEFAULT_STYLE
    } else {
        layer.default_style()
    }
}

/// The layer's `options.cache_control` when it is a non-empty, valid header value.
pub fn cache_control(layer: &RasterLayer) -> Option<String> {
    layer
        .options
        .get("cache_control")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty() && http::HeaderValue::from_str(s).is_ok())
        .map(str::to_owned)
}

/// True when a rendering of layer `id` at `time` is "the latest frame" of
/// temporal data, which changes as frames arrive: such answers keep the
/// configured short policy, never a layer's own (possibly long) one.
pub fn latest_of_temporal(snap: &Snapshot, id: uuid::Uuid, time: TimeSel) -> bool {
    time == TimeSel::Latest
        && snap.layer(id).is_some_and(|l| {
            snap.layer_sources(l)
                .0
                .iter()
                .any(|s| snap.source(*s).is_some_and(|s| s.temporal))
        })
}

impl Resolved {
    /// The `Cache-Control` of a tile of this layer at `time` (see
    /// [`response::cache_policy`](super::response::cache_policy)).
    pub fn tile_policy(&self, snap: &Snapshot, default: &str, time: TimeSel) -> String {
        let own = self
            .cache_control
            .as_deref()
            .filter(|_| !latest_of_temporal(snap, self.layer.id, time));
        super::response::cache_policy(default, own, self.public, false)
    }
}

/// Validates a STYLES value a client sent: the Lizard grammar only (custom
/// JSON colormaps come from the catalogue, never from requests).
pub fn client_style(text: &str) -> Result<Style, String> {
    if text.trim_start().starts_with('{') {
        return Err("colormap definitions are not accepted as STYLES".to_string());
    }
    Style::parse(text).map_err(|e| e.to_string())
}

/// Looks up `name` (`org-slug:layer-slug` or uuid) for `caller` and validates
/// `style` (empty, absent or `default` = the layer's default style).
pub fn resolve(
    snap: &Snapshot,
    caller: &Caller,
    name: &str,
    style: Option<&str>,
) -> Result<Resolved, LayerError> {
    let layer = find(snap, caller, name)
        .ok_or_else(|| LayerError::NotDefined(format!("layer '{}' is not defined", clip(name))))?;
    let asked = style
        .map(str::trim)
        .filter(|s| !s.is_empty() && *s != DEFAULT_STYLE);
    let parsed = match asked {
        Some(text) => client_style(text).map_err(|e| {
            LayerError::StyleNotDefined(format!("style '{}' is not defined: {e}", clip(text)))
        })?,
        // A broken default style is the layer's fault, reported as such.
        None => Style::parse(&default_style_text(layer)).map_err(|e| {
            LayerError::StyleNotDefined(format!(
                "the default style of layer '{}' is invalid: {e}",
                clip(name)
            ))
        })?,
    };
    Ok(Resolved {
        layer: LayerRef {
            id: layer.uuid,
            version: snap.layer_version(layer),
        },
        style: parsed.canonical(),
        public: layer.access_modifier.is_public(),
        cache_control: cache_control(layer),
    })
}

/// Shortens client text quoted in messages.
fn clip(s: &str) -> String {
    s.chars().take(100).collect()
}

/// The vendor parameter `RESAMPLING=nearest|bilinear` (default nearest).
pub fn resampling(kvp: &crate::protocol::kvp::Kvp) -> Result<crate::model::Resampling, String> {
    use crate::model::Resampling;
    match kvp
        .get_nonempty("RESAMPLING")
        .map(|s| s.trim().to_ascii_lowercase())
    {
        None => Ok(Resampling::Nearest),
        Some(s) if s == "nearest" => Ok(Resampling::Nearest),
        Some(s) if s == "bilinear" => Ok(Resampling::Bilinear),
        Some(s) => Err(format!(
            "RESAMPLING '{}' is not nearest or bilinear",
            clip(&s)
        )),
    }
}
