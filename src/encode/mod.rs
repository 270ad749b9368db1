//! Output encodings: bytes for responses and files, from `model` values only.
//!
//! `tiff` holds little-endian TIFF/BigTIFF writing primitives (IFDs, GeoKeys,
//! GDAL_NODATA); `geotiff` turns a rendered grid into a single-band GeoTIFF.
//! Nothing here reads files, touches the network or imports anything above `model`.

pub mod geotiff;
pub mod tiff;
