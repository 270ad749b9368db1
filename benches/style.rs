//! Benchmarks of the style kernel: value → colormap index for a 256² tile,
//! the scalar reference beside it, and palette building.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "benchmark setup: a bench that cannot build its inputs should stop loudly"
)]

use criterion::{Criterion, Throughput, black_box, criterion_group, criterion_main};
use tegel::model::Rgb;
use tegel::style::{Fill, Style, indices_into, indices_scalar_into, palette, rgba_into};

const SIDE: usize = 256;

/// A smooth field over [-5, 60] with a nodata corner (-9999), as a DEM tile.
fn field() -> Vec<f32> {
    (0..SIDE * SIDE)
        .map(|i| {
            let (x, y) = ((i % SIDE) as f32 / 40.0, (i / SIDE) as f32 / 55.0);
            if x + y < 0.4 {
                -9999.0
            } else {
                27.5 + 30.0 * (x.sin() * y.cos())
            }
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let lut = Style::parse("terrain:-5:60").unwrap().lut();
    let f32s = field();
    let f64s: Vec<f64> = f32s.iter().map(|&v| f64::from(v)).collect();
    let mut idx = vec![0u8; SIDE * SIDE];
    let mut mask = vec![0u8; SIDE * SIDE];
    let mut g = c.benchmark_group("style");
    g.throughput(Throughput::Elements((SIDE * SIDE) as u64));
    g.bench_function("indices_f32_256x256", |b| {
        b.iter(|| {
            indices_into(
                &lut,
                black_box(&f32s),
                Some(-9999.0),
                None,
                &mut idx,
                &mut mask,
            )
        })
    });
    g.bench_function("indices_f64_256x256", |b| {
        b.iter(|| {
            indices_into(
                &lut,
                black_box(&f64s),
                Some(-9999.0),
                None,
                &mut idx,
                &mut mask,
            )
        })
    });
    let valid = vec![1u8; SIDE * SIDE];
    g.bench_function("indices_f32_valid_256x256", |b| {
        b.iter(|| {
            indices_into(
                &lut,
                black_box(&f32s),
                Some(-9999.0),
                Some(&valid),
                &mut idx,
                &mut mask,
            )
        })
    });
    g.bench_function("indices_f32_scalar_ref_256x256", |b| {
        b.iter(|| {
            indices_scalar_into(
                &lut,
                black_box(&f32s),
                Some(-9999.0),
                None,
                &mut idx,
                &mut mask,
            )
        })
    });
    let any = indices_into(&lut, &f32s, Some(-9999.0), None, &mut idx, &mut mask).unwrap();
    let fill = Fill {
        transparent: true,
        bgcolor: Rgb::WHITE,
    };
    g.bench_function("palette_256x256", |b| {
        b.iter(|| {
            let mut work = idx.clone();
            palette(&lut, black_box(&mut work), &mask, any, fill)
        })
    });
    let mut rgba = vec![0u8; SIDE * SIDE * 4];
    g.bench_function("rgba_256x256", |b| {
        b.iter(|| rgba_into(&lut, black_box(&idx), &mask, fill, &mut rgba))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
