//! WMS GetFeatureInfo over HTTP (checklist §2.5 and the 1.1.1 items of §3):
//! formats and MIME types, InvalidPoint, QUERY_LAYERS, exceptions,
//! FEATURE_COUNT, and values checked against the GDAL goldens of
//! `tests/golden/render/` (made by `make_reprojection.py`): a GetFeatureInfo
//! at a pixel must give the value GDAL's nearest warper with exact transforms
//! gave that pixel, which is the level-0 cell holding the pixel centre.

use crate::support::{decode_tiff, demo, read_f32, repo, xmllint};
use serde_json::Value;

const LOCHEM: &str = "nelen-schuurmans:p_lochem_kwel_wegzijging_2050";
const RAIN: &str = "nelen-schuurmans:rain";
const DEM: &str = "nelen-schuurmans:dem";
const LOCHEM_BBOX: &str = "207750,457250,230500,473500";

/// A 1.3.0 GetFeatureInfo on the Lochem layer's native grid (91×65, 250 m).
fn gfi13(extra: &str) -> String {
    format!(
        "/wms/?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetFeatureInfo&LAYERS={LOCHEM}&QUERY_LAYERS={LOCHEM}&STYLES=&CRS=EPSG:28992&BBOX={LOCHEM_BBOX}&WIDTH=91&HEIGHT=65&FORMAT=image/png&{extra}"
    )
}

/// The GeoJSON answer to `path` (which must ask for a JSON INFO_FORMAT).
fn json(path: &str) -> Value {
    let resp = demo().get(path).expect_status(200);
    assert!(
        resp.content_type().starts_with("application/"),
        "{}: {}",
        resp.content_type(),
        resp.text()
    );
    serde_json::from_slice(&resp.body).unwrap_or_else(|e| panic!("{e}: {}", resp.text()))
}

fn features(doc: &Value) -> &Vec<Value> {
    doc["features"].as_array().expect("features")
}

/// The `value` of the one feature of `doc`, as the f32 the raster stores.
fn only_value(doc: &Value) -> Option<f32> {
    let f = features(doc);
    assert_eq!(f.len(), 1, "{doc}");
    f[0]["properties"]["value"].as_f64().map(|v| v as f32)
}

/// The code of the exception report answering `path`, with its MIME type.
fn exception(path: &str) -> (String, String) {
    let resp = demo().get(path);
    assert_eq!(resp.header("cache-control"), Some("no-store"));
    let text = resp.text();
    assert!(text.contains("ServiceExceptionReport"), "{text}");
    let code = text
        .split("code=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap_or("")
        .to_string();
    (code, resp.content_type().to_string())
}

fn golden(name: &str) -> Vec<f32> {
    read_f32(&repo().join(format!("tests/golden/render/{name}.f32")))
}

/// The `<Format>`s of the GetFeatureInfo section of a capabilities document.
fn advertised_info_formats(caps: &str) -> Vec<String> {
    let section = caps
        .split("<GetFeatureInfo>")
        .nth(1)
        .and_then(|s| s.split("</GetFeatureInfo>").next())
        .expect("GetFeatureInfo in capabilities");
    section
        .split("<Format>")
        .skip(1)
        .filter_map(|s| s.split("</Format>").next())
        .map(str::to_string)
        .collect()
}

/// Well-formed XML (no schema exists for the feature documents).
fn well_formed(doc: &[u8], name: &str) {
    let file = crate::support::temp_dir("gfi").join(format!("{name}.xml"));
    std::fs::write(&file, doc).expect("write");
    let out = std::process::Command::new("xmllint")
        .args(["--nonet", "--noout"])
        .arg(&file)
        .output()
        .expect("xmllint is required: apt-get install -y libxml2-utils");
    assert!(
        out.status.success(),
        "{name}: {}\n{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(doc)
    );
}

#[test]
fn w13_gfi_01_each_advertised_info_format_returns_its_mime_type() {
    for (version, v111) in [("1.3.0", false), ("1.1.1", true)] {
        let caps = demo()
            .get(&format!(
                "/wms/?SERVICE=WMS&REQUEST=GetCapabilities&VERSION={version}"
            ))
            .expect_status(200)
            .text();
        // Every layer answers, and says so.
        assert!(!caps.contains("queryable=\"0\""), "{version}");
        assert!(caps.contains("queryable=\"1\""), "{version}");
        let formats = advertised_info_formats(&caps);
        assert_eq!(
            formats,
            [
                "text/plain",
                "text/html",
                "application/json",
                "application/geo+json",
                "application/vnd.ogc.gml",
                "text/xml"
            ],
            "{version}"
        );
        for f in &formats {
            let mut path = gfi13(&format!("INFO_FORMAT={}&I=40&J=30", f.replace('+', "%2B")));
            if v111 {
                path = path
                    .replace("VERSION=1.3.0", "VERSION=1.1.1")
                    .replace("CRS=", "SRS=")
                    .replace("&I=40&J=30", "&X=40&Y=30");
            }
            let resp = demo().get(&path).expect_status(200);
            let ct = resp.content_type();
            assert_eq!(ct.split(';').next().unwrap().trim(), f, "{version}");
            let text = resp.text();
            assert!(text.contains(LOCHEM), "{version} {f}: {text}");
            match f.as_str() {
                "application/json" | "application/geo+json" => {
                    let doc: Value = serde_json::from_str(&text).expect("JSON");
                    assert_eq!(doc["type"], "FeatureCollection");
                }
                "application/vnd.ogc.gml" | "text/xml" => well_formed(
                    &resp.body,
                    &format!("gfi-{version}-{}", f.replace('/', "_")),
                ),
                _ => {}
            }
        }
    }
    // Lizard clients send `info_format=application/geo+json` with the `+`
    // unencoded (decoded to a space): still GeoJSON.
    let resp = demo()
        .get(&gfi13("info_format=application/geo+json&I=1&J=1"))
        .expect_status(200);
    assert_eq!(resp.content_type(), "application/geo+json");
    // Unsupported INFO_FORMAT → InvalidFormat.
    let (code, mime) = exception(&gfi13("INFO_FORMAT=image/png&I=1&J=1"));
    assert_eq!(
        (code.as_str(), mime.as_str()),
        ("InvalidFormat", "text/xml")
    );
    // 1.1.1 may leave INFO_FORMAT out: the first advertised format answers.
    let resp = demo()
        .get(
            &gfi13("X=1&Y=1")
                .replace("VERSION=1.3.0", "VERSION=1.1.1")
                .replace("CRS=", "SRS="),
        )
        .expect_status(200);
    assert!(resp.content_type().starts_with("text/plain"));
    // 1.3.0 may not.
    let (code, _) = exception(&gfi13("I=1&J=1"));
    assert_eq!(code, "");
}

#[test]
fn w13_gfi_02_point_outside_the_image_is_invalid_point() {
    for (i, j) in [
        ("141", "10"),
        ("91", "10"),
        ("10", "65"),
        ("10", "115"),
        ("-1", "0"),
        ("0", "-1"),
    ] {
        let (code, _) = exception(&gfi13(&format!("INFO_FORMAT=text/plain&I={i}&J={j}")));
        assert_eq!(code, "InvalidPoint", "I={i} J={j}");
    }
    // 1.1.1 names the pixel X/Y; its report has its own MIME type.
    let path = gfi13("INFO_FORMAT=text/plain&X=91&Y=0")
        .replace("VERSION=1.3.0", "VERSION=1.1.1")
        .replace("CRS=", "SRS=");
    let (code, mime) = exception(&path);
    assert_eq!(
        (code.as_str(), mime.as_str()),
        ("InvalidPoint", "application/vnd.ogc.se_xml")
    );
    // The last pixel is inside.
    demo()
        .get(&gfi13("INFO_FORMAT=text/plain&I=90&J=64"))
        .expect_status(200);
}

#[test]
fn w13_gfi_03_query_layers_unknown_subset_two_and_three() {
    let (code, _) = exception(&gfi13("INFO_FORMAT=text/plain&I=1&J=1").replace(
        &format!("QUERY_LAYERS={LOCHEM}"),
        "QUERY_LAYERS=nope:nothing",
    ));
    assert_eq!(code, "LayerNotDefined");
    // An unknown map layer is refused as in GetMap.
    let (code, _) = exception(&gfi13("INFO_FORMAT=text/plain&I=1&J=1").replacen(
        &format!("LAYERS={LOCHEM}&"),
        &format!("LAYERS=nope:x,{LOCHEM}&"),
        1,
    ));
    assert_eq!(code, "LayerNotDefined");

    // Three map layers, queried as a subset (one, two) and all three, in QUERY_LAYERS order.
    let layers = format!("{DEM},{RAIN},{LOCHEM}");
    for query in [vec![LOCHEM], vec![RAIN, LOCHEM], vec![LOCHEM, DEM, RAIN]] {
        let path = gfi13("INFO_FORMAT=application/json&I=40&J=30")
            .replacen(&format!("LAYERS={LOCHEM}"), &format!("LAYERS={layers}"), 1)
            .replace(
                &format!("QUERY_LAYERS={LOCHEM}"),
                &format!("QUERY_LAYERS={}", query.join(",")),
            );
        let doc = json(&path);
        let names: Vec<&str> = features(&doc)
            .iter()
            .map(|f| f["properties"]["layer"].as_str().unwrap())
            .collect();
        assert_eq!(names, query);
    }
}

#[test]
fn w13_gfi_04_exceptions_default_to_xml_and_exceptions_xml_is_the_same() {
    let bad = gfi13("INFO_FORMAT=text/plain&I=500&J=1");
    let default = demo().get(&bad);
    let xml = demo().get(&format!("{bad}&EXCEPTIONS=XML"));
    assert_eq!(default.content_type(), "text/xml");
    assert_eq!(default.body, xml.body);
    assert_eq!(default.content_type(), xml.content_type());
    xmllint(
        &default.body,
        Some("schemas.opengis.net/wms/1.3.0/exceptions_1_3_0.xsd"),
        "gfi-exception",
    );
    let v111 = demo().get(
        &gfi13("INFO_FORMAT=text/plain&X=500&Y=1")
            .replace("VERSION=1.3.0", "VERSION=1.1.1")
            .replace("CRS=", "SRS="),
    );
    assert_eq!(v111.content_type(), "application/vnd.ogc.se_xml");
    xmllint(&v111.body, None, "gfi-exception-111");
}

#[test]
fn w13_gfi_05_feature_count_limits_records_per_layer() {
    let rain = |extra: &str| {
        format!(
            "/wms/?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetFeatureInfo&LAYERS={RAIN}&QUERY_LAYERS={RAIN}&STYLES=&CRS=EPSG:28992&BBOX=120000,400000,240000,500000&WIDTH=120&HEIGHT=100&FORMAT=image/png&INFO_FORMAT=application/json&I=60&J=50&{extra}"
        )
    };
    let list = "TIME=2024-06-01T12:15:00Z,2024-06-01T12:55:00Z,2024-06-01T12:30:00Z";
    let count = |extra: &str| features(&json(&rain(extra))).len();
    assert_eq!(count(list), 1, "default FEATURE_COUNT is 1");
    assert_eq!(count(&format!("{list}&FEATURE_COUNT=1")), 1);
    assert_eq!(count(&format!("{list}&FEATURE_COUNT=2")), 2);
    assert_eq!(count(&format!("{list}&FEATURE_COUNT=50")), 3);
    // CITE's shape: the default answer is never larger than FEATURE_COUNT=2's.
    for f in ["text/plain", "application/json", "text/xml"] {
        let one = demo().get(&gfi13(&format!("INFO_FORMAT={f}&I=50&J=50")));
        let two = demo().get(&gfi13(&format!(
            "INFO_FORMAT={f}&I=50&J=50&FEATURE_COUNT=2"
        )));
        assert!(one.body.len() <= two.body.len(), "{f}");
    }
    let (code, _) = exception(&gfi13("INFO_FORMAT=text/plain&I=1&J=1&FEATURE_COUNT=0"));
    assert_eq!(code, "");
}

/// Lochem on its native grid: every pixel of a lattice equals GDAL's value,
/// nodata is null, and a point off the raster is null too.
#[test]
fn w13_gfi_06_native_grid_values_equal_gdal_and_nodata_is_null() {
    let want = golden("lochem_native");
    for j in (0..65).step_by(8) {
        for i in (0..91).step_by(9) {
            let doc = json(&gfi13(&format!("INFO_FORMAT=application/json&I={i}&J={j}")));
            let expect = want[j * 91 + i];
            match only_value(&doc) {
                Some(v) => assert_eq!(v, expect, "pixel {i},{j}"),
                None => assert!(expect.is_nan(), "pixel {i},{j}: null but GDAL has {expect}"),
            }
            let f = &features(&doc)[0];
            // The point is the pixel centre, in the request CRS.
            assert_eq!(
                f["geometry"]["coordinates"],
                serde_json::json!([
                    207750.0 + 250.0 * (i as f64 + 0.5),
                    473500.0 - 250.0 * (j as f64 + 0.5)
                ])
            );
            assert!(f["properties"]["time"].is_null());
        }
    }
    // A nodata cell of the golden (row 0, column 0) is null.
    assert!(want[0].is_nan());
    assert_eq!(
        only_value(&json(&gfi13("INFO_FORMAT=application/json&I=0&J=0"))),
        None
    );
    // Outside the raster: null, not an error.
    let off = gfi13("INFO_FORMAT=application/json&I=5&J=5").replace(LOCHEM_BBOX, "0,0,9100,6500");
    assert_eq!(only_value(&json(&off)), None);
}

/// A zoomed-out DEM request (12.5 m pixels, where GetMap reads an overview)
/// still answers level-0 values: each pixel centre coincides with the centre
/// of a pixel of the full-resolution GDAL golden `dem_native`.
#[test]
fn w13_gfi_06_values_are_read_at_full_resolution_not_from_an_overview() {
    let want = golden("dem_native"); // 240×180 over [160900,444925,161100,445075]
    let base = format!(
        "/wms/?SERVICE=WMS&VERSION=1.3.0&LAYERS={DEM}&STYLES=&CRS=EPSG:28992&BBOX=160900,444925,161100,445075&WIDTH=16&HEIGHT=12"
    );
    let map = decode_tiff(
        &demo()
            .get(&format!("{base}&REQUEST=GetMap&FORMAT=image/tiff"))
            .expect_status(200)
            .body,
    );
    let (mut checked, mut nulls, mut differs_from_map) = (0, 0, 0);
    for j in 0..12 {
        for i in 0..16 {
            let doc = json(&format!(
                "{base}&REQUEST=GetFeatureInfo&QUERY_LAYERS={DEM}&INFO_FORMAT=application/geo%2Bjson&I={i}&J={j}"
            ));
            let expect = want[(15 * j + 7) * 240 + 15 * i + 7];
            match only_value(&doc) {
                Some(v) => {
                    assert_eq!(v, expect, "pixel {i},{j}");
                    let m = map.values[j * 16 + i] as f32;
                    if Some(f64::from(m)) != map.nodata && m != v {
                        differs_from_map += 1;
                    }
                }
                None => {
                    assert!(expect.is_nan(), "pixel {i},{j}: null but GDAL has {expect}");
                    nulls += 1;
                }
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 192);
    assert_eq!(nulls, 2, "the golden has two nodata pixels on this lattice");
    // The map itself shows overview (averaged) values: the answers are not those.
    assert!(differs_from_map > 50, "{differs_from_map}");
}

/// Reprojected requests (EPSG:3857, and EPSG:4326 in 1.3.0 lat/lon axis order)
/// give the value of the cell holding the pixel centre, as GDAL's exact warp.
#[test]
fn w13_gfi_06_reprojected_points_equal_gdal_exact_warp() {
    let cases: Value = serde_json::from_slice(
        &std::fs::read(repo().join("tests/golden/render/cases.json")).expect("cases.json"),
    )
    .expect("json");
    for name in ["lochem_3857", "lochem_4326"] {
        let case = cases["cases"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name)
            .expect("case");
        let b: Vec<f64> = case["bbox"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        let (w, h) = (
            case["width"].as_u64().unwrap() as usize,
            case["height"].as_u64().unwrap() as usize,
        );
        let crs = case["crs"].as_u64().unwrap();
        let bbox = if crs == 4326 {
            format!("{},{},{},{}", b[1], b[0], b[3], b[2])
        } else {
            format!("{},{},{},{}", b[0], b[1], b[2], b[3])
        };
        let want = golden(name);
        let (mut values, mut nulls) = (0, 0);
        for j in (0..h).step_by(20) {
            for i in (0..w).step_by(20) {
                let doc = json(&format!(
                    "/wms/?service=wms&version=1.3.0&request=GetFeatureInfo&layers={LOCHEM}&query_layers={LOCHEM}&styles=&crs=EPSG:{crs}&bbox={bbox}&width={w}&height={h}&info_format=application/geo%2Bjson&i={i}&j={j}"
                ));
                let expect = want[j * w + i];
                match only_value(&doc) {
                    Some(v) => {
                        assert_eq!(v, expect, "{name} pixel {i},{j}");
                        values += 1;
                    }
                    None => {
                        assert!(
                            expect.is_nan(),
                            "{name} pixel {i},{j}: null but GDAL has {expect}"
                        );
                        nulls += 1;
                    }
                }
                // GeoJSON coordinates are x/y (lon/lat), whatever the axis order of BBOX.
                let c = &features(&doc)[0]["geometry"]["coordinates"];
                let x = c[0].as_f64().unwrap();
                let cx = b[0] + (b[2] - b[0]) * (i as f64 + 0.5) / w as f64;
                assert!(
                    (x - cx).abs() < 1e-6 * (b[2] - b[0]),
                    "{name} x {x} vs {cx}"
                );
            }
        }
        assert!(
            values > 40 && nulls > 10,
            "{name}: {values} values, {nulls} nulls"
        );
    }
}

/// TIME picks the nearest frame; a list gives one record per instant, each
/// with the frame's own instant; values equal the GDAL goldens of those frames.
#[test]
fn w13_gfi_06_time_lists_give_one_record_per_instant() {
    let t03 = golden("rain_t03");
    let t11 = golden("rain_t11");
    let (i, j) = (60, 50);
    let doc = json(&format!(
        "/wms/?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetFeatureInfo&LAYERS={RAIN}&QUERY_LAYERS={RAIN}&STYLES=&CRS=EPSG:28992&BBOX=120000,400000,240000,500000&WIDTH=120&HEIGHT=100&INFO_FORMAT=application/json&I={i}&J={j}&FEATURE_COUNT=5&TIME=2024-06-01T12:16:00Z,2024-06-01T13:30:00Z"
    ));
    let f = features(&doc);
    assert_eq!(f.len(), 2);
    assert_eq!(f[0]["properties"]["time"], "2024-06-01T12:15:00Z");
    assert_eq!(f[1]["properties"]["time"], "2024-06-01T12:55:00Z");
    let v = |k: usize| f[k]["properties"]["value"].as_f64().map(|v| v as f32);
    assert_eq!(v(0), Some(t03[j * 120 + i]));
    assert_eq!(v(1), Some(t11[j * 120 + i]));
    assert_ne!(v(0), v(1), "the two frames differ at this pixel");
    // No TIME: the last frame.
    let doc = json(&format!(
        "/wms/?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetFeatureInfo&LAYERS={RAIN}&QUERY_LAYERS={RAIN}&STYLES=&CRS=EPSG:28992&BBOX=120000,400000,240000,500000&WIDTH=120&HEIGHT=100&INFO_FORMAT=application/json&I={i}&J={j}"
    ));
    assert_eq!(
        features(&doc)[0]["properties"]["time"],
        "2024-06-01T12:55:00Z"
    );
    // Intervals are refused clearly.
    let (code, _) = exception(&format!(
        "/wms/?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetFeatureInfo&LAYERS={RAIN}&QUERY_LAYERS={RAIN}&STYLES=&CRS=EPSG:28992&BBOX=120000,400000,240000,500000&WIDTH=120&HEIGHT=100&INFO_FORMAT=application/json&I={i}&J={j}&TIME=2024-06-01T12:00:00Z/2024-06-01T12:30:00Z"
    ));
    assert_eq!(code, "InvalidDimensionValue");
}

/// What QGIS asks for in 1.1.1: X/Y and GML, read back as MapServer-style
/// layer/feature elements with the value, time and a point in the request SRS.
#[test]
fn w11_03_gml_feature_info_in_1_1_1() {
    let want = golden("lochem_native");
    let (x, y) = (40, 30);
    let resp = demo()
        .get(&format!(
            "/wms/?SERVICE=WMS&VERSION=1.1.1&REQUEST=GetFeatureInfo&LAYERS={LOCHEM}&QUERY_LAYERS={LOCHEM}&STYLES=&SRS=EPSG:28992&BBOX={LOCHEM_BBOX}&WIDTH=91&HEIGHT=65&FORMAT=image/png&INFO_FORMAT=application/vnd.ogc.gml&X={x}&Y={y}"
        ))
        .expect_status(200);
    assert_eq!(resp.content_type(), "application/vnd.ogc.gml");
    let text = resp.text();
    well_formed(&resp.body, "gfi-gml-111");
    let tag = "nelen-schuurmans_p_lochem_kwel_wegzijging_2050";
    assert!(text.contains(&format!("<{tag}_layer>")), "{text}");
    assert!(text.contains(&format!("<{tag}_feature>")), "{text}");
    let value: f32 = text
        .split("<value>")
        .nth(1)
        .and_then(|s| s.split("</value>").next())
        .expect("value element")
        .parse()
        .expect("number");
    assert_eq!(value, want[y * 91 + x]);
    assert!(text.contains("<gml:Point srsName=\"EPSG:28992\">"));
    assert!(
        text.contains("<gml:coordinates>217875,465875</gml:coordinates>"),
        "{text}"
    );
}
