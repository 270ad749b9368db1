//! Benchmarks of PNG encoding for realistic 256² styled tiles (a smooth
//! field and a noisy one, both with a nodata corner): indexed and RGBA, per
//! row filter. Sizes are printed once per case.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "benchmark setup: a bench that cannot build its inputs should stop loudly"
)]

use criterion::{Criterion, Throughput, black_box, criterion_group, criterion_main};
use tegel::encode::png::{encode_indexed_with, encode_rgba_with};
use tegel::model::Rgb;
use tegel::style::{Fill, Style, indices_into, palette, rgba_into};

const SIDE: usize = 256;

/// A smooth field over [-5, 60] with a nodata corner (-9999); `noise` adds a
/// deterministic ±noise jitter, as measured elevation has.
fn field(noise: f32) -> Vec<f32> {
    let mut s = 0x2545_f491u32;
    (0..SIDE * SIDE)
        .map(|i| {
            s ^= s << 13;
            s ^= s >> 17;
            s ^= s << 5;
            let jitter = (s as f32 / u32::MAX as f32 - 0.5) * 2.0 * noise;
            let (x, y) = ((i % SIDE) as f32 / 40.0, (i / SIDE) as f32 / 55.0);
            if x + y < 0.4 {
                -9999.0
            } else {
                27.5 + 30.0 * (x.sin() * y.cos()) + jitter
            }
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let lut = Style::parse("terrain:-5:60").unwrap().lut();
    let fill = Fill {
        transparent: true,
        bgcolor: Rgb::WHITE,
    };
    let side = SIDE as u32;
    let filters = [
        ("adaptive", png::Filter::Adaptive),
        ("none", png::Filter::NoFilter),
        ("up", png::Filter::Up),
        ("paeth", png::Filter::Paeth),
    ];
    let mut g = c.benchmark_group("encode");
    g.throughput(Throughput::Elements((SIDE * SIDE) as u64));
    for (field_name, noise) in [("smooth", 0.0), ("noisy", 0.5)] {
        let values = field(noise);
        let mut idx = vec![0u8; SIDE * SIDE];
        let mut mask = vec![0u8; SIDE * SIDE];
        let any = indices_into(&lut, &values, Some(-9999.0), None, &mut idx, &mut mask).unwrap();
        let mut rgba = vec![0u8; SIDE * SIDE * 4];
        rgba_into(&lut, &idx, &mask, fill, &mut rgba).unwrap();
        let pal = palette(&lut, &mut idx, &mask, any, fill).unwrap().unwrap();
        for (name, filter) in filters {
            let n = encode_indexed_with(side, side, &idx, &pal, filter)
                .unwrap()
                .len();
            let m = encode_rgba_with(side, side, &rgba, filter).unwrap().len();
            eprintln!("{field_name}/{name}: indexed {n} bytes, rgba {m} bytes");
            g.bench_function(format!("png_indexed_{name}_{field_name}_256x256"), |b| {
                b.iter(|| encode_indexed_with(side, side, black_box(&idx), &pal, filter))
            });
            g.bench_function(format!("png_rgba_{name}_{field_name}_256x256"), |b| {
                b.iter(|| encode_rgba_with(side, side, black_box(&rgba), filter))
            });
        }
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
