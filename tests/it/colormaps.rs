//! `/api/v4/colormaps/` (list shape and paging, detail, JSON errors) and the
//! Lizard maps used as STYLES: WMS GetMap colours checked pixel by pixel
//! against colours computed here from the served definition and the golden
//! values of `tests/golden/render/*.f32`, XYZ tiles, getlegend and
//! GetLegendGraphic.

use crate::support::{decode_png, decode_tiff, demo, read_f32, repo};
use serde_json::{Value, json};

const RAIN: &str = "nelen-schuurmans:rain";
const DEM: &str = "nelen-schuurmans:dem";

fn get_json(path: &str, status: u16) -> Value {
    let resp = demo().get(path).expect_status(status);
    assert_eq!(resp.content_type(), "application/json", "{path}");
    serde_json::from_slice(&resp.body).expect("JSON body")
}

fn names(page: &Value) -> Vec<String> {
    page["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| r["name"].as_str().expect("name").to_string())
        .collect()
}

#[test]
fn colormaps_list_is_a_paginated_envelope() {
    let page = get_json("/api/v4/colormaps/", 200);
    let count = page["count"].as_u64().unwrap() as usize;
    // 182 matplotlib maps (with their _r twins) plus six Lizard-style ones.
    assert_eq!(count, 188);
    assert_eq!(page["previous"], Value::Null);
    assert!(
        page["next"]
            .as_str()
            .unwrap()
            .ends_with("/api/v4/colormaps/?page=2&page_size=10"),
        "{}",
        page["next"]
    );
    assert!(page["next"].as_str().unwrap().starts_with("http"));
    let results = page["results"].as_array().unwrap();
    assert_eq!(results.len(), 10);
    assert_eq!(names(&page)[..3], ["Accent", "Accent_r", "Blues"]);
    for r in results {
        let keys: Vec<_> = r.as_object().unwrap().keys().cloned().collect();
        assert_eq!(keys, ["name", "description"]);
        assert!(!r["description"].as_str().unwrap().is_empty());
    }
}

#[test]
fn colormaps_pages_cover_every_name_once() {
    let mut all = Vec::new();
    let mut page_no = 1;
    loop {
        let page = get_json(
            &format!("/api/v4/colormaps/?page={page_no}&page_size=50"),
            200,
        );
        all.extend(names(&page));
        if page_no > 1 {
            assert!(page["previous"].as_str().is_some());
        }
        match page["next"].as_str() {
            Some(next) => {
                assert!(next.ends_with(&format!("?page={}&page_size=50", page_no + 1)));
                page_no += 1;
            }
            None => break,
        }
    }
    assert_eq!(page_no, 4);
    assert_eq!(all.len(), 188);
    let mut sorted = all.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), 188);
    for n in [
        "transparent",
        "dem_nl",
        "radar-5min",
        "radar-hour",
        "radar-day",
        "landuse",
        "viridis",
        "RdBu_r",
    ] {
        assert!(all.iter().any(|a| a == n), "{n} missing");
    }
    // Page 2 points back at page 1 without a page parameter, as DRF does.
    let p2 = get_json("/api/v4/colormaps/?page=2&page_size=50", 200);
    assert!(
        p2["previous"]
            .as_str()
            .unwrap()
            .ends_with("/api/v4/colormaps/?page_size=50")
    );
    // Sizes: bad or non-positive → default 10; above 1000 → 1000 (all in one page).
    assert_eq!(
        get_json("/api/v4/colormaps/?page_size=0", 200)["results"]
            .as_array()
            .unwrap()
            .len(),
        10
    );
    assert_eq!(
        get_json("/api/v4/colormaps/?page_size=x", 200)["results"]
            .as_array()
            .unwrap()
            .len(),
        10
    );
    let big = get_json("/api/v4/colormaps/?page_size=5000", 200);
    assert_eq!(big["results"].as_array().unwrap().len(), 188);
    assert_eq!(big["next"], Value::Null);
    let last = get_json("/api/v4/colormaps/?page=last&page_size=100", 200);
    assert_eq!(last["results"].as_array().unwrap().len(), 88);
}

#[test]
fn colormaps_errors_are_lizard_json() {
    for path in [
        "/api/v4/colormaps/?page=999",
        "/api/v4/colormaps/?page=0",
        "/api/v4/colormaps/?page=abc",
    ] {
        let e = get_json(path, 404);
        assert_eq!(e["status"], 404, "{path}");
        assert_eq!(e["detail"], "Invalid page.", "{path}");
    }
    for path in [
        "/api/v4/colormaps/no-such-map/",
        "/api/v4/colormaps/Viridis/",
        "/api/v4/colormaps/viridis/extra/",
    ] {
        let e = get_json(path, 404);
        assert_eq!(e["status"], 404, "{path}");
        assert_eq!(e["detail"], "Not found.", "{path}");
    }
    let resp = demo().request("POST", "/api/v4/colormaps/", &[]);
    assert_eq!(resp.status, 405);
}

#[test]
fn colormap_detail_serves_the_definition() {
    let d = get_json("/api/v4/colormaps/radar-5min/", 200);
    assert_eq!(d["name"], "radar-5min");
    let def = &d["definition"];
    assert_eq!(def["type"], "GradientColormap");
    assert_eq!(def["log"], true);
    assert_eq!(def["free"], false);
    assert_eq!(def["invalid"], json!([0, 0, 0, 0]));
    assert_eq!(def["data"][0], json!([0.01, [190, 220, 255, 0]]));
    assert_eq!(def["data"].as_array().unwrap().len(), 6);
    // Without the final slash too.
    assert_eq!(get_json("/api/v4/colormaps/radar-5min", 200), d);
    let lu = get_json("/api/v4/colormaps/landuse/", 200);
    assert_eq!(lu["definition"]["type"], "DiscreteColormap");
    assert_eq!(
        lu["definition"]["labels"]["nl_NL"][4],
        json!([5.0, "water"])
    );
    // matplotlib maps: 256 stops on [0, 1].
    let v = get_json("/api/v4/colormaps/viridis/", 200);
    let data = v["definition"]["data"].as_array().unwrap();
    assert_eq!(data.len(), 256);
    assert_eq!(data[0], json!([0.0, [68, 1, 84, 255]]));
    assert_eq!(data[255], json!([1.0, [253, 231, 36, 255]]));
    assert_eq!(v["definition"]["log"], false);
    let t = get_json("/api/v4/colormaps/transparent/", 200);
    assert!(
        t["definition"]["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s[1] == json!([0, 0, 0, 0]))
    );
}

/// A definition's stops as (value, RGBA).
fn stops(def: &Value) -> Vec<(f64, [f64; 4])> {
    def["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let c = s[1].as_array().unwrap();
            let ch = |i: usize| c[i].as_f64().unwrap();
            (s[0].as_f64().unwrap(), [ch(0), ch(1), ch(2), ch(3)])
        })
        .collect()
}

/// Colour at `x` interpolated between stops (log axis when `log`), rounded.
fn interpolate(stops: &[(f64, [f64; 4])], log: bool, x: f64) -> [u8; 4] {
    let f = |v: f64| if log { v.ln() } else { v };
    let pick = |c: [f64; 4]| c.map(|v| v.round() as u8);
    if x <= stops[0].0 {
        return pick(stops[0].1);
    }
    for w in stops.windows(2) {
        let ((a, ca), (b, cb)) = (w[0], w[1]);
        if x < b {
            let t = (f(x) - f(a)) / (f(b) - f(a));
            return pick([0, 1, 2, 3].map(|k| ca[k] + t * (cb[k] - ca[k])));
        }
    }
    pick(stops[stops.len() - 1].1)
}

/// The GetMap PNG and TIFF of golden case `name` (grid, layer and time
/// from `tests/golden/render/cases.json`) in `style`, and its golden values.
fn render(name: &str, style: &str) -> (Vec<[u8; 4]>, Vec<f32>, Vec<f32>) {
    let cases: Value = serde_json::from_slice(
        &std::fs::read(repo().join("tests/golden/render/cases.json")).expect("cases.json"),
    )
    .expect("cases JSON");
    let case = cases["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .expect("golden case");
    let bbox: Vec<String> = case["bbox"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap().to_string())
        .collect();
    let (w, h) = (
        case["width"].as_u64().unwrap() as u32,
        case["height"].as_u64().unwrap() as u32,
    );
    let time = case["time"]
        .as_str()
        .map_or(String::new(), |t| format!("&TIME={t}"));
    let url = |format: &str| {
        format!(
            "/wms/?SERVICE=WMS&VERSION=1.1.1&REQUEST=GetMap&LAYERS={}&STYLES={style}&SRS=EPSG:{}&BBOX={}&WIDTH={w}&HEIGHT={h}&FORMAT={format}&TRANSPARENT=TRUE{time}",
            case["layer"].as_str().unwrap(),
            case["crs"],
            bbox.join(","),
        )
    };
    let png = decode_png(&demo().get(&url("image/png")).expect_status(200).body);
    assert_eq!((png.width, png.height), (w, h));
    let tiff = decode_tiff(&demo().get(&url("image/tiff")).expect_status(200).body);
    let nodata = tiff.nodata;
    let ours = tiff
        .values
        .iter()
        .map(|&v| {
            if Some(v) == nodata {
                f32::NAN
            } else {
                v as f32
            }
        })
        .collect();
    let golden = read_f32(&repo().join(format!("tests/golden/render/{name}.f32")));
    let colors = png
        .rgba
        .chunks_exact(4)
        .map(|c| [c[0], c[1], c[2], c[3]])
        .collect();
    (colors, ours, golden)
}

#[test]
fn radar_5min_style_paints_the_golden_rain_values() {
    let def = get_json("/api/v4/colormaps/radar-5min/", 200)["definition"].clone();
    let st = stops(&def);
    let (lo, hi) = (st[0].0, st[st.len() - 1].0);
    let (colors, ours, golden) = render("rain_t03", "radar-5min");
    let (mut checked, mut wet) = (0, 0);
    for (i, (&g, &o)) in golden.iter().zip(&ours).enumerate() {
        if !(g == o || (g.is_nan() && o.is_nan())) {
            continue; // a reprojection edge pixel: not this test's business
        }
        let v = f64::from(g);
        let want = if v.is_nan() || v <= 0.0 {
            [0, 0, 0, 0] // nodata (TRANSPARENT=TRUE) and dry pixels (invalid)
        } else {
            // 256 entries sampled evenly on the log axis of [lo, hi].
            let t = (v.ln() - lo.ln()) / (hi.ln() - lo.ln()) * 256.0;
            let k = (t.max(0.0) as usize).min(255);
            let x = (lo.ln() + k as f64 / 255.0 * (hi.ln() - lo.ln())).exp();
            wet += 1;
            interpolate(&st, true, if k == 255 { hi } else { x })
        };
        assert_eq!(colors[i], want, "pixel {i} value {v}");
        checked += 1;
    }
    assert!(checked > 11_000, "{checked}");
    assert!(wet > 1_000, "{wet}");
    // The rain spans several decades of the map, not only its first stops.
    let max = golden
        .iter()
        .copied()
        .filter(|v| !v.is_nan())
        .fold(0.0f32, f32::max);
    assert!(max > 3.0);
}

#[test]
fn dem_nl_style_paints_the_golden_heights() {
    let def = get_json("/api/v4/colormaps/dem_nl/", 200)["definition"].clone();
    let native = stops(&def);
    // dem_nl:35:50 rescales the native domain [-7, 100] onto [35, 50].
    let (min, max) = (35.0, 50.0);
    let (s0, sn) = (native[0].0, native[native.len() - 1].0);
    let st: Vec<_> = native
        .iter()
        .map(|&(s, c)| (min + (s - s0) / (sn - s0) * (max - min), c))
        .collect();
    let (colors, ours, golden) = render("dem_3857", "dem_nl:35:50");
    let mut checked = 0;
    for (i, (&g, &o)) in golden.iter().zip(&ours).enumerate() {
        if !(g == o || (g.is_nan() && o.is_nan())) {
            continue;
        }
        let want = if g.is_nan() {
            [0, 0, 0, 0]
        } else {
            // matplotlib's float32 normalisation, then entry k sampled at k/255.
            let a = (f64::from(g) - min) as f32;
            let b = (f64::from(a) / (max - min)) as f32;
            let k = ((b * 256.0).max(0.0) as usize).min(255);
            interpolate(&st, false, min + k as f64 / 255.0 * (max - min))
        };
        assert_eq!(colors[i], want, "pixel {i} value {g}");
        checked += 1;
    }
    assert!(checked > 35_000, "{checked}");
}

/// An XYZ tile over the demo DEM (the one `xyz.rs` compares with WMS).
const DEM_TILE: (u32, u32, u32) = (15, 16882, 10823);

#[test]
fn lizard_styles_in_xyz_and_wmts_tiles() {
    let (z, x, y) = DEM_TILE;
    let xyz = demo()
        .get(&format!("/tiles/{DEM}/{z}/{x}/{y}.png?styles=dem_nl:35:50"))
        .expect_status(200);
    assert_eq!(xyz.content_type(), "image/png");
    let a = decode_png(&xyz.body);
    let wmts = demo()
        .get(&format!(
            "/wmts/?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER={DEM}&STYLE=dem_nl:35:50&FORMAT=image%2Fpng&TILEMATRIXSET=WebMercatorQuad&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}"
        ))
        .expect_status(200);
    let b = decode_png(&wmts.body);
    assert_eq!(a.rgba, b.rgba);
    // Every painted pixel takes one of the style's 256 sampled colours.
    let lut = tegel::style::Style::parse("dem_nl:35:50").unwrap().lut();
    let opaque: Vec<_> = a
        .rgba
        .chunks_exact(4)
        .filter(|c| c[3] != 0)
        .map(|c| [c[0], c[1], c[2], c[3]])
        .collect();
    assert!(opaque.len() > 1000, "{}", opaque.len());
    assert!(opaque.iter().all(|c| lut.colors().contains(c)));
    // And they are not all one colour: the heights span the rescaled ramp.
    assert!(opaque.iter().any(|c| *c != opaque[0]));
}

#[test]
fn unknown_lizard_style_is_style_not_defined() {
    let resp = demo().get(&format!(
        "/wms/?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS={RAIN}&STYLES=radar-6min&CRS=EPSG:28992&BBOX=120000,400000,240000,500000&WIDTH=10&HEIGHT=10&FORMAT=image/png"
    ));
    assert!(resp.text().contains("StyleNotDefined"), "{}", resp.text());
}

#[test]
fn lizard_maps_in_getlegend_and_getlegendgraphic() {
    let doc = get_json(
        "/wms/?request=getlegend&style=radar-5min&steps=4&format=json",
        200,
    );
    assert_eq!(doc["name"], "radar-5min");
    assert_eq!(doc["log"], true);
    assert_eq!(doc["colormap_type"], "gradient");
    assert_eq!(doc["limits"], json!([0.01, 10.0]));
    let legend = doc["legend"].as_array().unwrap();
    assert_eq!(legend.len(), 4);
    // Log-spaced: 0.01, 0.1, 1, 10; 1 and 10 are stops of the map.
    assert!((legend[1]["value"].as_f64().unwrap() - 0.1).abs() < 1e-12);
    assert_eq!(legend[2]["color"], "#003cdc");
    assert_eq!(legend[3]["color"], "#dc0000");
    let lu = get_json(
        &format!("/wms/?request=getlegend&layer={RAIN}&style=landuse&steps=10"),
        200,
    );
    assert_eq!(lu["colormap_type"], "discrete");
    assert_eq!(lu["legend"].as_array().unwrap().len(), 5);
    assert_eq!(lu["legend"][4], json!({"color": "#3c78dc", "value": 5.0}));
    assert_eq!(lu["labels"]["en"][0], json!([1.0, "forest"]));
    // GetLegendGraphic: the bar's top row is the top of the map.
    let resp = demo()
        .get(&format!(
            "/wms/?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetLegendGraphic&LAYER={RAIN}&STYLE=radar-5min&FORMAT=image/png&WIDTH=100&HEIGHT=200"
        ))
        .expect_status(200);
    let img = decode_png(&resp.body);
    assert_eq!((img.width, img.height), (100, 200));
    assert_eq!(img.pixel(5, 7), [220, 0, 0, 255]);
    let j = get_json(
        &format!(
            "/wms/?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetLegendGraphic&LAYER={RAIN}&STYLE=dem_nl&FORMAT=application/json"
        ),
        200,
    );
    let entries = j["Legend"][0]["rules"][0]["symbolizers"][0]["Raster"]["colormap"]["entries"]
        .as_array()
        .unwrap();
    assert_eq!(entries.first().unwrap()["quantity"], -7.0);
    assert_eq!(entries.last().unwrap()["color"], "#fafafa");
}
