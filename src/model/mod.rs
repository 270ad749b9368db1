//! Shared value types: the vocabulary every other module speaks.
//!
//! Nothing here does I/O or heavy computation; these are plain values with
//! small, obviously-correct methods. Lower than every other module: `model`
//! imports nothing from the crate.

mod bbox;
mod crs;
mod dtype;
mod error;
mod raster;
mod request;
mod source;
mod time;

pub use bbox::{BBox, GeoTransform, GridSpec};
pub use crs::Crs;
pub use dtype::{DataType, Pixel};
pub use error::ErrorClass;
pub use raster::{RasterBuf, RasterData};
pub use request::{LayerRef, OutputFormat, RenderRequest, Resampling, Rgb};
pub use source::{LevelInfo, PyramidInfo, RasterSource, SourceError, Window};
pub use time::{TimeEdge, TimeSel, TimeSpan};
