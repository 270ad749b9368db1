//! `GraphError`: everything that can go wrong parsing, validating or evaluating
//! a graph. Client mistakes (bad JSON, unknown blocks, wrong arguments, cycles,
//! limits, unsupported requests) are `BadRequest` and name the node.

use crate::model::ErrorClass;

#[derive(Debug, thiserror::Error)]
pub enum GraphError {
    /// The document is not `{"name": key, "graph": {key: [class, args…]}}`.
    #[error("invalid graph: {0}")]
    Format(String),
    /// A node fails validation: unknown class, wrong argument count or type,
    /// incompatible inputs. The message names the node.
    #[error("node '{node}': {message}")]
    Node { node: String, message: String },
    /// A reference cycle through the named node.
    #[error("node '{0}' is part of a reference cycle")]
    Cycle(String),
    /// The graph is larger or deeper than the limits allow.
    #[error("graph too large: {0}")]
    Limit(String),
    /// A request the engine cannot answer (bad bbox, time range on a
    /// LizardRasterGroup, …).
    #[error("invalid request: {0}")]
    Request(String),
    /// A leaf (raster source or layer uuid) the caller does not know.
    #[error("unknown raster source or layer {0}")]
    UnknownLeaf(uuid::Uuid),
    /// Reading a leaf failed (storage trouble: not the client's fault).
    #[error("reading raster data failed: {0}")]
    Read(String),
    /// The evaluation was stopped because its answer is no longer wanted
    /// (see `Cancel`).
    #[error("the evaluation was cancelled")]
    Cancelled,
}

impl GraphError {
    pub fn class(&self) -> ErrorClass {
        match self {
            GraphError::Read(_) => ErrorClass::Internal,
            // Nobody waits for the answer any more; a server-side stop.
            GraphError::Cancelled => ErrorClass::Unavailable,
            GraphError::UnknownLeaf(_) => ErrorClass::BadRequest,
            _ => ErrorClass::BadRequest,
        }
    }

    pub(crate) fn node(node: &str, message: impl Into<String>) -> GraphError {
        GraphError::Node {
            node: node.to_string(),
            message: message.into(),
        }
    }
}
