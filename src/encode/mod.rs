//! Output encodings: bytes for responses and files, from finished `model`
//! values only; no styling, no I/O, nothing above `model`.
//!
//! * `png`: indexed and RGBA PNG (fdeflate's fast path);
//! * `tiff`: little-endian TIFF/BigTIFF writing primitives (IFDs, GeoKeys,
//!   GDAL_NODATA), shared with the store's frame writer;
//! * `geotiff`: a rendered grid as a single-band GeoTIFF of raw values.

pub mod geotiff;
pub mod png;
pub mod tiff;

pub use png::EncodeError;
