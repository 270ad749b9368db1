//! GetFeatureInfo: raw KVP → a validated, typed `GetFeatureInfo` (WMS 1.3.0
//! §7.4, 1.1.1 §7.3).
//!
//! The map part (LAYERS, STYLES, CRS, BBOX, WIDTH, HEIGHT, TIME…) is parsed
//! exactly as GetMap's; on top come QUERY_LAYERS, INFO_FORMAT, the pixel (I/J in
//! 1.3.0, X/Y in 1.1.1) and FEATURE_COUNT. Pure parsing: layer existence is
//! checked by whoever looks layers up; nothing is read or rendered here.

use super::featureinfo_format::InfoFormat;
use super::getmap::parse_map_part;
use super::params::{parse_size, parse_whole};
use super::{GetMap, OgcCode, OgcError, WmsLimits, WmsVersion};
use crate::model::TimeSel;
use crate::protocol::kvp::{Kvp, clip};
use crate::protocol::time::{TimeError, TimeParam};

/// A syntactically valid GetFeatureInfo request.
#[derive(Clone, Debug, PartialEq)]
pub struct GetFeatureInfo {
    /// The map the client shows (its grid, layers and time).
    pub map: GetMap,
    /// Names as sent, each one of `map.layers`; 1..=layer_limit.
    pub query_layers: Vec<String>,
    pub info_format: InfoFormat,
    /// Pixel column from the left, `< map.width`.
    pub i: u32,
    /// Pixel row from the top, `< map.height`.
    pub j: u32,
    /// Records per queried layer at most (≥ 1; default 1).
    pub feature_count: u32,
}

impl GetFeatureInfo {
    /// The centre of pixel (I, J) of the map grid, x = east, y = north.
    pub fn point(&self) -> (f64, f64) {
        let b = &self.map.bbox;
        let dx = b.width() / f64::from(self.map.width);
        let dy = b.height() / f64::from(self.map.height);
        (
            b.min_x + (f64::from(self.i) + 0.5) * dx,
            b.max_y - (f64::from(self.j) + 0.5) * dy,
        )
    }

    /// The instants to report, in request order: no TIME → the latest frame; an
    /// instant → its nearest frame; `current` → the latest; a list of those →
    /// one selection per item. Intervals (alone or in a list) →
    /// `InvalidDimensionValue`.
    pub fn time_sels(&self) -> Result<Vec<TimeSel>, OgcError> {
        let one = |t: &TimeParam| {
            t.to_time_sel()
                .map_err(|e| OgcError::from_time(self.map.version, &e))
        };
        match &self.map.time {
            None => Ok(vec![TimeSel::Latest]),
            Some(TimeParam::List(items)) => items
                .iter()
                .map(|t| match t {
                    TimeParam::List(_) => Err(OgcError::from_time(
                        self.map.version,
                        &TimeError::NotAnInstant("nested lists"),
                    )),
                    _ => one(t),
                })
                .collect(),
            Some(t) => one(t).map(|s| vec![s]),
        }
    }
}

/// Parses a GetFeatureInfo of `version` (already checked by the caller).
///
/// Parameter names are case-insensitive. QUERY_LAYERS is required and each
/// name must appear in LAYERS (else `LayerNotDefined`). INFO_FORMAT is required
/// in 1.3.0 and defaults to the first advertised format in 1.1.1; an unknown
/// one → `InvalidFormat`. The pixel is `I`/`J` (1.3.0) or `X`/`Y` (1.1.1), the
/// other version's names accepted when the own ones are absent; it must be a
/// whole number (digits only: no sign, spaces, fraction or exponent) inside
/// the image, else `InvalidPoint`.
/// FEATURE_COUNT is a positive whole number (default 1).
pub fn parse_getfeatureinfo(
    version: WmsVersion,
    kvp: &Kvp,
    limits: &WmsLimits,
) -> Result<GetFeatureInfo, OgcError> {
    let map = parse_map_part(version, kvp, limits, "GetFeatureInfo")?;

    let Some(raw) = kvp.get_nonempty("QUERY_LAYERS") else {
        return Err(OgcError::invalid(
            version,
            "QUERY_LAYERS",
            "GetFeatureInfo needs the QUERY_LAYERS parameter",
        ));
    };
    let query_layers: Vec<String> = raw.split(',').map(str::to_string).collect();
    for name in &query_layers {
        if !map.layers.iter().any(|l| l.trim() == name.trim()) {
            return Err(OgcError::with_code(
                version,
                OgcCode::LayerNotDefined,
                Some("QUERY_LAYERS"),
                format!(
                    "query layer '{}' is not one of the LAYERS of the map",
                    clip(name)
                ),
            ));
        }
    }
    if query_layers.len() > limits.layer_limit as usize {
        return Err(OgcError::too_large(
            version,
            "QUERY_LAYERS",
            format!(
                "QUERY_LAYERS names {} layers; at most {} are allowed",
                query_layers.len(),
                limits.layer_limit
            ),
        ));
    }

    let info_format = match (kvp.get_nonempty("INFO_FORMAT"), version) {
        (Some(v), _) => InfoFormat::parse(v).ok_or_else(|| {
            OgcError::with_code(
                version,
                OgcCode::InvalidFormat,
                Some("INFO_FORMAT"),
                format!(
                    "INFO_FORMAT '{}' is not offered; use one of {}",
                    clip(v),
                    InfoFormat::ALL.map(InfoFormat::mime).join(", ")
                ),
            )
        })?,
        (None, WmsVersion::V1_1_1) => InfoFormat::ALL[0],
        (None, WmsVersion::V1_3_0) => {
            return Err(OgcError::invalid(
                version,
                "INFO_FORMAT",
                "GetFeatureInfo needs the INFO_FORMAT parameter",
            ));
        }
    };

    let (col, row) = match version {
        WmsVersion::V1_3_0 => (["I", "X"], ["J", "Y"]),
        WmsVersion::V1_1_1 => (["X", "I"], ["Y", "J"]),
    };
    let i = parse_pixel(version, kvp, col, map.width)?;
    let j = parse_pixel(version, kvp, row, map.height)?;

    let feature_count = match kvp.get_nonempty("FEATURE_COUNT") {
        Some(v) => parse_size(version, "FEATURE_COUNT", v, u32::MAX)?,
        None => 1,
    };
    Ok(GetFeatureInfo {
        map,
        query_layers,
        info_format,
        i,
        j,
        feature_count,
    })
}

/// One pixel coordinate read from the first of `names` present, in `0..size`.
fn parse_pixel(
    version: WmsVersion,
    kvp: &Kvp,
    names: [&str; 2],
    size: u32,
) -> Result<u32, OgcError> {
    let own = names[0];
    let Some((name, raw)) = names
        .iter()
        .find_map(|n| kvp.get_nonempty(n).map(|v| (*n, v)))
    else {
        return Err(OgcError::invalid(
            version,
            own,
            format!("GetFeatureInfo needs the {own} parameter"),
        ));
    };
    let bad = |why: String| OgcError::with_code(version, OgcCode::InvalidPoint, Some(name), why);
    let v = parse_whole(raw).ok_or_else(|| {
        bad(format!(
            "{name} '{}' is not a pixel number: give a whole number written with the digits 0-9 only",
            clip(raw)
        ))
    })?;
    if v >= u64::from(size) {
        return Err(bad(format!(
            "{name} {} lies outside the image (0 to {})",
            clip(raw),
            size.saturating_sub(1)
        )));
    }
    u32::try_from(v).map_err(|_| bad(format!("{name} {} lies outside the image", clip(raw))))
}

#[cfg(test)]
#[path = "getfeatureinfo_tests.rs"]
mod tests;
