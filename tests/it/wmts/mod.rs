//! WMTS 1.0.0 over HTTP against the demo server: capabilities (schema, golden,
//! sections, update sequence), GetTile over KVP and REST (sampling of every
//! matrix, sizes, transparency, time), the error table, and tiles equal to
//! the XYZ tile or WMS GetMap of the same extent. Tests are named after the
//! checklist IDs of ogc-conformance §4.

mod capabilities;
mod errors;
mod featureinfo;
mod http2;
mod legend;
mod rows;
mod seams;
mod tiles;
mod tms_json;

use crate::support::demo;

pub const DEM: &str = "nelen-schuurmans:dem";
pub const LOCHEM: &str = "nelen-schuurmans:p_lochem_kwel_wegzijging_2050";
pub const RAIN: &str = "nelen-schuurmans:rain";

pub const CAPS_XSD: &str = "schemas.opengis.net/wmts/1.0/wmtsGetCapabilities_response.xsd";
pub const EXC_XSD: &str = "schemas.opengis.net/ows/1.1.0/owsExceptionReport.xsd";

/// The KVP capabilities of the demo server.
pub fn caps() -> String {
    demo()
        .get("/wmts/?SERVICE=WMTS&REQUEST=GetCapabilities")
        .expect_status(200)
        .text()
}

/// The texts of every `<tag>…</tag>` in `doc`, in order.
pub fn texts(doc: &str, tag: &str) -> Vec<String> {
    let (open, close) = (format!("<{tag}>"), format!("</{tag}>"));
    let mut out = Vec::new();
    let mut rest = doc;
    while let Some(i) = rest.find(&open) {
        let after = &rest[i + open.len()..];
        let Some(j) = after.find(&close) else { break };
        out.push(after[..j].to_string());
        rest = &after[j + close.len()..];
    }
    out
}

/// The values of attribute `name` on every element that has it.
pub fn attrs(doc: &str, name: &str) -> Vec<String> {
    let key = format!(" {name}=\"");
    doc.match_indices(&key)
        .filter_map(|(i, _)| {
            let v = &doc[i + key.len()..];
            v.find('"').map(|j| v[..j].replace("&amp;", "&"))
        })
        .collect()
}

/// The `<tag>…</tag>` blocks (with their text) of `doc`.
pub fn blocks<'a>(doc: &'a str, tag: &str) -> Vec<&'a str> {
    let (open, close) = (format!("<{tag}>"), format!("</{tag}>"));
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = doc[from..].find(&open) {
        let start = from + i;
        let Some(j) = doc[start..].find(&close) else {
            break;
        };
        out.push(&doc[start..start + j + close.len()]);
        from = start + j + close.len();
    }
    out
}

/// The `<Layer>` block of `identifier`.
pub fn layer_block<'a>(doc: &'a str, identifier: &str) -> &'a str {
    blocks(doc, "Layer")
        .into_iter()
        .find(|b| b.contains(&format!("<ows:Identifier>{identifier}</ows:Identifier>")))
        .unwrap_or_else(|| panic!("layer {identifier} not advertised"))
}

/// A parsed exception report: (exceptionCode, locator).
pub fn exception(body: &str) -> (String, Option<String>) {
    let code = attrs(body, "exceptionCode")
        .pop()
        .unwrap_or_else(|| panic!("no exceptionCode in {body}"));
    (code, attrs(body, "locator").pop())
}
