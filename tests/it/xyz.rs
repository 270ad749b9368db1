//! XYZ tiles: the same pixels as the equivalent WMS GetMap, layer by name or
//! uuid, caching headers and conditional requests.

use crate::support::{TestServer, decode_png, demo, test_config};
use tegel::geo::tiles::xyz_bbox;

const DEM: &str = "nelen-schuurmans:dem";
/// A zoom-15 tile over the DEM (near 5.47°E 51.99°N).
const TILE: (u32, u32, u32) = (15, 16882, 10823);

fn wms_for_tile(layer: &str, z: u32, x: u32, y: u32) -> String {
    let b = xyz_bbox(z, x, y).expect("tile");
    format!(
        "/wms/?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS={layer}&STYLES=&CRS=EPSG:3857&BBOX={},{},{},{}&WIDTH=256&HEIGHT=256&FORMAT=image/png&TRANSPARENT=TRUE",
        b.min_x, b.min_y, b.max_x, b.max_y
    )
}

#[test]
fn tiles_equal_the_equivalent_wms_getmap_pixel_for_pixel() {
    // Cache off: both answers are rendered, not served from one cache entry.
    let mut config = test_config("xyz-nocache");
    config.cache.max_bytes = tegel::config::ByteSize(0);
    let server = TestServer::start(config);
    let (z, x, y) = TILE;
    for (dx, dy) in [(0, 0), (1, 0), (0, 1), (-1, -1)] {
        let (tx, ty) = ((x as i64 + dx) as u32, (y as i64 + dy) as u32);
        let tile = server
            .get(&format!("/tiles/{DEM}/{z}/{tx}/{ty}.png"))
            .expect_status(200);
        assert_eq!(tile.content_type(), "image/png");
        let map = server.get(&wms_for_tile(DEM, z, tx, ty)).expect_status(200);
        let (a, b) = (decode_png(&tile.body), decode_png(&map.body));
        assert_eq!((a.width, a.height), (256, 256));
        assert_eq!(a.rgba, b.rgba, "tile {z}/{tx}/{ty}");
    }
}

#[test]
fn a_tile_shows_data_and_nodata_holes() {
    let (z, x, y) = TILE;
    let img = decode_png(
        &demo()
            .get(&format!("/tiles/{DEM}/{z}/{x}/{y}.png"))
            .expect_status(200)
            .body,
    );
    let opaque = img.rgba.chunks(4).filter(|p| p[3] == 255).count();
    let clear = img.rgba.chunks(4).filter(|p| p[3] == 0).count();
    assert!(opaque > 10_000, "{opaque} opaque pixels");
    assert!(
        clear > 0,
        "the DEM's holes and the area outside it are transparent"
    );
    assert_eq!(
        opaque + clear,
        256 * 256,
        "no partial alpha with nearest resampling"
    );
}

#[test]
fn layer_by_uuid_and_styles_parameter() {
    let snap_uuid = {
        let resp = demo().get("/").expect_status(200);
        assert!(resp.text().contains(DEM));
        // The uuid is not on the index page; read it from the catalogue.
        let cat = tegel::catalogue::Catalogue::open(&demo().data_dir).expect("catalogue");
        cat.snapshot()
            .layers()
            .iter()
            .find(|l| l.slug == "dem")
            .expect("the dem layer")
            .uuid
            .to_string()
    };
    let (z, x, y) = TILE;
    let by_name = demo()
        .get(&format!("/tiles/{DEM}/{z}/{x}/{y}.png"))
        .expect_status(200);
    let by_uuid = demo()
        .get(&format!("/tiles/{snap_uuid}/{z}/{x}/{y}.png"))
        .expect_status(200);
    assert_eq!(
        decode_png(&by_name.body).rgba,
        decode_png(&by_uuid.body).rgba
    );
    let styled = demo()
        .get(&format!("/tiles/{DEM}/{z}/{x}/{y}.png?styles=viridis:0:30"))
        .expect_status(200);
    assert_ne!(
        decode_png(&styled.body).rgba,
        decode_png(&by_name.body).rgba
    );
    let bad = demo().get(&format!("/tiles/{DEM}/{z}/{x}/{y}.png?styles=nope"));
    assert_eq!(bad.status, 400);
    assert!(bad.text().contains("nope"));
}

#[test]
fn etag_and_if_none_match_give_304() {
    let (z, x, y) = TILE;
    let path = format!("/tiles/{DEM}/{z}/{x}/{y}.png");
    let first = demo().get(&path).expect_status(200);
    let etag = first.header("etag").expect("ETag").to_string();
    assert!(etag.starts_with('"') && etag.ends_with('"'));
    assert_eq!(first.header("cache-control"), Some("public, max-age=3600"));
    let again = demo().get(&path).expect_status(200);
    assert_eq!(again.header("etag"), Some(etag.as_str()));
    assert_eq!(again.body, first.body);
    let not_modified = demo().get_with(&path, &[("If-None-Match", &etag)]);
    assert_eq!(not_modified.status, 304);
    assert!(not_modified.body.is_empty());
    assert_eq!(not_modified.header("etag"), Some(etag.as_str()));
    let other = demo().get_with(&path, &[("If-None-Match", "\"something-else\"")]);
    assert_eq!(other.status, 200);
    // Another style is another resource with another ETag.
    let styled = demo()
        .get(&format!("{path}?styles=viridis"))
        .expect_status(200);
    assert_ne!(styled.header("etag"), Some(etag.as_str()));
}

#[test]
fn head_answers_headers_without_a_body() {
    let (z, x, y) = TILE;
    let resp = demo().request("HEAD", &format!("/tiles/{DEM}/{z}/{x}/{y}.png"), &[]);
    assert_eq!(resp.status, 200);
    assert_eq!(resp.content_type(), "image/png");
    assert!(
        resp.header("content-length")
            .is_some_and(|l| l.parse::<usize>().unwrap() > 0)
    );
}

#[test]
fn bad_tiles_are_clear_errors() {
    assert_eq!(demo().get(&format!("/tiles/{DEM}/31/0/0.png")).status, 404);
    assert_eq!(demo().get(&format!("/tiles/{DEM}/3/8/0.png")).status, 404);
    assert_eq!(demo().get("/tiles/nobody:nothing/3/1/1.png").status, 404);
    let jpg = demo().get(&format!("/tiles/{DEM}/3/1/1.jpg"));
    assert!(jpg.status >= 400 && jpg.status < 500);
    let json: serde_json::Value = serde_json::from_slice(&jpg.body).expect("JSON error body");
    assert_eq!(json["status"], jpg.status);
}
