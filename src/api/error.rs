//! `ApiError`: every way an `/api/v4/` request can fail, with Lizard's JSON
//! error body.
//!
//! Lizard (Django REST framework underneath) answers errors as
//! `{"status", "code", "message", "detail"}`: `detail` is DRF's detail — a
//! sentence, or a field → [messages] object for validation errors —, `code` is
//! Lizard's per-status sub-code (405 → 10, 404 → 20, else 0, as
//! `http::errors`) and `message` is `"<text> #<status>.<code>"`. The status
//! number comes from `ErrorClass::status_code`, the one class → status table.
//! Builds values only: no HTTP types, no I/O.

use crate::model::ErrorClass;
use serde_json::{Map, Value, json};

/// DRF's detail for a 403 without a more specific reason.
pub const PERMISSION_DENIED: &str = "You do not have permission to perform this action.";

/// Why an API request failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ApiError {
    /// Invalid input: field (or query parameter) → list of messages.
    #[error("validation error: {0:?}")]
    Validation(Map<String, Value>),
    /// No such object, or one the caller may not see.
    #[error("not found")]
    NotFound,
    /// A page number beyond the last page, zero or not a number.
    #[error("invalid page")]
    InvalidPage,
    /// No credentials were sent but the action needs them.
    #[error("not authenticated")]
    NotAuthenticated,
    /// Credentials were sent but are wrong.
    #[error("bad credentials")]
    BadCredentials,
    /// The caller is known but may not do this (detail shown as is).
    #[error("permission denied: {0}")]
    PermissionDenied(String),
    /// The endpoint does not accept this method (the method name).
    #[error("method {0} not allowed")]
    MethodNotAllowed(String),
    /// The state of the object forbids the request (detail shown as is).
    #[error("precondition failed: {0}")]
    PreconditionFailed(String),
    /// The request conflicts with the current state (detail shown as is).
    #[error("conflict: {0}")]
    Conflict(String),
    /// The body is beyond a configured limit (detail shown as is).
    #[error("too large: {0}")]
    TooLarge(String),
    /// The body's media type is not one the endpoint reads (the media type).
    #[error("unsupported media type {0}")]
    UnsupportedMediaType(String),
    /// The JSON body does not parse (the parser's message).
    #[error("JSON parse error: {0}")]
    ParseError(String),
    /// A bug or I/O failure on our side: logged, never shown.
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    /// A validation error with one message for one field.
    pub fn field(name: &str, message: impl Into<String>) -> ApiError {
        ApiError::Validation(Map::new()).with_field(name, message)
    }

    /// Adds a message for `name` to a validation error (other variants are
    /// returned unchanged).
    pub fn with_field(self, name: &str, message: impl Into<String>) -> ApiError {
        match self {
            ApiError::Validation(mut map) => {
                push_message(&mut map, name, message.into());
                ApiError::Validation(map)
            }
            other => other,
        }
    }

    /// DRF's 403 with its standard sentence.
    pub fn permission_denied() -> ApiError {
        ApiError::PermissionDenied(PERMISSION_DENIED.to_string())
    }

    pub fn class(&self) -> ErrorClass {
        match self {
            ApiError::Validation(_) | ApiError::ParseError(_) => ErrorClass::BadRequest,
            ApiError::NotFound | ApiError::InvalidPage => ErrorClass::NotFound,
            ApiError::NotAuthenticated | ApiError::BadCredentials => ErrorClass::Unauthorized,
            ApiError::PermissionDenied(_) => ErrorClass::Forbidden,
            ApiError::MethodNotAllowed(_) => ErrorClass::MethodNotAllowed,
            ApiError::PreconditionFailed(_) => ErrorClass::PreconditionFailed,
            ApiError::Conflict(_) => ErrorClass::Conflict,
            ApiError::TooLarge(_) => ErrorClass::TooLarge,
            ApiError::UnsupportedMediaType(_) => ErrorClass::UnsupportedMediaType,
            ApiError::Internal(_) => ErrorClass::Internal,
        }
    }

    /// The HTTP status number (from the one table in `model`).
    pub fn status(&self) -> u16 {
        self.class().status_code()
    }

    /// DRF's `detail`: a sentence, or the field → [messages] object.
    pub fn detail(&self) -> Value {
        match self {
            ApiError::Validation(map) => Value::Object(map.clone()),
            other => Value::String(other.sentence()),
        }
    }

    /// The full Lizard error body, keys in Lizard's order.
    pub fn body(&self) -> Value {
        let status = self.status();
        let code = lizard_code(status);
        let text = match self {
            ApiError::Validation(_) => "Validation error.".to_string(),
            // Lizard's 405 message, as `http::errors::method_not_allowed`.
            ApiError::MethodNotAllowed(_) => "Request method not available.".to_string(),
            other => other.sentence(),
        };
        json!({
            "status": status,
            "code": code,
            "message": format!("{text} #{status}.{code}"),
            "detail": self.detail(),
        })
    }

    /// The one-sentence detail of every variant but `Validation`.
    fn sentence(&self) -> String {
        match self {
            ApiError::Validation(_) => "Validation error.".to_string(),
            ApiError::NotFound => "Not found.".to_string(),
            ApiError::InvalidPage => "Invalid page.".to_string(),
            ApiError::NotAuthenticated => "Authentication credentials were not provided.".into(),
            ApiError::BadCredentials => "Invalid username/password.".to_string(),
            ApiError::PermissionDenied(s)
            | ApiError::PreconditionFailed(s)
            | ApiError::Conflict(s)
            | ApiError::TooLarge(s) => s.clone(),
            ApiError::MethodNotAllowed(m) => format!("Method \"{m}\" not allowed."),
            ApiError::UnsupportedMediaType(t) => {
                format!("Unsupported media type \"{t}\" in request.")
            }
            ApiError::ParseError(e) => format!("JSON parse error - {e}"),
            ApiError::Internal(_) => "Internal server error.".to_string(),
        }
    }
}

/// Appends `message` to the list of `name` in a validation map.
pub fn push_message(map: &mut Map<String, Value>, name: &str, message: String) {
    match map.get_mut(name) {
        Some(Value::Array(list)) => list.push(Value::String(message)),
        _ => {
            map.insert(name.to_string(), json!([message]));
        }
    }
}

/// Lizard's error sub-code per status; the same table as `http::errors`.
pub fn lizard_code(status: u16) -> u16 {
    match status {
        405 => 10,
        404 => 20,
        _ => 0,
    }
}

/// Catalogue failures as API errors: refused input is a validation error
/// (`non_field_errors`), a missing object 404, a conflict 409, the rest by
/// class (internal details are logged, never shown).
impl From<crate::catalogue::CatalogueError> for ApiError {
    fn from(e: crate::catalogue::CatalogueError) -> ApiError {
        use crate::catalogue::CatalogueError as C;
        match &e {
            C::Invalid(m) => ApiError::field("non_field_errors", m.clone()),
            C::NotFound(_) => ApiError::NotFound,
            C::Conflict(m) => ApiError::Conflict(m.clone()),
            _ => match e.class() {
                ErrorClass::BadRequest | ErrorClass::Unsupported => {
                    ApiError::field("non_field_errors", e.to_string())
                }
                ErrorClass::TooLarge => ApiError::TooLarge(e.to_string()),
                _ => ApiError::Internal(e.to_string()),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_found_body_is_lizards() {
        let body = ApiError::NotFound.body();
        assert_eq!(
            serde_json::to_string(&body).unwrap(),
            r#"{"status":404,"code":20,"message":"Not found. #404.20","detail":"Not found."}"#
        );
    }

    #[test]
    fn validation_detail_is_a_field_map() {
        let e = ApiError::field("source", "This field is required.").with_field("source", "Two.");
        assert_eq!(e.class(), ErrorClass::BadRequest);
        assert_eq!(
            e.detail(),
            json!({"source": ["This field is required.", "Two."]})
        );
        let body = e.body();
        assert_eq!(body["status"], 400);
        assert_eq!(body["code"], 0);
        assert_eq!(body["message"], "Validation error. #400.0");
        let e = ApiError::field("ordering", "x").with_field("uuid", "y");
        assert_eq!(e.detail(), json!({"ordering": ["x"], "uuid": ["y"]}));
    }

    #[test]
    fn every_variant_has_its_status_and_drf_sentence() {
        let cases = [
            (ApiError::InvalidPage, 404, "Invalid page."),
            (
                ApiError::NotAuthenticated,
                401,
                "Authentication credentials were not provided.",
            ),
            (ApiError::BadCredentials, 401, "Invalid username/password."),
            (ApiError::permission_denied(), 403, PERMISSION_DENIED),
            (
                ApiError::MethodNotAllowed("PUT".into()),
                405,
                "Method \"PUT\" not allowed.",
            ),
            (
                ApiError::PreconditionFailed("In use.".into()),
                412,
                "In use.",
            ),
            (ApiError::Conflict("Busy.".into()), 409, "Busy."),
            (ApiError::TooLarge("Too big.".into()), 413, "Too big."),
            (
                ApiError::UnsupportedMediaType("text/plain".into()),
                415,
                "Unsupported media type \"text/plain\" in request.",
            ),
            (
                ApiError::ParseError("Expecting value".into()),
                400,
                "JSON parse error - Expecting value",
            ),
            (
                ApiError::Internal("disk on fire".into()),
                500,
                "Internal server error.",
            ),
        ];
        for (e, status, detail) in cases {
            assert_eq!(e.status(), status, "{e:?}");
            assert_eq!(e.detail(), Value::String(detail.into()), "{e:?}");
            let body = e.body();
            assert_eq!(body["status"], status);
            assert_eq!(body["code"], lizard_code(status));
        }
    }

    #[test]
    fn method_not_allowed_message_is_lizards_and_internal_text_is_hidden() {
        let body = ApiError::MethodNotAllowed("PUT".into()).body();
        assert_eq!(body["message"], "Request method not available. #405.10");
        assert_eq!(body["detail"], "Method \"PUT\" not allowed.");
        let body = ApiError::Internal("secret path /x".into()).body();
        assert!(!body.to_string().contains("secret"), "{body}");
        assert_eq!(body["message"], "Internal server error. #500.0");
    }

    #[test]
    fn with_field_leaves_other_variants_alone() {
        assert_eq!(ApiError::NotFound.with_field("a", "b"), ApiError::NotFound);
    }
}
