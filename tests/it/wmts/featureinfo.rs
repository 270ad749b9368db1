//! WMTS GetFeatureInfo (ogc-conformance §4.5): advertised for every layer in
//! every InfoFormat, KVP and RESTful; values are the full-resolution value at
//! the centre of pixel (I, J) of the tile (checked against GDAL's native
//! grid); errors follow the WMTS error table.

use super::*;
use crate::support::{demo, read_f32, repo, xmllint};

use serde_json::Value;
use tegel::geo::tms::NL_EPSG_28992;

const EXPECTED_FORMATS: [&str; 6] = [
    "text/plain",
    "text/html",
    "application/json",
    "application/geo+json",
    "application/vnd.ogc.gml",
    "text/xml",
];

fn gfi(layer: &str, set: &str, matrix: &str, row: u64, col: u64, rest: &str) -> String {
    format!(
        "/wmts/?SERVICE=WMTS&REQUEST=GetFeatureInfo&VERSION=1.0.0&LAYER={layer}&STYLE=default&FORMAT=image%2Fpng&TILEMATRIXSET={set}&TILEMATRIX={matrix}&TILEROW={row}&TILECOL={col}{rest}"
    )
}

fn json_value(path: &str) -> Option<f32> {
    let resp = demo().get(path).expect_status(200);
    assert_eq!(resp.content_type(), "application/json", "{path}");
    let doc: Value = serde_json::from_slice(&resp.body).expect("json");
    let f = doc["features"].as_array().expect("features");
    assert_eq!(f.len(), 1, "{doc}");
    f[0]["properties"]["value"].as_f64().map(|v| v as f32)
}

#[test]
fn wmts_gfi_values_at_the_tile_pixel_equal_gdal_at_full_resolution() {
    // GDAL's DEM on its native grid: 240×180 over [160900,444925,161100,445075].
    let want = read_f32(&repo().join("tests/golden/render/dem_native.f32"));
    let (x0, y1, cell) = (160_900.0, 445_075.0, 200.0 / 240.0);
    // The EPSG:28992 tile of level 12 (0.84 m) holding (161000, 445000).
    let m = NL_EPSG_28992.matrix(12).unwrap();
    let span = m.tile_span();
    let col = ((161_000.0 - m.top_left.0) / span) as u64;
    let row = ((m.top_left.1 - 445_000.0) / span) as u64;
    let b = m.tile_bbox(row, col).unwrap();
    let (mut checked, mut with_data) = (0, 0);
    for j in (0..256u32).step_by(23) {
        for i in (0..256u32).step_by(23) {
            let x = b.min_x + (f64::from(i) + 0.5) * m.cell_size;
            let y = b.max_y - (f64::from(j) + 0.5) * m.cell_size;
            // The 1 m source cell holding the point, then a golden cell
            // whose centre lies in that source cell (golden cells are 5/6 m).
            let (sx, sy) = (x - 160_000.0, 446_000.0 - y);
            let near_edge = |v: f64| (v - v.round()).abs() < 0.01;
            if near_edge(sx) || near_edge(sy) {
                continue;
            }
            let golden_index = |src: f64, origin: f64| {
                let k = ((src.floor() - origin) / cell - 0.5).ceil();
                let centre = origin + (k + 0.5) * cell;
                assert!(centre >= src.floor() && centre < src.floor() + 1.0);
                k
            };
            let c = golden_index(sx, x0 - 160_000.0);
            let r = golden_index(sy, 446_000.0 - y1);
            if !(0.0..240.0).contains(&c) || !(0.0..180.0).contains(&r) {
                continue;
            }
            let expect = want[r as usize * 240 + c as usize];
            let got = json_value(&gfi(
                DEM,
                "EPSG:28992",
                "12",
                row,
                col,
                &format!("&J={j}&I={i}&INFOFORMAT=application/json"),
            ));
            match got {
                Some(v) => {
                    assert_eq!(v, expect, "pixel {i},{j}");
                    with_data += 1;
                }
                None => assert!(expect.is_nan(), "pixel {i},{j}: null, GDAL {expect}"),
            }
            checked += 1;
        }
    }
    assert!(checked >= 30 && with_data >= 20, "{checked} {with_data}");
}

#[test]
fn wmts_gfi_every_info_format_kvp_and_restful() {
    let doc = caps();
    let ops = blocks(&doc, "ows:OperationsMetadata").concat();
    assert!(ops.contains("<ows:Operation name=\"GetFeatureInfo\">"));
    let host = format!("http://{}", demo().addr);
    for layer in [DEM, LOCHEM, RAIN] {
        let l = layer_block(&doc, layer);
        assert_eq!(texts(l, "InfoFormat"), EXPECTED_FORMATS, "{layer}");
        // A tile with data at WebMercatorQuad 11 (the middle of the limits).
        let link = blocks(l, "TileMatrixLimits")
            .into_iter()
            .find(|b| b.contains("<TileMatrix>11</TileMatrix>"))
            .expect("limits of 11");
        let n = |tag: &str| texts(link, tag)[0].parse::<u64>().unwrap();
        let row = (n("MinTileRow") + n("MaxTileRow")) / 2;
        let col = (n("MinTileCol") + n("MaxTileCol")) / 2;
        let time = if layer == RAIN {
            "2024-06-01T12:20:00Z"
        } else {
            ""
        };
        let templates: Vec<(String, String)> = l
            .match_indices("<ResourceURL ")
            .map(|(i, _)| &l[i..i + l[i..].find("/>").unwrap()])
            .filter(|r| r.contains("resourceType=\"FeatureInfo\""))
            .map(|r| (attrs(r, "format").remove(0), attrs(r, "template").remove(0)))
            .collect();
        assert_eq!(
            templates
                .iter()
                .map(|(f, _)| f.as_str())
                .collect::<Vec<_>>(),
            EXPECTED_FORMATS
        );
        for (format, template) in templates {
            assert!(template.contains("{J}/{I}."), "{template}");
            let extra = if time.is_empty() {
                String::new()
            } else {
                format!("&TIME={time}")
            };
            let kvp = gfi(
                layer,
                "WebMercatorQuad",
                "11",
                row,
                col,
                &format!(
                    "&J=128&I=128&INFOFORMAT={}{extra}",
                    format.replace('+', "%2B")
                ),
            );
            let a = demo().get(&kvp).expect_status(200);
            let mime = a.content_type().split(';').next().unwrap().to_string();
            assert_eq!(mime, format, "{kvp}");
            if format.contains("xml") || format.contains("gml") {
                assert!(a.body.starts_with(b"<?xml"), "{kvp}");
            }
            if format.contains("json") {
                let v: Value = serde_json::from_slice(&a.body).expect("json");
                assert_eq!(v["features"][0]["properties"]["layer"], layer);
            }
            let url = template
                .replace("{Style}", "default")
                .replace("{Time}", time)
                .replace("{TileMatrixSet}", "WebMercatorQuad")
                .replace("{TileMatrix}", "11")
                .replace("{TileRow}", &row.to_string())
                .replace("{TileCol}", &col.to_string())
                .replace("{J}", "128")
                .replace("{I}", "128");
            let path = url.strip_prefix(&host).expect("our host");
            let b = demo().get(path).expect_status(200);
            assert_eq!(b.content_type(), a.content_type(), "{path}");
            assert_eq!(b.body, a.body, "{path}");
        }
    }
}

#[test]
fn wmts_gfi_errors_follow_the_error_table() {
    let base = |rest: &str| gfi(DEM, "WebMercatorQuad", "0", 0, 0, rest);
    let cases = [
        ("&J=0&I=256&INFOFORMAT=text/plain", "TileOutOfRange", "I"),
        ("&J=256&I=0&INFOFORMAT=text/plain", "TileOutOfRange", "J"),
        ("&J=-1&I=0&INFOFORMAT=text/plain", "TileOutOfRange", "J"),
        (
            "&J=0&I=x&INFOFORMAT=text/plain",
            "InvalidParameterValue",
            "I",
        ),
        (
            "&J=0&I=0&INFOFORMAT=image/bogus",
            "InvalidParameterValue",
            "InfoFormat",
        ),
        ("&J=0&I=0", "MissingParameterValue", "InfoFormat"),
        ("&I=0&INFOFORMAT=text/plain", "MissingParameterValue", "J"),
    ];
    for (rest, code, locator) in cases {
        let resp = demo().get(&base(rest));
        assert_eq!(resp.status, 400, "{rest}: {}", resp.text());
        xmllint(&resp.body, Some(EXC_XSD), "wmts-gfi-error");
        assert_eq!(
            exception(&resp.text()),
            (code.to_string(), Some(locator.to_string())),
            "{rest}"
        );
    }
    // RESTful: 404 with the report.
    for path in [
        format!("/wmts/1.0.0/{DEM}/default/WebMercatorQuad/0/0/0/0/256.json"),
        format!("/wmts/1.0.0/{DEM}/default/WebMercatorQuad/0/0/0/0/0.bogus"),
        format!("/wmts/1.0.0/{DEM}/default/WebMercatorQuad/0/0/9/0/0.json"),
    ] {
        let resp = demo().get(&path);
        assert_eq!(resp.status, 404, "{path}");
        xmllint(&resp.body, Some(EXC_XSD), "wmts-gfi-rest-error");
    }
}
