//! Strict numbers and periods, NUL bytes, duplicate and empty parameters,
//! broken escapes, overlong values, absurd TIME values and path tricks on
//! every endpoint family (WMS GetMap, GetFeatureInfo and GetCapabilities,
//! WMTS KVP and REST, XYZ, API filters), each answered with the family's
//! error document within the deadline; and `render.max_pixels` for every
//! output format.

use super::client::request;
use super::wms::getmap;
use super::{DEADLINE, LAYER, Want, run, with_get};
use crate::support::{self, TestServer, test_config};
use std::time::Instant;

/// A GetFeatureInfo of the demo layer at pixel (1, 1), `over` replacing or
/// adding parameters.
fn gfi(over: &[(&str, &str)]) -> String {
    let mut all = vec![
        ("REQUEST", "GetFeatureInfo"),
        ("QUERY_LAYERS", LAYER),
        ("INFO_FORMAT", "text/plain"),
        ("I", "1"),
        ("J", "1"),
    ];
    all.extend_from_slice(over);
    getmap(&all)
}

const WMTS_PARAMS: &[(&str, &str)] = &[
    ("SERVICE", "WMTS"),
    ("REQUEST", "GetTile"),
    ("VERSION", "1.0.0"),
    ("LAYER", LAYER),
    ("STYLE", "default"),
    ("FORMAT", "image%2Fpng"),
    ("TILEMATRIXSET", "WebMercatorQuad"),
    ("TILEMATRIX", "2"),
    ("TILEROW", "1"),
    ("TILECOL", "2"),
];

/// A WMTS KVP GetTile of tile 2/1/2 with `name` set to `value`.
fn wmts(name: &str, value: &str) -> String {
    let items: Vec<String> = WMTS_PARAMS
        .iter()
        .map(|(k, v)| format!("{k}={}", if *k == name { value } else { v }))
        .collect();
    format!("/wmts/?{}", items.join("&"))
}

fn tile(query: &str) -> String {
    format!("/tiles/{LAYER}/2/2/1.png{query}")
}

/// The parameters of the baseline GetMap, for the one-NUL-each cases.
const GETMAP_PARAMS: &[(&str, &str)] = &[
    ("SERVICE", "WMS"),
    ("VERSION", "1.3.0"),
    ("REQUEST", "GetMap"),
    ("LAYERS", LAYER),
    ("STYLES", ""),
    ("CRS", "EPSG:28992"),
    ("BBOX", "220000,455000,240000,470000"),
    ("WIDTH", "64"),
    ("HEIGHT", "64"),
    ("FORMAT", "image/png"),
    ("TIME", "2020-01-01T00:00:00Z"),
    ("TRANSPARENT", "TRUE"),
    ("BGCOLOR", "0xFFFFFF"),
    ("EXCEPTIONS", "XML"),
    ("BOGUS", "ignored"),
];

fn strict_numbers() -> Vec<(String, String, Want)> {
    let mut cases: Vec<(String, String, Want)> = Vec::new();
    for (name, value) in [
        ("WIDTH", "%20256"),
        ("WIDTH", "256%20"),
        ("WIDTH", "%2B256"),
        ("WIDTH", "+256"),
        ("WIDTH", "64.0"),
        ("WIDTH", "6.4e1"),
        ("HEIGHT", "%0964"),
        ("HEIGHT", "0x40"),
        ("HEIGHT", "%EF%BC%96%EF%BC%94"),
    ] {
        cases.push((
            format!("GetMap {name}={value}"),
            getmap(&[(name, value)]),
            Want::Ogc(None),
        ));
    }
    for (name, value) in [
        ("J", "1.5"),
        ("I", "1.5"),
        ("I", "%201"),
        ("I", "1%20"),
        ("I", "%2B1"),
        ("J", "1e0"),
        ("J", "-0"),
    ] {
        cases.push((
            format!("GetFeatureInfo {name}={value}"),
            gfi(&[(name, value)]),
            Want::Ogc(Some("InvalidPoint")),
        ));
    }
    for (name, value) in [
        ("TILEROW", "%201"),
        ("TILEROW", "1%20"),
        ("TILEROW", "%2B1"),
        ("TILECOL", "2.0"),
        ("TILECOL", "2e0"),
        ("TILEMATRIX", "%202"),
        ("TILEMATRIX", "%2B2"),
        ("TILEMATRIX", "02"),
    ] {
        cases.push((
            format!("WMTS {name}={value}"),
            wmts(name, value),
            Want::Ows(Some("InvalidParameterValue")),
        ));
    }
    for (name, path) in [
        ("XYZ x with a space", format!("/tiles/{LAYER}/2/%202/1.png")),
        ("XYZ z with a plus", format!("/tiles/{LAYER}/%2B2/2/1.png")),
        ("XYZ y as exponent", format!("/tiles/{LAYER}/2/2/1e0.png")),
        ("XYZ y with a space", format!("/tiles/{LAYER}/2/2/1%20.png")),
    ] {
        cases.push((name.to_string(), path, Want::Json(400)));
    }
    cases
}

fn periods_and_times() -> Vec<(String, String, Want)> {
    let many = vec!["2020-01-01"; 5000].join(",");
    let million = "2020,".repeat(1_000_000);
    let bad = |name: &str, time: &str| {
        (
            format!("GetMap TIME {name}"),
            getmap(&[("TIME", time)]),
            Want::Ogc(Some("InvalidDimensionValue")),
        )
    };
    vec![
        bad("P0D", "2020-01-01/2020-02-01/P0D"),
        bad("PT0S", "2020-01-01/2020-02-01/PT0S"),
        bad(
            "zero of every unit",
            "2020-01-01/2020-02-01/P0Y0M0W0DT0H0M0.0S",
        ),
        bad("reversed", "2021-01-01/2020-01-01"),
        bad("year 99999", "99999-01-01"),
        bad("5000 instants", &many),
        (
            "GetFeatureInfo TIME P0D".into(),
            gfi(&[("TIME", "2020-01-01/2020-02-01/P0D")]),
            Want::Ogc(Some("InvalidDimensionValue")),
        ),
        (
            "XYZ time P0D".into(),
            tile("?time=2020-01-01/2020-02-01/P0D"),
            Want::Json(400),
        ),
        (
            "XYZ time reversed".into(),
            tile("?time=2021-01-01/2020-01-01"),
            Want::Json(400),
        ),
        (
            "GetMap TIME year 0".into(),
            getmap(&[("TIME", "0000-01-01T00:00:00Z")]),
            Want::ImageOrOgc,
        ),
        (
            "GetMap TIME a million instants".into(),
            getmap(&[("TIME", &million)]),
            Want::AnyClientError,
        ),
    ]
}

fn nul_bytes() -> Vec<(String, String, Want)> {
    let mut cases = Vec::new();
    for (name, value) in GETMAP_PARAMS {
        let nul = format!("{value}%00");
        cases.push((
            format!("GetMap NUL in {name}"),
            getmap(&[(name, &nul)]),
            Want::Ogc(None),
        ));
        let nul = if *name == "REQUEST" {
            "GetFeatureInfo%00".to_string()
        } else {
            nul
        };
        cases.push((
            format!("GetFeatureInfo NUL in {name}"),
            gfi(&[(name, &nul)]),
            Want::Ogc(None),
        ));
    }
    for name in ["I", "J", "QUERY_LAYERS", "INFO_FORMAT", "FEATURE_COUNT"] {
        cases.push((
            format!("GetFeatureInfo NUL in {name}"),
            gfi(&[(name, "1%00")]),
            Want::Ogc(None),
        ));
    }
    for (name, query) in [
        ("SERVICE", "SERVICE=WMS%00&REQUEST=GetCapabilities"),
        ("REQUEST", "SERVICE=WMS&REQUEST=GetCapabilities%00"),
        ("VERSION", "SERVICE=WMS&REQUEST=GetCapabilities&VERSION=%00"),
        ("a NUL name", "SERVICE=WMS&REQUEST=GetCapabilities&%00=1"),
    ] {
        cases.push((
            format!("GetCapabilities NUL in {name}"),
            format!("/wms/?{query}"),
            Want::Ogc(None),
        ));
    }
    for (name, value) in WMTS_PARAMS {
        cases.push((
            format!("WMTS NUL in {name}"),
            wmts(name, &format!("{value}%00")),
            Want::Ows(Some("InvalidParameterValue")),
        ));
    }
    for (name, query) in [
        ("styles", "?styles=viridis%00"),
        ("time", "?time=2020-01-01%00"),
        ("an unknown parameter", "?bogus=%00"),
    ] {
        cases.push((format!("XYZ NUL in {name}"), tile(query), Want::Json(400)));
    }
    cases.push((
        "XYZ NUL in the layer".into(),
        "/tiles/nelen-schuurmans%00:dem/2/2/1.png".into(),
        Want::Json(400),
    ));
    for param in [
        "name",
        "name__icontains",
        "name__regex",
        "uuid",
        "organisation__name__istartswith",
        "created__gte",
        "temporal",
    ] {
        cases.push((
            format!("API filter NUL in {param}"),
            format!("/api/v4/rasters/?{param}=a%00"),
            Want::JsonFields(400),
        ));
    }
    cases
}

fn malformed_and_overlong() -> Vec<(String, String, Want)> {
    let hundred_kb = "x".repeat(100 * 1024);
    let fifty_kb = "x".repeat(50 * 1024);
    vec![
        (
            "GetFeatureInfo I twice".into(),
            format!("{}&i=2", gfi(&[])),
            Want::Ogc(None),
        ),
        (
            "GetCapabilities REQUEST twice".into(),
            "/wms/?SERVICE=WMS&REQUEST=GetCapabilities&request=GetMap".into(),
            Want::Ogc(None),
        ),
        (
            "WMTS TILEROW twice".into(),
            format!("{}&TileRow=0", wmts("", "")),
            Want::Ows(Some("InvalidParameterValue")),
        ),
        (
            "WMTS TILEROW empty".into(),
            wmts("TILEROW", ""),
            Want::Ows(Some("MissingParameterValue")),
        ),
        (
            "WMTS broken escape".into(),
            wmts("LAYER", "%G1"),
            Want::Ows(Some("InvalidParameterValue")),
        ),
        (
            "WMTS 50 kB layer".into(),
            wmts("LAYER", &fifty_kb),
            Want::Ows(None),
        ),
        (
            "WMTS 100 kB layer".into(),
            wmts("LAYER", &hundred_kb),
            Want::AnyClientError,
        ),
        (
            "GetFeatureInfo I empty".into(),
            gfi(&[("I", "")]),
            Want::Ogc(None),
        ),
        (
            "GetFeatureInfo 50 kB INFO_FORMAT".into(),
            gfi(&[("INFO_FORMAT", &fifty_kb)]),
            Want::Ogc(Some("InvalidFormat")),
        ),
        (
            "XYZ styles twice".into(),
            tile("?styles=viridis&STYLES=magma"),
            Want::Json(400),
        ),
        (
            "XYZ broken escape".into(),
            tile("?time=%E0%A4"),
            Want::Json(400),
        ),
        (
            "XYZ 50 kB time".into(),
            tile(&format!("?time={fifty_kb}")),
            Want::Json(400),
        ),
        (
            "API 50 kB regex".into(),
            format!("/api/v4/rasters/?name__regex={fifty_kb}"),
            Want::JsonFields(400),
        ),
        (
            "API catastrophic regex".into(),
            "/api/v4/rasters/?name__iregex=(%5Cw%7B100%7D)%7B100%7D".into(),
            Want::JsonFields(400),
        ),
        (
            "API 100 kB parameter".into(),
            format!("/api/v4/rasters/?name={hundred_kb}"),
            Want::AnyClientError,
        ),
    ]
}

fn path_tricks() -> Vec<(String, String, Want)> {
    let cases: Vec<(&str, String, Want)> = vec![
        (
            "XYZ .. layer",
            "/tiles/../2/2/1.png".into(),
            Want::AnyClientError,
        ),
        (
            "XYZ %2e%2e layer",
            "/tiles/%2e%2e/2/2/1.png".into(),
            Want::Json(400),
        ),
        (
            "XYZ double slash",
            format!("/tiles/{LAYER}/2//2/1.png"),
            Want::Json(400),
        ),
        (
            "XYZ encoded slash",
            format!("/tiles/{LAYER}/2%2F2/1.png"),
            Want::Json(400),
        ),
        (
            "XYZ encoded slash in the layer",
            "/tiles/nelen-schuurmans%2Fdem/2/2/1.png".into(),
            Want::Json(400),
        ),
        (
            "WMTS REST %2e%2e",
            "/wmts/1.0.0/%2e%2e/%2e%2e/WebMercatorQuad/2/1/2.png".into(),
            Want::Ows(None),
        ),
        (
            "WMTS REST double slash",
            format!("/wmts/1.0.0/{LAYER}/default//WebMercatorQuad/2/1/2.png"),
            Want::Ows(None),
        ),
        (
            "WMTS REST encoded slash",
            format!("/wmts/1.0.0/{LAYER}/default/WebMercatorQuad/2/1%2F2.png"),
            Want::Ows(None),
        ),
        (
            "WMTS REST row with a space",
            format!("/wmts/1.0.0/{LAYER}/default/WebMercatorQuad/2/%201/2.png"),
            Want::Ows(None),
        ),
        (
            "API ..",
            "/api/v4/rasters/../users/".into(),
            Want::AnyClientError,
        ),
        (
            "API %2e%2e",
            "/api/v4/rasters/%2e%2e/".into(),
            Want::Json(404),
        ),
        (
            "API encoded slash",
            "/api/v4/rasters%2F..%2Fusers/".into(),
            Want::Json(404),
        ),
        (
            "API double slash into an object",
            "/api/v4/rasters//%2e%2e%2f%2e%2e%2fetc%2fpasswd/".into(),
            Want::Json(404),
        ),
    ];
    cases
        .into_iter()
        .map(|(n, t, w)| (n.to_string(), t, w))
        .collect()
}

#[test]
fn the_strict_corpus_baselines_succeed() {
    let server = support::demo();
    for target in [
        gfi(&[]),
        wmts("", ""),
        getmap(&[("WIDTH", "0064")]),
        tile(""),
    ] {
        let resp = request(server.addr, "GET", &target).expect("baseline");
        assert_eq!(resp.status, 200, "{target}: {}", resp.text());
    }
}

#[test]
fn numbers_are_strict_integers_everywhere() {
    run(support::demo(), with_get(strict_numbers()));
}

#[test]
fn periods_must_be_positive_and_absurd_times_are_refused() {
    run(support::demo(), with_get(periods_and_times()));
}

#[test]
fn nul_bytes_are_refused_in_every_parameter() {
    run(support::demo(), with_get(nul_bytes()));
}

#[test]
fn duplicates_empties_broken_escapes_and_overlong_values_are_refused() {
    run(support::demo(), with_get(malformed_and_overlong()));
}

#[test]
fn path_tricks_find_nothing() {
    run(support::demo(), with_get(path_tricks()));
}

#[test]
fn max_pixels_holds_for_every_output_format() {
    let mut config = test_config("hostile-max-pixels");
    config.render.max_pixels = 100 * 100;
    let server = TestServer::start(config);
    for format in ["image/png", "image/tiff", "image/geotiff"] {
        let started = Instant::now();
        let target = getmap(&[("WIDTH", "101"), ("HEIGHT", "100"), ("FORMAT", format)]);
        let resp = request(server.addr, "GET", &target).expect("answer");
        assert!(started.elapsed() < DEADLINE, "{format}");
        assert!(
            resp.text().contains("at most 10000"),
            "{format}: {} {}",
            resp.status,
            resp.text()
        );
        super::check(&resp, Want::Ogc(None)).unwrap_or_else(|e| panic!("{format}: {e}"));
        // At the limit the same request is drawn.
        let target = getmap(&[("WIDTH", "100"), ("HEIGHT", "100"), ("FORMAT", format)]);
        let resp = request(server.addr, "GET", &target).expect("answer");
        assert_eq!(resp.status, 200, "{format}: {}", resp.text());
    }
}
