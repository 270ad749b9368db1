//! `[render] max_share`: one layer cannot fill the render queue. A flood of
//! slow requests to one computed layer gets 503 + Retry-After beyond its
//! share while a plain DEM tile asked meanwhile is drawn; with the whole
//! queue as the share, the same flood starves the DEM tile.

use crate::graph_limits::Served;
use crate::support::{Resp, http_request, test_config};
use serde_json::json;
use std::time::{Duration, Instant};

const DEM_TILE: &str = "/tiles/nelen-schuurmans:dem/15/16882/10823.png";

/// A server with 2 render threads and a queue of 4, `share` of it per layer;
/// the uuid of a slow computed layer.
fn slow_server(tag: &str, share: f64) -> (Served, String) {
    let mut config = test_config(tag);
    config.render.threads = 2;
    config.render.queue_depth = 4;
    config.render.max_share = share;
    config.graph.max_cost = 1 << 44;
    // Slow renders wait for each other; none may time out here.
    config.server.request_timeout_secs = 300;
    let s = Served::start_with(tag, config);
    let graph = json!({"name": "x", "graph": {
        "s": ["lizard_nxt.blocks.LizardRasterSource", s.dem.0.to_string()],
        "x": ["dask_geomodeling.raster.spatial.MovingMax", "s", 21]}});
    let (_, layer) = s.create("slow window", &graph);
    (s, layer)
}

/// Six different (uncached) GetMaps of `layer` at once, and the DEM tile
/// asked 300 ms later: the maps' statuses, the tile and its wait.
fn flood(s: &Served, layer: &str) -> (Vec<Resp>, Resp, Duration) {
    let g = &s.dem.1;
    let b = g.transform().bbox(g.width, g.height);
    let addr = s.server.addr;
    let maps: Vec<_> = (0..6)
        .map(|i| {
            let path = format!(
                "/wms/?SERVICE=WMS&VERSION=1.1.1&REQUEST=GetMap&LAYERS={layer}&STYLES=&SRS=EPSG:{}\
                 &BBOX={},{},{},{}&WIDTH={}&HEIGHT=512&FORMAT=image/tiff",
                g.crs,
                b.min_x,
                b.min_y,
                b.max_x,
                b.max_y,
                500 + i
            );
            std::thread::spawn(move || http_request(addr, "GET", &path, &[]))
        })
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    let t = Instant::now();
    let tile = s.server.get(DEM_TILE);
    let waited = t.elapsed();
    let resps = maps.into_iter().map(|m| m.join().expect("map")).collect();
    (resps, tile, waited)
}

#[test]
fn one_layer_holds_at_most_its_share_of_the_render_queue() {
    let (s, layer) = slow_server("fair-half", 0.5);
    let (maps, tile, waited) = flood(&s, &layer);
    let busy: Vec<&Resp> = maps.iter().filter(|r| r.status == 503).collect();
    let drawn = maps.iter().filter(|r| r.status == 200).count();
    // Two of the queue's four places per layer: the rest refused at once.
    assert_eq!(
        drawn,
        2,
        "{:?}",
        maps.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    assert_eq!(busy.len(), 4);
    assert!(busy.iter().all(|r| r.header("Retry-After").is_some()));
    assert_eq!(tile.status, 200, "{}", tile.text());
    assert!(
        waited < Duration::from_secs(30),
        "DEM tile waited {waited:?}"
    );
}

#[test]
fn with_the_whole_queue_as_share_one_layer_starves_the_others() {
    let (s, layer) = slow_server("fair-whole", 1.0);
    let (maps, tile, _) = flood(&s, &layer);
    let drawn = maps.iter().filter(|r| r.status == 200).count();
    assert_eq!(
        drawn,
        4,
        "{:?}",
        maps.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    assert_eq!(tile.status, 503, "{}", tile.text());
}
