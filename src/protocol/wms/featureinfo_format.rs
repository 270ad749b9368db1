//! GetFeatureInfo answers: the INFO_FORMATs served and their documents
//! (text/plain, text/html, GeoJSON as application/json and
//! application/geo+json, GML 2 as application/vnd.ogc.gml and text/xml).
//!
//! Only serialises records it is given; which layers, instants and values they
//! hold is decided by the caller.

use crate::model::Crs;
use crate::protocol::time::format_instant;
use crate::protocol::xml::{XmlWriter, escape_text};
use chrono::{DateTime, Utc};
use std::fmt;

/// A GetFeatureInfo output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum InfoFormat {
    Text,
    Html,
    Json,
    GeoJson,
    /// GML 2 (`application/vnd.ogc.gml`, the 1.1.1 name).
    Gml,
    /// The same GML 2 document as `text/xml`.
    Xml,
}

impl InfoFormat {
    /// Every format served, in the order advertised (the first is the 1.1.1
    /// default when INFO_FORMAT is absent).
    pub const ALL: [InfoFormat; 6] = [
        InfoFormat::Text,
        InfoFormat::Html,
        InfoFormat::Json,
        InfoFormat::GeoJson,
        InfoFormat::Gml,
        InfoFormat::Xml,
    ];

    /// The MIME type advertised and accepted.
    pub fn mime(self) -> &'static str {
        match self {
            InfoFormat::Text => "text/plain",
            InfoFormat::Html => "text/html",
            InfoFormat::Json => "application/json",
            InfoFormat::GeoJson => "application/geo+json",
            InfoFormat::Gml => "application/vnd.ogc.gml",
            InfoFormat::Xml => "text/xml",
        }
    }

    /// The `Content-Type` of the answer (the MIME type, plus a charset for text).
    pub fn content_type(self) -> &'static str {
        match self {
            InfoFormat::Text => "text/plain; charset=utf-8",
            InfoFormat::Html => "text/html; charset=utf-8",
            other => other.mime(),
        }
    }

    /// An advertised MIME type, case-insensitively, MIME parameters ignored
    /// (`text/html; charset=utf-8`); `application/geojson` is taken as GeoJSON,
    /// and so is `application/geo json` (a `+` sent unencoded decodes to a space).
    pub fn parse(value: &str) -> Option<InfoFormat> {
        let base = value
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase()
            .replace(' ', "+");
        if base == "application/geojson" {
            return Some(InfoFormat::GeoJson);
        }
        InfoFormat::ALL.into_iter().find(|f| f.mime() == base)
    }
}

/// A sample value, kept in the type of its raster so it prints as stored
/// (an f32 `-2.34` stays `-2.34`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum FeatureValue {
    Int(i64),
    F32(f32),
    F64(f64),
}

impl fmt::Display for FeatureValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FeatureValue::Int(v) => write!(f, "{v}"),
            FeatureValue::F32(v) => write!(f, "{v}"),
            FeatureValue::F64(v) => write!(f, "{v}"),
        }
    }
}

impl FeatureValue {
    fn json(self) -> serde_json::Value {
        match self {
            FeatureValue::Int(v) => v.into(),
            // Through the shortest decimal text, so the JSON number reads as stored.
            FeatureValue::F32(v) => v.to_string().parse::<f64>().unwrap_or(f64::NAN).into(),
            FeatureValue::F64(v) => v.into(),
        }
    }
}

/// One answer record: a queried layer at one instant.
#[derive(Clone, Debug, PartialEq)]
pub struct FeatureRecord {
    /// The layer name as requested.
    pub layer: String,
    /// `None` for nodata or a point outside the layer.
    pub value: Option<FeatureValue>,
    /// The instant of the frame read (temporal layers only).
    pub time: Option<DateTime<Utc>>,
}

/// Everything an answer holds: the queried point in the request CRS
/// (x = east, y = north) and the records in layer, then time order.
#[derive(Clone, Debug, PartialEq)]
pub struct FeatureInfo {
    pub crs: Crs,
    pub x: f64,
    pub y: f64,
    pub records: Vec<FeatureRecord>,
}

/// The document for `info` in `format` (UTF-8 bytes). Cost: linear in the records.
pub fn write(format: InfoFormat, info: &FeatureInfo) -> Vec<u8> {
    match format {
        InfoFormat::Text => text(info).into_bytes(),
        InfoFormat::Html => html(info).into_bytes(),
        InfoFormat::Json | InfoFormat::GeoJson => serde_json::to_vec(&geojson(info))
            .unwrap_or_else(|_| b"{\"type\":\"FeatureCollection\",\"features\":[]}".to_vec()),
        InfoFormat::Gml | InfoFormat::Xml => gml(info),
    }
}

fn value_text(r: &FeatureRecord) -> String {
    r.value
        .map_or_else(|| "null".to_string(), |v| v.to_string())
}

fn text(info: &FeatureInfo) -> String {
    let mut out = format!(
        "GetFeatureInfo results at x={}, y={} ({})\n",
        info.x, info.y, info.crs
    );
    if info.records.is_empty() {
        out.push_str("\nno results\n");
    }
    for r in &info.records {
        out.push_str(&format!("\nLayer '{}'\n", r.layer));
        out.push_str(&format!("  value = {}\n", value_text(r)));
        if let Some(t) = &r.time {
            out.push_str(&format!("  time = {}\n", format_instant(t)));
        }
    }
    out
}

fn html(info: &FeatureInfo) -> String {
    let mut out = String::from(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>GetFeatureInfo</title></head><body>\n",
    );
    out.push_str(&format!(
        "<p>x={}, y={} ({})</p>\n<table border=\"1\">\n<tr><th>layer</th><th>value</th><th>time</th></tr>\n",
        info.x, info.y, info.crs
    ));
    for r in &info.records {
        let time = r.time.as_ref().map(format_instant).unwrap_or_default();
        out.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            escape_text(&r.layer),
            value_text(r),
            time
        ));
    }
    out.push_str("</table>\n</body></html>\n");
    out
}

fn geojson(info: &FeatureInfo) -> serde_json::Value {
    let features: Vec<serde_json::Value> = info
        .records
        .iter()
        .map(|r| {
            serde_json::json!({
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [info.x, info.y]},
                "properties": {
                    "layer": r.layer,
                    "value": r.value.map(FeatureValue::json),
                    "time": r.time.as_ref().map(format_instant),
                },
            })
        })
        .collect();
    serde_json::json!({
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": info.crs.to_string()}},
        "features": features,
    })
}

/// MapServer's GML 2 layout (`msGMLOutput` › `<layer>_layer` › `<layer>_feature`),
/// which QGIS and OpenLayers read as identify results.
fn gml(info: &FeatureInfo) -> Vec<u8> {
    let mut w = XmlWriter::new(false, "");
    w.open(
        "msGMLOutput",
        &[
            ("xmlns:gml", "http://www.opengis.net/gml"),
            ("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance"),
        ],
    );
    let srs = info.crs.to_string();
    let coords = format!("{},{}", info.x, info.y);
    let mut records = info.records.iter().peekable();
    while let Some(first) = records.next() {
        let tag = element_name(&first.layer);
        let layer_tag = format!("{tag}_layer");
        let feature_tag = format!("{tag}_feature");
        w.open(&layer_tag, &[]);
        w.leaf("gml:name", &[], &first.layer);
        let mut r = Some(first);
        while let Some(rec) = r {
            w.open(&feature_tag, &[]);
            w.open("gml:boundedBy", &[]);
            w.open("gml:Box", &[("srsName", &srs)]);
            w.leaf("gml:coordinates", &[], &format!("{coords} {coords}"));
            w.close("gml:Box");
            w.close("gml:boundedBy");
            w.open("geometry", &[]);
            w.open("gml:Point", &[("srsName", &srs)]);
            w.leaf("gml:coordinates", &[], &coords);
            w.close("gml:Point");
            w.close("geometry");
            w.leaf("layer", &[], &rec.layer);
            // A missing element is GML's null.
            if let Some(v) = rec.value {
                w.leaf("value", &[], &v.to_string());
            }
            if let Some(t) = &rec.time {
                w.leaf("time", &[], &format_instant(t));
            }
            w.close(&feature_tag);
            r = records.next_if(|n| n.layer == rec.layer);
        }
        w.close(&layer_tag);
    }
    w.close("msGMLOutput");
    w.finish()
}

/// A layer name as an XML element name: characters outside `[A-Za-z0-9_.-]`
/// become `_`, and a leading character that cannot start a name gets a `_` before it.
fn element_name(layer: &str) -> String {
    let mut out: String = layer
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if !out.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        out.insert(0, '_');
    }
    out
}

#[cfg(test)]
#[path = "featureinfo_format_tests.rs"]
mod tests;
