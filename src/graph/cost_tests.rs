//! The cost model per block family, the hard parameter bounds and the
//! reference-tile check: bombs are refused before any read, naming the
//! block; ordinary graphs pass.

use crate::graph::cancel::Cancel;
use crate::graph::eval::Ctx;
use crate::graph::memory::{MemoryLeaves, MemorySource};
use crate::graph::raster::{Mode, Req};
use crate::graph::{Graph, GraphError, GraphLimits, Request, RequestMode, SourceMeta, meta};
use crate::model::{BBox, Crs, DataType, GeoTransform, GridSpec, RasterBuf, RasterData};
use serde_json::{Value, json};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

const A: &str = "00000000-0000-0000-0000-00000000000a";
const T: &str = "00000000-0000-0000-0000-00000000000b";
const SRC: &str = "lizard_nxt.blocks.LizardRasterSource";
const HOUR: i64 = 3_600_000;

/// A: 1024² one-frame f32 in RD New, 1 m cells; T: 8×8, 24 hourly frames.
fn leaves() -> MemoryLeaves {
    let mut leaves = MemoryLeaves::new();
    let source = |w: u32, times: Vec<i64>, interval| {
        let n = times.len();
        MemorySource {
            meta: SourceMeta {
                dtype: DataType::F32,
                nodata: Some(-9999.0),
                crs: Crs(28992),
                geo_transform: GeoTransform {
                    origin_x: 0.0,
                    origin_y: 1024.0,
                    pixel_x: 1024.0 / f64::from(w),
                    pixel_y: -1024.0 / f64::from(w),
                },
                width: w,
                height: w,
                times,
                interval,
            },
            frames: vec![
                RasterBuf {
                    width: w,
                    height: w,
                    data: RasterData::F32(vec![1.0; (w * w) as usize]),
                    nodata: Some(-9999.0),
                };
                n
            ],
        }
    };
    leaves.add(A.parse().unwrap(), source(1024, vec![0], None));
    leaves.add(
        T.parse().unwrap(),
        source(8, (0..24).map(|h| h * HOUR).collect(), Some(HOUR)),
    );
    leaves
}

fn graph(node: Value) -> Graph {
    try_graph(node).unwrap()
}

fn try_graph(node: Value) -> Result<Graph, GraphError> {
    Graph::parse(
        &json!({"name": "x", "graph": {"a": [SRC, A], "t": [SRC, T], "x": node}}),
        &GraphLimits::default(),
    )
}

/// The cost of a `size`² request over A's extent (and time `start..stop`).
fn cost(
    g: &Graph,
    leaves: &MemoryLeaves,
    size: u32,
    time: (Option<i64>, Option<i64>),
) -> Result<f64, GraphError> {
    let metas = meta::infer_with(g, leaves, 0, false)?;
    let cancel = Cancel::never();
    let ctx = Ctx {
        graph: g,
        metas,
        leaves,
        nesting: 0,
        cancel: &cancel,
    };
    let req = Req {
        mode: Mode::Vals,
        grid: GridSpec {
            crs: Crs(28992),
            bbox: BBox::new(0.0, 0.0, 1024.0, 1024.0),
            width: size,
            height: size,
        },
        start: time.0,
        stop: time.1,
    };
    super::check(&ctx, g.endpoint(), &req)
}

fn refused(r: Result<f64, GraphError>) -> String {
    match r {
        Err(e @ GraphError::Limit(_)) => e.to_string(),
        other => panic!("not refused: {other:?}"),
    }
}

#[test]
fn elementwise_blocks_cost_their_cells() {
    let l = leaves();
    let g = graph(json!(["dask_geomodeling.raster.elemwise.Add", "a", "a"]));
    // Two reads and one addition of 256² cells.
    assert_eq!(cost(&g, &l, 256, (None, None)).unwrap(), 3.0 * 65536.0);
}

#[test]
fn neighbourhood_blocks_cost_cells_times_window() {
    let l = leaves();
    let mm = |d: u32| graph(json!(["dask_geomodeling.raster.spatial.MovingMax", "a", d]));
    let small = cost(&mm(5), &l, 1024, (None, None)).unwrap();
    let wider = cost(&mm(15), &l, 1024, (None, None)).unwrap();
    assert!(wider > 5.0 * small, "{small} {wider}");
    let msg = refused(cost(&mm(1001), &l, 1024, (None, None)));
    assert!(
        msg.contains("MovingMax (node 'x'): window 1001×1001"),
        "{msg}"
    );
    assert!(msg.contains("> budget"), "{msg}");
    let dilate = |n: usize| {
        let values: Vec<f64> = (0..n).map(|v| v as f64).collect();
        graph(json!([
            "dask_geomodeling.raster.spatial.Dilate",
            "a",
            values
        ]))
    };
    assert!(cost(&dilate(10), &l, 1024, (None, None)).is_ok());
    let msg = refused(cost(&dilate(1000), &l, 1024, (None, None)));
    assert!(msg.contains("Dilate (node 'x'): 1000 values"), "{msg}");
    let hs = graph(json!(["dask_geomodeling.raster.spatial.HillShade", "a"]));
    let c = cost(&hs, &l, 1024, (None, None)).unwrap();
    assert!(c > 30.0 * 1024.0 * 1024.0, "{c}");
    // Smooth: a wider size costs more, and a huge one stays bounded (zoom).
    let smooth = |m: f64| graph(json!(["dask_geomodeling.raster.spatial.Smooth", "a", m]));
    let (s1, s4) = (
        cost(&smooth(1.0), &l, 256, (None, None)).unwrap(),
        cost(&smooth(4.0), &l, 256, (None, None)).unwrap(),
    );
    assert!(s4 > s1, "{s1} {s4}");
    assert!(cost(&smooth(1e6), &l, 256, (None, None)).is_ok());
}

#[test]
fn classify_costs_bins_times_cells() {
    let l = leaves();
    let classify = |n: usize| {
        let bins: Vec<f64> = (0..n).map(|v| v as f64).collect();
        graph(json!(["dask_geomodeling.raster.misc.Classify", "a", bins]))
    };
    let c10 = cost(&classify(10), &l, 256, (None, None)).unwrap();
    let c100 = cost(&classify(100), &l, 256, (None, None)).unwrap();
    assert!(c100 > 9.0 * c10 / 2.0, "{c10} {c100}");
    let msg = refused(cost(&classify(10_000), &l, 1024, (None, None)));
    assert!(
        msg.contains("Classify (node 'x'): 10000 bins over 1024×1024 cells"),
        "{msg}"
    );
    let pairs: Vec<[i64; 2]> = (0..10_000).map(|v| [v, 1]).collect();
    let re = Graph::parse(
        &json!({"name": "x", "graph": {"a": [SRC, A],
            "c": ["dask_geomodeling.raster.misc.Classify", "a", [1.0]],
            "x": ["dask_geomodeling.raster.misc.Reclassify", "c", pairs]}}),
        &GraphLimits::default(),
    )
    .unwrap();
    let msg = refused(cost(&re, &l, 1024, (None, None)));
    assert!(msg.contains("Reclassify (node 'x'): 10000 pairs"), "{msg}");
}

#[test]
fn rasterize_costs_vertices_per_row() {
    let l = leaves();
    let ring = |n: usize| {
        let pts: Vec<String> = (0..n)
            .map(|i| {
                let a = i as f64 / n as f64 * std::f64::consts::TAU;
                format!("{} {}", 512.0 + 400.0 * a.cos(), 512.0 + 400.0 * a.sin())
            })
            .collect();
        format!("POLYGON (({}, {}))", pts.join(", "), pts[0])
    };
    let wkt = |n| {
        graph(json!([
            "dask_geomodeling.raster.misc.RasterizeWKT",
            ring(n),
            "EPSG:28992"
        ]))
    };
    let few = cost(&wkt(10), &l, 1024, (None, None)).unwrap();
    let many = cost(&wkt(5000), &l, 1024, (None, None)).unwrap();
    assert!(many > few + 1024.0 * 4000.0, "{few} {many}");
    let err = try_graph(json!([
        "dask_geomodeling.raster.misc.RasterizeWKT",
        ring(100_000),
        "EPSG:28992"
    ]))
    .unwrap_err()
    .to_string();
    assert!(err.contains("vertices, at most 10000"), "{err}");
}

#[test]
fn temporal_blocks_cost_frames_and_labels() {
    let l = leaves();
    let day = (Some(0), Some(23 * HOUR));
    let sum = graph(json!(["dask_geomodeling.raster.temporal.TemporalSum", "t"]));
    // 24 frames read and summed.
    assert_eq!(cost(&sum, &l, 16, day).unwrap(), 2.0 * 24.0 * 256.0);
    let agg = |f: &str| {
        graph(json!([
            "dask_geomodeling.raster.temporal.TemporalAggregate",
            "t",
            f,
            "mean"
        ]))
    };
    let hourly = cost(&agg("h"), &l, 16, day).unwrap();
    let daily = cost(&agg("D"), &l, 16, day).unwrap();
    assert!(hourly > daily, "{hourly} {daily}");
    let re = graph(json!([
        "dask_geomodeling.raster.temporal.Resample",
        "t",
        "15min"
    ]));
    let c = cost(&re, &l, 16, day).unwrap();
    assert!(c >= 93.0 * 256.0, "{c}");
}

#[test]
fn fine_frequencies_over_long_ranges_are_refused_at_once() {
    let l = leaves();
    // 1000-01-01 .. 2999-12-31 in ms.
    let long = (Some(-30_610_224_000_000), Some(32_503_593_600_000));
    for node in [
        json!(["dask_geomodeling.raster.temporal.Resample", "t", "1s"]),
        json!([
            "dask_geomodeling.raster.temporal.TemporalAggregate",
            "t",
            "1s",
            "mean"
        ]),
    ] {
        let g = graph(node);
        let t = Instant::now();
        let req = Request {
            mode: RequestMode::Vals,
            bbox: BBox::new(0.0, 0.0, 1024.0, 1024.0),
            crs: Crs(28992),
            width: 256,
            height: 256,
            start: long.0,
            stop: long.1,
        };
        let err = g.evaluate(&l, &req).unwrap_err();
        assert!(matches!(err, GraphError::Limit(_)), "{err}");
        assert!(
            t.elapsed() < Duration::from_millis(100),
            "{:?}",
            t.elapsed()
        );
        assert_eq!(l.reads.load(Ordering::Relaxed), 0);
    }
}

#[test]
fn over_budget_requests_read_nothing() {
    let l = leaves();
    let g = graph(json!([
        "dask_geomodeling.raster.spatial.MovingMax",
        "a",
        1001
    ]));
    let req = Request {
        mode: RequestMode::Vals,
        bbox: BBox::new(0.0, 0.0, 1024.0, 1024.0),
        crs: Crs(28992),
        width: 1024,
        height: 1024,
        start: None,
        stop: None,
    };
    let t = Instant::now();
    let err = g.evaluate(&l, &req).unwrap_err();
    assert!(err.to_string().contains("MovingMax (node 'x')"), "{err}");
    assert!(
        t.elapsed() < Duration::from_millis(100),
        "{:?}",
        t.elapsed()
    );
    assert_eq!(l.reads.load(Ordering::Relaxed), 0);
}

#[test]
fn absurd_parameters_are_refused_when_parsed() {
    for (node, needle) in [
        (
            json!([
                "dask_geomodeling.raster.temporal.Shift",
                "a",
                1_000_000_000_000_000_000i64
            ]),
            "beyond ±10000 years",
        ),
        (
            json!(["dask_geomodeling.raster.temporal.Shift", "a", i64::MIN]),
            "beyond ±10000 years",
        ),
        (
            json!([
                "dask_geomodeling.raster.misc.Classify",
                "a",
                (0..100_000).collect::<Vec<i64>>()
            ]),
            "100000 bins, at most 10000",
        ),
        (
            json!([
                "dask_geomodeling.raster.spatial.Dilate",
                "a",
                (0..10_000).collect::<Vec<i64>>()
            ]),
            "10000 values, at most 1000",
        ),
        (
            json!(["dask_geomodeling.raster.spatial.MovingMax", "a", 100_001]),
            "at most 1001",
        ),
    ] {
        let err = try_graph(node.clone()).unwrap_err().to_string();
        assert!(
            err.contains("node 'x'") && err.contains(needle),
            "{node}: {err}"
        );
    }
    // Within the bounds: parsed.
    try_graph(json!([
        "dask_geomodeling.raster.temporal.Shift",
        "a",
        86_400_000
    ]))
    .unwrap();
    try_graph(json!([
        "dask_geomodeling.raster.spatial.MovingMax",
        "a",
        1001
    ]))
    .unwrap();
}

#[test]
fn the_reference_tile_refuses_what_no_tile_could_afford() {
    let l = leaves();
    let g = graph(json!([
        "dask_geomodeling.raster.spatial.MovingMax",
        "a",
        1001
    ]));
    let err = g.check_reference(&l).unwrap_err().to_string();
    assert!(
        err.contains("MovingMax (node 'x')") && err.contains("256×256"),
        "{err}"
    );
    graph(json!([
        "dask_geomodeling.raster.spatial.MovingMax",
        "a",
        15
    ]))
    .check_reference(&l)
    .unwrap();
    assert_eq!(l.reads.load(Ordering::Relaxed), 0);
}
