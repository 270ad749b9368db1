//! Catalogue errors, by cause.

use crate::model::ErrorClass;

#[derive(Debug, thiserror::Error)]
pub enum CatalogueError {
    #[error("catalogue file {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("catalogue file {path} is corrupt: {message}")]
    Corrupt { path: String, message: String },
    #[error("catalogue database {path}: {message}")]
    Database { path: String, message: String },
    #[error("{0} not found")]
    NotFound(String),
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Storage(#[from] crate::storage::StoreError),
}

impl CatalogueError {
    pub fn class(&self) -> ErrorClass {
        match self {
            CatalogueError::Io { .. }
            | CatalogueError::Corrupt { .. }
            | CatalogueError::Database { .. } => ErrorClass::Internal,
            CatalogueError::NotFound(_) => ErrorClass::NotFound,
            CatalogueError::Invalid(_) => ErrorClass::BadRequest,
            CatalogueError::Conflict(_) => ErrorClass::Conflict,
            CatalogueError::Storage(e) => e.class(),
        }
    }
}
