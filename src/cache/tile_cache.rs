//! `TileCache`: a byte-bounded concurrent cache of rendered responses with
//! single-flight misses, over `quick_cache`.
//!
//! It stores and hands out bytes; it never renders, parses or sets HTTP headers.

use super::RenderKey;
use bytes::Bytes;
use quick_cache::sync::Cache;
use quick_cache::{OptionsBuilder, Weighter};
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use uuid::Uuid;

/// One rendered response: the encoded bytes and their MIME type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rendered {
    pub bytes: Bytes,
    pub content_type: &'static str,
}

impl Rendered {
    /// Takes an encoder's output. The buffer is shrunk to its length first: an
    /// encoder's `Vec` may hold up to twice its length in spare capacity, which
    /// `Bytes` would keep alive while the cache weighs only the length.
    pub fn from_vec(mut bytes: Vec<u8>, content_type: &'static str) -> Rendered {
        bytes.shrink_to_fit();
        Rendered {
            bytes: Bytes::from(bytes),
            content_type,
        }
    }
}

/// Weight of an entry: everything it keeps allocated, see [`entry_weight`].
#[derive(Clone, Copy, Debug)]
struct ByteWeigher;

impl Weighter<RenderKey, Arc<Rendered>> for ByteWeigher {
    fn weight(&self, key: &RenderKey, val: &Arc<Rendered>) -> u64 {
        entry_weight(
            key.heap_size() - std::mem::size_of::<RenderKey>(),
            val.bytes.len(),
        )
    }
}

/// What the allocator may hand out for a request of `n` bytes, bookkeeping
/// included: size classes up to 12.5 % apart (mimalloc's bins; glibc's 16-byte
/// granules and page-rounded mapped blocks stay below this) plus a header.
pub(crate) fn allocated(n: usize) -> u64 {
    let n = n as u64;
    if n == 0 {
        0
    } else {
        (n + n / 8).div_ceil(16) * 16 + 16
    }
}

/// Fixed bytes per entry besides its body and key text: the cache's slot
/// (key inline, the `Arc`, CLOCK-Pro state and list links; counted twice, as a
/// ghost entry may hold a slot of the same size), the hash index at a low load
/// factor, the `Arc<Rendered>` block and the shared header `Bytes` allocates
/// once a body is handed out.
pub(crate) const fn entry_overhead() -> u64 {
    let slot = std::mem::size_of::<RenderKey>() + std::mem::size_of::<Arc<Rendered>>() + 32;
    let index = 16;
    let arc_block = 2 * std::mem::size_of::<usize>() + std::mem::size_of::<Rendered>() + 16;
    let shared = 48;
    (2 * slot + index + arc_block + shared) as u64
}

/// Weight of an entry with `key_text` bytes of key strings and a body of `body`
/// bytes: both as allocated, plus [`entry_overhead`]. An upper bound of what the
/// entry holds, so the cache's byte bound is a bound on its memory.
pub(crate) fn entry_weight(key_text: usize, body: usize) -> u64 {
    entry_overhead() + allocated(key_text) + allocated(body)
}

/// Counters and occupancy, a snapshot taken by [`TileCache::stats`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct CacheStats {
    /// Found in the cache at once.
    pub hits: u64,
    /// Waited for another caller's render of the same key and got its value.
    pub coalesced: u64,
    /// Rendered by this caller (every call when the cache is disabled).
    pub misses: u64,
    /// Renders that failed (not cached).
    pub errors: u64,
    /// Entries held now.
    pub entries: u64,
    /// Bytes held now (sum of entry weights).
    pub bytes: u64,
    /// The byte bound (0 = disabled).
    pub capacity_bytes: u64,
}

/// A byte-bounded cache of rendered responses keyed by [`RenderKey`].
///
/// * Bounded by `max_bytes` over the sum of entry weights (body, key and every
///   per-entry allocation and bookkeeping, see [`entry_weight`]). Eviction is
///   quick_cache's CLOCK-Pro (hit rate at least LRU's). The bound is split over
///   internal shards, so one body larger than a shard's share is served but not kept.
/// * Concurrent misses for one key render once; the others wait for that value.
/// * Errors are never cached; see [`TileCache::get_or_render`].
/// * `max_bytes == 0` disables it: every call renders, no single-flight.
pub struct TileCache {
    inner: Option<Cache<RenderKey, Arc<Rendered>, ByteWeigher>>,
    capacity: u64,
    hits: AtomicU64,
    coalesced: AtomicU64,
    misses: AtomicU64,
    errors: AtomicU64,
}

impl std::fmt::Debug for TileCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TileCache")
            .field("stats", &self.stats())
            .finish()
    }
}

/// Body size the shard/item estimate assumes (a 256² indexed PNG is ~20 KB, RGBA ~90 KB).
const TYPICAL_ENTRY_BYTES: u64 = 32 * 1024;

impl TileCache {
    /// A cache holding at most `max_bytes` of entries; 0 = disabled.
    pub fn new(max_bytes: u64) -> TileCache {
        let inner = (max_bytes > 0).then(|| {
            let items = (max_bytes / TYPICAL_ENTRY_BYTES).clamp(64, 1 << 22) as usize;
            let wanted = std::thread::available_parallelism().map_or(4, |n| n.get() * 4) as u64;
            // A power of two no larger than max_bytes, so every shard gets ≥ 1 byte.
            let wanted = wanted.clamp(1, max_bytes);
            let shards = 1u64 << (63 - wanted.leading_zeros());
            // quick_cache rounds each shard's share up; a multiple of the shard count
            // (which it only ever halves) keeps the sum of shares within max_bytes.
            let capacity = max_bytes / shards * shards;
            let options = OptionsBuilder::new()
                .estimated_items_capacity(items)
                .weight_capacity(capacity)
                .shards(shards as usize)
                .build();
            match options {
                Ok(o) => {
                    Cache::with_options(o, ByteWeigher, Default::default(), Default::default())
                }
                // Unreachable with the values above; fall back to the plain constructor.
                Err(_) => Cache::with_weighter(items, capacity, ByteWeigher),
            }
        });
        TileCache {
            inner,
            capacity: max_bytes,
            hits: AtomicU64::new(0),
            coalesced: AtomicU64::new(0),
            misses: AtomicU64::new(0),
            errors: AtomicU64::new(0),
        }
    }

    /// False when built with `max_bytes == 0`.
    pub fn is_enabled(&self) -> bool {
        self.inner.is_some()
    }

    /// The cached value for `key`, or the value of `render()`, rendering at most once
    /// per key at a time.
    ///
    /// * Hit: returns at once (no allocation beyond the `Arc` clone).
    /// * Miss: the first caller gets a guard and awaits `render()`; concurrent callers
    ///   for the same key wait (asynchronously) for it and share its `Arc`.
    /// * Error: the value is not cached and the error goes to this caller only. One
    ///   waiting caller (if any) then takes over and calls its own `render`; the rest
    ///   wait for that one. So waiters retry, one at a time, never all at once.
    /// * Cancellation (the future dropped mid-render) acts like an error.
    /// * Disabled cache: calls `render()` every time, without single-flight.
    pub async fn get_or_render<F, Fut, E>(
        &self,
        key: RenderKey,
        render: F,
    ) -> Result<Arc<Rendered>, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Rendered, E>>,
    {
        let Some(cache) = &self.inner else {
            self.misses.fetch_add(1, Relaxed);
            return self.count_error(render().await).map(Arc::new);
        };
        if let Some(v) = cache.get(&key) {
            self.hits.fetch_add(1, Relaxed);
            return Ok(v);
        }
        match cache.get_value_or_guard_async(&key).await {
            Ok(v) => {
                self.coalesced.fetch_add(1, Relaxed);
                Ok(v)
            }
            Err(guard) => {
                self.misses.fetch_add(1, Relaxed);
                let value = Arc::new(self.count_error(render().await)?);
                // Err only if the placeholder was removed meanwhile (invalidation):
                // the caller still gets its value, it is just not kept.
                let _ = guard.insert(Arc::clone(&value));
                Ok(value)
            }
        }
    }

    fn count_error<T, E>(&self, r: Result<T, E>) -> Result<T, E> {
        if r.is_err() {
            self.errors.fetch_add(1, Relaxed);
        }
        r
    }

    /// Drop every entry of `layer` (any version). Versioned keys already make stale
    /// entries unreachable; this only frees their memory sooner. Cost: a scan of
    /// all entries under each shard's write lock.
    pub fn invalidate_layer(&self, layer: Uuid) {
        if let Some(cache) = &self.inner {
            cache.retain(|k, _| k.layer_id() != layer);
        }
    }

    /// Drop everything (counters are kept).
    pub fn clear(&self) {
        if let Some(cache) = &self.inner {
            cache.clear();
        }
    }

    /// Counters since creation and current occupancy. Cost: reads every shard's lock.
    pub fn stats(&self) -> CacheStats {
        CacheStats {
            hits: self.hits.load(Relaxed),
            coalesced: self.coalesced.load(Relaxed),
            misses: self.misses.load(Relaxed),
            errors: self.errors.load(Relaxed),
            entries: self.inner.as_ref().map_or(0, |c| c.len() as u64),
            bytes: self.inner.as_ref().map_or(0, |c| c.weight()),
            capacity_bytes: self.capacity,
        }
    }

    /// Every entry held now (tests check the byte bound independently of `weight()`).
    #[cfg(test)]
    pub(super) fn entries(&self) -> Vec<(RenderKey, Arc<Rendered>)> {
        self.inner
            .as_ref()
            .map_or_else(Vec::new, |c| c.iter().collect())
    }
}
