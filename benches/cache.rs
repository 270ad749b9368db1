//! Cache hit latency: `TileCache::get_or_render` on a present key, plus the cost of
//! building a `RenderKey` and its ETag (both paid on every tile request).
//!
//! Run: `cargo bench --bench cache`. Synthetic keys only; no storage or rendering.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "benchmark setup: a bench that cannot build its inputs should stop loudly"
)]

use bytes::Bytes;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use tegel::cache::{RenderKey, Rendered, TileCache};
use tegel::model::{
    BBox, Crs, GridSpec, LayerRef, OutputFormat, RenderRequest, Resampling, Rgb, TimeSel,
};
use uuid::Uuid;

fn request(x: u32) -> RenderRequest {
    let x0 = 155000.0 + f64::from(x) * 256.0;
    RenderRequest {
        layer: LayerRef {
            id: Uuid::from_u128(0x6c1f_6a2e_7d3b_4e0a_9a51_2f4b_8c0d_9e17),
            version: 3,
        },
        grid: GridSpec {
            crs: Crs(28992),
            bbox: BBox::new(x0, 463000.0, x0 + 256.0, 463256.0),
            width: 256,
            height: 256,
        },
        time: TimeSel::Latest,
        style: "RdBu_r:-4.6:-1.17".to_owned(),
        format: OutputFormat::Png,
        resampling: Resampling::Nearest,
        transparent: true,
        bgcolor: Rgb::WHITE,
    }
}

fn tile() -> Rendered {
    Rendered {
        bytes: Bytes::from(vec![0u8; 20_000]),
        content_type: "image/png",
    }
}

fn bench(c: &mut Criterion) {
    let Ok(rt) = tokio::runtime::Builder::new_current_thread().build() else {
        return;
    };
    let cache = TileCache::new(256 << 20);
    let keys: Vec<RenderKey> = (0..1024).map(|x| RenderKey::new(&request(x))).collect();
    rt.block_on(async {
        for k in &keys {
            let _ = cache
                .get_or_render(k.clone(), || async { Ok::<_, ()>(tile()) })
                .await;
        }
    });

    let mut g = c.benchmark_group("cache");
    g.throughput(Throughput::Elements(1));
    let mut i = 0usize;
    g.bench_function("hit", |b| {
        b.iter(|| {
            i = (i + 1) % keys.len();
            let key = keys[i].clone();
            let v = rt.block_on(cache.get_or_render(key, || async { Ok::<_, ()>(tile()) }));
            black_box(v)
        })
    });
    let req = request(7);
    g.bench_function("render_key_new", |b| {
        b.iter(|| black_box(RenderKey::new(black_box(&req))))
    });
    let key = RenderKey::new(&req);
    g.bench_function("etag", |b| b.iter(|| black_box(black_box(&key).etag())));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
