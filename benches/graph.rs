//! The graph engine: a 256² tile of `FillNoData(Classify(Subtract(A, B)), C)`
//! against the same tile of a single source, all read by the same in-memory
//! leaf reader (`graph::memory::MemoryLeaves`, 1024² sources in EPSG:28992).
//!
//! * `graph/leaf_read`: one `Leaves::read` of source A (the reader alone);
//! * `graph/single_source`: a one-node graph `LizardRasterSource(A)`;
//! * `graph/three_sources`: the three-source graph above.
//! * `graph/temporal/…`: TemporalAggregate (mean, median) and Cumulative
//!   over 24 hourly frames of a fourth, temporal source, into 6-hour bins.
//!
//! The in-memory reader makes `single_source` little more than a copy, so
//! these isolate the engine's own cost; what a tile of a computed layer costs
//! against a plain tile (reads, warps, style and PNG included) is
//! `render/tile_3857_png_graph3` against `render/tile_3857_png` in
//! `benches/render.rs`.
//!
//! Run: `cargo bench --bench graph`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "benchmark setup: a bench that cannot build its inputs should stop loudly"
)]

use criterion::{Criterion, black_box, criterion_group, criterion_main};
use serde_json::json;
use tegel::graph::memory::{MemoryLeaves, MemorySource};
use tegel::graph::{Graph, GraphLimits, Leaves, Request, RequestMode, SourceMeta};
use tegel::model::{BBox, Crs, DataType, GeoTransform, GridSpec, RasterBuf, RasterData};
use uuid::Uuid;

const SIZE: u32 = 1024;
const IDS: [&str; 3] = [
    "00000000-0000-0000-0000-00000000000a",
    "00000000-0000-0000-0000-00000000000b",
    "00000000-0000-0000-0000-00000000000c",
];
const TEMPORAL: &str = "00000000-0000-0000-0000-00000000000d";
const HOUR: i64 = 3_600_000;
/// Every source's 1 m grid starts at this corner.
const CORNER: GeoTransform = GeoTransform {
    origin_x: 150_000.0,
    origin_y: 465_000.0,
    pixel_x: 1.0,
    pixel_y: -1.0,
};

/// 24 hourly float32 frames of 512² cells over the first source's corner.
fn temporal_source() -> MemorySource {
    let side = 512u32;
    let n = (side * side) as usize;
    let frames = (0..24)
        .map(|t| RasterBuf {
            width: side,
            height: side,
            data: RasterData::F32(
                (0..n)
                    .map(|i| {
                        if (i + t) % 53 == 0 {
                            -1.0
                        } else {
                            ((i * 7 + t * 13) % 1000) as f32 * 0.1
                        }
                    })
                    .collect(),
            ),
            nodata: Some(-1.0),
        })
        .collect();
    MemorySource {
        meta: SourceMeta {
            dtype: DataType::F32,
            nodata: Some(-1.0),
            crs: Crs(28992),
            geo_transform: CORNER,
            width: side,
            height: side,
            times: (0..24).map(|t| t * HOUR).collect(),
            interval: Some(HOUR),
        },
        frames,
    }
}

fn source(kind: usize) -> MemorySource {
    let n = (SIZE * SIZE) as usize;
    let data = match kind {
        0 => RasterData::F32(
            (0..n)
                .map(|i| {
                    if i % 97 == 0 {
                        -9999.0
                    } else {
                        (i % 4000) as f32 * 0.01
                    }
                })
                .collect(),
        ),
        1 => RasterData::I16(
            (0..n)
                .map(|i| if i % 89 == 0 { -9999 } else { (i % 31) as i16 })
                .collect(),
        ),
        _ => RasterData::U8(
            (0..n)
                .map(|i| if i % 7 == 0 { 255 } else { (i % 5) as u8 })
                .collect(),
        ),
    };
    let nodata = [-9999.0, -9999.0, 255.0][kind];
    let dtype = [DataType::F32, DataType::I16, DataType::U8][kind];
    MemorySource {
        meta: SourceMeta {
            dtype,
            nodata: Some(nodata),
            crs: Crs(28992),
            geo_transform: CORNER,
            width: SIZE,
            height: SIZE,
            times: vec![0],
            interval: None,
        },
        frames: vec![RasterBuf {
            width: SIZE,
            height: SIZE,
            data,
            nodata: Some(nodata),
        }],
    }
}

fn bench(c: &mut Criterion) {
    let mut leaves = MemoryLeaves::new();
    for (k, id) in IDS.iter().enumerate() {
        leaves.add(Uuid::parse_str(id).unwrap(), source(k));
    }
    leaves.add(Uuid::parse_str(TEMPORAL).unwrap(), temporal_source());
    // A 256² tile at 1.5 m cells (not aligned with the 1 m sources).
    let bbox = BBox::new(150_100.0, 464_300.0, 150_484.0, 464_684.0);
    let req = Request {
        mode: RequestMode::Vals,
        bbox,
        crs: Crs(28992),
        width: 256,
        height: 256,
        start: None,
        stop: None,
    };
    let src = |id: &str| json!(["lizard_nxt.blocks.LizardRasterSource", id]);
    let single = Graph::parse(
        &json!({"name": "a", "graph": {"a": src(IDS[0])}}),
        &GraphLimits::default(),
    )
    .unwrap();
    let three = Graph::parse(
        &json!({"name": "out", "graph": {
            "a": src(IDS[0]), "b": src(IDS[1]), "c": src(IDS[2]),
            "d": ["dask_geomodeling.raster.elemwise.Subtract", "a", "b"],
            "k": ["dask_geomodeling.raster.misc.Classify", "d", [0, 10, 20]],
            "out": ["dask_geomodeling.raster.elemwise.FillNoData", "k", "c"]}}),
        &GraphLimits::default(),
    )
    .unwrap();
    let grid = GridSpec {
        crs: Crs(28992),
        bbox,
        width: 256,
        height: 256,
    };
    let id = Uuid::parse_str(IDS[0]).unwrap();
    let mut g = c.benchmark_group("graph");
    g.bench_function("leaf_read", |b| {
        b.iter(|| black_box(leaves.read(id, &grid, &[0]).unwrap()))
    });
    g.bench_function("single_source", |b| {
        b.iter(|| black_box(single.evaluate(&leaves, &req).unwrap()))
    });
    g.bench_function("three_sources", |b| {
        b.iter(|| black_box(three.evaluate(&leaves, &req).unwrap()))
    });
    // The blocks of the chain one at a time, for the breakdown.
    let one = |name: &str, node: serde_json::Value| {
        Graph::parse(
            &json!({"name": "x", "graph": {"a": src(IDS[0]), "b": src(IDS[1]), "c": src(IDS[2]), "x": node}}),
            &GraphLimits::default(),
        )
        .map(|g| (name.to_string(), g))
        .unwrap()
    };
    for (name, graph) in [
        one(
            "subtract",
            json!(["dask_geomodeling.raster.Subtract", "a", "b"]),
        ),
        one(
            "classify",
            json!(["dask_geomodeling.raster.Classify", "a", [0, 10, 20]]),
        ),
        one(
            "fillnodata",
            json!(["dask_geomodeling.raster.FillNoData", "a", "c"]),
        ),
    ] {
        g.bench_function(format!("block/{name}"), |b| {
            b.iter(|| black_box(graph.evaluate(&leaves, &req).unwrap()))
        });
    }
    // Temporal blocks over the whole day: 4 bins of 6 frames.
    let day = Request {
        start: Some(0),
        stop: Some(23 * HOUR),
        ..req
    };
    for (name, node) in [
        (
            "mean",
            json!([
                "dask_geomodeling.raster.temporal.TemporalAggregate",
                "t",
                "6h",
                "mean"
            ]),
        ),
        (
            "median",
            json!([
                "dask_geomodeling.raster.temporal.TemporalAggregate",
                "t",
                "6h",
                "median"
            ]),
        ),
        (
            "cumulative",
            json!([
                "dask_geomodeling.raster.temporal.Cumulative",
                "t",
                "sum",
                "6h"
            ]),
        ),
    ] {
        let graph = Graph::parse(
            &json!({"name": "x", "graph": {"t": src(TEMPORAL), "x": node}}),
            &GraphLimits::default(),
        )
        .unwrap();
        g.bench_function(format!("temporal/{name}"), |b| {
            b.iter(|| black_box(graph.evaluate(&leaves, &day).unwrap()))
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
