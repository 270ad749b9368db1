//! `ConfigError`: why a configuration could not be loaded.
//!
//! Every variant names what to fix: the file, the `section.key` or the variable.

use crate::model::ErrorClass;
use std::path::PathBuf;

/// A configuration problem found while reading, merging or validating.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("config file {path} is not valid TOML: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("unknown config key `{key}` in {path}")]
    UnknownKey { key: String, path: PathBuf },
    #[error(
        "unknown environment variable {var}: it names no config key (TEGEL_<SECTION>_<KEY>); \
         variables that are not config keys: {}",
        super::NON_CONFIG_VARS.join(", ")
    )]
    UnknownVar { var: String },
    /// A value of the wrong type or format; `origin` is `` `section.key` in <file> `` or the variable.
    #[error("bad value for {origin}: {message}")]
    BadValue { origin: String, message: String },
    /// A well-typed value out of its range; `origin` says where it was set.
    #[error("invalid `{key}` (set by {origin}): {message}")]
    Invalid {
        key: String,
        origin: String,
        message: String,
    },
}

impl ConfigError {
    pub fn class(&self) -> ErrorClass {
        match self {
            ConfigError::Read { .. } => ErrorClass::Internal,
            _ => ErrorClass::BadRequest,
        }
    }
}
