//! Graph evaluation is bounded before it starts and stops when nobody waits:
//! over HTTP, each graph that used to run away (a 1001-cell MovingMax
//! window, Dilate of 10k values, Classify into 100k bins, RasterizeWKT of
//! 100k vertices, Shift by 1e18 ms, Resample / TemporalAggregate at "1s"
//! over 2000 years) is refused at once when stored, dry-run or drawn, with
//! flat memory; and a render whose request timed out stops using CPU.

use crate::geoblocks::add_layer;
use crate::graph_limits::{Served, exception_report, refusal};
use crate::support::{Resp, test_config};
use serde_json::{Value, json};
use std::collections::HashSet;
use std::time::{Duration, Instant};
use tegel::config::GraphConfig;

const SOURCE: &str = "lizard_nxt.blocks.LizardRasterSource";
/// 1000-01-01 to 2999-12-31.
const TWO_MILLENNIA: &str = "1000-01-01T00:00:00Z/2999-12-31T00:00:00Z";
/// How long refusing a bomb may take.
const PROMPT: Duration = Duration::from_millis(100);
/// How long refusing a bomb whose document lists 100k numbers may take in
/// the test profile (most of it reading and parsing the JSON body).
const PROMPT_LARGE_BODY: Duration = Duration::from_millis(600);

fn over(id: &str, node: Value) -> Value {
    json!({"name": "x", "graph": {"s": [SOURCE, id], "x": node}})
}

/// A polygon of `n` vertices around the dem's centre.
fn ring(n: usize, (cx, cy): (f64, f64)) -> String {
    let pts: Vec<String> = (0..n)
        .map(|i| {
            let a = i as f64 / n as f64 * std::f64::consts::TAU;
            format!("{:.0} {:.0}", cx + 100.0 * a.cos(), cy + 100.0 * a.sin())
        })
        .collect();
    format!("POLYGON (({}, {}))", pts.join(", "), pts[0])
}

/// The graphs that used to run away, with what their refusal names.
fn bombs(s: &Served) -> Vec<(&'static str, Value, &'static str)> {
    let dem = s.dem.0.to_string();
    let b = s.dem.1.transform().bbox(s.dem.1.width, s.dem.1.height);
    let centre = ((b.min_x + b.max_x) / 2.0, (b.min_y + b.max_y) / 2.0);
    vec![
        (
            "moving max 1001",
            over(
                &dem,
                json!(["dask_geomodeling.raster.spatial.MovingMax", "s", 1001]),
            ),
            "MovingMax (node 'x'): window 1001×1001",
        ),
        (
            "dilate 10k",
            over(
                &dem,
                json!([
                    "dask_geomodeling.raster.spatial.Dilate",
                    "s",
                    (0..10_000).collect::<Vec<i64>>()
                ]),
            ),
            "Dilate of 10000 values, at most 1000",
        ),
        (
            "classify 100k",
            over(
                &dem,
                json!([
                    "dask_geomodeling.raster.misc.Classify",
                    "s",
                    (0..100_000).collect::<Vec<i64>>()
                ]),
            ),
            "Classify into 100000 bins, at most 10000",
        ),
        (
            "rasterize 100k",
            json!({"name": "x", "graph": {"x": ["dask_geomodeling.raster.misc.RasterizeWKT",
                ring(100_000, centre), format!("EPSG:{}", s.dem.1.crs)]}}),
            "RasterizeWKT of 100001 vertices, at most 10000",
        ),
        (
            "shift 1e18",
            over(
                &dem,
                json!([
                    "dask_geomodeling.raster.temporal.Shift",
                    "s",
                    1_000_000_000_000_000_000i64
                ]),
            ),
            "beyond ±10000 years",
        ),
    ]
}

fn timed(f: impl FnOnce() -> Resp) -> (Resp, Duration) {
    let t = Instant::now();
    let r = f();
    (r, t.elapsed())
}

/// RssAnon of this process in KiB.
fn rss_anon_kib() -> u64 {
    crate::support::rss_anon_kib(std::process::id()).expect("RssAnon")
}

#[test]
fn bombs_are_refused_at_once_when_stored_or_dry_run() {
    let s = Served::start("budget-store", GraphConfig::default());
    for (name, graph, needle) in bombs(&s) {
        for dry in [true, false] {
            let (resp, took) = timed(|| s.post(name, &graph, dry));
            let msg = refusal(&resp);
            assert!(msg.contains(needle), "{name}: {msg}");
            let bound = if graph.to_string().len() > 100_000 {
                PROMPT_LARGE_BODY
            } else {
                PROMPT
            };
            assert!(took < bound, "{name} (dry-run {dry}) took {took:?}");
            eprintln!("refused {name} (dry-run {dry}) in {took:?}");
        }
    }
    // Fine frequencies are fine at one instant: stored, promptly.
    for (name, node) in [
        (
            "resample 1s",
            json!(["dask_geomodeling.raster.temporal.Resample", "s", "1s"]),
        ),
        (
            "aggregate 1s",
            json!([
                "dask_geomodeling.raster.temporal.TemporalAggregate",
                "s",
                "1s",
                "mean"
            ]),
        ),
    ] {
        let (resp, took) = timed(|| s.post(name, &over(&s.rain.to_string(), node.clone()), false));
        assert_eq!(resp.status, 201, "{name}: {}", resp.text());
        assert!(took < PROMPT * 5, "{name} took {took:?}");
    }
    // An ordinary window is stored.
    let ok = over(
        &s.dem.0.to_string(),
        json!(["dask_geomodeling.raster.spatial.MovingMax", "s", 5]),
    );
    assert_eq!(s.post("moving max 5", &ok, true).status, 200);
}

#[test]
fn bombs_stored_before_the_bounds_are_refused_when_drawn() {
    let s = Served::start("budget-draw", GraphConfig::default());
    for (i, (name, graph, _)) in bombs(&s).into_iter().enumerate() {
        // Stored behind the API's back, as a catalogue of an older version holds it.
        let layer = add_layer(&s.server, &format!("bomb-{i}"), graph);
        let (resp, took) = timed(|| s.map(&layer, 1024, 1024, None));
        let text = exception_report(&resp);
        assert!(text.contains("node 'x'"), "{name}: {text}");
        assert!(took < PROMPT * 5, "{name}: GetMap took {took:?}");
        let (tile, took) = timed(|| s.server.get(&format!("/tiles/{layer}/15/16882/10823.png")));
        assert!(
            (400..500).contains(&tile.status),
            "{name}: {} {}",
            tile.status,
            tile.text()
        );
        assert!(took < PROMPT * 5, "{name}: tile took {took:?}");
    }
    // Within the hard bounds but beyond the budget at this size: the cost
    // model refuses it, naming the block and the sizes.
    let wide = add_layer(
        &s.server,
        "wide-window",
        over(
            &s.dem.0.to_string(),
            json!(["dask_geomodeling.raster.spatial.MovingMax", "s", 301]),
        ),
    );
    let (resp, took) = timed(|| s.map(&wide, 1024, 1024, None));
    let text = exception_report(&resp);
    assert!(
        text.contains("MovingMax (node 'x'): window 301×301 over 1024×1024 cells costs"),
        "{text}"
    );
    assert!(took < PROMPT * 5, "took {took:?}");
}

#[test]
fn fine_frequencies_over_two_millennia_are_refused_with_flat_memory() {
    let s = Served::start("budget-time", GraphConfig::default());
    let rain = s.rain.to_string();
    for (name, node) in [
        (
            "resample 1s",
            json!(["dask_geomodeling.raster.temporal.Resample", "s", "1s"]),
        ),
        (
            "aggregate 1s",
            json!([
                "dask_geomodeling.raster.temporal.TemporalAggregate",
                "s",
                "1s",
                "mean"
            ]),
        ),
    ] {
        let (_, layer) = s.create(name, &over(&rain, node));
        let before = rss_anon_kib();
        let (resp, took) = timed(|| s.map(&layer, 256, 256, Some(TWO_MILLENNIA)));
        let grown = rss_anon_kib().saturating_sub(before);
        let text = exception_report(&resp);
        assert!(text.contains("node 'x'"), "{name}: {text}");
        assert!(took < PROMPT * 5, "{name}: took {took:?}");
        assert!(grown < 50 * 1024, "{name}: RssAnon grew {grown} KiB");
        eprintln!("{name}: refused in {took:?}, RssAnon grew {grown} KiB");
    }
}

/// CPU ticks of this process's threads `tids`.
fn cpu_ticks(tids: &HashSet<String>) -> u64 {
    crate::support::cpu_ticks(std::process::id(), tids)
}

/// The ids of this process's render threads.
fn render_threads() -> HashSet<String> {
    crate::support::threads_named(std::process::id(), "tegel-render")
}

#[test]
fn a_render_whose_request_timed_out_stops_using_cpu() {
    let mut config = test_config("budget-cancel");
    config.server.request_timeout_secs = 1;
    config.render.threads = 2;
    // Heavy but allowed: one GetMap takes many seconds.
    config.graph.max_cost = 1 << 44;
    let others = render_threads();
    let s = Served::start_with("budget-cancel", config);
    let ours: HashSet<String> = render_threads().difference(&others).cloned().collect();
    assert!(!ours.is_empty(), "no render threads found");
    let heavy = over(
        &s.dem.0.to_string(),
        json!(["dask_geomodeling.raster.spatial.MovingMax", "s", 61]),
    );
    let (_, layer) = s.create("heavy window", &heavy);
    let addr = s.server.addr;
    let started = Instant::now();
    let map = std::thread::spawn({
        let path = {
            let g = &s.dem.1;
            let b = g.transform().bbox(g.width, g.height);
            format!(
                "/wms/?SERVICE=WMS&VERSION=1.1.1&REQUEST=GetMap&LAYERS={layer}&STYLES=&SRS=EPSG:{}\
                 &BBOX={},{},{},{}&WIDTH=1024&HEIGHT=1024&FORMAT=image/tiff",
                g.crs, b.min_x, b.min_y, b.max_x, b.max_y
            )
        };
        move || crate::support::http_request(addr, "GET", &path, &[])
    });
    // While it runs: the render threads work, the API answers at once.
    std::thread::sleep(Duration::from_millis(300));
    let busy0 = cpu_ticks(&ours);
    let (api, took) = timed(|| s.server.get("/api/v4/rasters/"));
    assert_eq!(api.status, 200, "{}", api.text());
    assert!(
        took < Duration::from_millis(500),
        "API during the render: {took:?}"
    );
    std::thread::sleep(Duration::from_millis(300));
    let busy1 = cpu_ticks(&ours);
    assert!(busy1 > busy0, "the render did not run: {busy0} → {busy1}");
    let dem = s
        .server
        .get("/tiles/nelen-schuurmans:dem/15/16882/10823.png");
    assert_eq!(dem.status, 200, "{}", dem.text());
    let resp = map.join().expect("map thread");
    let timed_out = started.elapsed();
    assert_ne!(resp.status, 200, "the map finished within the timeout");
    assert!(timed_out < Duration::from_secs(5), "{timed_out:?}");
    // Within 100 ms of the timeout the render stops: no CPU over the next 500 ms.
    std::thread::sleep(Duration::from_millis(100));
    let after0 = cpu_ticks(&ours);
    std::thread::sleep(Duration::from_millis(500));
    let after1 = cpu_ticks(&ours);
    assert!(
        after1 - after0 <= 2,
        "render threads still busy: {after0} → {after1} ticks"
    );
    // And the server answers as before.
    let (dem, took) = timed(|| {
        s.server
            .get("/tiles/nelen-schuurmans:dem/15/16881/10823.png")
    });
    assert_eq!(dem.status, 200, "{}", dem.text());
    assert!(took < Duration::from_secs(1), "DEM tile after: {took:?}");
    let (api, took) = timed(|| s.server.get("/api/v4/rasters/"));
    assert_eq!(api.status, 200);
    assert!(took < Duration::from_millis(500), "API after: {took:?}");
}
