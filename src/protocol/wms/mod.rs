//! WMS 1.3.0 / 1.1.1: requests parsed from KVP into typed values, exception
//! reports and capabilities documents.
//!
//! Pure parsing and serialising: no catalogue, no rendering, no I/O. The HTTP
//! layer looks layers and styles up and builds `RenderRequest`s from [`GetMap`].

pub mod capabilities;
mod error;
pub mod exception;
pub mod featureinfo_format;
mod getcaps;
mod getfeatureinfo;
mod getmap;
pub mod legend;
mod params;
mod version;

pub use error::{OgcCode, OgcError};
pub use featureinfo_format::InfoFormat;
pub use getcaps::{GetCapabilities, parse_getcapabilities};
pub use getfeatureinfo::{GetFeatureInfo, parse_getfeatureinfo};
pub use getmap::{
    GetMap, ImageExceptionParams, image_exception_params, parse_exceptions_param, parse_getmap,
};
pub use legend::{GetLegend, GetLegendGraphic, GetLimits, LegendFormat};
pub use params::{ExceptionsFormat, GetMapFormat};
pub use version::WmsVersion;

use crate::protocol::kvp::{Kvp, clip};

/// Request limits enforced while parsing (advertised as `LayerLimit`,
/// `MaxWidth`, `MaxHeight` in capabilities).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WmsLimits {
    pub max_width: u32,
    pub max_height: u32,
    /// Largest `WIDTH × HEIGHT` of one map (GetMap) or value grid (getlimits).
    pub max_pixels: u64,
    pub layer_limit: u32,
}

impl Default for WmsLimits {
    /// 4096 × 4096 pixels, 10 layers.
    fn default() -> WmsLimits {
        WmsLimits {
            max_width: 4096,
            max_height: 4096,
            max_pixels: 4096 * 4096,
            layer_limit: 10,
        }
    }
}

/// A WMS request tegel serves.
#[derive(Clone, Debug, PartialEq)]
pub enum WmsRequest {
    GetCapabilities(GetCapabilities),
    GetMap(GetMap),
    GetFeatureInfo(GetFeatureInfo),
    GetLegendGraphic(GetLegendGraphic),
    /// Lizard's vendor `getlegend` (JSON).
    GetLegend(GetLegend),
    /// Lizard's vendor `getlimits` (JSON).
    GetLimits(GetLimits),
}

/// Operations that exist in WMS (or as common vendor extensions) but are not
/// served yet: answered with `OperationNotSupported`.
const NOT_SERVED: &[&str] = &["describelayer", "getstyles", "putstyles"];

/// Parses a WMS request from decoded KVP.
///
/// `REQUEST` (value case-insensitive): `GetCapabilities` (or 1.0's
/// `capabilities`), `GetMap` (or `map`), `GetFeatureInfo` (or `feature_info`),
/// `GetLegendGraphic`, and Lizard's `getlegend` and `getlimits`. Other operations → `OperationNotSupported`
/// naming them; missing REQUEST → error naming it. `SERVICE` may be missing; if
/// present it must be `WMS` (any case). GetMap and GetFeatureInfo need `VERSION` (or `WMTVER`)
/// 1.3.0 or 1.1.1; GetCapabilities negotiates. Errors are reported in the
/// version asked for, as far as it could be read.
pub fn parse_wms(kvp: &Kvp, limits: &WmsLimits) -> Result<WmsRequest, OgcError> {
    let hint = WmsVersion::hint(kvp);
    if let Some(service) = kvp.get_nonempty("SERVICE") {
        if !service.trim().eq_ignore_ascii_case("WMS") {
            return Err(OgcError::invalid(
                hint,
                "SERVICE",
                format!(
                    "SERVICE '{}' is not served here; use SERVICE=WMS",
                    clip(service)
                ),
            ));
        }
    }
    let Some(request) = kvp.get_nonempty("REQUEST") else {
        return Err(OgcError::invalid(
            hint,
            "REQUEST",
            "the REQUEST parameter is missing (e.g. REQUEST=GetCapabilities)",
        ));
    };
    let op = request.trim().to_ascii_lowercase();
    match op.as_str() {
        "getcapabilities" | "capabilities" => {
            Ok(WmsRequest::GetCapabilities(parse_getcapabilities(kvp)))
        }
        "getmap" | "map" => {
            let version = exact_version(kvp, hint, "GetMap")?;
            parse_getmap(version, kvp, limits).map(WmsRequest::GetMap)
        }
        "getfeatureinfo" | "feature_info" => {
            let version = exact_version(kvp, hint, "GetFeatureInfo")?;
            parse_getfeatureinfo(version, kvp, limits).map(WmsRequest::GetFeatureInfo)
        }
        "getlegendgraphic" => legend::parse_getlegendgraphic(kvp).map(WmsRequest::GetLegendGraphic),
        "getlegend" => legend::parse_getlegend(kvp).map(WmsRequest::GetLegend),
        "getlimits" => legend::parse_getlimits(kvp, limits).map(WmsRequest::GetLimits),
        _ => {
            let what = if NOT_SERVED.contains(&op.as_str()) {
                "is not supported by this server"
            } else {
                "is not a WMS operation"
            };
            Err(OgcError::with_code(
                hint,
                OgcCode::OperationNotSupported,
                Some("REQUEST"),
                format!("REQUEST '{}' {what}", clip(request)),
            ))
        }
    }
}

/// The version of a request other than GetCapabilities: `VERSION` (or
/// `WMTVER`) must be 1.3.0 or 1.1.1.
fn exact_version(kvp: &Kvp, hint: WmsVersion, op: &str) -> Result<WmsVersion, OgcError> {
    let Some(raw) = WmsVersion::requested(kvp) else {
        return Err(OgcError::invalid(
            hint,
            "VERSION",
            format!("{op} needs the VERSION parameter (1.3.0 or 1.1.1)"),
        ));
    };
    WmsVersion::parse_exact(raw).ok_or_else(|| {
        OgcError::invalid(
            hint,
            "VERSION",
            format!(
                "VERSION '{}' is not supported; use 1.3.0 or 1.1.1",
                clip(raw)
            ),
        )
    })
}

/// [`parse_wms`] on a raw query string (percent-encoded, with or without `?`).
/// A query that cannot be decoded is reported in the version its `VERSION`
/// (or `WMTVER`) item asks for, read without decoding (1.3.0 when absent).
pub fn parse_wms_query(query: &str, limits: &WmsLimits) -> Result<WmsRequest, OgcError> {
    let kvp = Kvp::parse(query)
        .map_err(|e| OgcError::from_kvp(&e).in_version(raw_version_hint(query)))?;
    parse_wms(&kvp, limits)
}

/// The negotiated version of the first `VERSION`, else `WMTVER`, item of an
/// undecoded query.
fn raw_version_hint(query: &str) -> WmsVersion {
    let items = || {
        query
            .trim_start_matches('?')
            .split('&')
            .filter_map(|item| item.split_once('='))
    };
    let find = |name: &str| {
        items()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    };
    WmsVersion::negotiate(
        find("VERSION")
            .or_else(|| find("WMTVER"))
            .filter(|v| !v.is_empty()),
    )
}

#[cfg(test)]
mod tests;
