//! Tests of `RenderKey` (fields, stable ETag) and `TileCache` (bound, single-flight,
//! errors, disabled mode, invalidation).

use super::tile_cache::{allocated, entry_weight};
use super::*;
use crate::model::{
    BBox, Crs, GridSpec, LayerRef, OutputFormat, RenderRequest, Resampling, Rgb, TimeSel,
};
use bytes::Bytes;
use chrono::{TimeZone, Utc};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use uuid::Uuid;

const LAYER: &str = "6c1f6a2e-7d3b-4e0a-9a51-2f4b8c0d9e17";

fn request() -> RenderRequest {
    RenderRequest {
        layer: LayerRef {
            id: Uuid::parse_str(LAYER).unwrap(),
            version: 7,
        },
        grid: GridSpec {
            crs: Crs(28992),
            bbox: BBox::new(207750.0, 457250.0, 230500.0, 473500.0),
            width: 256,
            height: 256,
        },
        time: TimeSel::Nearest(Utc.with_ymd_and_hms(2024, 6, 1, 12, 5, 0).unwrap()),
        style: "RdBu_r:-4.6:-1.17".to_owned(),
        format: OutputFormat::Png,
        resampling: Resampling::Nearest,
        transparent: true,
        bgcolor: Rgb::WHITE,
    }
}

fn key_n(n: u32) -> RenderKey {
    let mut r = request();
    r.grid.width = n + 1;
    RenderKey::new(&r)
}

fn body(len: usize) -> Rendered {
    Rendered {
        bytes: Bytes::from(vec![7u8; len]),
        content_type: "image/png",
    }
}

/// The expected values were computed independently in Python from the documented
/// encoding (FNV-1a 64 over the canonical bytes, then MurmurHash3 fmix64):
///
/// ```text
/// b = b"tegel-render-key/1" + uuid.UUID(LAYER).bytes + struct.pack("<QI", 7, 28992)
/// b += b"".join(struct.pack("<d", v) for v in bbox) + struct.pack("<II", 256, 256)
/// b += b"\x01" + struct.pack("<qI", 1717243500, 0)          # time, or b"\x00" for latest
/// b += struct.pack("<Q", len(style)) + style + bytes([fmt, resampling, transparent]) + bytes(bg)
/// ```
#[test]
fn etag_is_a_fixed_function_of_the_key() {
    let r = request();
    assert_eq!(RenderKey::new(&r).etag(), "\"a7223c6159d11f96\"");
    let mut v8 = r.clone();
    v8.layer.version = 8;
    assert_eq!(RenderKey::new(&v8).etag(), "\"48ca405d789e6c05\"");
    let other = RenderRequest {
        grid: GridSpec {
            crs: Crs(3857),
            bbox: BBox::new(0.0, 0.0, 1.0, 1.0),
            width: 512,
            height: 512,
        },
        time: TimeSel::Latest,
        style: String::new(),
        format: OutputFormat::GeoTiff,
        resampling: Resampling::Bilinear,
        transparent: false,
        bgcolor: Rgb([0, 0, 0]),
        ..r
    };
    assert_eq!(RenderKey::new(&other).etag(), "\"c4030e755ffd32c2\"");
}

type Change = Box<dyn Fn(&mut RenderRequest)>;

#[test]
fn every_input_changes_key_and_etag() {
    let base = request();
    let base_key = RenderKey::new(&base);
    assert_eq!(base_key, RenderKey::from(&base.clone()));
    let changes: Vec<(&str, Change)> = vec![
        ("layer id", Box::new(|r| r.layer.id = Uuid::nil())),
        ("version", Box::new(|r| r.layer.version += 1)),
        ("crs", Box::new(|r| r.grid.crs = Crs(3857))),
        (
            "min_x",
            Box::new(|r| r.grid.bbox.min_x = f64::from_bits(r.grid.bbox.min_x.to_bits() + 1)),
        ),
        ("min_y", Box::new(|r| r.grid.bbox.min_y += 1.0)),
        ("max_x", Box::new(|r| r.grid.bbox.max_x += 1.0)),
        ("max_y", Box::new(|r| r.grid.bbox.max_y += 1.0)),
        ("width", Box::new(|r| r.grid.width = 512)),
        ("height", Box::new(|r| r.grid.height = 512)),
        ("time latest", Box::new(|r| r.time = TimeSel::Latest)),
        (
            "time nanos",
            Box::new(|r| r.time = TimeSel::Nearest(Utc.timestamp_opt(1_717_243_500, 1).unwrap())),
        ),
        (
            "style",
            Box::new(|r| r.style = "RdBu_r:-4.6:-1.18".to_owned()),
        ),
        ("format", Box::new(|r| r.format = OutputFormat::GeoTiff)),
        (
            "resampling",
            Box::new(|r| r.resampling = Resampling::Bilinear),
        ),
        ("transparent", Box::new(|r| r.transparent = false)),
        ("bgcolor", Box::new(|r| r.bgcolor = Rgb([255, 255, 254]))),
    ];
    let mut etags = std::collections::HashSet::new();
    etags.insert(base_key.etag());
    for (what, change) in changes {
        let mut r = base.clone();
        change(&mut r);
        let k = RenderKey::new(&r);
        assert_ne!(k, base_key, "{what}");
        assert!(etags.insert(k.etag()), "{what}: ETag collides");
    }
}

#[tokio::test]
async fn byte_bound_holds_under_many_inserts() {
    let max = 64 * 1024;
    let cache = TileCache::new(max);
    for n in 0..2000u32 {
        let len = 200 + (n as usize * 37) % 1800;
        let got = cache
            .get_or_render(key_n(n), || async move { Ok::<_, ()>(body(len)) })
            .await
            .unwrap();
        assert_eq!(got.bytes.len(), len);
        // Independent sum of what is held: key + header + body per entry.
        let held: u64 = cache
            .entries()
            .iter()
            .map(|(k, v)| (k.heap_size() + std::mem::size_of::<Rendered>() + v.bytes.len()) as u64)
            .sum();
        assert!(held <= max, "after {n} inserts {held} bytes > {max}");
    }
    let s = cache.stats();
    assert!(s.entries > 10, "{s:?}");
    assert!(s.bytes <= max);
    assert_eq!(s.misses, 2000);
    assert_eq!(s.capacity_bytes, max);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_misses_render_once() {
    let cache = Arc::new(TileCache::new(1 << 20));
    let renders = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let (cache, renders) = (Arc::clone(&cache), Arc::clone(&renders));
        tasks.push(tokio::spawn(async move {
            cache
                .get_or_render(key_n(1), || async move {
                    renders.fetch_add(1, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    Ok::<_, String>(body(1000))
                })
                .await
        }));
    }
    let mut values = Vec::new();
    for t in tasks {
        values.push(t.await.unwrap().unwrap());
    }
    assert_eq!(renders.load(Ordering::SeqCst), 1);
    assert!(values.iter().all(|v| Arc::ptr_eq(v, &values[0])));
    let s = cache.stats();
    assert_eq!(
        (s.misses, s.hits + s.coalesced, s.entries),
        (1, 15, 1),
        "{s:?}"
    );
}

#[tokio::test]
async fn errors_are_not_cached() {
    let cache = TileCache::new(1 << 20);
    let renders = AtomicUsize::new(0);
    let render = |ok: bool| {
        renders.fetch_add(1, Ordering::SeqCst);
        async move { if ok { Ok(body(10)) } else { Err("boom") } }
    };
    assert_eq!(
        cache.get_or_render(key_n(1), || render(false)).await,
        Err("boom")
    );
    assert_eq!(cache.stats().entries, 0);
    assert_eq!(
        cache
            .get_or_render(key_n(1), || render(true))
            .await
            .unwrap()
            .bytes
            .len(),
        10
    );
    assert_eq!(
        cache
            .get_or_render(key_n(1), || render(true))
            .await
            .unwrap()
            .bytes
            .len(),
        10
    );
    assert_eq!(renders.load(Ordering::SeqCst), 2);
    let s = cache.stats();
    assert_eq!((s.misses, s.errors, s.hits), (2, 1, 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn waiters_retry_after_a_failed_render() {
    let cache = Arc::new(TileCache::new(1 << 20));
    let renders = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (cache, renders) = (Arc::clone(&cache), Arc::clone(&renders));
        tasks.push(tokio::spawn(async move {
            cache
                .get_or_render(key_n(2), || async move {
                    let attempt = renders.fetch_add(1, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    if attempt == 0 {
                        Err("first render fails")
                    } else {
                        Ok(body(5))
                    }
                })
                .await
        }));
    }
    let mut errors = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(v) => assert_eq!(v.bytes.len(), 5),
            Err(_) => errors += 1,
        }
    }
    // Only the failing caller sees the error; one waiter re-rendered for the rest.
    assert_eq!(errors, 1);
    assert_eq!(renders.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn disabled_cache_always_renders() {
    let cache = TileCache::new(0);
    assert!(!cache.is_enabled());
    let renders = AtomicUsize::new(0);
    for _ in 0..3 {
        let v = cache
            .get_or_render(key_n(1), || {
                renders.fetch_add(1, Ordering::SeqCst);
                async { Ok::<_, ()>(body(3)) }
            })
            .await
            .unwrap();
        assert_eq!(v.content_type, "image/png");
    }
    assert_eq!(renders.load(Ordering::SeqCst), 3);
    let s = cache.stats();
    assert_eq!(
        (s.misses, s.hits, s.entries, s.bytes, s.capacity_bytes),
        (3, 0, 0, 0, 0)
    );
}

#[tokio::test]
async fn invalidate_layer_drops_only_that_layer() {
    let cache = TileCache::new(1 << 20);
    let mut other = request();
    other.layer.id = Uuid::nil();
    let keys = [key_n(1), key_n(2), RenderKey::new(&other)];
    for k in &keys {
        cache
            .get_or_render(k.clone(), || async { Ok::<_, ()>(body(100)) })
            .await
            .unwrap();
    }
    assert_eq!(cache.stats().entries, 3);
    cache.invalidate_layer(Uuid::parse_str(LAYER).unwrap());
    assert_eq!(cache.stats().entries, 1);
    let renders = AtomicUsize::new(0);
    for k in &keys {
        cache
            .get_or_render(k.clone(), || {
                renders.fetch_add(1, Ordering::SeqCst);
                async { Ok::<_, ()>(body(100)) }
            })
            .await
            .unwrap();
    }
    assert_eq!(renders.load(Ordering::SeqCst), 2);
    cache.clear();
    assert_eq!(cache.stats().entries, 0);
}

#[test]
fn entry_weight_covers_every_allocation_of_an_entry() {
    // What one entry holds, allocation by allocation (the process allocator
    // rounds each block up; `allocated` must never be below the request).
    for n in [0usize, 1, 15, 16, 17, 64, 1000, 4096, 100_000, 1 << 20] {
        assert!(allocated(n) >= n as u64, "{n}");
        assert!(allocated(n) <= n as u64 + n as u64 / 8 + 32, "{n}");
    }
    let key = key_n(1);
    let text = key.heap_size() - std::mem::size_of::<RenderKey>();
    assert_eq!(text, "RdBu_r:-4.6:-1.17".len());
    let body = 64;
    let held = std::mem::size_of::<RenderKey>()      // the key, inline in the cache's slot
        + std::mem::size_of::<Arc<Rendered>>()        // the value, inline in the slot
        + 2 * std::mem::size_of::<usize>() + std::mem::size_of::<Rendered>() // the Arc block
        + 4 * std::mem::size_of::<usize>()            // `Bytes`' shared header once cloned
        + 8                                           // the hash index entry
        + text
        + body;
    let w = entry_weight(text, body);
    // Small bodies: the bookkeeping is most of the entry and all of it is
    // weighed, plus a second slot a ghost entry of the cache may take.
    let ghost = std::mem::size_of::<RenderKey>() + std::mem::size_of::<Arc<Rendered>>();
    assert!(
        w >= (held + ghost) as u64,
        "weight {w} < the {held} bytes held + a {ghost}-byte ghost slot"
    );
    assert!(w < 2048, "weight {w} is an estimate, not a multiple");
}

#[test]
fn many_small_entries_stay_within_the_bound_by_their_full_weight() {
    let max = 256 * 1024;
    let cache = TileCache::new(max);
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(async {
        for n in 0..5_000u32 {
            cache
                .get_or_render(key_n(n), || async {
                    Ok::<_, ()>(Rendered::from_vec(vec![n as u8; 64], "image/png"))
                })
                .await
                .unwrap();
        }
    });
    let held: u64 = cache
        .entries()
        .iter()
        .map(|(k, v)| {
            entry_weight(
                k.heap_size() - std::mem::size_of::<RenderKey>(),
                v.bytes.len(),
            )
        })
        .sum();
    let s = cache.stats();
    assert_eq!(held, s.bytes);
    assert!(held <= max, "{held} > {max}");
    // Each 64-byte body weighs its bookkeeping too: far fewer than max / 64 fit.
    assert!(
        s.entries > 0 && s.entries * 64 * 4 < max,
        "{} entries",
        s.entries
    );
}
