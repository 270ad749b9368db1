//! WMS TIME (conformance checklist §2.7) over HTTP against the demo `rain`
//! layer: 12 frames 5 minutes apart from 2024-06-01T12:00:00Z. Which frame a
//! map shows is checked by comparing raw values (GeoTIFF output) with the map
//! of that frame's exact instant.

use crate::support::{TestServer, decode_png, decode_tiff, demo, test_config, xmllint};
use std::time::{Duration, Instant};

const RAIN: &str = "nelen-schuurmans:rain";
const LOCHEM: &str = "nelen-schuurmans:p_lochem_kwel_wegzijging_2050";
const RAIN_MAP: &str = "SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&STYLES=&CRS=EPSG:28992\
                        &BBOX=120000,400000,240000,500000&WIDTH=60&HEIGHT=50&FORMAT=image/tiff";

/// A rain map at `time` (percent-encoded as needed): (values, Warning headers, Cache-Control).
fn rain(server: &TestServer, time: Option<&str>) -> (Vec<f64>, Vec<String>, String) {
    let t = time.map(|t| format!("&TIME={t}")).unwrap_or_default();
    let resp = server
        .get(&format!("/wms/?{RAIN_MAP}&LAYERS={RAIN}{t}"))
        .expect_status(200);
    assert_eq!(resp.content_type(), "image/tiff", "{}", resp.text());
    let warnings = resp
        .headers
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case("warning"))
        .map(|(_, v)| v.clone())
        .collect();
    let cc = resp.header("cache-control").unwrap_or("").to_string();
    (decode_tiff(&resp.body).values, warnings, cc)
}

/// The values of the frame at 12:`mm`.
fn frame(mm: u32) -> Vec<f64> {
    let (v, w, _) = rain(demo(), Some(&format!("2024-06-01T12:{mm:02}:00Z")));
    assert!(w.is_empty(), "an exact frame instant warns nothing: {w:?}");
    v
}

/// Asserts that TIME=`time` renders frame 12:`mm` without a warning.
fn shows(time: &str, mm: u32) {
    let (v, w, _) = rain(demo(), Some(time));
    assert!(
        v == frame(mm),
        "TIME={time} should show the 12:{mm:02} frame"
    );
    assert!(
        w.is_empty(),
        "TIME={time} holds data: no warning, got {w:?}"
    );
}

/// The OGC exception code of a GetMap answer.
fn exception_code(server: &TestServer, query: &str) -> String {
    let resp = server.get(&format!("/wms/?{query}"));
    let text = resp.text();
    assert!(text.contains("ServiceExceptionReport"), "{text}");
    text.split("code=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap_or("")
        .to_string()
}

#[test]
fn w13_dim_01_instants_intervals_lists_and_reduced_precision() {
    // Frames differ from one another (the rain cell moves).
    assert_ne!(frame(5), frame(10));
    // Instants, with and without fractional seconds.
    shows("2024-06-01T12:05:00Z", 5);
    shows("2024-06-01T12:05:00.000Z", 5);
    // An interval shows the latest frame inside it.
    shows("2024-06-01T12:02:00Z/2024-06-01T12:18:00Z", 15);
    // A list of instants, an interval and an instant, a list of intervals:
    // the latest frame any item holds.
    shows("2024-06-01T12:05:00Z,2024-06-01T12:20:00Z", 20);
    shows(
        "2024-06-01T12:05:00Z,2024-06-01T12:30:00Z/2024-06-01T12:40:00Z",
        40,
    );
    shows(
        "2024-06-01T12:00:00Z/2024-06-01T12:04:00Z,2024-06-01T12:21:00Z/2024-06-01T12:29:00Z",
        25,
    );
    // start/end/period: only instants on the period's grid count.
    shows("2024-06-01T12:00:00Z/2024-06-01T12:35:00Z/PT10M", 30);
    // Reduced precision is the start of its period: 2024-06-01T12 = 12:00.
    shows("2024-06-01T12", 0);
    // Reduced-precision day before the first frame: the nearest (first) frame.
    let (v, w, _) = rain(demo(), Some("2024-06-01"));
    assert!(v == frame(0));
    assert_eq!(
        w,
        ["99 Nearest value used: time=2024-06-01T12:00:00Z ISO8601"]
    );
}

#[test]
fn w13_dim_02_current_and_intervals_ending_in_current() {
    shows("current", 55);
    shows("CURRENT", 55);
    shows("2024-06-01T12:20:00Z/current", 55);
    // Declared in both versions' capabilities, which stay valid.
    let caps = demo()
        .get("/wms/?SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.3.0")
        .expect_status(200);
    assert!(caps.text().contains(
        "<Dimension name=\"time\" units=\"ISO8601\" default=\"2024-06-01T12:55:00Z\" \
         multipleValues=\"1\" nearestValue=\"1\" current=\"1\">\
         2024-06-01T12:00:00Z/2024-06-01T12:55:00Z/PT5M</Dimension>"
    ));
    xmllint(
        &caps.body,
        Some("schemas.opengis.net/sld/1.1.0/sld_capabilities.xsd"),
        "time-caps130",
    );
    let caps = demo()
        .get("/wms/?SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.1.1")
        .expect_status(200);
    assert!(caps.text().contains(
        "<Extent name=\"time\" default=\"2024-06-01T12:55:00Z\" multipleValues=\"1\" \
         nearestValue=\"1\" current=\"1\">"
    ));
    xmllint(&caps.body, None, "time-caps111");
}

#[test]
fn w13_dim_03_default_value_used_warning() {
    let (v, w, _) = rain(demo(), None);
    assert!(v == frame(55), "the default is the last frame");
    assert_eq!(w.len(), 1, "{w:?}");
    // CITE: starts with "99 D", then "99 default value used: time=" (any case),
    // then the declared default.
    assert!(w[0].starts_with("99 D"));
    let rest = w[0]
        .to_ascii_lowercase()
        .strip_prefix("99 default value used: time=")
        .map(str::to_string)
        .expect("the default-value warning text");
    assert!(rest.starts_with("2024-06-01t12:55:00z"), "{rest}");
    assert_eq!(
        w[0],
        "99 Default value used: time=2024-06-01T12:55:00Z ISO8601"
    );
    // 1.1.1 warns alike.
    let resp = demo()
        .get(&format!(
            "/wms/?{}&LAYERS={RAIN}",
            RAIN_MAP.replace("1.3.0", "1.1.1").replace("CRS=", "SRS=")
        ))
        .expect_status(200);
    assert_eq!(
        resp.header("warning"),
        Some("99 Default value used: time=2024-06-01T12:55:00Z ISO8601")
    );
}

#[test]
fn w13_dim_04_nearest_value_used_warning() {
    let (v, w, _) = rain(demo(), Some("2024-06-01T12:07:00Z"));
    assert!(v == frame(5));
    assert_eq!(
        w,
        ["99 Nearest value used: time=2024-06-01T12:05:00Z ISO8601"]
    );
    // Outside the data: clamped to the first / last frame (nearestValue="1").
    let (v, w, _) = rain(demo(), Some("2030-01-01T00:00:00Z"));
    assert!(v == frame(55));
    assert_eq!(
        w,
        ["99 Nearest value used: time=2024-06-01T12:55:00Z ISO8601"]
    );
    // An interval without frames snaps to the frame nearest to it.
    let (v, w, _) = rain(demo(), Some("2024-06-01T12:11:00Z/2024-06-01T12:13:00Z"));
    assert!(v == frame(10));
    assert_eq!(
        w,
        ["99 Nearest value used: time=2024-06-01T12:10:00Z ISO8601"]
    );
}

#[test]
fn w13_dim_05_missing_dimension_value_without_default() {
    // A temporal layer whose frames are all gone has no default.
    let server = TestServer::start(test_config("time-empty"));
    let catalogue =
        tegel::catalogue::Catalogue::open(&server.data_dir).expect("open the catalogue");
    catalogue
        .update(|data, rev| {
            let source = data
                .sources
                .iter_mut()
                .find(|s| s.temporal)
                .expect("the rain source");
            source.frames.clear();
            source.revision = rev;
            Ok(())
        })
        .expect("update");
    let query = format!("{RAIN_MAP}&LAYERS={RAIN}");
    let started = Instant::now();
    // The server sees the change on its next catalogue poll (within ~1 s);
    // until then it still renders the old frames.
    loop {
        let text = server.get(&format!("/wms/?{query}")).text();
        if text.contains("ServiceExceptionReport") {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the server still renders 10 s after the frames went"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(exception_code(&server, &query), "MissingDimensionValue");
    assert_eq!(
        exception_code(&server, &format!("{query}&TIME=2024-06-01T12:00:00Z")),
        "InvalidDimensionValue"
    );
}

#[test]
fn w13_dim_06_unusable_time_values_are_invalid_dimension_values() {
    let query = format!("{RAIN_MAP}&LAYERS={RAIN}");
    for bad in [
        "yesterday",
        "2024-13-01T00:00:00Z",
        "2024-06-01T12:10:00Z/2024-06-01T12:00:00Z",
        // Periods without a fixed length are refused in requests.
        "2024-01-01T00:00:00Z/2024-06-01T00:00:00Z/P1M",
    ] {
        assert_eq!(
            exception_code(demo(), &format!("{query}&TIME={bad}")),
            "InvalidDimensionValue",
            "TIME={bad}"
        );
    }
}

#[test]
fn w13_dim_07_time_applies_only_to_layers_that_declare_it() {
    let png = "SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&STYLES=&CRS=EPSG:28992\
               &BBOX=120000,400000,240000,500000&WIDTH=60&HEIGHT=50&FORMAT=image/png";
    // A non-temporal layer ignores TIME and warns nothing.
    let plain = demo()
        .get(&format!("/wms/?{png}&LAYERS={LOCHEM}"))
        .expect_status(200);
    let timed = demo()
        .get(&format!(
            "/wms/?{png}&LAYERS={LOCHEM}&TIME=2000-01-01T00:00:00Z"
        ))
        .expect_status(200);
    assert_eq!(plain.body, timed.body);
    assert_eq!(timed.header("warning"), None);
    // Mixed with the temporal layer: renders, and TIME applies to rain only.
    let mixed = demo()
        .get(&format!(
            "/wms/?{png}&LAYERS={LOCHEM},{RAIN}&TIME=2024-06-01T12:05:00Z"
        ))
        .expect_status(200);
    assert_eq!(mixed.content_type(), "image/png");
    assert_eq!(mixed.header("warning"), None);
    let other = demo()
        .get(&format!(
            "/wms/?{png}&LAYERS={LOCHEM},{RAIN}&TIME=2024-06-01T12:30:00Z"
        ))
        .expect_status(200);
    assert_ne!(
        decode_png(&mixed.body).rgba,
        decode_png(&other.body).rgba,
        "the rain frame follows TIME in a composite"
    );
}

#[test]
fn w13_dim_09_the_resolved_time_keys_the_cache() {
    let etag = |time: &str| {
        demo()
            .get(&format!("/wms/?{RAIN_MAP}&LAYERS={RAIN}&TIME={time}"))
            .expect_status(200)
            .header("etag")
            .expect("ETag")
            .to_string()
    };
    // 12:06 and 12:07 both snap to 12:05: one rendering, one ETag.
    assert_eq!(etag("2024-06-01T12:06:00Z"), etag("2024-06-01T12:07:00Z"));
    assert_eq!(etag("2024-06-01T12:06:00Z"), etag("2024-06-01T12:05:00Z"));
    assert_ne!(etag("2024-06-01T12:05:00Z"), etag("2024-06-01T12:10:00Z"));
    // No TIME and `current` resolve to the last frame.
    assert_eq!(
        demo()
            .get(&format!("/wms/?{RAIN_MAP}&LAYERS={RAIN}"))
            .header("etag"),
        Some(etag("2024-06-01T12:55:00Z").as_str())
    );
}

#[test]
fn w13_dim_10_qgis_style_intervals() {
    // QGIS's temporal controller asks for one frame's range at a time.
    shows("2024-06-01T12:10:00.000Z/2024-06-01T12:14:59.999Z", 10);
    shows("2024-06-01T12:00:00Z/2024-06-01T12:55:00Z", 55);
}

#[test]
fn ext_03_maps_of_the_latest_data_are_revalidated() {
    let (_, _, latest) = rain(demo(), None);
    let (_, _, current) = rain(demo(), Some("current"));
    let (_, _, fixed) = rain(demo(), Some("2024-06-01T12:05:00Z"));
    assert_eq!(latest, "no-cache");
    assert_eq!(current, "no-cache");
    assert_eq!(fixed, "public, max-age=3600");
}
