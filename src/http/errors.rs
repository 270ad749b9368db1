//! The one place where an `ErrorClass` becomes an HTTP status, and an error
//! becomes a response body: Lizard's JSON error body for the API and plain
//! endpoints, OGC exception XML for OGC endpoints (see `wms.rs`, which builds the
//! XML with `protocol` and the status from here). Error responses are never cached.

use super::response::{self, Body};
use crate::model::ErrorClass;
use http::{HeaderValue, StatusCode, header};
use hyper::Response;

/// The HTTP status of an error class (the table is `ErrorClass::status_code`).
pub fn status(class: ErrorClass) -> StatusCode {
    StatusCode::from_u16(class.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// Lizard's error `code` per status (its `#<status>.<code>` message suffix).
fn lizard_code(status: StatusCode) -> u16 {
    crate::api::error::lizard_code(status.as_u16())
}

/// The message a client may see: internal details stay in the log.
pub fn public_message(class: ErrorClass, message: &str) -> String {
    if class == ErrorClass::Internal {
        tracing::error!(error = message, "internal error");
        "Internal server error.".to_string()
    } else {
        message.to_string()
    }
}

/// `{"status", "code", "message", "detail"}` as Lizard answers errors.
pub fn json_error(class: ErrorClass, message: &str) -> Response<Body> {
    json_error_status(status(class), &public_message(class, message))
}

pub fn json_error_status(status: StatusCode, detail: &str) -> Response<Body> {
    let code = lizard_code(status);
    let body = serde_json::json!({
        "status": status.as_u16(),
        "code": code,
        "message": format!("{detail} #{}.{code}", status.as_u16()),
        "detail": detail,
    });
    let mut resp = response::bytes(
        status,
        "application/json",
        serde_json::to_vec(&body).unwrap_or_default(),
    );
    no_store(&mut resp);
    resp
}

/// 405 with `Allow`.
pub fn method_not_allowed(allow: &'static str) -> Response<Body> {
    let mut resp = json_error_status(
        StatusCode::METHOD_NOT_ALLOWED,
        "Request method not available.",
    );
    resp.headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static(allow));
    resp
}

/// 503 with `Retry-After` when the render queue is full.
pub fn busy(retry_after_secs: u64, mut resp: Response<Body>) -> Response<Body> {
    if let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string()) {
        resp.headers_mut().insert(header::RETRY_AFTER, v);
    }
    resp
}

/// The answer when a request exceeds the server's deadline.
pub fn timeout_response() -> Response<Body> {
    json_error_status(
        StatusCode::SERVICE_UNAVAILABLE,
        "The request took too long and was abandoned.",
    )
}

/// Marks a response as not cacheable (every error response).
pub fn no_store(resp: &mut Response<Body>) {
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
}
