//! The WMS 1.3.0 capabilities document (`WMS_Capabilities`, valid against
//! `capabilities_1_3_0.xsd`, with `sld_capabilities.xsd` for
//! `sld:GetLegendGraphic`). Only writes; inputs come from `mod.rs`.

use super::{
    LEGEND_FORMATS, LayerInfo, MAP_FORMATS, ServiceInfo, crs_union, dcp_href, exception_formats,
    info_formats, layer_bboxes, num, root_wgs84, sane_wgs84, style_title, write_legend_url,
};
use crate::geo::crs::lookup;
use crate::model::BBox;
use crate::protocol::time::{format_instant, time_extent};
use crate::protocol::wms::WmsVersion;
use crate::protocol::xml::XmlWriter;

const XLINK: &str = "http://www.w3.org/1999/xlink";

pub(super) fn write(service: &ServiceInfo, layers: &[LayerInfo]) -> Vec<u8> {
    let mut w = XmlWriter::new(false, "");
    let seq = service.update_sequence.map(|s| s.to_string());
    let mut root = vec![("version", "1.3.0")];
    if let Some(seq) = &seq {
        root.push(("updateSequence", seq));
    }
    root.extend([
        ("xmlns", "http://www.opengis.net/wms"),
        ("xmlns:xlink", XLINK),
        ("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance"),
        ("xmlns:sld", "http://www.opengis.net/sld"),
        // The SLD pair covers `sld:GetLegendGraphic` (the plain WMS schema
        // has no element for it); validate with `sld_capabilities.xsd`.
        (
            "xsi:schemaLocation",
            "http://www.opengis.net/wms http://schemas.opengis.net/wms/1.3.0/capabilities_1_3_0.xsd \
             http://www.opengis.net/sld http://schemas.opengis.net/sld/1.1.0/sld_capabilities.xsd",
        ),
    ]);
    w.open("WMS_Capabilities", &root);
    write_service(&mut w, service);

    w.open("Capability", &[]);
    w.open("Request", &[]);
    let href = dcp_href(&service.online_resource);
    write_operation(&mut w, "GetCapabilities", &["text/xml"], &href);
    write_operation(&mut w, "GetMap", &MAP_FORMATS, &href);
    write_operation(&mut w, "GetFeatureInfo", &info_formats(), &href);
    write_operation(&mut w, "sld:GetLegendGraphic", &LEGEND_FORMATS, &href);
    w.close("Request");
    w.open("Exception", &[]);
    for f in exception_formats(service) {
        w.leaf("Format", &[], f.name(WmsVersion::V1_3_0));
    }
    w.close("Exception");

    let union = crs_union(layers);
    let has_4326 = union.contains(&4326);
    w.open("Layer", &[]);
    w.leaf("Title", &[], &service.title);
    if has_4326 {
        w.leaf("CRS", &[], "CRS:84");
    }
    for code in &union {
        w.leaf("CRS", &[], &format!("EPSG:{code}"));
    }
    write_geographic(&mut w, &root_wgs84(layers), has_4326);
    for layer in layers {
        write_layer(&mut w, layer, &union, has_4326);
    }
    w.close("Layer");
    w.close("Capability");
    w.close("WMS_Capabilities");
    w.finish()
}

fn write_service(w: &mut XmlWriter, s: &ServiceInfo) {
    w.open("Service", &[]);
    w.leaf("Name", &[], "WMS");
    w.leaf("Title", &[], &s.title);
    if let Some(a) = &s.abstract_ {
        w.leaf("Abstract", &[], a);
    }
    if !s.keywords.is_empty() {
        w.open("KeywordList", &[]);
        for k in &s.keywords {
            w.leaf("Keyword", &[], k);
        }
        w.close("KeywordList");
    }
    w.empty(
        "OnlineResource",
        &[("xlink:type", "simple"), ("xlink:href", &s.online_resource)],
    );
    w.leaf("Fees", &[], "none");
    w.leaf("AccessConstraints", &[], "none");
    for (name, v) in [
        ("LayerLimit", s.limits.layer_limit),
        ("MaxWidth", s.limits.max_width),
        ("MaxHeight", s.limits.max_height),
    ] {
        if v > 0 {
            w.leaf(name, &[], &v.to_string());
        }
    }
    w.close("Service");
}

fn write_operation(w: &mut XmlWriter, name: &str, formats: &[&str], href: &str) {
    w.open(name, &[]);
    for f in formats {
        w.leaf("Format", &[], f);
    }
    w.open("DCPType", &[]);
    w.open("HTTP", &[]);
    w.open("Get", &[]);
    w.empty(
        "OnlineResource",
        &[("xlink:type", "simple"), ("xlink:href", href)],
    );
    w.close("Get");
    w.close("HTTP");
    w.close("DCPType");
    w.close(name);
}

/// EX_GeographicBoundingBox plus the CRS:84 and EPSG:4326 BoundingBoxes, all
/// from the same decimal strings (EPSG:4326 lat/lon, W13-LYR-06).
fn write_geographic(w: &mut XmlWriter, b: &BBox, has_4326: bool) {
    let [west, south, east, north] = [b.min_x, b.min_y, b.max_x, b.max_y].map(num);
    w.open("EX_GeographicBoundingBox", &[]);
    w.leaf("westBoundLongitude", &[], &west);
    w.leaf("eastBoundLongitude", &[], &east);
    w.leaf("southBoundLatitude", &[], &south);
    w.leaf("northBoundLatitude", &[], &north);
    w.close("EX_GeographicBoundingBox");
    if has_4326 {
        w.empty(
            "BoundingBox",
            &[
                ("CRS", "CRS:84"),
                ("minx", &west),
                ("miny", &south),
                ("maxx", &east),
                ("maxy", &north),
            ],
        );
        w.empty(
            "BoundingBox",
            &[
                ("CRS", "EPSG:4326"),
                ("minx", &south),
                ("miny", &west),
                ("maxx", &north),
                ("maxy", &east),
            ],
        );
    }
}

fn write_layer(w: &mut XmlWriter, layer: &LayerInfo, union: &[u32], has_4326: bool) {
    w.open(
        "Layer",
        &[
            ("queryable", if layer.queryable { "1" } else { "0" }),
            ("opaque", "0"),
        ],
    );
    w.leaf("Name", &[], &layer.name);
    w.leaf("Title", &[], &layer.title);
    if let Some(a) = &layer.abstract_ {
        w.leaf("Abstract", &[], a);
    }
    write_geographic(w, &sane_wgs84(&layer.wgs84_bbox), has_4326);
    for (code, b) in layer_bboxes(layer, union) {
        let swap = lookup(code).is_some_and(|i| i.northing_first);
        let [x0, y0, x1, y1] = if swap {
            [b.min_y, b.min_x, b.max_y, b.max_x]
        } else {
            [b.min_x, b.min_y, b.max_x, b.max_y]
        }
        .map(num);
        let crs = format!("EPSG:{code}");
        w.empty(
            "BoundingBox",
            &[
                ("CRS", &crs),
                ("minx", &x0),
                ("miny", &y0),
                ("maxx", &x1),
                ("maxy", &y1),
            ],
        );
    }
    if let Some(t) = &layer.time {
        let default = format_instant(&t.default);
        let extent = if t.values.is_empty() {
            default.clone()
        } else {
            time_extent(&t.values)
        };
        w.leaf(
            "Dimension",
            &[
                ("name", "time"),
                ("units", "ISO8601"),
                ("default", &default),
                ("multipleValues", "1"),
                ("nearestValue", "1"),
                ("current", "1"),
            ],
            &extent,
        );
    }
    for s in &layer.styles {
        w.open("Style", &[]);
        w.leaf("Name", &[], &s.name);
        w.leaf("Title", &[], style_title(s));
        if let Some(l) = &s.legend {
            write_legend_url(w, l, false);
        }
        w.close("Style");
    }
    w.close("Layer");
}
