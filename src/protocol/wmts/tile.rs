//! GetTile, KVP or RESTful: the query as sent (`TileQuery`), checked against
//! a `WmtsLayer` into a `TileAddress`, then the `RenderRequest` for it.
//!
//! Locators and codes follow the WMTS error table: unknown set `TileMatrixSet`,
//! unknown matrix `TileMatrix`, rows and columns outside the matrix or its
//! advertised limits `TileOutOfRange`, a time not advertised `Time`.

use super::layer::{TIME_DIMENSION, WmtsLayer};
use super::{OwsCode, WmtsError};
use crate::geo::tms::{TILE_SIZE, TileMatrix, TileMatrixSet};
use crate::model::{
    BBox, GridSpec, LayerRef, OutputFormat, RenderRequest, Resampling, Rgb, TimeSel,
};
use crate::protocol::kvp::clip;
use crate::protocol::time::{TimeParam, TimePoint};

/// Which binding a request came over (REST paths must match their template).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Binding {
    Kvp,
    Rest,
}

/// A GetTile request as sent (format already checked: PNG).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TileQuery {
    pub layer: String,
    pub style: String,
    pub set: String,
    pub matrix: String,
    pub row: u64,
    pub col: u64,
    /// The `Time` dimension value; `None` when not sent.
    pub time: Option<String>,
    pub binding: Binding,
}

/// A tile that exists: the set, level, address, extent and frame.
#[derive(Clone, Debug, PartialEq)]
pub struct TileAddress {
    pub set: &'static TileMatrixSet,
    pub matrix: TileMatrix,
    pub row: u64,
    pub col: u64,
    /// In the set's CRS, x = east, y = north.
    pub bbox: BBox,
    pub time: TimeSel,
}

/// A tile row or column: ASCII digits only (no spaces, `+`, fraction or
/// exponent). Negative numbers are TileOutOfRange, other text
/// InvalidParameterValue (locator `TileRow` / `TileCol`).
pub fn parse_index(text: &str, locator: &str) -> Result<u64, WmtsError> {
    let t = text;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if let Some(neg) = t.strip_prefix('-')
        && digits(neg)
    {
        return Err(out_of_range(locator, t));
    }
    if !digits(t) {
        return Err(WmtsError::invalid(
            locator,
            format!("{locator} '{}' is not a whole number", clip(t)),
        ));
    }
    // Too long for u64: certainly outside every matrix.
    Ok(t.parse().unwrap_or(u64::MAX))
}

fn out_of_range(locator: &str, value: &str) -> WmtsError {
    WmtsError::new(
        OwsCode::TileOutOfRange,
        Some(locator),
        format!(
            "{locator} {} is outside the tile matrix or its limits",
            clip(value)
        ),
    )
}

impl TileQuery {
    /// Checks the set, matrix, row, column and time against `layer`.
    pub fn resolve(&self, layer: &WmtsLayer) -> Result<TileAddress, WmtsError> {
        let link = layer
            .links
            .iter()
            .find(|l| l.set.id == self.set)
            .ok_or_else(|| {
                WmtsError::invalid(
                    "TileMatrixSet",
                    format!(
                        "TileMatrixSet '{}' is not offered for layer {}",
                        clip(&self.set),
                        clip(&layer.identifier)
                    ),
                )
            })?;
        let matrix = link.set.matrix_by_id(&self.matrix).ok_or_else(|| {
            WmtsError::invalid(
                "TileMatrix",
                format!(
                    "TileMatrix '{}' is not in TileMatrixSet {}",
                    clip(&self.matrix),
                    link.set.id
                ),
            )
        })?;
        let limits = link.limits(matrix.z);
        if self.row >= matrix.matrix_height || limits.is_some_and(|r| !r.contains_row(self.row)) {
            return Err(out_of_range("TileRow", &self.row.to_string()));
        }
        if self.col >= matrix.matrix_width || limits.is_some_and(|r| !r.contains_col(self.col)) {
            return Err(out_of_range("TileCol", &self.col.to_string()));
        }
        let bbox = matrix
            .tile_bbox(self.row, self.col)
            .ok_or_else(|| out_of_range("TileRow", &self.row.to_string()))?;
        Ok(TileAddress {
            set: link.set,
            row: self.row,
            col: self.col,
            bbox,
            time: self.time_sel(layer)?,
            matrix,
        })
    }

    /// The frame: absent (KVP), empty or `default` → the default value,
    /// `current` → the latest frame, an advertised instant → that frame. A
    /// REST path carries a time segment exactly when the layer is temporal.
    fn time_sel(&self, layer: &WmtsLayer) -> Result<TimeSel, WmtsError> {
        let bad = |m: String| WmtsError::invalid(TIME_DIMENSION, m);
        let Some(dim) = &layer.time else {
            return match (self.binding, &self.time) {
                (Binding::Rest, Some(t)) => Err(bad(format!(
                    "layer {} has no Time dimension; '{}' is not a valid path segment",
                    clip(&layer.identifier),
                    clip(t)
                ))),
                _ => Ok(TimeSel::Latest),
            };
        };
        let value = self.time.as_deref().map(str::trim).unwrap_or("");
        if value.is_empty() {
            if self.binding == Binding::Rest {
                return Err(bad("the Time dimension value is missing".into()));
            }
            return Ok(TimeSel::Nearest(dim.default));
        }
        if value.eq_ignore_ascii_case("default") {
            return Ok(TimeSel::Nearest(dim.default));
        }
        match TimeParam::parse(value) {
            Ok(TimeParam::Instant(TimePoint::Current)) => Ok(TimeSel::Latest),
            Ok(TimeParam::Instant(TimePoint::At(t))) if dim.values.contains(&t) => {
                Ok(TimeSel::Nearest(t))
            }
            _ => Err(bad(format!(
                "Time '{}' is not one of the advertised values",
                clip(value)
            ))),
        }
    }
}

impl TileAddress {
    /// The render request for this tile once the caller has resolved the layer
    /// and the style: a 256×256 PNG in the set's CRS, transparent where there
    /// is no data.
    pub fn render_request(&self, layer: LayerRef, style: String) -> RenderRequest {
        RenderRequest {
            layer,
            grid: GridSpec {
                crs: self.set.crs,
                bbox: self.bbox,
                width: TILE_SIZE,
                height: TILE_SIZE,
            },
            time: self.time,
            style,
            format: OutputFormat::Png,
            resampling: Resampling::Nearest,
            transparent: true,
            bgcolor: Rgb::WHITE,
        }
    }
}
