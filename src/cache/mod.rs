//! The rendered-response cache: [`RenderKey`] (what identifies a response, and its
//! ETag) and [`TileCache`] (byte-bounded, single-flight on misses).
//!
//! Imports only `model`; it never renders, and never sees HTTP.

mod key;
mod tile_cache;

pub use key::{RenderKey, etag_of};
pub use tile_cache::{CacheStats, Rendered, TileCache};

#[cfg(test)]
mod tests;
