//! `GeoError`: why a CRS lookup, transform or tile computation failed.
//!
//! Classified by cause so `http` can map it; knows nothing of protocols.

use crate::model::ErrorClass;

/// Failures of the `geo` module.
#[derive(Debug, thiserror::Error, Clone, PartialEq)]
pub enum GeoError {
    /// No transform definition exists for this EPSG code.
    #[error("unsupported CRS EPSG:{0}")]
    UnknownCrs(u32),
    /// The definition of a known code could not be parsed (a bug or a bad table entry).
    #[error("invalid definition for EPSG:{code}: {reason}")]
    Definition { code: u32, reason: String },
    /// A coordinate lies outside the domain of the transform.
    #[error("coordinate ({x}, {y}) cannot be transformed from EPSG:{from} to EPSG:{to}")]
    OutOfDomain { from: u32, to: u32, x: f64, y: f64 },
    /// A bounding box is empty, inverted or not finite.
    #[error("invalid bounding box")]
    InvalidBBox,
    /// A tile address outside the tile matrix.
    #[error("tile z={z} x={x} y={y} is outside the tile matrix")]
    TileOutOfRange { z: u32, x: u32, y: u32 },
}

impl GeoError {
    /// The protocol-independent cause of this error.
    pub fn class(&self) -> ErrorClass {
        match self {
            GeoError::UnknownCrs(_) => ErrorClass::Unsupported,
            GeoError::Definition { .. } => ErrorClass::Internal,
            GeoError::OutOfDomain { .. }
            | GeoError::InvalidBBox
            | GeoError::TileOutOfRange { .. } => ErrorClass::BadRequest,
        }
    }
}
