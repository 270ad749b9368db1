//! Store benchmarks on synthetic data: `read_window` of a 300×300 f32 window from
//! a written frame (the copy a render does per request), and overview building
//! throughput (one 2× reduction, float mean and integer nearest), and ingest of a
//! 4096² float32 GeoTIFF into a new frame (streamed decode, tiles and pyramid).
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
use tegel::storage::{DecodedRaster, Limits, Store, StoredFrame, reduce_level, write_frame};

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

/// Ingest of a 4096×4096 float32 tiled GeoTIFF (a store file written first, so
/// the input is uncompressed 256² tiles): band-by-band decode, level-0 tiles and
/// the streamed pyramid written to a new frame file.
fn ingest(c: &mut Criterion) {
    let dir = std::env::temp_dir().join(format!("tegel-bench-ingest-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let input = dir.join("input.tif");
    let n = 4096;
    let raster = DecodedRaster {
        crs: Crs(28992),
        transform: GeoTransform {
            origin_x: 0.0,
            origin_y: f64::from(n),
            pixel_x: 1.0,
            pixel_y: -1.0,
        },
        nodata: Some(-9999.0),
        data: synthetic(DataType::F32, n, n),
    };
    write_frame(&input, &raster, &mut |_, _| {}).unwrap();
    drop(raster);
    let store = Store::open(&dir.join("data"), 4).unwrap();
    let source = uuid::Uuid::new_v4();
    let mut group = c.benchmark_group("ingest");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(u64::from(n) * u64::from(n) * 4));
    group.bench_function("f32_4096_tiled", |b| {
        b.iter(|| {
            let meta = store
                .ingest(source, &input, &Limits::default(), &mut |_, _| {})
                .unwrap();
            store.remove_frame(source, &meta.frame).unwrap();
        })
    });
    group.finish();
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(benches, read_window, overviews, ingest);
criterion_main!(benches);
