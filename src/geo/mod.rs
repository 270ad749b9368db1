//! Coordinates: the CRS registry, transforms between CRSs, the approximate
//! transformer used for warping, and tile matrix sets.
//!
//! Pure computation over `model` types; no I/O, nothing above `model`.

pub mod crs;
