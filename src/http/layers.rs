//! Resolving a requested layer name and style against the catalogue snapshot,
//! shared by the WMS and XYZ endpoints.
//!
//! Only layers an anonymous caller may read are visible; any other layer is
//! answered exactly as a layer that does not exist.

use crate::catalogue::Snapshot;
use crate::model::LayerRef;
use crate::style::Style;

/// A layer ready for a `RenderRequest`.
#[derive(Debug)]
pub struct Resolved {
    pub layer: LayerRef,
    /// The canonical style string (the layer's default when none was asked).
    pub style: String,
}

#[derive(Debug)]
pub enum LayerError {
    NotDefined(String),
    StyleNotDefined(String),
}

/// Looks up `name` (`org-slug:layer-slug` or uuid) and validates `style`
/// (empty or absent = the layer's default style).
pub fn resolve(snap: &Snapshot, name: &str, style: Option<&str>) -> Result<Resolved, LayerError> {
    let layer = snap
        .layer_by_name(name.trim())
        .filter(|l| l.access_modifier.is_public())
        .ok_or_else(|| LayerError::NotDefined(format!("layer '{}' is not defined", clip(name))))?;
    let asked = style.map(str::trim).filter(|s| !s.is_empty());
    let text = asked.unwrap_or(layer.default_style());
    let parsed = Style::parse(text).map_err(|e| match asked {
        Some(_) => {
            LayerError::StyleNotDefined(format!("style '{}' is not defined: {e}", clip(text)))
        }
        // A broken default style is the layer's fault, reported as such.
        None => LayerError::StyleNotDefined(format!(
            "the default style of layer '{}' is invalid: {e}",
            clip(name)
        )),
    })?;
    Ok(Resolved {
        layer: LayerRef {
            id: layer.uuid,
            version: snap.layer_version(layer),
        },
        style: parsed.canonical(),
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
