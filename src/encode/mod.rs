//! Encoders: styled images to PNG (and raw values to GeoTIFF/JSON).
//!
//! Pure byte production from finished pixel buffers; no styling, no I/O.
//! May use only `model`.

pub mod png;
