//! Coordinates: the CRS registry, transforms between CRSs, the approximate
//! transformer used for warping, and tile matrix sets.
//!
//! * `crs` — which EPSG codes tegel serves, names, axis order.
//! * `transform` — exact point transforms (`Transformer`) through proj4rs.
//! * `cache` — `TransformCache`, transformers shared per (from, to) pair.
//! * `envelope` — `transform_bbox`, the envelope of a densified box.
//! * `approx` — `PixelMesh`, the interpolated destination → source pixel map for warping.
//! * `tiles` — Web Mercator XYZ tile math.
//! * `tms` — tile matrix sets (WMTS / OGC TMS 2.0) and tile ↔ extent math.
//! * `tms_json` — tile matrix sets from OGC TMS 2.0 JSON documents.
//! * `error` — `GeoError`.
//!
//! Pure computation over `model` types; no I/O, nothing above `model`.

pub mod approx;
pub mod cache;
pub mod crs;
pub mod envelope;
pub mod error;
pub mod tiles;
pub mod tms;
pub mod tms_json;
pub mod transform;

pub use approx::PixelMesh;
pub use cache::TransformCache;
pub use envelope::transform_bbox;
pub use error::GeoError;
pub use transform::Transformer;

#[cfg(test)]
mod tests;
