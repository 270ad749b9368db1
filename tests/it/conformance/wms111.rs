//! WMS 1.1.1 specifics (checklist §3: W11-01, 02, 04, 05, 06) on the demo server.

use super::xml_tree::{El, parse};
use crate::support::{decode_png, demo, repo, xmllint};

const CAPS_1_1_1: &str = "/wms/?SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.1.1";
const DTDS: [&str; 2] = [
    "http://schemas.opengis.net/wms/1.1.1/capabilities_1_1_1.dtd",
    "http://schemas.opengis.net/wms/1.1.1/WMS_MS_Capabilities.dtd",
];

#[test]
fn w11_01_capabilities_reference_the_official_dtd_and_validate() {
    let resp = demo().get(CAPS_1_1_1).expect_status(200);
    assert_eq!(resp.content_type(), "application/vnd.ogc.wms_xml");
    let text = resp.text();
    let doctype = text
        .lines()
        .find(|l| l.starts_with("<!DOCTYPE"))
        .expect("a DOCTYPE");
    let system = doctype
        .split("SYSTEM \"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("a SYSTEM identifier");
    assert!(DTDS.contains(&system), "not an official DTD URL: {system}");
    assert!(doctype.starts_with("<!DOCTYPE WMT_MS_Capabilities "));
    // The URL is the one the offline catalogue maps: that copy is what validates.
    let local = repo()
        .join("tests/ogc-schemas")
        .join(system.trim_start_matches("http://"));
    assert!(local.is_file(), "{}", local.display());
    xmllint(&resp.body, None, "conf-caps111");
    let doc = parse(&resp.body);
    assert_eq!(doc.name, "WMT_MS_Capabilities");
    assert_eq!(doc.attr("version"), Some("1.1.1"));
}

#[test]
fn w11_02_se_xml_is_an_exception_format_and_is_answered() {
    let doc = parse(&demo().get(CAPS_1_1_1).expect_status(200).body);
    let formats: Vec<&str> = doc
        .child("Capability")
        .and_then(|c| c.child("Exception"))
        .expect("Capability/Exception")
        .all("Format")
        .map(|f| f.text.as_str())
        .collect();
    assert_eq!(
        formats.first(),
        Some(&"application/vnd.ogc.se_xml"),
        "{formats:?}"
    );
    // Default and explicit se_xml give that MIME type and a DTD-valid report.
    let bad = "/wms/?SERVICE=WMS&VERSION=1.1.1&REQUEST=GetMap&LAYERS=no:such&STYLES=\
               &SRS=EPSG:4326&BBOX=5,51,6,52&WIDTH=8&HEIGHT=8&FORMAT=image/png";
    for (i, path) in [
        bad.to_string(),
        format!("{bad}&EXCEPTIONS=application/vnd.ogc.se_xml"),
    ]
    .iter()
    .enumerate()
    {
        let resp = demo().get(path);
        assert_eq!(resp.content_type(), "application/vnd.ogc.se_xml");
        assert!(
            resp.text().contains("code=\"LayerNotDefined\""),
            "{}",
            resp.text()
        );
        xmllint(&resp.body, None, &format!("conf-exc111-{i}"));
    }
}

/// The version of the capabilities answered to `query`.
fn caps_version(query: &str) -> String {
    let resp = demo().get(&format!("/wms/?{query}")).expect_status(200);
    parse(&resp.body)
        .attr("version")
        .expect("a version attribute")
        .to_string()
}

#[test]
fn w11_04_version_wins_over_wmtver_in_any_order() {
    for (query, want) in [
        (
            "REQUEST=GetCapabilities&VERSION=1.1.1&WMTVER=1.3.0",
            "1.1.1",
        ),
        (
            "WMTVER=1.3.0&REQUEST=GetCapabilities&VERSION=1.1.1",
            "1.1.1",
        ),
        (
            "REQUEST=GetCapabilities&WMTVER=1.1.1&VERSION=1.3.0",
            "1.3.0",
        ),
        (
            "VERSION=1.3.0&WMTVER=1.1.1&REQUEST=GetCapabilities",
            "1.3.0",
        ),
        ("SERVICE=WMS&REQUEST=capabilities&WMTVER=1.1.1", "1.1.1"),
        (
            "SERVICE=WMS&REQUEST=GetCapabilities&WMTVER=1.0.0&VERSION=1.1.0",
            "1.1.1",
        ),
    ] {
        assert_eq!(caps_version(query), want, "{query}");
    }
}

#[test]
fn w11_05_extents_match_declared_dimensions() {
    fn walk(layer: &El, declared: &[(String, String)], extents: &mut usize) {
        let mut names = declared.to_vec();
        for d in layer.all("Dimension") {
            let name = d.attr("name").expect("Dimension@name").to_ascii_lowercase();
            let units = d.attr("units").expect("Dimension@units").to_string();
            assert!(
                !declared.iter().any(|(n, _)| *n == name),
                "{name} redeclared below its parent"
            );
            match name.as_str() {
                "time" => assert_eq!(units, "ISO8601"),
                "elevation" => assert!(units.starts_with("EPSG:"), "{units}"),
                _ => {}
            }
            names.push((name, units));
        }
        for e in layer.all("Extent") {
            *extents += 1;
            let name = e.attr("name").expect("Extent@name").to_ascii_lowercase();
            assert!(
                names.iter().any(|(n, _)| *n == name),
                "Extent {name} undeclared"
            );
            assert!(!e.text.trim().is_empty(), "empty Extent {name}");
        }
        for c in layer.all("Layer") {
            walk(c, &names, extents);
        }
    }
    let doc = parse(&demo().get(CAPS_1_1_1).expect_status(200).body);
    let root = doc
        .child("Capability")
        .and_then(|c| c.child("Layer"))
        .expect("root layer");
    let mut extents = 0;
    walk(root, &[], &mut extents);
    assert!(extents >= 1, "the rain layer's time Extent");
}

/// Opaque pixels per column of a 1.1.1 EPSG:4326 map of the rain layer.
fn columns_with_data(bbox: &str, width: u32, height: u32) -> Vec<bool> {
    let resp = demo().get(&format!(
        "/wms/?SERVICE=WMS&VERSION=1.1.1&REQUEST=GetMap&LAYERS=nelen-schuurmans:rain&STYLES=\
         &SRS=EPSG:4326&BBOX={bbox}&WIDTH={width}&HEIGHT={height}&FORMAT=image/png&TRANSPARENT=TRUE"
    ));
    assert_eq!(resp.content_type(), "image/png", "{}", resp.text());
    let img = decode_png(&resp.body);
    assert_eq!((img.width, img.height), (width, height));
    (0..width)
        .map(|x| (0..height).any(|y| img.pixel(x, y)[3] > 0))
        .collect()
}

#[test]
fn w11_06_strict_bounding_boxes_show_nothing_beyond_180() {
    // The rain layer covers about 4.87–6.64°E, 51.58–52.49°N.
    let inside = columns_with_data("4.9,51.8,6.6,52.2", 17, 4);
    assert!(inside.iter().all(|c| *c), "{inside:?}");
    // The same box 360° east is outside the valid range: empty, not wrapped.
    let shifted = columns_with_data("364.9,51.8,366.6,52.2", 17, 4);
    assert!(shifted.iter().all(|c| !*c), "{shifted:?}");
    let west = columns_with_data("-355.1,51.8,-353.4,52.2", 17, 4);
    assert!(west.iter().all(|c| !*c), "{west:?}");
    // A box across +180 (0.2° pixels from 4° to 368°): the in-range part shows
    // the data, the part beyond 180° (where a wrapped copy would be) shows nothing.
    let across = columns_with_data("4,51.8,368,52.2", 1820, 2);
    let col = |lon: f64| ((lon - 4.0) / 0.2) as usize;
    assert!(across[col(5.0)..col(6.5)].iter().all(|c| *c));
    assert!(across[col(180.0) + 1..].iter().all(|c| !*c));
}
