//! GetCapabilities documents: WMS 1.3.0 (`WMS_Capabilities`, XSD) and 1.1.1
//! (`WMT_MS_Capabilities`, DTD), from plain input values.
//!
//! The inputs are defined here so the caller (the HTTP layer, reading the
//! catalogue) fills them; this module never reads the catalogue itself. Output is
//! byte-identical for equal inputs (no clocks, no hash-map order).

mod v111;
mod v130;

use super::{ExceptionsFormat, WmsLimits, WmsVersion};
use crate::geo::crs::lookup;
use crate::model::BBox;
use chrono::{DateTime, Utc};
use std::collections::BTreeSet;

/// MIME type of a 1.3.0 capabilities document.
pub const MIME_1_3_0: &str = "text/xml";
/// MIME type of a 1.1.1 capabilities document.
pub const MIME_1_1_1: &str = "application/vnd.ogc.wms_xml";

/// Service-level metadata.
#[derive(Clone, Debug, PartialEq)]
pub struct ServiceInfo {
    pub title: String,
    pub abstract_: Option<String>,
    pub keywords: Vec<String>,
    /// Absolute URL of the WMS endpoint, e.g. `https://maps.example.org/wms/`.
    /// Operation URLs are this plus `?` (or `&` when it already has a query).
    pub online_resource: String,
    /// Advertised as LayerLimit/MaxWidth/MaxHeight (1.3.0 only; a 0 is left out).
    pub limits: WmsLimits,
    /// Advertised as `updateSequence` when set (see `GetCapabilities::check_update_sequence`).
    pub update_sequence: Option<u64>,
    /// Exception formats beyond XML that the server answers (XML is always listed first).
    pub exceptions: Vec<ExceptionsFormat>,
}

/// A named style of a layer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StyleInfo {
    pub name: String,
    /// Human title; the name is used when empty.
    pub title: String,
    /// Where its legend image is (written as `LegendURL`).
    pub legend: Option<LegendUrl>,
}

/// A legend image: the URL returns exactly `width × height` pixels of `format`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LegendUrl {
    pub href: String,
    pub format: String,
    pub width: u32,
    pub height: u32,
}

/// The time dimension of a temporal layer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimeDimension {
    /// The instants with data (any order; written ascending without duplicates,
    /// as `start/end/period` when ≥ 3 are equally spaced).
    pub values: Vec<DateTime<Utc>>,
    /// The instant used when a request has no TIME.
    pub default: DateTime<Utc>,
}

/// One named layer.
#[derive(Clone, Debug, PartialEq)]
pub struct LayerInfo {
    pub name: String,
    pub title: String,
    pub abstract_: Option<String>,
    /// Answers GetFeatureInfo.
    pub queryable: bool,
    /// EPSG codes the layer can be served in; codes unknown to `geo::crs` are dropped.
    pub crs: Vec<u32>,
    /// Extent in WGS 84, x = longitude, y = latitude (clamped to ±180/±90 on output;
    /// an invalid box is written as the whole world).
    pub wgs84_bbox: BBox,
    /// Extents in other CRSs, x = east, y = north (swapped on output where 1.3.0
    /// requires). EPSG:4326 entries are ignored (derived from `wgs84_bbox`), as are
    /// invalid boxes, repeats of a code and codes not advertised.
    pub bboxes: Vec<(u32, BBox)>,
    pub styles: Vec<StyleInfo>,
    pub time: Option<TimeDimension>,
}

/// The capabilities document of `version` for `layers`: (MIME type, UTF-8 bytes).
///
/// A root layer titled with the service title carries the union of all layers'
/// CRSs (children inherit it, so every layer is advertised in every CRS of the
/// union: tegel reprojects) and the union of their WGS 84 extents. GetMap
/// formats: image/png, image/tiff; GetFeatureInfo: every `InfoFormat`. 1.3.0 adds `CRS:84` when EPSG:4326 is
/// offered. Cost: linear in the input; a few KB per layer.
pub fn capabilities(
    version: WmsVersion,
    service: &ServiceInfo,
    layers: &[LayerInfo],
) -> (&'static str, Vec<u8>) {
    match version {
        WmsVersion::V1_3_0 => (MIME_1_3_0, v130::write(service, layers)),
        WmsVersion::V1_1_1 => (MIME_1_1_1, v111::write(service, layers)),
    }
}

/// The GetMap output formats advertised.
const MAP_FORMATS: [&str; 2] = ["image/png", "image/tiff"];
/// The GetLegendGraphic formats, advertised in 1.1.1 (the DTD has the
/// operation; 1.3.0 would need the SLD schema, so there only `LegendURL`s).
const LEGEND_FORMATS: [&str; 2] = ["image/png", "application/json"];

/// The GetFeatureInfo formats advertised: exactly those served.
fn info_formats() -> Vec<&'static str> {
    super::InfoFormat::ALL.map(super::InfoFormat::mime).to_vec()
}

/// EPSG codes of all layers, known to the registry, ascending.
fn crs_union(layers: &[LayerInfo]) -> Vec<u32> {
    let set: BTreeSet<u32> = layers
        .iter()
        .flat_map(|l| l.crs.iter().copied())
        .filter(|c| lookup(*c).is_some())
        .collect();
    set.into_iter().collect()
}

/// Clamped to ±180/±90; the world when not a valid box even after clamping.
fn sane_wgs84(b: &BBox) -> BBox {
    let c = BBox::new(
        b.min_x.clamp(-180.0, 180.0),
        b.min_y.clamp(-90.0, 90.0),
        b.max_x.clamp(-180.0, 180.0),
        b.max_y.clamp(-90.0, 90.0),
    );
    if c.is_valid() {
        c
    } else {
        BBox::new(-180.0, -90.0, 180.0, 90.0)
    }
}

/// The union of the layers' WGS 84 extents (the world when there are none).
fn root_wgs84(layers: &[LayerInfo]) -> BBox {
    layers
        .iter()
        .map(|l| sane_wgs84(&l.wgs84_bbox))
        .reduce(|a, b| a.union(&b))
        .unwrap_or(BBox::new(-180.0, -90.0, 180.0, 90.0))
}

/// The layer's non-4326 boxes to write: valid, advertised, first per code.
fn layer_bboxes(layer: &LayerInfo, union: &[u32]) -> Vec<(u32, BBox)> {
    let mut seen = BTreeSet::new();
    layer
        .bboxes
        .iter()
        .filter(|(c, b)| *c != 4326 && b.is_valid() && union.contains(c) && seen.insert(*c))
        .copied()
        .collect()
}

/// Shortest round-trip decimal form (`-0` written as `0`).
fn num(v: f64) -> String {
    if v == 0.0 {
        "0".to_string()
    } else {
        format!("{v}")
    }
}

/// The operation URL prefix: ends in `?` or `&` so clients can append parameters.
fn dcp_href(online_resource: &str) -> String {
    if online_resource.ends_with('?') || online_resource.ends_with('&') {
        online_resource.to_string()
    } else if online_resource.contains('?') {
        format!("{online_resource}&")
    } else {
        format!("{online_resource}?")
    }
}

/// XML always first, then the extra formats in a fixed order without repeats.
fn exception_formats(service: &ServiceInfo) -> Vec<ExceptionsFormat> {
    let mut out = vec![ExceptionsFormat::Xml];
    for f in [ExceptionsFormat::InImage, ExceptionsFormat::Blank] {
        if service.exceptions.contains(&f) {
            out.push(f);
        }
    }
    out
}

/// `<LegendURL width height><Format/><OnlineResource/></LegendURL>`, the same
/// in the 1.3.0 schema and the 1.1.1 DTD (which wants `xmlns:xlink` on every
/// OnlineResource: `declare_xlink`).
fn write_legend_url(w: &mut crate::protocol::xml::XmlWriter, l: &LegendUrl, declare_xlink: bool) {
    let (width, height) = (l.width.to_string(), l.height.to_string());
    w.open("LegendURL", &[("width", &width), ("height", &height)]);
    w.leaf("Format", &[], &l.format);
    let mut attrs = vec![("xlink:type", "simple"), ("xlink:href", l.href.as_str())];
    if declare_xlink {
        attrs.insert(0, ("xmlns:xlink", "http://www.w3.org/1999/xlink"));
    }
    w.empty("OnlineResource", &attrs);
    w.close("LegendURL");
}

fn style_title(s: &StyleInfo) -> &str {
    if s.title.is_empty() {
        &s.name
    } else {
        &s.title
    }
}

#[cfg(test)]
mod tests;
