//! The WMTS 1.0.0 capabilities document (`Capabilities`, valid against
//! `wmts/1.0/wmtsGetCapabilities_response.xsd`), from plain input values.
//!
//! Byte-identical for equal inputs (no clocks, no hash-map order). Every
//! tile matrix set passed in is written; TopLeftCorner and bounding boxes
//! are written x y, or y x for a set whose CRS lists northing first. A style's `LegendURL`
//! is written when the layer carries one. GetFeatureInfo is offered for
//! every layer in every `InfoFormat`, over KVP and RESTful templates. Only KVP GET and the
//! RESTful binding are advertised.

use super::featureinfo::extension;
use super::layer::{SetLink, TIME_DIMENSION, WmtsLayer};
use super::rest::CAPABILITIES_PATH;
use super::{FORMAT_PNG, Sections, VERSION};
use crate::geo::tms::{TILE_SIZE, TileMatrixSet};
use crate::model::BBox;
use crate::protocol::time::format_instant;
use crate::protocol::wms::InfoFormat;
use crate::protocol::xml::XmlWriter;

/// MIME type of the document.
pub const MIME: &str = "application/xml";

const WMTS_NS: &str = "http://www.opengis.net/wmts/1.0";

/// Service-level metadata.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WmtsService {
    pub title: String,
    pub abstract_: Option<String>,
    /// The KVP endpoint, e.g. `https://maps.example.org/wmts/` (written with a
    /// trailing `?`).
    pub kvp_url: String,
    /// The RESTful root, e.g. `https://maps.example.org/wmts` (no trailing `/`).
    pub rest_url: String,
    pub update_sequence: u64,
}

impl WmtsService {
    /// The RESTful capabilities URL, advertised as `ServiceMetadataURL`.
    pub fn service_metadata_url(&self) -> String {
        format!("{}/{CAPABILITIES_PATH}", self.rest_url)
    }

    /// The tile template of `layer`: literal identifier and `.png`, `{Time}`
    /// for temporal layers.
    pub fn tile_template(&self, layer: &WmtsLayer) -> String {
        let time = if layer.time.is_some() {
            format!("{{{TIME_DIMENSION}}}/")
        } else {
            String::new()
        };
        format!(
            "{}/{VERSION}/{}/{{Style}}/{time}{{TileMatrixSet}}/{{TileMatrix}}/{{TileRow}}/{{TileCol}}.png",
            self.rest_url, layer.identifier
        )
    }

    /// The FeatureInfo template of `layer` in `format`: the tile's, then
    /// `/{J}/{I}` and the format's extension.
    pub fn feature_info_template(&self, layer: &WmtsLayer, format: InfoFormat) -> String {
        let tile = self.tile_template(layer);
        let base = tile.strip_suffix(".png").unwrap_or(&tile);
        format!("{base}/{{J}}/{{I}}.{}", extension(format))
    }
}

/// The bare `Capabilities` element answering an UpdateSequence equal to the current one.
pub fn capabilities_current(service: &WmtsService) -> Vec<u8> {
    let seq = service.update_sequence.to_string();
    let mut w = XmlWriter::new(false, "");
    w.empty(
        "Capabilities",
        &[
            ("xmlns", WMTS_NS),
            ("version", VERSION),
            ("updateSequence", &seq),
        ],
    );
    w.finish()
}

/// The document with the requested `sections`, listing `sets` (the built-in
/// ones and any loaded); `ServiceMetadataURL` is written with the full
/// document only.
pub fn capabilities(
    service: &WmtsService,
    layers: &[WmtsLayer],
    sets: &[&TileMatrixSet],
    sections: Sections,
) -> Vec<u8> {
    let seq = service.update_sequence.to_string();
    let mut w = XmlWriter::new(false, "");
    w.open(
        "Capabilities",
        &[
            ("xmlns", WMTS_NS),
            ("xmlns:ows", "http://www.opengis.net/ows/1.1"),
            ("xmlns:xlink", "http://www.w3.org/1999/xlink"),
            ("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance"),
            (
                "xsi:schemaLocation",
                "http://www.opengis.net/wmts/1.0 http://schemas.opengis.net/wmts/1.0/wmtsGetCapabilities_response.xsd",
            ),
            ("version", VERSION),
            ("updateSequence", &seq),
        ],
    );
    if sections.service_identification {
        write_identification(&mut w, service);
    }
    if sections.service_provider {
        w.open("ows:ServiceProvider", &[]);
        w.leaf("ows:ProviderName", &[], &service.title);
        w.empty("ows:ServiceContact", &[]);
        w.close("ows:ServiceProvider");
    }
    if sections.operations_metadata {
        write_operations(&mut w, service);
    }
    if sections.contents {
        w.open("Contents", &[]);
        for layer in layers {
            write_layer(&mut w, service, layer);
        }
        for set in sets {
            write_set(&mut w, set);
        }
        w.close("Contents");
    }
    if sections.is_all() {
        w.empty(
            "ServiceMetadataURL",
            &[("xlink:href", &service.service_metadata_url())],
        );
    }
    w.close("Capabilities");
    w.finish()
}

fn write_identification(w: &mut XmlWriter, s: &WmtsService) {
    w.open("ows:ServiceIdentification", &[]);
    w.leaf("ows:Title", &[], &s.title);
    if let Some(a) = &s.abstract_ {
        w.leaf("ows:Abstract", &[], a);
    }
    w.leaf("ows:ServiceType", &[], "OGC WMTS");
    w.leaf("ows:ServiceTypeVersion", &[], VERSION);
    w.leaf("ows:Fees", &[], "none");
    w.leaf("ows:AccessConstraints", &[], "none");
    w.close("ows:ServiceIdentification");
}

fn write_operations(w: &mut XmlWriter, s: &WmtsService) {
    let kvp = format!("{}?", s.kvp_url);
    w.open("ows:OperationsMetadata", &[]);
    w.open("ows:Operation", &[("name", "GetCapabilities")]);
    write_dcp(w, &[(&kvp, "KVP"), (&s.service_metadata_url(), "RESTful")]);
    w.open("ows:Parameter", &[("name", "AcceptFormats")]);
    write_allowed(w, MIME);
    w.close("ows:Parameter");
    w.close("ows:Operation");
    for op in ["GetTile", "GetFeatureInfo"] {
        w.open("ows:Operation", &[("name", op)]);
        write_dcp(w, &[(&kvp, "KVP")]);
        w.close("ows:Operation");
    }
    w.close("ows:OperationsMetadata");
}

fn write_dcp(w: &mut XmlWriter, gets: &[(&str, &str)]) {
    w.open("ows:DCP", &[]);
    w.open("ows:HTTP", &[]);
    for (href, encoding) in gets {
        w.open("ows:Get", &[("xlink:href", href)]);
        w.open("ows:Constraint", &[("name", "GetEncoding")]);
        write_allowed(w, encoding);
        w.close("ows:Constraint");
        w.close("ows:Get");
    }
    w.close("ows:HTTP");
    w.close("ows:DCP");
}

fn write_allowed(w: &mut XmlWriter, value: &str) {
    w.open("ows:AllowedValues", &[]);
    w.leaf("ows:Value", &[], value);
    w.close("ows:AllowedValues");
}

fn write_layer(w: &mut XmlWriter, s: &WmtsService, layer: &WmtsLayer) {
    w.open("Layer", &[]);
    w.leaf("ows:Title", &[], &layer.title);
    if let Some(a) = &layer.abstract_ {
        w.leaf("ows:Abstract", &[], a);
    }
    // Every tile is transparent where the layer has no data.
    w.open("ows:Keywords", &[]);
    w.leaf("ows:Keyword", &[], "Transparent");
    w.close("ows:Keywords");
    write_corners(w, "ows:WGS84BoundingBox", &[], &sane_wgs84(&layer.wgs84));
    w.leaf("ows:Identifier", &[], &layer.identifier);
    w.open("Style", &[("isDefault", "true")]);
    if !layer.style.title.is_empty() {
        w.leaf("ows:Title", &[], &layer.style.title);
    }
    w.leaf("ows:Identifier", &[], &layer.style.name);
    if let Some(l) = &layer.style.legend {
        let (width, height) = (l.width.to_string(), l.height.to_string());
        w.empty(
            "LegendURL",
            &[
                ("format", &l.format),
                ("xlink:href", &l.href),
                ("width", &width),
                ("height", &height),
            ],
        );
    }
    w.close("Style");
    w.leaf("Format", &[], FORMAT_PNG);
    for f in InfoFormat::ALL {
        w.leaf("InfoFormat", &[], f.mime());
    }
    if let Some(t) = &layer.time {
        let mut values = t.values.clone();
        values.sort_unstable();
        values.dedup();
        w.open("Dimension", &[]);
        w.leaf("ows:Identifier", &[], TIME_DIMENSION);
        w.leaf("ows:UOM", &[], "ISO8601");
        w.leaf("Default", &[], &format_instant(&t.default));
        w.leaf("Current", &[], "true");
        for v in &values {
            w.leaf("Value", &[], &format_instant(v));
        }
        w.close("Dimension");
    }
    for link in &layer.links {
        write_link(w, link);
    }
    w.empty(
        "ResourceURL",
        &[
            ("format", FORMAT_PNG),
            ("resourceType", "tile"),
            ("template", &s.tile_template(layer)),
        ],
    );
    for f in InfoFormat::ALL {
        w.empty(
            "ResourceURL",
            &[
                ("format", f.mime()),
                ("resourceType", "FeatureInfo"),
                ("template", &s.feature_info_template(layer, f)),
            ],
        );
    }
    w.close("Layer");
}

fn write_link(w: &mut XmlWriter, link: &SetLink) {
    w.open("TileMatrixSetLink", &[]);
    w.leaf("TileMatrixSet", &[], link.set.id);
    let limited: Vec<_> = link
        .set
        .matrices()
        .filter_map(|m| link.limits(m.z).map(|r| (m, r)))
        .collect();
    if !limited.is_empty() {
        w.open("TileMatrixSetLimits", &[]);
        for (m, r) in limited {
            w.open("TileMatrixLimits", &[]);
            w.leaf("TileMatrix", &[], &m.id);
            w.leaf("MinTileRow", &[], &r.min_row.to_string());
            w.leaf("MaxTileRow", &[], &r.max_row.to_string());
            w.leaf("MinTileCol", &[], &r.min_col.to_string());
            w.leaf("MaxTileCol", &[], &r.max_col.to_string());
            w.close("TileMatrixLimits");
        }
        w.close("TileMatrixSetLimits");
    }
    w.close("TileMatrixSetLink");
}

fn write_set(w: &mut XmlWriter, set: &TileMatrixSet) {
    w.open("TileMatrixSet", &[]);
    w.leaf("ows:Identifier", &[], set.id);
    let yx = |(x, y): (f64, f64)| if set.northing_first { (y, x) } else { (x, y) };
    if let Some(b) = &set.bbox {
        let (min_x, min_y) = yx((b.min_x, b.min_y));
        let (max_x, max_y) = yx((b.max_x, b.max_y));
        let b = BBox::new(min_x, min_y, max_x, max_y);
        write_corners(w, "ows:BoundingBox", &[("crs", set.supported_crs)], &b);
    }
    w.leaf("ows:SupportedCRS", &[], set.supported_crs);
    if let Some(wkss) = set.well_known_scale_set {
        w.leaf("WellKnownScaleSet", &[], wkss);
    }
    let size = TILE_SIZE.to_string();
    for m in set.matrices() {
        let corner = yx(m.top_left);
        w.open("TileMatrix", &[]);
        w.leaf("ows:Identifier", &[], &m.id);
        w.leaf("ScaleDenominator", &[], &num(m.scale_denominator));
        w.leaf(
            "TopLeftCorner",
            &[],
            &format!("{} {}", num(corner.0), num(corner.1)),
        );
        w.leaf("TileWidth", &[], &size);
        w.leaf("TileHeight", &[], &size);
        w.leaf("MatrixWidth", &[], &m.matrix_width.to_string());
        w.leaf("MatrixHeight", &[], &m.matrix_height.to_string());
        w.close("TileMatrix");
    }
    w.close("TileMatrixSet");
}

fn write_corners(w: &mut XmlWriter, name: &str, attrs: &[(&str, &str)], b: &BBox) {
    w.open(name, attrs);
    w.leaf(
        "ows:LowerCorner",
        &[],
        &format!("{} {}", num(b.min_x), num(b.min_y)),
    );
    w.leaf(
        "ows:UpperCorner",
        &[],
        &format!("{} {}", num(b.max_x), num(b.max_y)),
    );
    w.close(name);
}

/// Clamped to ±180/±90; the world when not a valid box.
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

/// Shortest round-trip decimal form (`-0` written as `0`).
fn num(v: f64) -> String {
    if v == 0.0 {
        "0".to_string()
    } else {
        format!("{v}")
    }
}
