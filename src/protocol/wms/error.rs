//! `OgcError`: a refused WMS request, carrying what a ServiceExceptionReport needs
//! (OGC code, locator, message, report version) and the protocol-independent class.
//!
//! Only describes errors; writing the XML is `exception.rs`, choosing an HTTP
//! status is `http`'s job.

use super::WmsVersion;
use crate::model::ErrorClass;
use crate::protocol::kvp::KvpError;
use crate::protocol::time::TimeError;

/// The exception codes of WMS 1.3.0 §6.13.2 (1.1.1 spells `InvalidCRS` as `InvalidSRS`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OgcCode {
    InvalidFormat,
    InvalidCRS,
    LayerNotDefined,
    StyleNotDefined,
    LayerNotQueryable,
    InvalidPoint,
    CurrentUpdateSequence,
    InvalidUpdateSequence,
    MissingDimensionValue,
    InvalidDimensionValue,
    OperationNotSupported,
}

impl OgcCode {
    /// The code as written in a report of `version`.
    pub fn as_str(self, version: WmsVersion) -> &'static str {
        match self {
            OgcCode::InvalidFormat => "InvalidFormat",
            OgcCode::InvalidCRS if version == WmsVersion::V1_1_1 => "InvalidSRS",
            OgcCode::InvalidCRS => "InvalidCRS",
            OgcCode::LayerNotDefined => "LayerNotDefined",
            OgcCode::StyleNotDefined => "StyleNotDefined",
            OgcCode::LayerNotQueryable => "LayerNotQueryable",
            OgcCode::InvalidPoint => "InvalidPoint",
            OgcCode::CurrentUpdateSequence => "CurrentUpdateSequence",
            OgcCode::InvalidUpdateSequence => "InvalidUpdateSequence",
            OgcCode::MissingDimensionValue => "MissingDimensionValue",
            OgcCode::InvalidDimensionValue => "InvalidDimensionValue",
            OgcCode::OperationNotSupported => "OperationNotSupported",
        }
    }
}

/// A WMS request that cannot be answered as asked. The message names the
/// parameter and is safe to show to clients (client text in it is clipped).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct OgcError {
    /// The OGC exception code; `None` for errors the standard gives no code
    /// (bad BBOX, size beyond the limits, missing parameters, …).
    pub code: Option<OgcCode>,
    /// The upper-case parameter name at fault (`BBOX`, `LAYERS`, …), if any.
    pub locator: Option<String>,
    pub message: String,
    /// The version whose exception format answers this error.
    pub version: WmsVersion,
    class: ErrorClass,
}

impl OgcError {
    /// A malformed or impossible parameter, no OGC code (class BadRequest).
    pub fn invalid(version: WmsVersion, locator: &str, message: impl Into<String>) -> OgcError {
        OgcError {
            code: None,
            locator: Some(locator.to_string()),
            message: message.into(),
            version,
            class: ErrorClass::BadRequest,
        }
    }

    /// An error with an OGC code; the class follows the code (see [`OgcError::class`]).
    pub fn with_code(
        version: WmsVersion,
        code: OgcCode,
        locator: Option<&str>,
        message: impl Into<String>,
    ) -> OgcError {
        let class = match code {
            OgcCode::OperationNotSupported => ErrorClass::Unsupported,
            OgcCode::LayerNotDefined | OgcCode::StyleNotDefined => ErrorClass::NotFound,
            _ => ErrorClass::BadRequest,
        };
        OgcError {
            code: Some(code),
            locator: locator.map(str::to_string),
            message: message.into(),
            version,
            class,
        }
    }

    /// A request beyond a configured limit (size, layer count), class TooLarge.
    pub fn too_large(version: WmsVersion, locator: &str, message: impl Into<String>) -> OgcError {
        OgcError {
            class: ErrorClass::TooLarge,
            ..OgcError::invalid(version, locator, message)
        }
    }

    /// The same error with another class (code, locator and text stay).
    pub fn with_class(self, class: ErrorClass) -> OgcError {
        OgcError { class, ..self }
    }

    /// The same error, reported in another version's format.
    pub fn in_version(self, version: WmsVersion) -> OgcError {
        OgcError { version, ..self }
    }

    /// The cause: BadRequest for malformed input, TooLarge for limits, NotFound for
    /// LayerNotDefined/StyleNotDefined, Unsupported for OperationNotSupported and
    /// TIME forms not served yet.
    pub fn class(&self) -> ErrorClass {
        self.class
    }

    /// The code as written in this error's report version.
    pub fn code_str(&self) -> Option<&'static str> {
        self.code.map(|c| c.as_str(self.version))
    }

    /// A query-string error, reported as 1.3.0 (the version is not known yet).
    pub fn from_kvp(err: &KvpError) -> OgcError {
        OgcError {
            code: None,
            locator: err.parameter().map(str::to_string),
            message: err.to_string(),
            version: WmsVersion::V1_3_0,
            class: err.class(),
        }
    }

    /// A TIME error: `InvalidDimensionValue` with locator `TIME`.
    pub fn from_time(version: WmsVersion, err: &TimeError) -> OgcError {
        OgcError {
            class: err.class(),
            ..OgcError::with_code(
                version,
                OgcCode::InvalidDimensionValue,
                Some("TIME"),
                err.to_string(),
            )
        }
    }
}
