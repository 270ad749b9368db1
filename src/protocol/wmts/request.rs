//! KVP requests: raw `Kvp` → typed `GetCapabilities`, `TileQuery` or
//! `FeatureInfoQuery`, with the
//! exception codes and locators of the WMTS error table (ogc-conformance §4.3).
//!
//! Checks what the query alone decides (presence, SERVICE, REQUEST, VERSION,
//! FORMAT, numbers); layer, style, matrix and range checks need the layer and
//! happen in `tile.rs`. No catalogue access.

use super::featureinfo::{FeatureInfoQuery, parse_kvp_extra};
use super::tile::{Binding, TileQuery, parse_index};
use super::{FORMAT_PNG, OwsCode, VERSION, WmtsError};
use crate::protocol::kvp::{Kvp, clip};

/// A parsed KVP request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WmtsRequest {
    GetCapabilities(GetCapabilities),
    GetTile(TileQuery),
    GetFeatureInfo(FeatureInfoQuery),
}

/// Which sections of the capabilities document to write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sections {
    pub service_identification: bool,
    pub service_provider: bool,
    pub operations_metadata: bool,
    pub contents: bool,
    pub themes: bool,
}

impl Sections {
    pub const ALL: Sections = Sections {
        service_identification: true,
        service_provider: true,
        operations_metadata: true,
        contents: true,
        themes: true,
    };

    pub fn is_all(&self) -> bool {
        *self == Sections::ALL
    }

    /// `Sections` as sent: a comma list of section names or `All` (any case).
    /// Empty → MissingParameterValue, an unknown name → InvalidParameterValue,
    /// both with locator `sections`.
    pub fn parse(value: &str) -> Result<Sections, WmtsError> {
        if value.trim().is_empty() {
            return Err(WmtsError::missing("sections"));
        }
        let mut s = Sections {
            service_identification: false,
            service_provider: false,
            operations_metadata: false,
            contents: false,
            themes: false,
        };
        for item in value.split(',').map(str::trim) {
            match item.to_ascii_lowercase().as_str() {
                "all" => s = Sections::ALL,
                "serviceidentification" => s.service_identification = true,
                "serviceprovider" => s.service_provider = true,
                "operationsmetadata" => s.operations_metadata = true,
                "contents" => s.contents = true,
                "themes" => s.themes = true,
                _ => {
                    return Err(WmtsError::invalid(
                        "sections",
                        format!("'{}' is not a capabilities section", clip(item)),
                    ));
                }
            }
        }
        Ok(s)
    }
}

/// A GetCapabilities request after version negotiation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GetCapabilities {
    pub sections: Sections,
    /// `UpdateSequence` as sent.
    pub update_sequence: Option<String>,
}

/// How a capabilities request relates to the current update sequence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Freshness {
    /// Send the document.
    Send,
    /// The client has it: send the bare `Capabilities` element.
    Current,
}

impl GetCapabilities {
    /// Not requested or lower → `Send`; equal → `Current`; higher or not a
    /// number → InvalidUpdateSequence without locator.
    pub fn freshness(&self, current: u64) -> Result<Freshness, WmtsError> {
        let Some(asked) = self.update_sequence.as_deref() else {
            return Ok(Freshness::Send);
        };
        let digits = asked.strip_prefix('+').unwrap_or(asked);
        let number = (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
            .then(|| digits.parse::<u64>().unwrap_or(u64::MAX));
        match number {
            Some(n) if n < current => Ok(Freshness::Send),
            Some(n) if n == current => Ok(Freshness::Current),
            _ => Err(WmtsError::new(
                OwsCode::InvalidUpdateSequence,
                None,
                format!(
                    "UpdateSequence '{}' is not the current {current} or an earlier one",
                    clip(asked)
                ),
            )),
        }
    }
}

/// Parses a KVP request: SERVICE (WMTS), REQUEST (GetCapabilities, GetTile,
/// GetFeatureInfo), then the operation's parameters.
pub fn parse_kvp(kvp: &Kvp) -> Result<WmtsRequest, WmtsError> {
    let service = kvp
        .get_nonempty("SERVICE")
        .ok_or_else(|| WmtsError::missing("service"))?;
    if !service.trim().eq_ignore_ascii_case("WMTS") {
        return Err(WmtsError::invalid(
            "service",
            format!("SERVICE '{}' is not WMTS", clip(service)),
        ));
    }
    let request = kvp
        .get_nonempty("REQUEST")
        .ok_or_else(|| WmtsError::missing("request"))?;
    match request.trim().to_ascii_lowercase().as_str() {
        "getcapabilities" => parse_getcapabilities(kvp).map(WmtsRequest::GetCapabilities),
        "gettile" => parse_gettile(kvp).map(WmtsRequest::GetTile),
        "getfeatureinfo" => parse_gettile(kvp)
            .and_then(|tile| parse_kvp_extra(kvp, tile))
            .map(WmtsRequest::GetFeatureInfo),
        _ => Err(WmtsError::invalid(
            "request",
            format!(
                "REQUEST '{}' is not GetCapabilities, GetTile or GetFeatureInfo",
                clip(request)
            ),
        )),
    }
}

fn parse_getcapabilities(kvp: &Kvp) -> Result<GetCapabilities, WmtsError> {
    if let Some(versions) = kvp.get_nonempty("ACCEPTVERSIONS")
        && !versions.split(',').any(|v| v.trim() == VERSION)
    {
        return Err(WmtsError::new(
            OwsCode::VersionNegotiationFailed,
            None,
            format!("AcceptVersions '{}' does not list 1.0.0", clip(versions)),
        ));
    }
    let sections = match kvp.get("SECTIONS") {
        None => Sections::ALL,
        Some(v) => Sections::parse(v)?,
    };
    Ok(GetCapabilities {
        sections,
        update_sequence: kvp
            .get_nonempty("UPDATESEQUENCE")
            .map(|s| s.trim().to_string()),
    })
}

fn parse_gettile(kvp: &Kvp) -> Result<TileQuery, WmtsError> {
    let get = |name: &str, locator: &str| {
        kvp.get_nonempty(name)
            .map(|v| v.trim().to_string())
            .ok_or_else(|| WmtsError::missing(locator))
    };
    let version = get("VERSION", "version")?;
    if version != VERSION {
        return Err(WmtsError::invalid(
            "version",
            format!("VERSION '{}' is not 1.0.0", clip(&version)),
        ));
    }
    let layer = get("LAYER", "layer")?;
    let style = get("STYLE", "Style")?;
    let format = get("FORMAT", "format")?;
    let set = get("TILEMATRIXSET", "TileMatrixSet")?;
    // Matrix identifiers, rows and columns are compared and parsed exactly as
    // sent: " 5" or "+5" is not matrix 5.
    let exact = |name: &str, locator: &str| {
        kvp.get_nonempty(name)
            .map(str::to_string)
            .ok_or_else(|| WmtsError::missing(locator))
    };
    let matrix = exact("TILEMATRIX", "TileMatrix")?;
    let row = exact("TILEROW", "TileRow")?;
    let col = exact("TILECOL", "TileCol")?;
    if !format.eq_ignore_ascii_case(FORMAT_PNG) {
        return Err(WmtsError::invalid(
            "format",
            format!("FORMAT '{}' is not offered; use image/png", clip(&format)),
        ));
    }
    Ok(TileQuery {
        layer,
        style,
        set,
        matrix,
        row: parse_index(&row, "TileRow")?,
        col: parse_index(&col, "TileCol")?,
        time: kvp.get("TIME").map(|t| t.trim().to_string()),
        binding: Binding::Kvp,
    })
}
