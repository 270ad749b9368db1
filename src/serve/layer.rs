//! Resolving a requested layer name and style against one catalogue
//! snapshot for one caller: the one guard every map, tile, legend, feature
//! info and limits request passes. A layer the caller may not read is
//! answered exactly as a layer that does not exist.
//!
//! The answer, [`Resolved`], holds everything the request path asks of a
//! layer afterwards: its version, its evaluation (`render::Layer`, stored or
//! computed, decided once), its style, who may cache it and when it changed.

use crate::catalogue::{Caller, Guard, LayerCollection, RasterLayer, Snapshot};
use crate::model::{LayerRef, TimeSel};
use crate::render::{Layer, RenderError};
use crate::style::Style;
use chrono::{DateTime, Utc};
use serde_json::Value;
use std::borrow::Cow;
use std::sync::Arc;

/// The style name a layer's default style is advertised and asked by when
/// it is the layer's own `colormap` (or when a client asks for the default).
pub const DEFAULT_STYLE: &str = "default";

/// A layer ready for rendering.
#[derive(Debug)]
pub struct Resolved {
    pub layer: LayerRef,
    /// How the layer evaluates; `Err` for a broken layer (what renders
    /// fails, what only styles answers).
    eval: Result<Layer, String>,
    /// The canonical style string (the layer's default when none was asked).
    pub style: String,
    /// Readable by anonymous callers: its answers may be stored by shared caches.
    pub public: bool,
    /// The layer's own `options.cache_control`, when it sets a usable one.
    pub cache_control: Option<String>,
    /// Reads temporal data (asked only of layers with their own
    /// `cache_control`): "the latest frame" of it moves as frames arrive.
    pub temporal: bool,
    /// The newest change of the layer and of the source it shows.
    pub last_modified: Option<DateTime<Utc>>,
    /// What the render pool counts the caller's jobs by (signed-in users;
    /// anonymous callers are counted by layer only).
    pub caller_key: Option<String>,
}

/// Why a layer or style could not be resolved.
#[derive(Debug)]
pub enum LayerError {
    NotDefined(String),
    StyleNotDefined(String),
}

/// The caller's view of one snapshot.
#[derive(Clone, Copy)]
pub struct Access<'a> {
    pub snap: &'a Arc<Snapshot>,
    pub caller: &'a Caller,
}

impl<'a> Access<'a> {
    pub fn new(snap: &'a Arc<Snapshot>, caller: &'a Caller) -> Access<'a> {
        Access { snap, caller }
    }

    /// May the caller read `layer`?
    pub fn readable(&self, layer: &RasterLayer) -> bool {
        Guard::layer(layer).can_read(self.caller)
    }

    /// May the caller read `collection`?
    pub fn collection_readable(&self, collection: &LayerCollection) -> bool {
        Guard::collection(collection).can_read(self.caller)
    }

    /// The layer named `name` (`org-slug:layer-slug` or uuid) when the
    /// caller may read it.
    pub fn find(&self, name: &str) -> Option<&'a RasterLayer> {
        self.snap
            .layer_by_name(name.trim())
            .filter(|l| self.readable(l))
    }

    /// Every layer the caller may read, in catalogue order.
    pub fn layers(&self) -> impl Iterator<Item = &'a RasterLayer> + '_ {
        self.snap.layers().iter().filter(|l| self.readable(l))
    }

    /// Looks up `name` and validates `style` (empty, absent or `default` =
    /// the layer's default style).
    pub fn resolve(&self, name: &str, style: Option<&str>) -> Result<Resolved, LayerError> {
        let layer = self.find(name).ok_or_else(|| {
            LayerError::NotDefined(format!("layer '{}' is not defined", clip(name)))
        })?;
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
        let snap = self.snap;
        // One lookup decides the kind: a stored source, else a computation.
        let single = snap.single_source(layer);
        let eval = match single {
            Some(source) => Ok(Layer::stored(snap, source.uuid)),
            None => Layer::computed(snap, layer).map_err(|e| e.to_string()),
        };
        let source_modified = match single {
            Some(source) => Some(source.last_modified),
            None => snap.shown_source(layer).map(|s| s.last_modified),
        };
        let last_modified = Some(layer.last_modified).max(source_modified);
        let cache_control = cache_control(layer);
        // Only a layer's own policy asks whether it reads temporal data.
        let temporal = cache_control.is_some()
            && snap
                .layer_sources(layer)
                .0
                .iter()
                .any(|s| snap.source(*s).is_some_and(|s| s.temporal));
        Ok(Resolved {
            layer: LayerRef {
                id: layer.uuid,
                version: snap.layer_version(layer),
            },
            eval,
            style: parsed.canonical(),
            public: layer.access_modifier.is_public(),
            cache_control,
            temporal,
            last_modified,
            caller_key: match self.caller {
                Caller::User { id, .. } => Some(format!("user:{id}")),
                Caller::Anonymous => None,
            },
        })
    }
}

impl Resolved {
    /// The layer's evaluation; a broken layer's error otherwise.
    pub fn eval(&self) -> Result<&Layer, RenderError> {
        self.eval
            .as_ref()
            .map_err(|_| RenderError::BrokenLayer(self.layer.id))
    }

    /// The `Cache-Control` of a map or tile of this layer at `time`: "the
    /// latest frame" of temporal data keeps the configured short policy,
    /// never the layer's own (possibly long) one.
    pub fn policy(&self, default: Option<&str>, time: TimeSel, moving: bool) -> Option<String> {
        let latest = time == TimeSel::Latest && self.temporal;
        let own = self.cache_control.as_deref().filter(|_| !latest);
        super::reply::cache_policy(default, own, self.public, moving)
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

/// The layer's `options.cache_control` when it is a non-empty, valid header
/// value (no control characters but tabs, as RFC 9110 field values).
pub fn cache_control(layer: &RasterLayer) -> Option<String> {
    layer
        .options
        .get("cache_control")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty() && s.bytes().all(|b| b == b'\t' || (b >= 0x20 && b != 0x7f)))
        .map(str::to_owned)
}

/// Shortens client text quoted in messages.
pub fn clip(s: &str) -> String {
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
