//! WMTS GetFeatureInfo (ogc-conformance §4.5): a tile query plus the pixel
//! (`I` column, `J` row, from the tile's top-left) and the `InfoFormat`,
//! over KVP or as the RESTful `…/{TileRow}/{TileCol}/{J}/{I}.<ext>`.
//!
//! Formats are WMS GetFeatureInfo's (`wms::featureinfo_format`), each with
//! the extension its RESTful template uses. Errors follow the WMTS error
//! table: an unknown InfoFormat is InvalidParameterValue (`InfoFormat`), a
//! pixel outside the tile TileOutOfRange (`I` / `J`). No catalogue access.

use super::tile::{TileAddress, TileQuery};
use super::{OwsCode, WmtsError};
use crate::geo::tms::TILE_SIZE;
use crate::protocol::kvp::{Kvp, clip};
use crate::protocol::wms::InfoFormat;

/// A GetFeatureInfo request as sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeatureInfoQuery {
    pub tile: TileQuery,
    /// Column in the tile, 0 = left.
    pub i: u32,
    /// Row in the tile, 0 = top.
    pub j: u32,
    pub info_format: InfoFormat,
}

/// The extension of `format` in RESTful FeatureInfo URLs.
pub fn extension(format: InfoFormat) -> &'static str {
    match format {
        InfoFormat::Text => "txt",
        InfoFormat::Html => "html",
        InfoFormat::Json => "json",
        InfoFormat::GeoJson => "geojson",
        InfoFormat::Gml => "gml",
        InfoFormat::Xml => "xml",
    }
}

/// The format whose RESTful extension is `ext` (any case).
pub fn by_extension(ext: &str) -> Option<InfoFormat> {
    InfoFormat::ALL
        .into_iter()
        .find(|f| extension(*f).eq_ignore_ascii_case(ext))
}

/// A pixel index `I` or `J`: ASCII digits (no spaces, `+`, fraction or
/// exponent) below the tile size; a negative or too large number is
/// TileOutOfRange, other text InvalidParameterValue.
pub fn parse_pixel(text: &str, locator: &str) -> Result<u32, WmtsError> {
    let t = text;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let outside = || {
        WmtsError::new(
            OwsCode::TileOutOfRange,
            Some(locator),
            format!(
                "{locator} {} is outside the {TILE_SIZE}×{TILE_SIZE} tile",
                clip(t)
            ),
        )
    };
    if t.strip_prefix('-').is_some_and(digits) {
        return Err(outside());
    }
    if !digits(t) {
        return Err(WmtsError::invalid(
            locator,
            format!("{locator} '{}' is not a whole number", clip(t)),
        ));
    }
    match t.parse::<u32>() {
        Ok(v) if v < TILE_SIZE => Ok(v),
        _ => Err(outside()),
    }
}

/// `INFOFORMAT` as sent: missing → MissingParameterValue, not offered →
/// InvalidParameterValue, both with locator `InfoFormat`.
pub fn parse_info_format(value: Option<&str>) -> Result<InfoFormat, WmtsError> {
    let v = value
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| WmtsError::missing("InfoFormat"))?;
    InfoFormat::parse(v).ok_or_else(|| {
        WmtsError::invalid(
            "InfoFormat",
            format!(
                "InfoFormat '{}' is not offered; use one of {}",
                clip(v),
                InfoFormat::ALL.map(InfoFormat::mime).join(", ")
            ),
        )
    })
}

/// The KVP parameters beyond GetTile's.
pub fn parse_kvp_extra(kvp: &Kvp, tile: TileQuery) -> Result<FeatureInfoQuery, WmtsError> {
    let j = kvp
        .get_nonempty("J")
        .ok_or_else(|| WmtsError::missing("J"))?;
    let i = kvp
        .get_nonempty("I")
        .ok_or_else(|| WmtsError::missing("I"))?;
    let info_format = parse_info_format(kvp.get("INFOFORMAT"))?;
    Ok(FeatureInfoQuery {
        tile,
        i: parse_pixel(i, "I")?,
        j: parse_pixel(j, "J")?,
        info_format,
    })
}

impl FeatureInfoQuery {
    /// The centre of pixel (I, J) of the tile at `addr`, in the set's CRS
    /// (x = east, y = north).
    pub fn point(&self, addr: &TileAddress) -> (f64, f64) {
        let cell = addr.matrix.cell_size;
        (
            addr.bbox.min_x + (f64::from(self.i) + 0.5) * cell,
            addr.bbox.max_y - (f64::from(self.j) + 0.5) * cell,
        )
    }
}
