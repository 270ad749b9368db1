//! Lizard's colormap JSON: the definition format of `/api/v4/colormaps/<name>/`
//! (spec §6.2), its validation, tegel's built-in Lizard-style maps, and the
//! sampling of a definition into colours.
//!
//! Data only plus pure arithmetic: no I/O, no protocol, no pixel loops (the
//! kernels in `apply` use what `sample` prepares).

mod builtin;
mod sample;

pub use builtin::{LizardColormap, builtin, builtins, catalogue, definition, from_matplotlib};
pub use sample::Ramp;
pub(crate) use sample::value_at as sample_value_at;

use super::error::StyleError;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `GradientColormap` (interpolated between stops) or `DiscreteColormap`
/// (one colour per class value).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Kind {
    GradientColormap,
    DiscreteColormap,
}

/// One colormap definition as Lizard serves it:
/// `{"type", "data": [[value, [R,G,B,A]], …], "log", "free", "rescalable",
/// "invalid", "masked", "labels": {locale: [[value, label], …]}}`.
/// Colours are 0–255 per channel, alpha included.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Definition {
    #[serde(rename = "type")]
    pub kind: Kind,
    /// Stops (gradient) or classes (discrete), values ascending.
    pub data: Vec<(f64, [u8; 4])>,
    /// Gradient only: interpolate and index in log space (all values > 0).
    #[serde(default)]
    pub log: bool,
    /// `false`: STYLES limits do not rescale the map (e.g. radar in mm).
    #[serde(default = "yes")]
    pub free: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rescalable: Option<bool>,
    /// The colour of values that have no place in the table: discrete values
    /// that are no class, and values ≤ 0 of a log map. Absent → discrete
    /// misses are transparent and log values ≤ 0 take the first stop.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invalid: Option<[u8; 4]>,
    /// The colour of nodata; one with alpha 0 (or none) leaves nodata to the
    /// request's TRANSPARENT/BGCOLOR.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub masked: Option<[u8; 4]>,
    /// Legend labels per locale, e.g. `{"nl_NL": [[1, "water"]]}`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, Vec<(f64, String)>>,
}

fn yes() -> bool {
    true
}

impl Definition {
    /// Parse and validate a JSON definition.
    ///
    /// Errors: `Invalid` for malformed JSON and for anything [`validate`](Self::validate) refuses.
    pub fn from_json(bytes: &[u8]) -> Result<Definition, StyleError> {
        let def: Definition = serde_json::from_slice(bytes)
            .map_err(|e| StyleError::Invalid(format!("colormap definition: {e}")))?;
        def.validate()?;
        Ok(def)
    }

    /// At least one entry; finite values in ascending order (strictly for
    /// discrete classes; equal gradient stops make a hard step); a log map is
    /// a gradient with every value > 0.
    pub fn validate(&self) -> Result<(), StyleError> {
        let bad = |m: &str| Err(StyleError::Invalid(format!("colormap definition: {m}")));
        if self.data.is_empty() {
            return bad("data is empty");
        }
        if self.data.iter().any(|(v, _)| !v.is_finite()) {
            return bad("a value is not finite");
        }
        let strict = self.kind == Kind::DiscreteColormap;
        if self
            .data
            .windows(2)
            .any(|w| w[1].0 < w[0].0 || (strict && w[1].0 == w[0].0))
        {
            return bad("values are not ascending");
        }
        if self.log {
            if strict {
                return bad("log applies to gradients only");
            }
            if self.data.iter().any(|(v, _)| *v <= 0.0) {
                return bad("a log map needs values > 0");
            }
        }
        Ok(())
    }

    /// The values of the first and last entry: the map's own domain.
    pub fn native_domain(&self) -> (f64, f64) {
        let first = self.data.first().map_or(0.0, |d| d.0);
        let last = self.data.last().map_or(first, |d| d.0);
        (first, last)
    }

    /// Whether STYLES limits rescale this map: free gradients only.
    pub fn rescales(&self) -> bool {
        self.free && self.kind == Kind::GradientColormap
    }
}

#[cfg(test)]
mod tests;
