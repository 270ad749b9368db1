//! The server's own trouble is the server's: a stored frame that cannot be
//! read answers 500 under stored and computed layers alike, and no error
//! body of any endpoint family, whatever its class, shows a file system
//! path, SQL or a Rust type name.

use crate::api::client::user_key;
use crate::geoblocks::{add_layer, dem};
use crate::support::{Resp, TestServer, test_config};
use serde_json::json;
use tegel::catalogue::Catalogue;
use tegel::geo::tiles::xyz_bbox;

const DEM: &str = "nelen-schuurmans:dem";
const TILE: (u32, u32, u32) = (15, 16882, 10823);

/// What must never reach a client.
fn leaks(body: &str, data_dir: &str) -> Vec<&'static str> {
    let mut found = Vec::new();
    let words: [(&str, &'static str); 14] = [
        (data_dir, "the data dir"),
        ("/tmp", "a temp path"),
        (".tif", "a frame file"),
        ("sources/", "a store path"),
        ("sqlite", "the database"),
        ("SELECT ", "SQL"),
        ("tegel::", "a module path"),
        (".rs:", "a source location"),
        ("StoreError", "a Rust type"),
        ("RenderError", "a Rust type"),
        ("GraphError", "a Rust type"),
        ("CatalogueError", "a Rust type"),
        ("Os {", "an I/O error"),
        ("panicked", "a panic"),
    ];
    for (word, what) in words {
        if body.contains(word) {
            found.push(what);
        }
    }
    found
}

fn map(layer: &str, version: &str, extra: &str) -> String {
    let b = xyz_bbox(TILE.0, TILE.1, TILE.2).expect("tile");
    let (crs, bbox) = if version == "1.3.0" {
        (
            "CRS",
            format!("{},{},{},{}", b.min_x, b.min_y, b.max_x, b.max_y),
        )
    } else {
        (
            "SRS",
            format!("{},{},{},{}", b.min_x, b.min_y, b.max_x, b.max_y),
        )
    };
    format!(
        "/wms/?SERVICE=WMS&VERSION={version}&REQUEST=GetMap&LAYERS={layer}&STYLES=&{crs}=EPSG:3857&BBOX={bbox}&WIDTH=64&HEIGHT=64&FORMAT=image/png{extra}"
    )
}

/// Replaces every frame of `source` with bytes that are no GeoTIFF (a new
/// file renamed over the old, as the store itself writes: no mapping of the
/// old file is disturbed).
fn corrupt_frames(data_dir: &std::path::Path, source: uuid::Uuid) {
    let dir = data_dir.join("sources").join(source.to_string());
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).expect("source dir").flatten() {
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "tif") {
            let junk = path.with_extension("junk");
            std::fs::write(&junk, b"this is not a tiff file at all").expect("junk");
            std::fs::rename(&junk, &path).expect("corrupt");
            n += 1;
        }
    }
    assert!(n > 0, "no frame under {}", dir.display());
}

#[test]
fn unreadable_frames_are_server_errors_and_no_error_body_leaks() {
    let config = test_config("faults");
    let data_dir = config.server.data_dir.clone();
    let server = TestServer::start(config);
    let (src, _) = dem(&server);
    let computed = add_layer(
        &server,
        "dem-plus",
        json!({"name": "x", "graph": {
            "s": ["lizard_nxt.blocks.LizardRasterSource", src.to_string()],
            "x": ["dask_geomodeling.raster.elemwise.Add", "s", 1]}}),
    );
    let broken = add_layer(
        &server,
        "gone",
        json!({"name": "x", "graph": {
            "x": ["lizard_nxt.blocks.LizardRasterSource", uuid::Uuid::new_v4().to_string()]}}),
    );
    let key = user_key(&server, "faults-admin", true);
    // Nothing has read the DEM's frames yet: the next read finds them broken.
    corrupt_frames(&data_dir, src);
    let dir = data_dir.display().to_string();
    let basic = format!("Basic {}", base64_of(&format!("__key__:{key}")));
    let bad_key = format!("Basic {}", base64_of("__key__:wrong.key"));
    let (z, x, y) = TILE;
    let wmts_kvp = |layer: &str| {
        format!(
            "/wmts/?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER={layer}&STYLE=default&FORMAT=image/png&TILEMATRIXSET=WebMercatorQuad&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}"
        )
    };
    let wmts_rest =
        |layer: &str| format!("/wmts/1.0.0/{layer}/default/WebMercatorQuad/{z}/{y}/{x}.png");
    // (what, request path, extra headers, the statuses it may answer)
    type Case<'a> = (&'a str, String, Vec<(&'a str, &'a str)>, &'a [u16]);
    let cases: Vec<Case> = vec![
        // WMS, both versions: request errors (configured 200), refused
        // credentials, a scope that does not exist, a broken layer, the
        // server's trouble under stored and computed layers.
        (
            "wms 1.3.0 bad bbox",
            map(DEM, "1.3.0", "").replace("BBOX=", "BBOX=x"),
            vec![],
            &[200],
        ),
        (
            "wms 1.1.1 bad bbox",
            map(DEM, "1.1.1", "").replace("BBOX=", "BBOX=x"),
            vec![],
            &[200],
        ),
        (
            "wms unknown layer",
            map("nope:x", "1.3.0", ""),
            vec![],
            &[200],
        ),
        (
            "wms bad key",
            map(DEM, "1.1.1", ""),
            vec![("authorization", &bad_key)],
            &[401],
        ),
        (
            "wms scope",
            format!(
                "/wms/raster_{}/?SERVICE=WMS&REQUEST=GetCapabilities",
                uuid::Uuid::new_v4()
            ),
            vec![],
            &[404],
        ),
        (
            "wms broken layer",
            map(&broken, "1.3.0", ""),
            vec![],
            &[200],
        ),
        (
            "wms too large",
            map(DEM, "1.3.0", "").replace("WIDTH=64", "WIDTH=99999"),
            vec![],
            &[200],
        ),
        (
            "xyz too deep",
            format!("/tiles/{DEM}/31/0/0.png"),
            vec![],
            &[400, 404],
        ),
        ("wms stored frame", map(DEM, "1.3.0", ""), vec![], &[500]),
        (
            "wms stored frame 1.1.1",
            map(DEM, "1.1.1", ""),
            vec![],
            &[500],
        ),
        (
            "wms computed frame",
            map(&computed, "1.3.0", ""),
            vec![],
            &[500],
        ),
        (
            "wms computed point",
            map(
                &computed,
                "1.3.0",
                "&INFO_FORMAT=text/plain&I=5&J=5&QUERY_LAYERS=x",
            )
            .replace("REQUEST=GetMap", "REQUEST=GetFeatureInfo")
            .replace("QUERY_LAYERS=x", &format!("QUERY_LAYERS={computed}")),
            vec![],
            &[500],
        ),
        // WMTS, both bindings.
        ("wmts kvp unknown", wmts_kvp("nope:x"), vec![], &[400]),
        ("wmts kvp frame", wmts_kvp(DEM), vec![], &[500]),
        ("wmts kvp computed", wmts_kvp(&computed), vec![], &[500]),
        (
            "wmts kvp bad key",
            wmts_kvp(DEM),
            vec![("authorization", &bad_key)],
            &[401],
        ),
        ("wmts rest unknown", wmts_rest("nope:x"), vec![], &[404]),
        ("wmts rest frame", wmts_rest(DEM), vec![], &[500]),
        (
            "wmts rest 406",
            wmts_rest(DEM),
            vec![("accept", "text/html")],
            &[406],
        ),
        // JSON: tiles, the API, the colormaps.
        (
            "xyz unknown",
            format!("/tiles/nope:x/{z}/{x}/{y}.png"),
            vec![],
            &[404],
        ),
        (
            "xyz bad zoom",
            format!("/tiles/{DEM}/99/0/0.png"),
            vec![],
            &[404],
        ),
        (
            "xyz bad resampling",
            format!("/tiles/{DEM}/{z}/{x}/{y}.png?resampling=cubic"),
            vec![],
            &[400],
        ),
        (
            "xyz frame",
            format!("/tiles/{DEM}/{z}/{x}/{y}.png"),
            vec![],
            &[500],
        ),
        (
            "xyz computed",
            format!("/tiles/{computed}/{z}/{x}/{y}.png"),
            vec![],
            &[500],
        ),
        (
            "xyz broken",
            format!("/tiles/{broken}/{z}/{x}/{y}.png"),
            vec![],
            &[409],
        ),
        (
            "xyz bad key",
            format!("/tiles/{DEM}/{z}/{x}/{y}.png"),
            vec![("authorization", &bad_key)],
            &[401],
        ),
        (
            "api missing",
            format!("/api/v4/rasters/{}/", uuid::Uuid::new_v4()),
            vec![("authorization", &basic)],
            &[404],
        ),
        (
            "api bad page",
            "/api/v4/rasters/?page=x".to_string(),
            vec![],
            &[400, 404],
        ),
        (
            "api bad key",
            "/api/v4/rasters/".to_string(),
            vec![("authorization", &bad_key)],
            &[401],
        ),
        (
            "colormaps missing",
            "/api/v4/colormaps/nope/".to_string(),
            vec![],
            &[404],
        ),
        ("nowhere", "/no/such/path".to_string(), vec![], &[404]),
    ];
    for (what, path, headers, statuses) in &cases {
        let resp: Resp = server.get_with(path, headers);
        assert!(
            statuses.contains(&resp.status),
            "{what}: {} {}",
            resp.status,
            resp.text()
        );
        let text = resp.text();
        let found = leaks(&text, &dir);
        assert!(found.is_empty(), "{what} shows {found:?}: {text}");
        if resp.status == 500 {
            assert!(text.contains("Internal server error."), "{what}: {text}");
        }
        assert_eq!(resp.header("cache-control"), Some("no-store"), "{what}");
    }
    // Nothing above took the server down.
    server.get("/healthz").expect_status(200);
    let snap = Catalogue::open(&data_dir).expect("catalogue").snapshot();
    assert!(snap.source(src).is_some(), "the catalogue is intact");
}

fn base64_of(s: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(s)
}

#[test]
fn cache_control_errors_is_the_policy_of_every_error() {
    let errors = [
        map("nope:x", "1.3.0", ""),
        "/wmts/1.0.0/nope:x/default/WebMercatorQuad/1/0/0.png".to_string(),
        "/tiles/nope:x/1/0/0.png".to_string(),
        "/api/v4/colormaps/nope/".to_string(),
        format!("/api/v4/rasters/{}/", uuid::Uuid::new_v4()),
        "/no/such/path".to_string(),
    ];
    let mut config = test_config("faults-policy");
    config.cache.cache_control_errors = "public, max-age=7".into();
    let server = TestServer::start(config);
    for path in &errors {
        let resp = server.get(path);
        assert!(resp.status >= 400 || path.starts_with("/wms/"), "{path}");
        assert_eq!(
            resp.header("cache-control"),
            Some("public, max-age=7"),
            "{path}"
        );
    }
    drop(server);
    let mut config = test_config("faults-policy-none");
    config.cache.cache_control_errors = String::new();
    let server = TestServer::start(config);
    for path in &errors {
        assert_eq!(server.get(path).header("cache-control"), None, "{path}");
    }
}

#[test]
fn max_pixels_refuses_a_large_map_at_once() {
    let mut config = test_config("faults-pixels");
    config.render.max_pixels = 1_000_000;
    let server = TestServer::start(config);
    let big = format!(
        "/wms/?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS={DEM}&STYLES=&CRS=EPSG:28992\
         &BBOX=150000,440000,170000,460000&WIDTH=4096&HEIGHT=4096&FORMAT=image/tiff"
    );
    let started = std::time::Instant::now();
    let resp = server.get(&big);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(2),
        "refused only after {:?}",
        started.elapsed()
    );
    assert!(resp.text().contains("<ServiceException"), "{}", resp.text());
    assert!(resp.text().contains("at most 1000000"), "{}", resp.text());
    // Within the limit the same map is drawn.
    let small = big.replace("WIDTH=4096&HEIGHT=4096", "WIDTH=1000&HEIGHT=1000");
    let resp = server.get(&small).expect_status(200);
    assert_eq!(resp.content_type(), "image/tiff");
}
