//! `TransformCache`: one shared `Transformer` per (from, to) pair.
//!
//! A plain value (no globals): the owner decides its lifetime and sharing.
//! Must not touch: transform maths (see `transform.rs`).

use std::collections::HashMap;
use std::sync::{Arc, PoisonError, RwLock};

use super::error::GeoError;
use super::transform::Transformer;
use crate::model::Crs;

/// Default bound on cached pairs; far above the pairs a deployment really uses.
pub const DEFAULT_MAX_PAIRS: usize = 4096;

/// Caches transformers by (from, to).
///
/// Reads take a shared lock; a miss builds the transformer outside the lock (tens
/// of µs) and inserts it. Past `max_pairs` entries new pairs are built but not
/// stored, so hostile CRS combinations cannot grow memory without bound.
#[derive(Debug)]
pub struct TransformCache {
    map: RwLock<HashMap<(Crs, Crs), Arc<Transformer>>>,
    max_pairs: usize,
}

impl Default for TransformCache {
    fn default() -> Self {
        TransformCache::with_capacity(DEFAULT_MAX_PAIRS)
    }
}

impl TransformCache {
    /// An empty cache with the default bound.
    pub fn new() -> TransformCache {
        TransformCache::default()
    }

    /// An empty cache storing at most `max_pairs` transformers.
    pub fn with_capacity(max_pairs: usize) -> TransformCache {
        TransformCache {
            map: RwLock::new(HashMap::new()),
            max_pairs,
        }
    }

    /// The transformer from `from` to `to`, built on first use.
    ///
    /// Errors as [`Transformer::new`]; failures are not cached.
    pub fn get(&self, from: Crs, to: Crs) -> Result<Arc<Transformer>, GeoError> {
        // A poisoned lock only means another thread panicked mid-insert; the map
        // itself is always consistent, so keep using it.
        if let Some(t) = self
            .map
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&(from, to))
        {
            return Ok(Arc::clone(t));
        }
        let built = Arc::new(Transformer::new(from, to)?);
        let mut map = self.map.write().unwrap_or_else(PoisonError::into_inner);
        if let Some(t) = map.get(&(from, to)) {
            return Ok(Arc::clone(t));
        }
        if map.len() < self.max_pairs {
            map.insert((from, to), Arc::clone(&built));
        }
        Ok(built)
    }

    /// Number of cached pairs.
    pub fn len(&self) -> usize {
        self.map
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    /// True when nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
