//! `WmtsError`: a refused WMTS request with what an OWS 1.1 ExceptionReport
//! needs (exception code, locator, message) and its protocol-independent class.
//!
//! Only describes errors; `exception.rs` writes the XML, `http` picks the status.

use crate::model::ErrorClass;
use crate::protocol::kvp::KvpError;

/// The OWS 1.1 / WMTS 1.0 exception codes tegel answers with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OwsCode {
    MissingParameterValue,
    InvalidParameterValue,
    VersionNegotiationFailed,
    InvalidUpdateSequence,
    TileOutOfRange,
    OperationNotSupported,
    NoApplicableCode,
}

impl OwsCode {
    pub fn as_str(self) -> &'static str {
        match self {
            OwsCode::MissingParameterValue => "MissingParameterValue",
            OwsCode::InvalidParameterValue => "InvalidParameterValue",
            OwsCode::VersionNegotiationFailed => "VersionNegotiationFailed",
            OwsCode::InvalidUpdateSequence => "InvalidUpdateSequence",
            OwsCode::TileOutOfRange => "TileOutOfRange",
            OwsCode::OperationNotSupported => "OperationNotSupported",
            OwsCode::NoApplicableCode => "NoApplicableCode",
        }
    }
}

/// A WMTS request that cannot be answered as asked. The message is safe to
/// show to clients (client text in it is clipped).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct WmtsError {
    pub code: OwsCode,
    /// The parameter at fault, spelled as the WMTS error table does
    /// (`service`, `layer`, `Style`, `TileMatrixSet`, …); `None` where the
    /// standard wants no locator.
    pub locator: Option<String>,
    pub message: String,
    class: ErrorClass,
}

impl WmtsError {
    pub fn new(code: OwsCode, locator: Option<&str>, message: impl Into<String>) -> WmtsError {
        let class = match code {
            OwsCode::OperationNotSupported => ErrorClass::Unsupported,
            OwsCode::NoApplicableCode => ErrorClass::Internal,
            _ => ErrorClass::BadRequest,
        };
        WmtsError {
            code,
            locator: locator.map(str::to_string),
            message: message.into(),
            class,
        }
    }

    pub fn missing(locator: &str) -> WmtsError {
        WmtsError::new(
            OwsCode::MissingParameterValue,
            Some(locator),
            format!("parameter {locator} is missing"),
        )
    }

    pub fn invalid(locator: &str, message: impl Into<String>) -> WmtsError {
        WmtsError::new(OwsCode::InvalidParameterValue, Some(locator), message)
    }

    /// The same error with another class (the code and locator stay).
    pub fn with_class(self, class: ErrorClass) -> WmtsError {
        WmtsError { class, ..self }
    }

    /// BadRequest for malformed input, Unsupported for OperationNotSupported,
    /// Internal for NoApplicableCode unless set otherwise.
    pub fn class(&self) -> ErrorClass {
        self.class
    }

    /// A query-string error: InvalidParameterValue on the parameter at fault.
    pub fn from_kvp(err: &KvpError) -> WmtsError {
        let locator = err.parameter().map(str::to_ascii_lowercase);
        WmtsError::new(
            OwsCode::InvalidParameterValue,
            locator.as_deref(),
            err.to_string(),
        )
    }
}
