//! The on-disk store: ingest of GeoTIFFs into pyramided, tiled frames and
//! zero-copy reads of them (DESIGN §3).
//!
//! * `input`: read an uploaded GeoTIFF band by band (`open_geotiff`) or whole
//!   (`decode_geotiff`), within `Limits`;
//! * `georef`: GeoTIFF georeferencing tags → `Crs` + `GeoTransform`;
//! * `overview`: the 2× reductions of a pyramid;
//! * `writer`: `write_frame`/`write_frame_from`, the tegel GeoTIFF layout (COG
//!   order, aligned tiles), written from 256-row bands in bounded memory;
//! * `frame`: `StoredFrame`, a memory-mapped frame as a `RasterSource`;
//! * `mmap`: the one place allowed `unsafe` (mapping a file);
//! * `store`: `Store`, the data folder, frame files and the LRU of open maps.
//!
//! Uses `model`, `geo` (CRS registry) and `encode::tiff` (TIFF writing); it never
//! knows timestamps or layers (the catalogue maps those to frame ids).

mod error;
mod frame;
mod georef;
pub mod input;
mod mmap;
mod overview;
mod store;
mod writer;

pub use error::StoreError;
pub use frame::StoredFrame;
pub use georef::GeorefError;
pub use input::{
    DecodedRaster, GeoTiffReader, InputError, InputHeader, Limits, decode_geotiff, open_geotiff,
};
pub use overview::{level_sizes, reduce_level};
pub use store::{FrameMeta, Store};
pub use writer::{BandSource, TILE_SIZE, write_frame, write_frame_from};

#[cfg(test)]
mod tests;
