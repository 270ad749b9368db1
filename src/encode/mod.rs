//! Output encodings: bytes for responses and files, from finished `model`
//! values only; no styling, no I/O, nothing above `model`.
//!
//! * `png`: indexed and RGBA PNG (fdeflate's fast path);
//! * `tiff`: little-endian TIFF/BigTIFF writing primitives (IFDs, GeoKeys,
//!   GDAL_NODATA), shared with the store's frame writer;
//! * `geotiff`: a rendered grid as a single-band GeoTIFF of raw values;
//! * `font`, `text`: a built-in 5×7 ASCII font and text drawn into RGBA buffers
//!   (legend labels, in-image exceptions).

pub mod font;
pub mod geotiff;
pub mod png;
pub mod text;
pub mod tiff;

pub use png::EncodeError;
