//! `StyleError`: why a STYLES string or a styling call was refused.

use crate::model::ErrorClass;

/// Errors of the `style` module.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum StyleError {
    /// The colormap (or special style) name is not known; names are case-sensitive.
    #[error("unknown style '{0}'")]
    UnknownStyle(String),
    /// The STYLES string is malformed (bad number, min > max, too many parts).
    #[error("invalid style: {0}")]
    Invalid(String),
    /// Buffers handed to a styling call disagree in length, or an index type
    /// is too small for the colormap: a caller bug, never client input.
    #[error("style buffers mismatch: {0}")]
    Buffers(&'static str),
}

impl StyleError {
    pub fn class(&self) -> ErrorClass {
        match self {
            StyleError::UnknownStyle(_) | StyleError::Invalid(_) => ErrorClass::BadRequest,
            StyleError::Buffers(_) => ErrorClass::Internal,
        }
    }
}
