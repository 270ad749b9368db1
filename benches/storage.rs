//! Store benchmarks on synthetic data: `read_window` of a 300×300 f32 window from
//! a written frame (the copy a render does per request), and overview building
//! throughput (one 2× reduction, float mean and integer nearest).
//!
//! Run: `cargo bench --bench storage`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "benchmark setup: a bench that cannot build its inputs should stop loudly"
)]

use criterion::{Criterion, Throughput, black_box, criterion_group, criterion_main};
use tegel::model::{Crs, DataType, GeoTransform, RasterBuf, RasterData, RasterSource, Window};
use tegel::storage::{DecodedRaster, StoredFrame, reduce_level, write_frame};

fn synthetic(dtype: DataType, w: u32, h: u32) -> RasterBuf {
    let n = w as usize * h as usize;
    let values: Vec<f64> = (0..n)
        .map(|i| {
            if i % 17 == 0 {
                -9999.0
            } else {
                (i % 1000) as f64 * 0.5
            }
        })
        .collect();
    let data = match dtype {
        DataType::F32 => RasterData::F32(values.iter().map(|&v| v as f32).collect()),
        _ => RasterData::I16(values.iter().map(|&v| v as i16).collect()),
    };
    RasterBuf {
        width: w,
        height: h,
        data,
        nodata: Some(-9999.0),
    }
}

fn read_window(c: &mut Criterion) {
    let dir = std::env::temp_dir().join(format!("tegel-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("frame.tif");
    let data = synthetic(DataType::F32, 2048, 2048);
    let transform = GeoTransform {
        origin_x: 0.0,
        origin_y: 2048.0,
        pixel_x: 1.0,
        pixel_y: -1.0,
    };
    let raster = DecodedRaster {
        crs: Crs(28992),
        transform,
        nodata: Some(-9999.0),
        data,
    };
    write_frame(&path, &raster, &mut |_, _| {}).unwrap();
    let frame = StoredFrame::open(&path).unwrap();
    let mut out = RasterBuf::new(DataType::F32, 300, 300, Some(-9999.0));
    let mut group = c.benchmark_group("read_window");
    group.throughput(Throughput::Bytes(300 * 300 * 4));
    // Straddles 2×2 tiles (cols 200..500, rows 700..1000), as most request windows do.
    let window = Window {
        col: 200,
        row: 700,
        width: 300,
        height: 300,
    };
    group.bench_function("f32_300x300", |b| {
        b.iter(|| frame.read_window(0, black_box(window), &mut out).unwrap());
    });
    group.finish();
    let _ = std::fs::remove_dir_all(&dir);
}

fn overviews(c: &mut Criterion) {
    let mut group = c.benchmark_group("overview");
    for dtype in [DataType::F32, DataType::I16] {
        let src = synthetic(dtype, 2048, 2048);
        group.throughput(Throughput::Elements(2048 * 2048));
        group.bench_function(format!("{dtype}_2048x2048"), |b| {
            b.iter(|| reduce_level(black_box(&src)).unwrap())
        });
    }
    group.finish();
}

criterion_group!(benches, read_window, overviews);
criterion_main!(benches);
