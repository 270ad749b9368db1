//! Reprojection against GDAL: tegel's WMS output (raw values as GeoTIFF, and
//! styled PNG) compared with references made by `tests/golden/render/make_reprojection.py`
//! (GDAL's nearest-neighbour warper with exact transforms, matplotlib colours).
//!
//! tegel warps with an approximate transformer (≤ 0.125 source pixel error, as
//! GDAL's default), so a pixel whose centre lies within that distance of a source
//! cell edge may legitimately take the neighbouring cell. The tests therefore
//! require exact agreement on all but a small, bounded share of pixels, and that
//! every disagreeing value is one GDAL put in a neighbouring target pixel.

use crate::support::{decode_png, decode_tiff, demo, read_f32, repo};
use serde_json::Value;

/// Share of pixels allowed to differ because of the approximate transformer.
const MAX_EDGE_SHARE: f64 = 0.005;

struct Case {
    name: String,
    layer: String,
    crs: u32,
    bbox: [f64; 4],
    width: u32,
    height: u32,
    time: Option<String>,
    style: Option<String>,
}

fn cases() -> Vec<Case> {
    let path = repo().join("tests/golden/render/cases.json");
    let json: Value =
        serde_json::from_slice(&std::fs::read(&path).expect("cases.json")).expect("json");
    json["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .map(|c| Case {
            name: c["name"].as_str().unwrap().to_string(),
            layer: c["layer"].as_str().unwrap().to_string(),
            crs: c["crs"].as_u64().unwrap() as u32,
            bbox: {
                let b: Vec<f64> = c["bbox"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|v| v.as_f64().unwrap())
                    .collect();
                [b[0], b[1], b[2], b[3]]
            },
            width: c["width"].as_u64().unwrap() as u32,
            height: c["height"].as_u64().unwrap() as u32,
            time: c["time"].as_str().map(str::to_string),
            style: c["style"].as_str().map(str::to_string),
        })
        .collect()
}

/// A WMS 1.3.0 GetMap URL; EPSG:4326 takes its BBOX in lat/lon order.
fn getmap(case: &Case, format: &str, style: &str) -> String {
    let [x0, y0, x1, y1] = case.bbox;
    let bbox = if case.crs == 4326 {
        format!("{y0},{x0},{y1},{x1}")
    } else {
        format!("{x0},{y0},{x1},{y1}")
    };
    let mut url = format!(
        "/wms/?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS={}&STYLES={style}&CRS=EPSG:{}&BBOX={bbox}&WIDTH={}&HEIGHT={}&FORMAT={format}&TRANSPARENT=TRUE",
        case.layer, case.crs, case.width, case.height
    );
    if let Some(t) = &case.time {
        url.push_str(&format!("&TIME={t}"));
    }
    url
}

/// Values of the golden at (x, y) and its 8 neighbours.
fn neighbourhood(golden: &[f32], w: usize, h: usize, x: usize, y: usize) -> Vec<f32> {
    let mut out = Vec::new();
    for dy in -1i64..=1 {
        for dx in -1i64..=1 {
            let (nx, ny) = (x as i64 + dx, y as i64 + dy);
            if nx >= 0 && ny >= 0 && (nx as usize) < w && (ny as usize) < h {
                out.push(golden[ny as usize * w + nx as usize]);
            }
        }
    }
    out
}

#[test]
fn raw_values_match_gdal() {
    let server = demo();
    let mut failures = Vec::new();
    for case in cases() {
        let resp = server
            .get(&getmap(&case, "image/tiff", ""))
            .expect_status(200);
        assert_eq!(resp.content_type(), "image/tiff", "{}", case.name);
        let got = decode_tiff(&resp.body);
        assert_eq!(
            (got.width, got.height),
            (case.width, case.height),
            "{}",
            case.name
        );
        let golden = read_f32(&repo().join(format!("tests/golden/render/{}.f32", case.name)));
        let nodata = got.nodata.expect("tegel writes GDAL_NODATA");
        let (w, h) = (case.width as usize, case.height as usize);
        let mut differ = 0usize;
        for y in 0..h {
            for x in 0..w {
                let i = y * w + x;
                let ours = got.values[i];
                let ours = if ours == nodata || ours.is_nan() {
                    f32::NAN
                } else {
                    ours as f32
                };
                let theirs = golden[i];
                let same = (ours.is_nan() && theirs.is_nan()) || ours == theirs;
                if !same {
                    differ += 1;
                    // A disagreement must be a neighbouring cell's value (or its nodata).
                    let near = neighbourhood(&golden, w, h, x, y);
                    assert!(
                        near.iter()
                            .any(|v| (v.is_nan() && ours.is_nan()) || *v == ours),
                        "{}: pixel ({x},{y}) = {ours}, GDAL {theirs}, not a neighbour's value",
                        case.name
                    );
                }
            }
        }
        let share = differ as f64 / (w * h) as f64;
        eprintln!(
            "{}: {differ} of {} pixels differ ({:.3}%)",
            case.name,
            w * h,
            share * 100.0
        );
        if share > MAX_EDGE_SHARE {
            failures.push(format!(
                "{}: {differ} pixels differ ({:.2}%)",
                case.name,
                share * 100.0
            ));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn styled_png_matches_matplotlib() {
    let server = demo();
    let mut failures = Vec::new();
    for case in cases().into_iter().filter(|c| c.style.is_some()) {
        let style = case.style.clone().unwrap();
        let resp = server
            .get(&getmap(&case, "image/png", &style))
            .expect_status(200);
        assert_eq!(resp.content_type(), "image/png");
        let img = decode_png(&resp.body);
        assert_eq!((img.width, img.height), (case.width, case.height));
        let golden = std::fs::read(repo().join(format!("tests/golden/render/{}.rgba", case.name)))
            .expect("rgba golden");
        let n = (case.width * case.height) as usize;
        let differ = (0..n)
            .filter(|&i| img.rgba[i * 4..i * 4 + 4] != golden[i * 4..i * 4 + 4])
            .count();
        let share = differ as f64 / n as f64;
        eprintln!(
            "{}: {differ} of {n} pixels differ in colour ({:.3}%)",
            case.name,
            share * 100.0
        );
        if share > MAX_EDGE_SHARE {
            failures.push(format!(
                "{}: {differ} pixels differ in colour ({:.2}%)",
                case.name,
                share * 100.0
            ));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}
