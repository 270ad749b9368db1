//! Value parsers for single GetMap parameters: BBOX numbers, WIDTH/HEIGHT,
//! FORMAT, TRANSPARENT, BGCOLOR, EXCEPTIONS and the CRS/SRS name.
//!
//! Each turns one raw value into a typed value or an `OgcError` naming the
//! parameter. No cross-parameter rules here (those live in `getmap.rs`).

use super::{OgcCode, OgcError, WmsVersion};
use crate::geo::crs::{CrsName, parse_name};
use crate::model::{OutputFormat, Rgb};
use crate::protocol::kvp::clip;

/// The image formats GetMap serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum GetMapFormat {
    Png,
    /// Raw values as a single-band GeoTIFF (`image/tiff`, `image/geotiff`).
    Tiff,
}

impl GetMapFormat {
    /// The MIME type to answer with (`image/png`, `image/tiff`).
    pub fn mime(self) -> &'static str {
        self.output().mime()
    }

    pub fn output(self) -> OutputFormat {
        match self {
            GetMapFormat::Png => OutputFormat::Png,
            GetMapFormat::Tiff => OutputFormat::GeoTiff,
        }
    }

    /// Accepts the spellings clients send, case-insensitively, ignoring MIME
    /// parameters (`image/png; mode=8bit`): `image/png`, `png`, `image/png8`,
    /// `image/png24`, `image/png32`, `image/tiff`, `image/geotiff`, `tiff`,
    /// `geotiff`. Anything else → `None`.
    pub fn parse(value: &str) -> Option<GetMapFormat> {
        let base = value
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        let base = base.strip_prefix("image/").unwrap_or(&base);
        match base {
            "png" | "png8" | "png24" | "png32" => Some(GetMapFormat::Png),
            "tiff" | "geotiff" | "tif" => Some(GetMapFormat::Tiff),
            _ => None,
        }
    }
}

/// How errors of a GetMap should be reported (`EXCEPTIONS`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum ExceptionsFormat {
    /// A ServiceExceptionReport document (the default).
    #[default]
    Xml,
    /// An image in the requested FORMAT with the message drawn in it.
    InImage,
    /// An image in the requested FORMAT filled with BGCOLOR (or transparent).
    Blank,
}

impl ExceptionsFormat {
    /// Accepts both the 1.3.0 names (`XML`, `INIMAGE`, `BLANK`) and the 1.1.1 MIME
    /// types (`application/vnd.ogc.se_xml`, `…se_inimage`, `…se_blank`) in either
    /// version, case-insensitively. Anything else → `None`.
    pub fn parse(value: &str) -> Option<ExceptionsFormat> {
        let v = value.trim().to_ascii_lowercase();
        let v = v.strip_prefix("application/vnd.ogc.se_").unwrap_or(&v);
        match v {
            "xml" => Some(ExceptionsFormat::Xml),
            "inimage" => Some(ExceptionsFormat::InImage),
            "blank" => Some(ExceptionsFormat::Blank),
            _ => None,
        }
    }

    /// The name advertised in capabilities of `version`.
    pub fn name(self, version: WmsVersion) -> &'static str {
        match (version, self) {
            (WmsVersion::V1_3_0, ExceptionsFormat::Xml) => "XML",
            (WmsVersion::V1_3_0, ExceptionsFormat::InImage) => "INIMAGE",
            (WmsVersion::V1_3_0, ExceptionsFormat::Blank) => "BLANK",
            (WmsVersion::V1_1_1, ExceptionsFormat::Xml) => "application/vnd.ogc.se_xml",
            (WmsVersion::V1_1_1, ExceptionsFormat::InImage) => "application/vnd.ogc.se_inimage",
            (WmsVersion::V1_1_1, ExceptionsFormat::Blank) => "application/vnd.ogc.se_blank",
        }
    }
}

/// BBOX as four finite numbers in the order sent (`minx,miny,maxx,maxy` in the
/// CRS's axis order). Items are trimmed; `1e3`, `+5`, `.5`, `-.0005E1` parse;
/// `inf`, `NaN`, overflow to infinity, a wrong count → error naming BBOX.
pub fn parse_bbox_numbers(version: WmsVersion, raw: &str) -> Result<[f64; 4], OgcError> {
    let bad = |why: &str| OgcError::invalid(version, "BBOX", format!("BBOX '{}' {why}", clip(raw)));
    let items: Vec<&str> = raw.split(',').collect();
    let [a, b, c, d] = items.as_slice() else {
        return Err(bad(
            "must be four comma-separated numbers minx,miny,maxx,maxy",
        ));
    };
    let mut out = [0.0; 4];
    for (slot, item) in out.iter_mut().zip([a, b, c, d]) {
        let item = item.trim();
        // Rust's parser also accepts "inf", "infinity" and "nan"; only plain
        // decimal numbers are allowed here.
        if !item
            .bytes()
            .all(|ch| ch.is_ascii_digit() || matches!(ch, b'+' | b'-' | b'.' | b'e' | b'E'))
        {
            return Err(bad("holds something that is not a number"));
        }
        let v: f64 = item
            .parse()
            .map_err(|_| bad("holds something that is not a number"))?;
        if !v.is_finite() {
            return Err(bad("holds a number too large to represent"));
        }
        *slot = v;
    }
    Ok(out)
}

/// WIDTH or HEIGHT: a positive integer written as plain ASCII digits (leading
/// zeros allowed) no larger than `max`. Spaces, a sign, fractions, exponents,
/// zero → BadRequest; beyond `max` → TooLarge.
pub fn parse_size(version: WmsVersion, name: &str, raw: &str, max: u32) -> Result<u32, OgcError> {
    let value = parse_whole(raw).ok_or_else(|| {
        OgcError::invalid(
            version,
            name,
            format!(
                "{name} '{}' must be a positive whole number written with the digits 0-9 only",
                clip(raw)
            ),
        )
    })?;
    match value {
        0 => Err(OgcError::invalid(
            version,
            name,
            format!("{name} must be at least 1"),
        )),
        v if v <= u64::from(max) => u32::try_from(v)
            .map_err(|_| OgcError::too_large(version, name, format!("{name} is at most {max}"))),
        _ => Err(OgcError::too_large(
            version,
            name,
            format!("{name} {} is larger than the maximum {max}", clip(raw)),
        )),
    }
}

/// A non-negative integer as the OGC standards write one: ASCII digits only
/// (no spaces, sign, fraction or exponent; leading zeros allowed). Values
/// beyond `u64` saturate to `u64::MAX`. `None` when not of that form.
pub fn parse_whole(raw: &str) -> Option<u64> {
    if raw.is_empty() || !raw.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let significant = raw.trim_start_matches('0');
    if significant.len() > 19 {
        return Some(u64::MAX);
    }
    // At most 19 digits always fit; only "" (all zeros) fails to parse.
    Some(significant.parse().unwrap_or(0))
}

/// TRANSPARENT: `TRUE`/`FALSE` in any case (also `1`/`0`).
pub fn parse_bool(version: WmsVersion, name: &str, raw: &str) -> Result<bool, OgcError> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "true" | "1" => Ok(true),
        "false" | "0" => Ok(false),
        _ => Err(OgcError::invalid(
            version,
            name,
            format!("{name} must be TRUE or FALSE, not '{}'", clip(raw)),
        )),
    }
}

/// BGCOLOR: `0xRRGGBB`, prefix and hex digits in any case.
pub fn parse_bgcolor(version: WmsVersion, raw: &str) -> Result<Rgb, OgcError> {
    let bad = || {
        OgcError::invalid(
            version,
            "BGCOLOR",
            format!("BGCOLOR '{}' must be 0xRRGGBB", clip(raw)),
        )
    };
    let t = raw.trim();
    let hex = t
        .strip_prefix("0x")
        .or_else(|| t.strip_prefix("0X"))
        .ok_or_else(bad)?;
    if hex.len() != 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(bad());
    }
    let v = u32::from_str_radix(hex, 16).map_err(|_| bad())?;
    let [_, r, g, b] = v.to_be_bytes();
    Ok(Rgb([r, g, b]))
}

/// A CRS/SRS name through the registry; unknown → `InvalidCRS` (`InvalidSRS` in 1.1.1).
pub fn parse_crs(version: WmsVersion, name: &str, raw: &str) -> Result<CrsName, OgcError> {
    parse_name(raw).ok_or_else(|| {
        OgcError::with_code(
            version,
            OgcCode::InvalidCRS,
            Some(name),
            format!(
                "{name} '{}' is not a supported coordinate reference system",
                clip(raw)
            ),
        )
    })
}

#[cfg(test)]
#[path = "params_tests.rs"]
mod tests;
