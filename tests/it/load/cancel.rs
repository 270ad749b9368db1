//! A render whose caller is gone stops using CPU: the request timed out, or
//! the client closed its connection. The server runs as its own process so
//! that its render threads' CPU time is its alone.

use super::{Proc, admin_auth, one_request};
use crate::config_keys::{DEM_FILE, LOCHEM_FILE};
use serde_json::{Value, json};
use std::io::Write;
use std::net::TcpStream;
use std::time::{Duration, Instant};
use tegel::catalogue::Catalogue;

/// A server (request timeout `timeout_secs`) with a computed layer that
/// takes many seconds per 1024² map
/// (a 61-cell moving maximum, allowed by a raised `graph.max_cost`), and the
/// GetMap of it.
fn heavy(tag: &str, timeout_secs: u32) -> (Proc, String) {
    let server = Proc::start_over(
        tag,
        &[LOCHEM_FILE, DEM_FILE],
        &[
            (
                "TEGEL_SERVER_REQUEST_TIMEOUT_SECS",
                &timeout_secs.to_string(),
            ),
            ("TEGEL_RENDER_THREADS", "2"),
            ("TEGEL_GRAPH_MAX_COST", &(1u64 << 44).to_string()),
        ],
    );
    let snap = Catalogue::open(&server.data).expect("catalogue").snapshot();
    let dem = snap
        .layers()
        .iter()
        .find(|l| l.slug == "dem")
        .and_then(|l| snap.single_source(l))
        .expect("the demo DEM")
        .clone();
    let grid = dem.grid.expect("the DEM's grid");
    let org = snap
        .organisation_by_slug("nelen-schuurmans")
        .expect("the demo organisation")
        .uuid;
    drop(snap);
    let body = json!({
        "name": "heavy window",
        "organisation": org.to_string(),
        "access_modifier": "Public",
        "aggregation_type": "none",
        "source": {"name": "x", "graph": {
            "s": ["lizard_nxt.blocks.LizardRasterSource", dem.uuid.to_string()],
            "x": ["dask_geomodeling.raster.spatial.MovingMax", "s", 61],
        }},
    });
    let (status, _, reply) = one_request(
        server.addr,
        "POST",
        "/api/v4/rasters/",
        &[
            ("Authorization", &admin_auth()),
            ("Content-Type", "application/json"),
        ],
        body.to_string().as_bytes(),
    );
    assert_eq!(status, 201, "{}", String::from_utf8_lossy(&reply));
    let made: Value = serde_json::from_slice(&reply).expect("JSON");
    let layer = made["wms_info"]["layer"].as_str().expect("wms name");
    let b = grid.transform().bbox(grid.width, grid.height);
    let path = format!(
        "/wms/?SERVICE=WMS&VERSION=1.1.1&REQUEST=GetMap&LAYERS={layer}&STYLES=&SRS=EPSG:{}\
         &BBOX={},{},{},{}&WIDTH=1024&HEIGHT=1024&FORMAT=image/tiff",
        grid.crs, b.min_x, b.min_y, b.max_x, b.max_y
    );
    (server, path)
}

/// Waits until the render threads have been busy, then until `gone` (the
/// moment the caller went away) + 100 ms, and checks they use (almost) no
/// CPU over the next 500 ms; then that the server still answers.
fn assert_render_stops(server: &Proc, gone: Instant) {
    let wait = (gone + Duration::from_millis(100)).saturating_duration_since(Instant::now());
    std::thread::sleep(wait);
    let before = server.render_ticks();
    std::thread::sleep(Duration::from_millis(500));
    let after = server.render_ticks();
    assert!(
        after - before <= 2,
        "the render threads kept working after the caller left: {before} → {after} ticks"
    );
    let (status, _, _) = one_request(server.addr, "GET", "/healthz", &[], &[]);
    assert_eq!(status, 200);
}

#[test]
fn a_render_whose_request_timed_out_stops_using_cpu_within_100_ms() {
    let (server, path) = heavy("load-cancel-timeout", 1);
    let idle = server.render_ticks();
    let started = Instant::now();
    let (status, _, _) = one_request(server.addr, "GET", &path, &[], &[]);
    let answered = Instant::now();
    assert_ne!(status, 200, "the map finished within the 1 s timeout");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert!(server.render_ticks() > idle, "the render did not run");
    assert_render_stops(&server, answered);
}

#[test]
fn a_render_whose_client_disconnected_stops_using_cpu_within_100_ms() {
    // A timeout far beyond the test: only the disconnect can stop it.
    let (server, path) = heavy("load-cancel-disconnect", 30);
    let idle = server.render_ticks();
    let mut stream = TcpStream::connect(server.addr).expect("connect");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {}\r\n\r\n",
        server.addr
    )
    .expect("request");
    // Long enough for the render to be under way, well before the timeout.
    let started = Instant::now();
    while server.render_ticks() <= idle + 5 {
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "the render did not start"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    drop(stream);
    let gone = Instant::now();
    assert_render_stops(&server, gone);
}
