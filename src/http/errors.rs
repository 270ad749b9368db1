//! The one place where a failure becomes an HTTP response: its status
//! from its endpoint family and class, its body in the family's format
//! (OGC exception XML, OWS exception XML, an image, Lizard's JSON), and the
//! headers every error carries (`Cache-Control` from
//! `cache.cache_control_errors`, `Retry-After` on 503, the Basic challenge on
//! 401). Also the connection-level answers written before or instead of a
//! request's: `408 Request Timeout` (a head or body that stopped arriving)
//! and the `503` of a connection refused at the connection cap.

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
    error_policy(headers, settings);
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

/// The detail of a `408 Request Timeout`.
const REQUEST_TIMEOUT_DETAIL: &str = "The request was not received in time.";

/// `408 Request Timeout` with `Connection: close`: a request body stopped
/// arriving (`server.body_timeout_secs`). Lizard's JSON body.
pub fn request_timeout(settings: &Settings) -> Response<Body> {
    let mut resp = json_body(StatusCode::REQUEST_TIMEOUT, REQUEST_TIMEOUT_DETAIL);
    let headers = resp.headers_mut();
    error_policy(headers, settings);
    headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
    resp
}

/// The bytes of an HTTP/1.1 response written straight onto a socket that
/// hyper does not (or no longer) answer on: `Connection: close`, a JSON body.
fn raw(status: StatusCode, extra: &str, detail: &str) -> Vec<u8> {
    let body = serde_json::json!({
        "status": status.as_u16(),
        "code": 0,
        "message": format!("{detail} #{}.0", status.as_u16()),
        "detail": detail,
    })
    .to_string();
    format!(
        "HTTP/1.1 {} {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\n{extra}Connection: close\r\n\r\n{body}",
        status.as_u16(),
        status.canonical_reason().unwrap_or(""),
        body.len()
    )
    .into_bytes()
}

/// `408 Request Timeout` for a request head still incomplete after
/// `server.header_timeout_secs`.
pub fn head_timeout_bytes() -> Vec<u8> {
    raw(StatusCode::REQUEST_TIMEOUT, "", REQUEST_TIMEOUT_DETAIL)
}

/// `503` + `Retry-After` for a connection refused because
/// `server.max_connections` are open and none of them is idle.
pub fn refused_bytes(retry_after_secs: u64) -> Vec<u8> {
    raw(
        StatusCode::SERVICE_UNAVAILABLE,
        &format!("Retry-After: {retry_after_secs}\r\n"),
        "Too many connections are busy; try again shortly.",
    )
}

/// `cache.cache_control_errors`, when set, as the `Cache-Control` of an error.
fn error_policy(headers: &mut http::HeaderMap, settings: &Settings) {
    if let Some(policy) = settings
        .cache_control_errors
        .as_deref()
        .and_then(|p| HeaderValue::from_str(p).ok())
    {
        headers.insert(header::CACHE_CONTROL, policy);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_answers_are_complete_http_responses() {
        let text = String::from_utf8(refused_bytes(3)).unwrap();
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        assert!(
            head.starts_with("HTTP/1.1 503 Service Unavailable\r\n"),
            "{head}"
        );
        assert!(head.contains("\r\nRetry-After: 3\r\n"), "{head}");
        assert!(head.contains("\r\nConnection: close"), "{head}");
        assert!(head.contains(&format!("Content-Length: {}\r\n", body.len())));
        let json: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(json["status"], 503);
        let text = String::from_utf8(head_timeout_bytes()).unwrap();
        assert!(
            text.starts_with("HTTP/1.1 408 Request Timeout\r\n"),
            "{text}"
        );
    }
}
