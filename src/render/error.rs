//! Render errors, by cause.

use crate::model::ErrorClass;

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("layer {0} does not exist")]
    NoSuchLayer(uuid::Uuid),
    #[error("layer {0} is broken: its raster source was deleted")]
    BrokenLayer(uuid::Uuid),
    /// Evaluating a layer's graph failed; `class` says whose fault it is (a
    /// request beyond the engine's budget, a graph no longer valid, storage).
    #[error("layer {layer} cannot be evaluated: {message}")]
    Graph {
        layer: uuid::Uuid,
        message: String,
        class: ErrorClass,
    },
    #[error("the server is busy rendering; try again shortly")]
    Busy,
    /// The render was stopped because nobody waits for it any more.
    #[error("the render was cancelled")]
    Cancelled,
    #[error(transparent)]
    Geo(#[from] crate::geo::error::GeoError),
    #[error(transparent)]
    Source(#[from] crate::model::SourceError),
    #[error(transparent)]
    Store(#[from] crate::storage::StoreError),
    #[error(transparent)]
    Style(#[from] crate::style::StyleError),
    #[error(transparent)]
    Encode(#[from] crate::encode::EncodeError),
    #[error("rendering failed: {0}")]
    Internal(String),
}

impl RenderError {
    pub fn class(&self) -> ErrorClass {
        match self {
            RenderError::NoSuchLayer(_) => ErrorClass::NotFound,
            RenderError::BrokenLayer(_) => ErrorClass::Conflict,
            RenderError::Graph { class, .. } => *class,
            RenderError::Busy | RenderError::Cancelled => ErrorClass::Unavailable,
            RenderError::Geo(e) => e.class(),
            RenderError::Style(e) => e.class(),
            RenderError::Source(_)
            | RenderError::Store(_)
            | RenderError::Encode(_)
            | RenderError::Internal(_) => ErrorClass::Internal,
        }
    }
}
