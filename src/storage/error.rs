//! `StoreError`: why a store operation failed, by cause.

use crate::encode::tiff::TiffWriteError;
use crate::model::ErrorClass;
use crate::storage::input::InputError;
use std::path::PathBuf;
use uuid::Uuid;

/// Failures of ingest, frame files and the store folder.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The uploaded file was refused (its class says why).
    #[error(transparent)]
    Input(#[from] InputError),
    #[error("I/O error on {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A frame file does not have the layout tegel writes (damaged or foreign).
    #[error("store file {path} is corrupt: {reason}")]
    Corrupt { path: PathBuf, reason: String },
    #[error("frame {frame:?} of source {source_id} does not exist")]
    NotFound { source_id: Uuid, frame: String },
    #[error("invalid frame id {0:?}")]
    BadFrameName(String),
    /// The raster handed to the writer is inconsistent (a caller bug).
    #[error("invalid raster: {0}")]
    InvalidRaster(String),
    #[error(transparent)]
    Tiff(#[from] TiffWriteError),
}

impl StoreError {
    pub fn class(&self) -> ErrorClass {
        match self {
            StoreError::Input(e) => e.class(),
            StoreError::NotFound { .. } => ErrorClass::NotFound,
            StoreError::BadFrameName(_) => ErrorClass::BadRequest,
            StoreError::Io { .. }
            | StoreError::Corrupt { .. }
            | StoreError::InvalidRaster(_)
            | StoreError::Tiff(_) => ErrorClass::Internal,
        }
    }

    pub(crate) fn io(path: &std::path::Path) -> impl FnOnce(std::io::Error) -> StoreError + '_ {
        move |source| StoreError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}
