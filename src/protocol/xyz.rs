//! XYZ tiles: the path tail of `GET /tiles/{layer}/{z}/{x}/{y}.png` and its
//! query (`styles`, `time`) → a validated `XyzRequest`.
//!
//! Rows count from the top (Google/OSM), tiles are EPSG:3857 WebMercatorQuad.
//! Does not look the layer up and does not render.

use super::kvp::{Kvp, KvpError, clip, decode_path};
use super::time::{TimeError, TimeParam};
use crate::model::{
    BBox, Crs, ErrorClass, GridSpec, LayerRef, OutputFormat, RenderRequest, Resampling, Rgb,
    TimeSel,
};
use uuid::Uuid;

/// The deepest zoom level served.
pub const MAX_ZOOM: u8 = 30;

/// Pixels along each side of a tile.
pub const TILE_SIZE: u32 = 256;

/// How a tile request names its layer.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum XyzLayer {
    /// `org-slug:layer-slug` (the WMS layer name).
    Name { org: String, slug: String },
    /// The layer's UUID.
    Id(Uuid),
}

/// A valid XYZ tile request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct XyzRequest {
    pub layer: XyzLayer,
    pub z: u8,
    /// Column, `0 ≤ x < 2^z`, from the west.
    pub x: u32,
    /// Row, `0 ≤ y < 2^z`, from the north.
    pub y: u32,
    /// The `styles` string; `None` when absent or empty (layer default).
    pub style: Option<String>,
    /// The `time` value; `None` when absent or empty.
    pub time: Option<TimeParam>,
}

/// Why a tile request was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum XyzError {
    #[error("tile path must be {{layer}}/{{z}}/{{x}}/{{y}}.png, got '{0}'")]
    BadPath(String),
    #[error("layer '{0}' must be organisation:layer (letters, digits, '-', '_', '.') or a UUID")]
    BadLayer(String),
    #[error("{axis} '{value}' must be a whole number")]
    BadNumber { axis: &'static str, value: String },
    #[error("zoom {0} is beyond the maximum {MAX_ZOOM}")]
    ZoomTooDeep(u64),
    #[error("tile {axis}={value} is outside 0..{limit} at zoom {z}")]
    OutOfRange {
        axis: &'static str,
        value: u64,
        limit: u64,
        z: u8,
    },
    #[error("tiles are served as .png only, not '{0}'")]
    UnsupportedFormat(String),
    #[error("both styles and style are given; send one")]
    AmbiguousStyle,
    #[error(transparent)]
    Query(#[from] KvpError),
    #[error(transparent)]
    Time(#[from] TimeError),
}

impl XyzError {
    pub fn class(&self) -> ErrorClass {
        match self {
            XyzError::UnsupportedFormat(_) => ErrorClass::Unsupported,
            XyzError::OutOfRange { .. } | XyzError::ZoomTooDeep(_) => ErrorClass::NotFound,
            XyzError::Query(e) => e.class(),
            XyzError::Time(e) => e.class(),
            _ => ErrorClass::BadRequest,
        }
    }
}

impl XyzRequest {
    /// Parses `path_tail` (`{layer}/{z}/{x}/{y}.png`, the part after `/tiles/`; a
    /// leading `/` is allowed) and `query` (`styles` or its alias `style`, `time`;
    /// names case-insensitive, others ignored). The layer segment is
    /// percent-decoded (`+` stays `+`). Out-of-range tiles are NotFound; any
    /// extension other than `.png` (any case) is Unsupported.
    pub fn parse(path_tail: &str, query: &str) -> Result<XyzRequest, XyzError> {
        let tail = path_tail.strip_prefix('/').unwrap_or(path_tail);
        let bad_path = || XyzError::BadPath(clip(path_tail));
        let segments: Vec<&str> = tail.split('/').collect();
        let [layer, z, x, last] = segments.as_slice() else {
            return Err(bad_path());
        };
        let (y, ext) = last.rsplit_once('.').ok_or_else(bad_path)?;
        if !ext.eq_ignore_ascii_case("png") {
            return Err(XyzError::UnsupportedFormat(clip(ext)));
        }
        let layer = parse_layer(layer)?;
        let z = number("z", z)?;
        if z > u64::from(MAX_ZOOM) {
            return Err(XyzError::ZoomTooDeep(z));
        }
        // z ≤ 30 was checked, so the cast is exact.
        let z = z as u8;
        let limit = 1u64 << z;
        let x = number("x", x)?;
        let y = number("y", y)?;
        for (axis, value) in [("x", x), ("y", y)] {
            if value >= limit {
                return Err(XyzError::OutOfRange {
                    axis,
                    value,
                    limit,
                    z,
                });
            }
        }
        let kvp = Kvp::parse(query)?;
        let style = match (kvp.get_nonempty("STYLES"), kvp.get_nonempty("STYLE")) {
            (Some(_), Some(_)) => return Err(XyzError::AmbiguousStyle),
            (a, b) => a.or(b).map(|s| s.trim().to_string()),
        };
        let time = kvp.get_nonempty("TIME").map(TimeParam::parse).transpose()?;
        // x, y < 2^30 were checked, so they fit in u32.
        Ok(XyzRequest {
            layer,
            z,
            x: x as u32,
            y: y as u32,
            style,
            time,
        })
    }

    /// The time selection: no time → latest frame, an instant → nearest frame,
    /// `current` → latest; intervals and lists → [`XyzError::Time`] (Unsupported).
    pub fn time_sel(&self) -> Result<TimeSel, XyzError> {
        match &self.time {
            None => Ok(TimeSel::Latest),
            Some(t) => Ok(t.to_time_sel()?),
        }
    }

    /// The render request for this tile once the caller has resolved the layer
    /// and the style (`self.style` or the layer default): a 256×256 PNG in
    /// EPSG:3857, transparent where there is no data.
    pub fn render_request(
        &self,
        layer: LayerRef,
        style: String,
    ) -> Result<RenderRequest, XyzError> {
        Ok(RenderRequest {
            layer,
            grid: GridSpec {
                crs: Crs::WEB_MERCATOR,
                bbox: self.bbox_3857()?,
                width: TILE_SIZE,
                height: TILE_SIZE,
            },
            time: self.time_sel()?,
            style,
            format: OutputFormat::Png,
            resampling: Resampling::Nearest,
            transparent: true,
            bgcolor: Rgb::WHITE,
        })
    }

    /// The tile's extent in EPSG:3857 (x = east, y = north).
    pub fn bbox_3857(&self) -> Result<BBox, XyzError> {
        // Parsing checked the ranges; a hand-built request may still be out of them.
        crate::geo::tiles::xyz_bbox(u32::from(self.z), self.x, self.y).map_err(|_| {
            XyzError::OutOfRange {
                axis: "x/y",
                value: u64::from(self.x.max(self.y)),
                limit: 1u64 << self.z.min(63),
                z: self.z,
            }
        })
    }
}

fn number(axis: &'static str, s: &str) -> Result<u64, XyzError> {
    let bad = || XyzError::BadNumber {
        axis,
        value: clip(s),
    };
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let significant = s.trim_start_matches('0');
    if significant.len() > 12 {
        // Far beyond any valid zoom or tile index.
        return Ok(u64::MAX);
    }
    Ok(significant.parse().unwrap_or(0))
}

fn parse_layer(raw: &str) -> Result<XyzLayer, XyzError> {
    let decoded = decode_path(raw).ok_or_else(|| XyzError::BadLayer(clip(raw)))?;
    if let Ok(id) = Uuid::try_parse(&decoded) {
        return Ok(XyzLayer::Id(id));
    }
    let ok_part = |p: &str| {
        !p.is_empty()
            && p.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    };
    match decoded.split_once(':') {
        Some((org, slug)) if ok_part(org) && ok_part(slug) => Ok(XyzLayer::Name {
            org: org.to_string(),
            slug: slug.to_string(),
        }),
        _ => Err(XyzError::BadLayer(clip(&decoded))),
    }
}

#[cfg(test)]
#[path = "xyz_tests.rs"]
mod tests;
