//! The WMS 1.1.1 capabilities document (`WMT_MS_Capabilities`, valid against
//! `capabilities_1_1_1.dtd`). Only writes; inputs come from `mod.rs`.
//! In 1.1.1 every box is x/y (EPSG:4326 = lon/lat) and time is `Dimension` + `Extent`.

use super::{
    LEGEND_FORMATS, LayerInfo, MAP_FORMATS, ServiceInfo, crs_union, dcp_href, exception_formats,
    info_formats, layer_bboxes, num, root_wgs84, sane_wgs84, style_title, write_legend_url,
};
use crate::model::BBox;
use crate::protocol::time::{format_instant, time_extent};
use crate::protocol::wms::WmsVersion;
use crate::protocol::xml::XmlWriter;

const DOCTYPE: &str = "<!DOCTYPE WMT_MS_Capabilities SYSTEM \"http://schemas.opengis.net/wms/1.1.1/capabilities_1_1_1.dtd\">\n";
const XLINK: &str = "http://www.w3.org/1999/xlink";

pub(super) fn write(service: &ServiceInfo, layers: &[LayerInfo]) -> Vec<u8> {
    let mut w = XmlWriter::new(true, DOCTYPE);
    let seq = service.update_sequence.map(|s| s.to_string());
    let mut root = vec![("version", "1.1.1")];
    if let Some(seq) = &seq {
        root.push(("updateSequence", seq));
    }
    w.open("WMT_MS_Capabilities", &root);

    w.open("Service", &[]);
    w.leaf("Name", &[], "OGC:WMS");
    w.leaf("Title", &[], &service.title);
    if let Some(a) = &service.abstract_ {
        w.leaf("Abstract", &[], a);
    }
    if !service.keywords.is_empty() {
        w.open("KeywordList", &[]);
        for k in &service.keywords {
            w.leaf("Keyword", &[], k);
        }
        w.close("KeywordList");
    }
    online_resource(&mut w, &service.online_resource);
    w.leaf("Fees", &[], "none");
    w.leaf("AccessConstraints", &[], "none");
    w.close("Service");

    w.open("Capability", &[]);
    w.open("Request", &[]);
    let href = dcp_href(&service.online_resource);
    write_operation(
        &mut w,
        "GetCapabilities",
        &["application/vnd.ogc.wms_xml"],
        &href,
    );
    write_operation(&mut w, "GetMap", &MAP_FORMATS, &href);
    write_operation(&mut w, "GetFeatureInfo", &info_formats(), &href);
    write_operation(&mut w, "GetLegendGraphic", &LEGEND_FORMATS, &href);
    w.close("Request");
    w.open("Exception", &[]);
    for f in exception_formats(service) {
        w.leaf("Format", &[], f.name(WmsVersion::V1_1_1));
    }
    w.close("Exception");

    let union = crs_union(layers);
    let has_4326 = union.contains(&4326);
    w.open("Layer", &[]);
    w.leaf("Title", &[], &service.title);
    for code in &union {
        w.leaf("SRS", &[], &format!("EPSG:{code}"));
    }
    write_geographic(&mut w, &root_wgs84(layers), has_4326);
    for layer in layers {
        write_layer(&mut w, layer, &union, has_4326);
    }
    w.close("Layer");
    w.close("Capability");
    w.close("WMT_MS_Capabilities");
    w.finish()
}

fn online_resource(w: &mut XmlWriter, href: &str) {
    w.empty(
        "OnlineResource",
        &[
            ("xmlns:xlink", XLINK),
            ("xlink:type", "simple"),
            ("xlink:href", href),
        ],
    );
}

fn write_operation(w: &mut XmlWriter, name: &str, formats: &[&str], href: &str) {
    w.open(name, &[]);
    for f in formats {
        w.leaf("Format", &[], f);
    }
    w.open("DCPType", &[]);
    w.open("HTTP", &[]);
    w.open("Get", &[]);
    online_resource(w, href);
    w.close("Get");
    w.close("HTTP");
    w.close("DCPType");
    w.close(name);
}

/// LatLonBoundingBox plus the EPSG:4326 BoundingBox (lon/lat, same strings).
fn write_geographic(w: &mut XmlWriter, b: &BBox, has_4326: bool) {
    let [minx, miny, maxx, maxy] = [b.min_x, b.min_y, b.max_x, b.max_y].map(num);
    w.empty(
        "LatLonBoundingBox",
        &[
            ("minx", &minx),
            ("miny", &miny),
            ("maxx", &maxx),
            ("maxy", &maxy),
        ],
    );
    if has_4326 {
        w.empty(
            "BoundingBox",
            &[
                ("SRS", "EPSG:4326"),
                ("minx", &minx),
                ("miny", &miny),
                ("maxx", &maxx),
                ("maxy", &maxy),
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
        let [x0, y0, x1, y1] = [b.min_x, b.min_y, b.max_x, b.max_y].map(num);
        let srs = format!("EPSG:{code}");
        w.empty(
            "BoundingBox",
            &[
                ("SRS", &srs),
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
        w.empty("Dimension", &[("name", "time"), ("units", "ISO8601")]);
        w.leaf(
            "Extent",
            &[
                ("name", "time"),
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
            write_legend_url(w, l, true);
        }
        w.close("Style");
    }
    w.close("Layer");
}
