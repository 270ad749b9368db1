//! The one place where a failure becomes an HTTP response: its status
//! from its endpoint family and class, its body in the family's format
//! (OGC exception XML, OWS exception XML, an image, Lizard's JSON), and the
//! headers every error carries (`Cache-Control` from
//! `cache.cache_control_errors`, `Retry-After` on 503, the Basic challenge on
//! 401).

use super::response::{self, Body};
use crate::model::ErrorClass;
use crate::protocol::wms::exception::exception_report as wms_report;
use crate::protocol::wmts::Binding;
use crate::protocol::wmts::OwsCode;
use crate::protocol::wmts::exception::exception_report as wmts_report;
use crate::serve::{Failure, Settings, public_message};
use http::{HeaderValue, StatusCode, header};
use hyper::Response;

/// The challenge sent with 401: Basic auth, where the key goes as password.
pub const CHALLENGE: &str = "Basic realm=\"tegel\"";

/// The response to `failure`.
pub fn respond(settings: &Settings, failure: Failure) -> Response<Body> {
    let class = failure.class();
    let status = status_of(settings, &failure);
    let mut resp = match failure {
        Failure::Wms(e) | Failure::WmsScope(e) => {
            let (mime, body) = wms_report(&e);
            response::bytes(status, mime, body)
        }
        Failure::WmsImage { png, .. } => response::bytes(status, "image/png", png),
        Failure::Wmts(e, _) => {
            let (mime, body) = wmts_report(&e);
            response::bytes(status, mime, body)
        }
        Failure::Json(class, message) => json_body(status, &public_message(class, &message)),
    };
    let headers = resp.headers_mut();
    if let Some(policy) = settings
        .cache_control_errors
        .as_deref()
        .and_then(|p| HeaderValue::from_str(p).ok())
    {
        headers.insert(header::CACHE_CONTROL, policy);
    }
    match class {
        ErrorClass::Unavailable => {
            headers.insert(
                header::RETRY_AFTER,
                HeaderValue::from(settings.retry_after_secs),
            );
        }
        ErrorClass::Unauthorized => {
            headers.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static(CHALLENGE),
            );
        }
        _ => {}
    }
    resp
}

/// The status of a failure. The server's own trouble (500, 503) and refused
/// credentials (401) keep their class's status everywhere. Otherwise: WMS
/// exception reports about the request take the configured status (200, the
/// usual OGC practice, or 400), and a WMS path that does not exist 404; the
/// WMTS answers 404 on its RESTful binding and the WMTS error table's
/// status over KVP (501 for an operation it does not offer); JSON bodies
/// take their class's status.
fn status_of(settings: &Settings, failure: &Failure) -> StatusCode {
    let class = failure.class();
    let own = status(class);
    if matches!(
        class,
        ErrorClass::Internal | ErrorClass::Unavailable | ErrorClass::Unauthorized
    ) {
        return own;
    }
    match failure {
        Failure::Wms(_) | Failure::WmsImage { .. } => {
            StatusCode::from_u16(settings.exception_status).unwrap_or(StatusCode::OK)
        }
        Failure::WmsScope(_) => StatusCode::NOT_FOUND,
        Failure::Wmts(_, _) if class == ErrorClass::NotAcceptable => own,
        Failure::Wmts(_, Binding::Rest) => StatusCode::NOT_FOUND,
        Failure::Wmts(e, Binding::Kvp) if e.code == OwsCode::OperationNotSupported => {
            StatusCode::NOT_IMPLEMENTED
        }
        Failure::Wmts(_, Binding::Kvp) => StatusCode::BAD_REQUEST,
        Failure::Json(..) => own,
    }
}

/// The HTTP status of an error class (the table is `ErrorClass::status_code`).
pub fn status(class: ErrorClass) -> StatusCode {
    StatusCode::from_u16(class.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// `{"status", "code", "message", "detail"}` as Lizard answers errors.
fn json_body(status: StatusCode, detail: &str) -> Response<Body> {
    let code = crate::api::error::lizard_code(status.as_u16());
    let body = serde_json::json!({
        "status": status.as_u16(),
        "code": code,
        "message": format!("{detail} #{}.{code}", status.as_u16()),
        "detail": detail,
    });
    response::bytes(
        status,
        "application/json",
        serde_json::to_vec(&body).unwrap_or_default(),
    )
}

/// A JSON error of the server itself (routing, methods, timeouts), through
/// [`respond`] so it carries the same headers as every other error.
pub fn json(settings: &Settings, class: ErrorClass, detail: &str) -> Response<Body> {
    respond(settings, Failure::Json(class, detail.to_string()))
}

/// 405 with `Allow`.
pub fn method_not_allowed(settings: &Settings, allow: &'static str) -> Response<Body> {
    let mut resp = json(
        settings,
        ErrorClass::MethodNotAllowed,
        "Request method not available.",
    );
    resp.headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static(allow));
    resp
}

/// The answer when a request exceeds the server's deadline.
pub fn timeout(settings: &Settings) -> Response<Body> {
    json(
        settings,
        ErrorClass::Unavailable,
        "The request took too long and was abandoned.",
    )
}
