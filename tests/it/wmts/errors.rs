//! The WMTS error table (ogc-conformance §4.3): exact codes, locators and
//! HTTP statuses over KVP, 404 with the same report over REST, never cached,
//! always a schema-valid OWS 1.1 ExceptionReport.

use super::*;
use crate::support::{demo, xmllint};

const TILE: &str = "SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=nelen-schuurmans:dem&STYLE=default&FORMAT=image%2Fpng&TILEMATRIXSET=WebMercatorQuad&TILEMATRIX=0&TILEROW=0&TILECOL=0";

fn check(path: &str, status: u16, code: &str, locator: Option<&str>) {
    let resp = demo().get(path);
    assert_eq!(resp.status, status, "{path}: {}", resp.text());
    assert_eq!(resp.content_type(), "application/xml", "{path}");
    assert_eq!(resp.header("cache-control"), Some("no-store"), "{path}");
    xmllint(&resp.body, Some(EXC_XSD), "wmts-error");
    assert_eq!(
        exception(&resp.text()),
        (code.to_string(), locator.map(str::to_string)),
        "{path}"
    );
}

fn without(name: &str) -> String {
    TILE.split('&')
        .filter(|p| !p.starts_with(&format!("{name}=")))
        .collect::<Vec<_>>()
        .join("&")
}

#[test]
fn wmts_error_table_kvp_codes_locators_and_statuses() {
    let kvp = |q: &str| format!("/wmts/?{q}");
    let inv = "InvalidParameterValue";
    let missing = "MissingParameterValue";
    check(
        &kvp("service=WMTS&request~GetCapabilities!version~1.0.0"),
        400,
        missing,
        Some("request"),
    );
    check(
        &kvp("request=GetCapabilities"),
        400,
        missing,
        Some("service"),
    );
    check(
        &kvp("service=BOGUS&request=GetCapabilities"),
        400,
        inv,
        Some("service"),
    );
    check(
        &kvp("service=WMTS&request=GetBOGUS"),
        400,
        inv,
        Some("request"),
    );
    check(
        &kvp("service=WMTS&request=GetCapabilities&AcceptVersions=9.0.0"),
        400,
        "VersionNegotiationFailed",
        None,
    );
    for (name, locator) in [
        ("VERSION", "version"),
        ("LAYER", "layer"),
        ("STYLE", "Style"),
        ("FORMAT", "format"),
        ("TILEMATRIXSET", "TileMatrixSet"),
        ("TILEMATRIX", "TileMatrix"),
        ("TILEROW", "TileRow"),
        ("TILECOL", "TileCol"),
    ] {
        check(&kvp(&without(name)), 400, missing, Some(locator));
    }
    let swap = |from: &str, to: &str| kvp(&TILE.replace(from, to));
    check(
        &swap("nelen-schuurmans:dem", "nelen-schuurmans:bogus"),
        400,
        inv,
        Some("layer"),
    );
    check(
        &swap("STYLE=default", "STYLE=bogus_style"),
        400,
        inv,
        Some("Style"),
    );
    check(
        &swap("image%2Fpng", "image%2Fjpeg"),
        400,
        inv,
        Some("format"),
    );
    check(
        &swap("=WebMercatorQuad", "=Bogus"),
        400,
        inv,
        Some("TileMatrixSet"),
    );
    check(
        &swap("TILEMATRIX=0", "TILEMATRIX=99"),
        400,
        inv,
        Some("TileMatrix"),
    );
    check(
        &swap("TILEROW=0", "TILEROW=1"),
        400,
        "TileOutOfRange",
        Some("TileRow"),
    );
    check(
        &swap("TILECOL=0", "TILECOL=1"),
        400,
        "TileOutOfRange",
        Some("TileCol"),
    );
    // Inside the matrix but outside the advertised limits.
    check(
        &swap(
            "TILEMATRIX=0&TILEROW=0&TILECOL=0",
            "TILEMATRIX=10&TILEROW=0&TILECOL=0",
        ),
        400,
        "TileOutOfRange",
        Some("TileRow"),
    );
    check(
        &kvp(&format!(
            "{}&TIME=2024-06-01T12:01:00Z",
            TILE.replace("nelen-schuurmans:dem", RAIN)
        )),
        400,
        inv,
        Some("Time"),
    );
    // GetFeatureInfo is offered: without its parameters it is incomplete.
    check(
        &kvp("service=WMTS&request=GetFeatureInfo"),
        400,
        "MissingParameterValue",
        Some("version"),
    );
}

#[test]
fn wmts_rest_03_restful_errors_are_404_with_the_same_report() {
    let ok = "/wmts/1.0.0/nelen-schuurmans:dem/default/WebMercatorQuad/0/0/0.png";
    assert_eq!(demo().get(ok).status, 200);
    let inv = "InvalidParameterValue";
    let swap = |from: &str, to: &str| ok.replace(from, to);
    check(
        &swap("nelen-schuurmans:dem", "nelen-schuurmans:bogus"),
        404,
        inv,
        Some("layer"),
    );
    check(&swap("/default/", "/bogus_style/"), 404, inv, Some("Style"));
    check(
        &swap("WebMercatorQuad", "Bogus"),
        404,
        inv,
        Some("TileMatrixSet"),
    );
    check(
        &swap("/0/0/0.png", "/99/0/0.png"),
        404,
        inv,
        Some("TileMatrix"),
    );
    check(
        &swap("/0/0/0.png", "/0/1/0.png"),
        404,
        "TileOutOfRange",
        Some("TileRow"),
    );
    check(
        &swap("/0/0/0.png", "/0/0/1.png"),
        404,
        "TileOutOfRange",
        Some("TileCol"),
    );
    check(&swap(".png", ".jpg"), 404, inv, Some("format"));
    let rain = format!("/wmts/1.0.0/{RAIN}/default/2024-06-01T12:01:00Z/WebMercatorQuad/0/0/0.png");
    check(&rain, 404, inv, Some("Time"));
    // A plain layer has no time segment; a temporal one needs it.
    check(
        &swap("/default/", "/default/2024-06-01T12:00:00Z/"),
        404,
        inv,
        Some("Time"),
    );
    check(
        &format!("/wmts/1.0.0/{RAIN}/default/WebMercatorQuad/0/0/0.png"),
        404,
        inv,
        Some("Time"),
    );
    check(
        "/wmts/2.0.0/WMTSCapabilities.xml",
        404,
        "NoApplicableCode",
        None,
    );
}

#[test]
fn wmts_hostile_inputs_give_reports_not_panics() {
    let huge = "9".repeat(40);
    check(
        &format!(
            "/wmts/?{}",
            TILE.replace("TILEROW=0", &format!("TILEROW={huge}"))
        ),
        400,
        "TileOutOfRange",
        Some("TileRow"),
    );
    check(
        &format!("/wmts/?{}", TILE.replace("TILEMATRIX=0", "TILEMATRIX=-1")),
        400,
        "InvalidParameterValue",
        Some("TileMatrix"),
    );
    check(
        "/wmts/?SERVICE=WMTS&service=WMTS&REQUEST=GetCapabilities",
        400,
        "InvalidParameterValue",
        Some("service"),
    );
    check(
        "/wmts/?SERVICE=WMTS&REQUEST=%ZZ",
        400,
        "InvalidParameterValue",
        Some("request"),
    );
    for path in [
        "/wmts/1.0.0/%ZZ/default/WebMercatorQuad/0/0/0.png",
        "/wmts/1.0.0/a/b/c/d/e/f/g/h.png",
        "/wmts/1.0.0/",
        "/wmts/1.0.0//////.png",
    ] {
        check(path, 404, "NoApplicableCode", None);
    }
    let long = format!(
        "/wmts/1.0.0/{}/default/WebMercatorQuad/0/0/0.png",
        "x".repeat(4000)
    );
    check(&long, 404, "InvalidParameterValue", Some("layer"));
}
