//! WMS 1.3.0 GetMap conformance, W13-MAP-01 … W13-MAP-21: one test per item,
//! checked the way the OGC test suite checks it (decoded pixels, exception codes,
//! content types), against the shared demo server. This file: the shared
//! request helpers and BBOX/CRS (01–09); `layers` has LAYERS/STYLES (10–14),
//! `output` FORMAT, size, transparency, background and exceptions (15–21).

use crate::support::{Image, Resp, decode_png, decode_tiff, demo, ogc_exception_code, xml_texts};
use std::sync::OnceLock;
use tegel::geo::{Transformer, transform_bbox};
use tegel::model::{BBox, Crs};

mod layers;
mod output;

const LOCHEM: &str = "nelen-schuurmans:p_lochem_kwel_wegzijging_2050";
const RAIN: &str = "nelen-schuurmans:rain";
const DEM: &str = "nelen-schuurmans:dem";
/// The Lochem raster's extent in EPSG:28992 (it has nodata cells inside).
const LOCHEM_BBOX: &str = "207750,457250,230500,473500";
/// The rain raster's extent in EPSG:28992 (a radar disc: no data in the corners).
const RAIN_BBOX: [f64; 4] = [120000.0, 400000.0, 240000.0, 500000.0];
/// The DEM's extent in EPSG:28992 (valid everywhere).
const DEM_BBOX: [f64; 4] = [160000.0, 444000.0, 162000.0, 446000.0];
/// A box far from every demo layer, in EPSG:28992.
const NOWHERE: &str = "0,300000,10000,310000";
const WHITE: [u8; 4] = [255, 255, 255, 255];

/// A 1.3.0 GetMap (PNG unless `q` says otherwise) with the given parameters.
fn map(q: &str) -> Resp {
    let format = if q.contains("FORMAT=") {
        ""
    } else {
        "&FORMAT=image/png"
    };
    demo().get(&format!(
        "/wms/?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap{format}&{q}"
    ))
}

/// A GetMap that must answer a PNG; decoded.
fn png(q: &str) -> Image {
    let resp = map(q);
    assert_eq!(resp.status, 200, "{q}: {}", resp.text());
    assert_eq!(resp.content_type(), "image/png", "{q}: {}", resp.text());
    decode_png(&resp.body)
}

/// The exception code a GetMap answers with (`""` for none).
fn code(q: &str) -> String {
    ogc_exception_code(&map(q))
}

fn bbox(b: [f64; 4]) -> String {
    format!("{},{},{},{}", b[0], b[1], b[2], b[3])
}

fn pixels(img: &Image) -> impl Iterator<Item = &[u8]> {
    img.rgba.chunks_exact(4)
}

/// The 1.3.0 capabilities document, fetched once.
fn caps() -> &'static str {
    static CAPS: OnceLock<String> = OnceLock::new();
    CAPS.get_or_init(|| {
        demo()
            .get("/wms/?SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.3.0")
            .expect_status(200)
            .text()
    })
}

/// A CRS:84 box (lon/lat) as a 1.3.0 BBOX in `crs` ("EPSG:n" or "CRS:84"):
/// the envelope of the box after transformation, in the CRS's EPSG axis order
/// (latitude/northing first for EPSG:4326, 4258 and 3035).
fn bbox_in(crs: &str, lonlat: [f64; 4]) -> String {
    if crs == "CRS:84" {
        return bbox(lonlat);
    }
    let epsg: u32 = crs
        .strip_prefix("EPSG:")
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("unexpected CRS {crs}"));
    let t = Transformer::new(Crs::WGS84, Crs(epsg)).expect("transformer");
    let b = transform_bbox(
        &t,
        &BBox::new(lonlat[0], lonlat[1], lonlat[2], lonlat[3]),
        21,
    )
    .unwrap_or_else(|e| panic!("{crs}: {e}"));
    if matches!(epsg, 4326 | 4258 | 3035) {
        bbox([b.min_y, b.min_x, b.max_y, b.max_x])
    } else {
        bbox([b.min_x, b.min_y, b.max_x, b.max_y])
    }
}

#[test]
fn w13_map_01_bbox_follows_the_crs_axis_order() {
    // A lon/lat box well inside the rain layer, in every CRS with known axes.
    let lonlat = [5.5, 51.9, 6.0, 52.2];
    for crs in [
        "EPSG:4326",
        "EPSG:4258",
        "EPSG:3035",
        "EPSG:3857",
        "EPSG:28992",
        "CRS:84",
    ] {
        let q = format!("LAYERS={RAIN}&STYLES=&CRS={crs}&WIDTH=32&HEIGHT=32");
        let right = bbox_in(crs, lonlat);
        let img = png(&format!("{q}&BBOX={right}"));
        let data = pixels(&img).filter(|p| *p != WHITE).count();
        assert!(data > 32 * 32 * 9 / 10, "{crs}: only {data} data pixels");
        // The same numbers in the other axis order lie far from the data.
        let n: Vec<&str> = right.split(',').collect();
        let swapped = format!("{},{},{},{}", n[1], n[0], n[3], n[2]);
        let img = png(&format!("{q}&BBOX={swapped}"));
        assert!(pixels(&img).all(|p| p == WHITE), "{crs}: swapped has data");
    }
    // EPSG:4326 in lat/lon and CRS:84 in lon/lat are the same map.
    let q = format!("LAYERS={LOCHEM}&STYLES=&WIDTH=90&HEIGHT=60");
    let a = png(&format!("{q}&CRS=EPSG:4326&BBOX=52.08,6.1,52.26,6.55"));
    let b = png(&format!("{q}&CRS=CRS:84&BBOX=6.1,52.08,6.55,52.26"));
    assert_eq!(a.rgba, b.rgba);
}

#[test]
fn w13_map_02_empty_or_inverted_bbox_is_an_xml_exception() {
    let q = format!("LAYERS={LOCHEM}&STYLES=&CRS=EPSG:28992&WIDTH=10&HEIGHT=10");
    for b in [
        "230500,457250,207750,473500", // minx > maxx
        "207750,457250,207750,473500", // minx == maxx
        "207750,473500,230500,457250", // miny > maxy
        "207750,457250,230500,457250", // miny == maxy
    ] {
        let resp = map(&format!("{q}&BBOX={b}"));
        assert!(resp.content_type().contains("/xml"), "{b}");
        ogc_exception_code(&resp);
    }
}

#[test]
fn w13_map_03_bbox_outside_the_layer_is_a_white_image() {
    let img = png(&format!(
        "LAYERS={LOCHEM}&STYLES=&CRS=EPSG:28992&BBOX={NOWHERE}&WIDTH=40&HEIGHT=30"
    ));
    assert_eq!((img.width, img.height), (40, 30));
    assert!(pixels(&img).all(|p| p == [0xff, 0xff, 0xff, 0xff]));
}

#[test]
fn w13_map_04_bbox_partly_outside_the_crs_area_is_background_there() {
    // Latitude 40..110 in 0.1° rows: rows 0..200 lie beyond the pole.
    for (crs, b) in [("CRS:84", "0,40,10,110"), ("EPSG:4326", "40,0,110,10")] {
        let q = format!("LAYERS={RAIN}&STYLES=&CRS={crs}&BBOX={b}&WIDTH=100&HEIGHT=700");
        let img = png(&q);
        assert_eq!((img.width, img.height), (100, 700));
        let row_is = |y: u32, f: &dyn Fn([u8; 4]) -> bool| (0..100).all(|x| f(img.pixel(x, y)));
        for y in 0..200 {
            assert!(row_is(y, &|p| p == WHITE), "{crs}: row {y} is not white");
        }
        // The rain layer spans latitude 51.58..52.49: rows 575..584 hold data.
        let data = (576..583)
            .flat_map(|y| (50..66).map(move |x| (x, y)))
            .filter(|&(x, y)| img.pixel(x, y) != WHITE)
            .count();
        assert!(data > 7 * 16 * 9 / 10, "{crs}: {data} data pixels");
        let clear = png(&format!("{q}&TRANSPARENT=TRUE"));
        assert!((0..200).all(|y| (0..100).all(|x| clear.pixel(x, y)[3] == 0)));
    }
    // Longitude beyond ±180° and Web Mercator beyond its ±20037508 m square
    // are background too: the data shows once, where it is, not again a turn
    // of the earth away.
    let data_columns = |q: &str| -> Vec<u32> {
        let img = png(&format!("LAYERS={RAIN}&STYLES=&{q}&TRANSPARENT=TRUE"));
        (0..img.width)
            .filter(|&x| (0..img.height).any(|y| img.pixel(x, y)[3] != 0))
            .collect()
    };
    // 0.45° columns: the rain layer (lon 4.87..6.64) lies in columns 810..814.
    let cols = data_columns("CRS=CRS:84&BBOX=-360,0,360,90&WIDTH=1600&HEIGHT=200");
    assert!(
        !cols.is_empty() && cols.iter().all(|x| (810..=814).contains(x)),
        "{cols:?}"
    );
    let cols = data_columns("CRS=EPSG:4326&BBOX=0,-360,90,360&WIDTH=1600&HEIGHT=200");
    assert!(
        !cols.is_empty() && cols.iter().all(|x| (810..=814).contains(x)),
        "{cols:?}"
    );
    // 40 km columns: the layer (x 542 km..739 km) lies in columns 1013..1018.
    let cols = data_columns(
        "CRS=EPSG:3857&BBOX=-40000000,-40000000,40000000,40000000&WIDTH=2000&HEIGHT=2000",
    );
    assert!(
        !cols.is_empty() && cols.iter().all(|x| (1013..=1018).contains(x)),
        "{cols:?}"
    );
}

#[test]
fn w13_map_05_bbox_is_the_outer_edge_of_the_outer_pixels() {
    let [x0, y0, x1, y1] = DEM_BBOX;
    let (w, h) = (10u32, 7u32);
    let border = |img: &Image| -> Vec<[u8; 4]> {
        (0..w)
            .flat_map(|x| [(x, 0), (x, h - 1)])
            .chain((0..h).flat_map(|y| [(0, y), (w - 1, y)]))
            .map(|(x, y)| img.pixel(x, y))
            .collect()
    };
    // CITE: a 10×7 map of exactly the layer's extent has no white border pixel.
    let q = format!("LAYERS={DEM}&STYLES=&CRS=EPSG:28992&WIDTH={w}&HEIGHT={h}");
    let exact = png(&format!("{q}&BBOX={}", bbox(DEM_BBOX)));
    assert!(border(&exact).iter().all(|p| *p != WHITE));
    // Widen the box by `k` output pixels on every side: the outer pixel centres
    // lie inside the data for k = 0.4 and outside for k = 0.6.
    for (k, inside) in [(0.4, true), (0.6, false)] {
        let px = (x1 - x0) / (f64::from(w) - 2.0 * k);
        let py = (y1 - y0) / (f64::from(h) - 2.0 * k);
        let b = [x0 - k * px, y0 - k * py, x1 + k * px, y1 + k * py];
        let img = png(&format!("{q}&BBOX={}&TRANSPARENT=TRUE", bbox(b)));
        assert!(
            border(&img).iter().all(|p| (p[3] == 255) == inside),
            "k = {k}"
        );
        assert!(img.pixel(w / 2, h / 2)[3] == 255);
    }
}

#[test]
fn w13_map_06_differing_aspect_ratios_stretch() {
    let q = format!(
        "LAYERS={RAIN}&STYLES=&CRS=EPSG:28992&BBOX={}&FORMAT=image/tiff",
        bbox(RAIN_BBOX)
    );
    let get = |w: u32, h: u32| {
        let v = decode_tiff(
            &map(&format!("{q}&WIDTH={w}&HEIGHT={h}"))
                .expect_status(200)
                .body,
        );
        assert_eq!((v.width, v.height), (w, h));
        v
    };
    // 2 km pixels, then 2 km × ⅔ km: row j of the first is rows 3j..3j+3 of
    // the second, whose middle row samples the same point.
    let square = get(60, 50);
    let tall = get(60, 150);
    for j in 0..50 {
        for i in 0..60 {
            assert_eq!(
                square.values[j * 60 + i],
                tall.values[(3 * j + 1) * 60 + i],
                "({i}, {j})"
            );
        }
    }
    // Stretched, not padded: the outer pixels of a map of exactly the DEM's
    // extent are data on every side.
    let img = png(&format!(
        "LAYERS={DEM}&STYLES=&CRS=EPSG:28992&BBOX={}&WIDTH=300&HEIGHT=20&TRANSPARENT=TRUE",
        bbox(DEM_BBOX)
    ));
    assert_eq!((img.width, img.height), (300, 20));
    assert!((0..300).all(|x| img.pixel(x, 0)[3] == 255 && img.pixel(x, 19)[3] == 255));
    assert!((0..20).all(|y| img.pixel(0, y)[3] == 255 && img.pixel(299, y)[3] == 255));
}

#[test]
fn w13_map_07_every_advertised_crs_renders() {
    let crss = xml_texts(caps(), "CRS");
    assert!(crss.len() >= 10, "{} CRSs", crss.len());
    // The rain layer's lon/lat extent, shrunk a little so that every CRS's
    // envelope of it is mostly data.
    let lonlat = [5.0, 51.7, 6.5, 52.4];
    for crs in &crss {
        let b = bbox_in(crs, lonlat);
        let resp = map(&format!(
            "LAYERS={RAIN}&STYLES=&CRS={crs}&BBOX={b}&WIDTH=24&HEIGHT=16"
        ));
        assert_eq!(resp.status, 200, "{crs}: {}", resp.text());
        assert_eq!(resp.content_type(), "image/png", "{crs}: {}", resp.text());
        let img = decode_png(&resp.body);
        assert_eq!((img.width, img.height), (24, 16), "{crs}");
        let data = pixels(&img).filter(|p| *p != WHITE).count();
        assert!(data > 24 * 16 / 4, "{crs}: {data} data pixels in {b}");
    }
}

#[test]
fn w13_map_08_unsupported_crs_is_invalid_crs() {
    let q = format!("LAYERS={LOCHEM}&STYLES=&WIDTH=10&HEIGHT=10&BBOX=0,0,1,1");
    for crs in ["EPSG:2056", "EPSG:99999", "InvalidCRS", "CRS:83"] {
        assert_eq!(code(&format!("{q}&CRS={crs}")), "InvalidCRS", "{crs}");
    }
}

#[test]
fn w13_map_09_crs_names_are_case_insensitive_and_aliases_work() {
    let q = format!("LAYERS={RAIN}&STYLES=&WIDTH=30&HEIGHT=20");
    let rd = format!("{q}&BBOX={}", bbox(RAIN_BBOX));
    let a = png(&format!("{rd}&CRS=EPSG:28992"));
    assert_eq!(a.rgba, png(&format!("{rd}&CRS=epsg:28992")).rgba);
    assert_eq!(a.rgba, png(&format!("{rd}&CRS=Epsg:28992")).rgba);
    let ll = format!("{q}&BBOX=5,51.7,6.5,52.4");
    let b = png(&format!("{ll}&CRS=CRS:84"));
    assert_eq!(b.rgba, png(&format!("{ll}&CRS=crs:84")).rgba);
    assert_eq!(
        b.rgba,
        png(&format!("{q}&BBOX=51.7,5,52.4,6.5&CRS=EPSG:4326")).rgba
    );
    let merc = format!("{q}&BBOX=556597,6766432,723576,6891150");
    let c = png(&format!("{merc}&CRS=EPSG:3857"));
    assert_eq!(c.rgba, png(&format!("{merc}&CRS=EPSG:900913")).rgba);
    assert_eq!(c.rgba, png(&format!("{merc}&CRS=epsg:900913")).rgba);
    assert!(pixels(&c).any(|p| p != WHITE));
}
