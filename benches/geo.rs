//! Benchmarks of `geo`: mesh build for a Web Mercator tile against an RD New grid,
//! `row_into` over a whole tile, and exact point transform throughput.
//!
//! Synthetic inputs only (no data files). Run: `cargo bench --bench geo`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "benchmark setup: a bench that cannot build its inputs should stop loudly"
)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use tegel::geo::approx::DEFAULT_MAX_ERR_PX;
use tegel::geo::tiles::xyz_bbox;
use tegel::geo::{PixelMesh, Transformer};
use tegel::model::{Crs, GeoTransform, GridSpec};

/// XYZ tile containing (lon, lat) at zoom z.
fn tile_at(lon: f64, lat: f64, z: u32) -> (u32, u32) {
    let n = f64::from(1u32 << z);
    let x = ((lon + 180.0) / 360.0 * n).floor();
    let lat = lat.to_radians();
    let y = ((1.0 - (lat.tan() + 1.0 / lat.cos()).ln() / std::f64::consts::PI) / 2.0 * n).floor();
    (x as u32, y as u32)
}

/// A 256² tile over Utrecht at zoom `z`, and an RD New grid at about its resolution.
fn tile_case(z: u32) -> (GridSpec, GeoTransform) {
    let (x, y) = tile_at(5.12, 52.09, z);
    let bbox = xyz_bbox(z, x, y).expect("valid tile");
    let dst = GridSpec {
        crs: Crs(3857),
        bbox,
        width: 256,
        height: 256,
    };
    let pixel = bbox.width() / 256.0 * 52.09_f64.to_radians().cos();
    let src = GeoTransform {
        origin_x: -7_000.0,
        origin_y: 629_000.0,
        pixel_x: pixel,
        pixel_y: -pixel,
    };
    (dst, src)
}

fn mesh_build(c: &mut Criterion) {
    let t = Transformer::new(Crs(3857), Crs(28992)).expect("transformer");
    let mut g = c.benchmark_group("mesh_build_3857_tile_vs_28992");
    for z in [12, 15, 18] {
        let (dst, src) = tile_case(z);
        g.bench_function(format!("z{z}"), |b| {
            b.iter(|| PixelMesh::build(black_box(&dst), &t, black_box(&src), DEFAULT_MAX_ERR_PX))
        });
    }
    g.finish();
}

fn mesh_rows(c: &mut Criterion) {
    let t = Transformer::new(Crs(3857), Crs(28992)).expect("transformer");
    let (dst, src) = tile_case(15);
    let mesh = PixelMesh::build(&dst, &t, &src, DEFAULT_MAX_ERR_PX);
    let (mut cols, mut rows) = (vec![0.0; 256], vec![0.0; 256]);
    let mut g = c.benchmark_group("row_into");
    g.throughput(Throughput::Elements(256 * 256));
    g.bench_function("full_256_tile", |b| {
        b.iter(|| {
            for r in 0..256 {
                mesh.row_into(r, &mut cols, &mut rows);
                black_box((&cols, &rows));
            }
        })
    });
    g.finish();
}

fn point_transforms(c: &mut Criterion) {
    let mut g = c.benchmark_group("transform");
    let xs: Vec<f64> = (0..1024)
        .map(|i| 500_000.0 + f64::from(i) * 150.0)
        .collect();
    let ys: Vec<f64> = (0..1024)
        .map(|i| 6_700_000.0 + f64::from(i) * 170.0)
        .collect();
    g.throughput(Throughput::Elements(1024));
    for (from, to) in [(3857, 28992), (3857, 4326), (4326, 32631)] {
        let t = Transformer::new(Crs(from), Crs(to)).expect("transformer");
        let (inx, iny) = if from == 4326 {
            (
                xs.iter().map(|x| x / 1e5 - 3.0).collect(),
                ys.iter().map(|y| y / 2e5 + 18.0).collect(),
            )
        } else {
            (xs.clone(), ys.clone())
        };
        let (inx, iny): (Vec<f64>, Vec<f64>) = (inx, iny);
        g.bench_function(format!("{from}_to_{to}_points"), |b| {
            b.iter(|| {
                for (&x, &y) in inx.iter().zip(&iny) {
                    let _ = black_box(t.transform(black_box(x), black_box(y)));
                }
            })
        });
        g.bench_function(format!("{from}_to_{to}_slices"), |b| {
            let (mut bx, mut by) = (inx.clone(), iny.clone());
            b.iter(|| {
                bx.copy_from_slice(&inx);
                by.copy_from_slice(&iny);
                t.transform_in_place(&mut bx, &mut by);
                black_box((&bx, &by));
            })
        });
    }
    g.finish();
}

criterion_group!(benches, mesh_build, mesh_rows, point_transforms);
criterion_main!(benches);
