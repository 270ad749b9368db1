//! The RESTful binding: the path after `/wmts/` → capabilities or a `TileQuery`.
//!
//! Layout (the templates `capabilities.rs` advertises):
//! `1.0.0/WMTSCapabilities.xml` and
//! `1.0.0/{layer}/{Style}[/{Time}]/{TileMatrixSet}/{TileMatrix}/{TileRow}/{TileCol}.png`,
//! and feature info at `…/{TileRow}/{TileCol}/{J}/{I}.<ext>` (ext per InfoFormat).
//! Segments are percent-decoded (`+` stays `+`). Every error here means "no
//! such resource" to the HTTP layer (404 with the report).

use super::featureinfo::{FeatureInfoQuery, by_extension, parse_pixel};
use super::tile::{Binding, TileQuery, parse_index};
use super::{OwsCode, VERSION, WmtsError};
use crate::model::ErrorClass;
use crate::protocol::kvp::{clip, decode_path};

/// The capabilities document's path below `/wmts/`.
pub const CAPABILITIES_PATH: &str = "1.0.0/WMTSCapabilities.xml";

/// A RESTful request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RestRequest {
    Capabilities,
    Tile(TileQuery),
    FeatureInfo(FeatureInfoQuery),
}

fn not_found(tail: &str) -> WmtsError {
    WmtsError::new(
        OwsCode::NoApplicableCode,
        None,
        format!("there is no WMTS resource at '{}'", clip(tail)),
    )
    .with_class(ErrorClass::NotFound)
}

/// Parses `tail` (the path after `/wmts/`).
pub fn parse_rest(tail: &str) -> Result<RestRequest, WmtsError> {
    if tail == CAPABILITIES_PATH {
        return Ok(RestRequest::Capabilities);
    }
    let raw: Vec<&str> = tail.split('/').collect();
    let Some((&version, rest)) = raw.split_first() else {
        return Err(not_found(tail));
    };
    if version != VERSION || !(6..=9).contains(&rest.len()) {
        return Err(not_found(tail));
    }
    let mut seg = Vec::with_capacity(rest.len());
    for s in rest {
        let d = decode_path(s).ok_or_else(|| not_found(tail))?;
        if d.is_empty() {
            return Err(not_found(tail));
        }
        seg.push(d);
    }
    if seg.len() >= 8 {
        return feature_info(tail, &seg);
    }
    let (last, front) = seg.split_last().ok_or_else(|| not_found(tail))?;
    let (col, ext) = last.rsplit_once('.').ok_or_else(|| not_found(tail))?;
    if !ext.eq_ignore_ascii_case("png") {
        return Err(WmtsError::invalid(
            "format",
            format!("tiles are offered as .png only, not '{}'", clip(ext)),
        ));
    }
    let (time, front) = match front {
        [layer, style, time, set, matrix, row] => (Some(time), [layer, style, set, matrix, row]),
        [layer, style, set, matrix, row] => (None, [layer, style, set, matrix, row]),
        _ => return Err(not_found(tail)),
    };
    let [layer, style, set, matrix, row] = front;
    Ok(RestRequest::Tile(TileQuery {
        layer: layer.clone(),
        style: style.clone(),
        set: set.clone(),
        matrix: matrix.clone(),
        row: parse_index(row, "TileRow")?,
        col: parse_index(col, "TileCol")?,
        time: time.cloned(),
        binding: Binding::Rest,
    }))
}

/// `{layer}/{Style}[/{Time}]/{TileMatrixSet}/{TileMatrix}/{TileRow}/{TileCol}/{J}/{I}.<ext>`.
fn feature_info(tail: &str, seg: &[String]) -> Result<RestRequest, WmtsError> {
    let (last, front) = seg.split_last().ok_or_else(|| not_found(tail))?;
    let (i, ext) = last.rsplit_once('.').ok_or_else(|| not_found(tail))?;
    let info_format = by_extension(ext).ok_or_else(|| not_found(tail))?;
    let (time, front) = match front {
        [layer, style, time, set, matrix, row, col, j] => {
            (Some(time), [layer, style, set, matrix, row, col, j])
        }
        [layer, style, set, matrix, row, col, j] => {
            (None, [layer, style, set, matrix, row, col, j])
        }
        _ => return Err(not_found(tail)),
    };
    let [layer, style, set, matrix, row, col, j] = front;
    Ok(RestRequest::FeatureInfo(FeatureInfoQuery {
        tile: TileQuery {
            layer: layer.clone(),
            style: style.clone(),
            set: set.clone(),
            matrix: matrix.clone(),
            row: parse_index(row, "TileRow")?,
            col: parse_index(col, "TileCol")?,
            time: time.cloned(),
            binding: Binding::Rest,
        },
        i: parse_pixel(i, "I")?,
        j: parse_pixel(j, "J")?,
        info_format,
    }))
}
