//! Hostile WMS requests (bad BBOX, sizes, layers, styles, CRS, formats,
//! encodings, lengths, repeated and garbage parameters), and legal requests at
//! the edges of every CRS that must still be drawn.

use super::client::request;
use super::{LAYER, Want, clip, run, with_get};
use crate::support;
use std::time::{Duration, Instant};

/// A WMS 1.3.0 GetMap of the demo layer with `over` replacing or adding parameters.
pub(super) fn getmap(over: &[(&str, &str)]) -> String {
    let mut params: Vec<(String, String)> = [
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
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    for (k, v) in over {
        match params.iter_mut().find(|(pk, _)| pk == k) {
            Some(p) => p.1 = v.to_string(),
            None => params.push((k.to_string(), v.to_string())),
        }
    }
    params.retain(|(_, v)| v != "\u{0}");
    let query: Vec<String> = params.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!("/wms/?{}", query.join("&"))
}

/// Drops a parameter from [`getmap`].
const DROP: &str = "\u{0}";

fn wms_corpus() -> Vec<(String, String, Want)> {
    let fifty = vec![LAYER; 50].join(",");
    let huge_layer = "x".repeat(100 * 1024);
    let long_layer = "x".repeat(60 * 1024);
    let huge_bbox = format!("0,0,1,{}", "9".repeat(100 * 1024));
    let cases: Vec<(&str, String, Want)> = vec![
        ("BBOX NaN", getmap(&[("BBOX", "NaN,0,1,1")]), Want::Ogc(None)),
        ("BBOX inf", getmap(&[("BBOX", "0,0,inf,1")]), Want::Ogc(None)),
        ("BBOX -inf", getmap(&[("BBOX", "-inf,0,1,1")]), Want::Ogc(None)),
        ("BBOX 1e400", getmap(&[("BBOX", "0,0,1e400,1")]), Want::Ogc(None)),
        ("BBOX minx>maxx", getmap(&[("BBOX", "10,0,1,1")]), Want::Ogc(None)),
        ("BBOX empty", getmap(&[("BBOX", "5,5,5,5")]), Want::Ogc(None)),
        ("BBOX three numbers", getmap(&[("BBOX", "0,0,1")]), Want::Ogc(None)),
        ("BBOX missing", getmap(&[("BBOX", DROP)]), Want::Ogc(None)),
        ("WIDTH=0", getmap(&[("WIDTH", "0")]), Want::Ogc(None)),
        ("WIDTH=-1", getmap(&[("WIDTH", "-1")]), Want::Ogc(None)),
        ("WIDTH=999999999", getmap(&[("WIDTH", "999999999")]), Want::Ogc(None)),
        ("WIDTH=abc", getmap(&[("WIDTH", "abc")]), Want::Ogc(None)),
        ("HEIGHT=1e3", getmap(&[("HEIGHT", "1e3")]), Want::Ogc(None)),
        (
            "WIDTH=2^64",
            getmap(&[("WIDTH", "18446744073709551616")]),
            Want::Ogc(None),
        ),
        ("50 layers", getmap(&[("LAYERS", &fifty)]), Want::Ogc(None)),
        (
            "unknown layer",
            getmap(&[("LAYERS", "nope:nothing")]),
            Want::Ogc(Some("LayerNotDefined")),
        ),
        (
            "one unknown among known layers",
            getmap(&[("LAYERS", &format!("{LAYER},nope:nothing"))]),
            Want::Ogc(Some("LayerNotDefined")),
        ),
        (
            "unknown style",
            getmap(&[("STYLES", "no_such_colormap")]),
            Want::Ogc(Some("StyleNotDefined")),
        ),
        (
            "style with a bad range",
            getmap(&[("STYLES", "viridis:abc:1")]),
            Want::Ogc(Some("StyleNotDefined")),
        ),
        (
            "style min NaN",
            getmap(&[("STYLES", "viridis:nan:5")]),
            Want::Ogc(Some("StyleNotDefined")),
        ),
        (
            "style max 1e400",
            getmap(&[("STYLES", "viridis:0:1e400")]),
            Want::Ogc(Some("StyleNotDefined")),
        ),
        (
            "style min > max",
            getmap(&[("STYLES", "viridis:5:1")]),
            Want::Ogc(Some("StyleNotDefined")),
        ),
        (
            "style with too many parts",
            getmap(&[("STYLES", "viridis:1:2:3")]),
            Want::Ogc(Some("StyleNotDefined")),
        ),
        (
            "more STYLES than LAYERS",
            getmap(&[("STYLES", "viridis,viridis,viridis")]),
            Want::Ogc(None),
        ),
        (
            "unknown CRS 1.3.0",
            getmap(&[("CRS", "EPSG:99999")]),
            Want::Ogc(Some("InvalidCRS")),
        ),
        (
            "garbage CRS",
            getmap(&[("CRS", "../../etc/passwd")]),
            Want::Ogc(Some("InvalidCRS")),
        ),
        (
            "unknown SRS 1.1.1",
            getmap(&[("VERSION", "1.1.1"), ("CRS", DROP), ("SRS", "EPSG:99999")]),
            Want::Ogc(Some("InvalidSRS")),
        ),
        (
            "unknown FORMAT",
            getmap(&[("FORMAT", "image/gif")]),
            Want::Ogc(Some("InvalidFormat")),
        ),
        (
            "GeoTIFF of two layers",
            getmap(&[("FORMAT", "image/tiff"), ("LAYERS", &format!("{LAYER},{LAYER}"))]),
            Want::Ogc(Some("InvalidFormat")),
        ),
        ("GetMap without VERSION", getmap(&[("VERSION", DROP)]), Want::Ogc(None)),
        ("unknown VERSION", getmap(&[("VERSION", "9.9.9")]), Want::Ogc(None)),
        (
            "GetFeatureInfo without CRS, BBOX, size",
            "/wms/?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetFeatureInfo&LAYERS=x&QUERY_LAYERS=x&I=1&J=1"
                .to_string(),
            Want::Ogc(None),
        ),
        (
            "unknown REQUEST",
            "/wms/?SERVICE=WMS&VERSION=1.3.0&REQUEST=DeleteEverything".to_string(),
            Want::Ogc(Some("OperationNotSupported")),
        ),
        ("no parameters", "/wms/".to_string(), Want::Ogc(None)),
        (
            "SERVICE=WFS",
            "/wms/?SERVICE=WFS&REQUEST=GetCapabilities".to_string(),
            Want::Ogc(None),
        ),
        (
            "broken percent-encoding",
            getmap(&[("LAYERS", "%ZZ%")]),
            Want::Ogc(None),
        ),
        (
            "percent-encoded invalid UTF-8",
            getmap(&[("LAYERS", "%C3%28%FF")]),
            Want::Ogc(None),
        ),
        (
            "percent-encoded NUL in layer",
            getmap(&[("LAYERS", "nelen-schuurmans%00:dem")]),
            Want::Ogc(None),
        ),
        (
            "100 KB layer name",
            getmap(&[("LAYERS", &huge_layer)]),
            Want::TooLongOrOgc,
        ),
        ("100 KB BBOX", getmap(&[("BBOX", &huge_bbox)]), Want::TooLongOrOgc),
        (
            "60 KB layer name (under the URI limit)",
            getmap(&[("LAYERS", &long_layer)]),
            Want::Ogc(None),
        ),
        (
            "repeated BBOX",
            format!("{}&BBOX=0,0,2,2", getmap(&[])),
            Want::Ogc(None),
        ),
        (
            "repeated LAYERS",
            format!("{}&LAYERS=nelen-schuurmans:dem", getmap(&[])),
            Want::Ogc(None),
        ),
        (
            "repeated REQUEST",
            format!("{}&request=GetCapabilities", getmap(&[])),
            Want::Ogc(None),
        ),
        ("TIME garbage", getmap(&[("TIME", "garbage")]), Want::Ogc(None)),
        (
            "TIME year 99999",
            getmap(&[("TIME", "99999-01-01T00:00:00Z")]),
            Want::Ogc(None),
        ),
        (
            "TIME reversed interval",
            getmap(&[("TIME", "2024-01-02T00:00:00Z/2024-01-01T00:00:00Z")]),
            Want::Ogc(None),
        ),
        (
            "RESAMPLING unknown",
            getmap(&[("RESAMPLING", "cubic-spline-of-doom")]),
            Want::Ogc(None),
        ),
        ("BGCOLOR garbage", getmap(&[("BGCOLOR", "0xZZZZZZ")]), Want::Ogc(None)),
        (
            "TRANSPARENT garbage",
            getmap(&[("TRANSPARENT", "perhaps")]),
            Want::Ogc(None),
        ),
        (
            "capabilities with a future UPDATESEQUENCE",
            "/wms/?SERVICE=WMS&REQUEST=GetCapabilities&UPDATESEQUENCE=999999999".to_string(),
            Want::Ogc(Some("InvalidUpdateSequence")),
        ),
    ];
    cases
        .into_iter()
        .map(|(name, target, want)| (name.to_string(), target, want))
        .collect()
}

#[test]
fn extreme_but_valid_maps_are_drawn_not_failed() {
    // Legal requests at the edges of every CRS: a map (mostly empty), quickly.
    let server = support::demo();
    let cases: &[(&str, &str)] = &[
        ("EPSG:28992", "-1e300,-1e300,1e300,1e300"),
        ("EPSG:28992", "230000,460000,230000.000001,460000.000001"),
        ("CRS:84", "-180,-90,180,90"),
        ("EPSG:4326", "-90,-180,90,180"),
        ("EPSG:3857", "-1e10,-1e10,1e10,1e10"),
        ("EPSG:32631", "-1e7,-1e7,1e7,1e7"),
        ("EPSG:3035", "-1e8,-1e8,1e8,1e8"),
    ];
    let mut failures = Vec::new();
    for (crs, bbox) in cases {
        let target = getmap(&[
            ("CRS", crs),
            ("BBOX", bbox),
            ("WIDTH", "100"),
            ("HEIGHT", "50"),
        ]);
        let started = Instant::now();
        match request(server.addr, "GET", &target) {
            Ok(resp) if resp.status == 200 && resp.content_type() == "image/png" => {
                let img = support::decode_png(&resp.body);
                if (img.width, img.height) != (100, 50) {
                    failures.push(format!("{crs} {bbox}: {}x{}", img.width, img.height));
                }
            }
            Ok(resp) => failures.push(format!(
                "{crs} {bbox}: {} {}: {}",
                resp.status,
                resp.content_type(),
                clip(&resp.text())
            )),
            Err(e) => failures.push(format!("{crs} {bbox}: {e}")),
        }
        if started.elapsed() > Duration::from_secs(3) {
            failures.push(format!("{crs} {bbox}: took {:?}", started.elapsed()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn hostile_wms_requests_get_exception_reports() {
    run(support::demo(), with_get(wms_corpus()));
}
