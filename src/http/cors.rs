//! CORS: every response may be read by any origin (`Access-Control-Allow-Origin: *`,
//! maps, tiles, capabilities and errors alike), and `OPTIONS` preflights are
//! answered with the methods and headers browsers may use.
//!
//! Headers only; which paths exist is the router's business.

use super::response::Body;
use bytes::Bytes;
use http::{HeaderMap, HeaderValue, StatusCode, header};
use http_body_util::Full;
use hyper::Response;

/// The methods every endpoint answers.
pub const METHODS: &str = "GET, HEAD, OPTIONS";
/// How long browsers may cache a preflight answer, in seconds.
const MAX_AGE: &str = "86400";
/// Response headers scripts may read besides the CORS-safelisted ones.
const EXPOSE: &str = "ETag, Warning";
/// Request headers allowed when the preflight names none.
const DEFAULT_ALLOW_HEADERS: &str = "If-None-Match, If-Modified-Since, Accept-Encoding";

/// Adds `Access-Control-Allow-Origin: *` and the exposed headers to `resp`.
pub fn allow(resp: &mut Response<Body>) {
    let h = resp.headers_mut();
    h.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    h.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static(EXPOSE),
    );
}

/// The answer to an `OPTIONS` request (a CORS preflight or a plain query):
/// 204 with `Allow`, the allowed methods, the request headers the preflight
/// asked for (any: nothing here depends on credentials), and a max age.
pub fn preflight(request_headers: &HeaderMap) -> Response<Body> {
    preflight_for(request_headers, METHODS)
}

/// [`preflight`] for an endpoint answering `methods` (the API's writes).
pub fn preflight_for(request_headers: &HeaderMap, methods: &'static str) -> Response<Body> {
    let mut resp = Response::new(Full::new(Bytes::new()));
    *resp.status_mut() = StatusCode::NO_CONTENT;
    let asked = request_headers
        .get(header::ACCESS_CONTROL_REQUEST_HEADERS)
        .filter(|v| !v.is_empty())
        .cloned()
        .unwrap_or(HeaderValue::from_static(DEFAULT_ALLOW_HEADERS));
    let h = resp.headers_mut();
    h.insert(header::ALLOW, HeaderValue::from_static(methods));
    h.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static(methods),
    );
    h.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, asked);
    h.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static(MAX_AGE),
    );
    h.append(
        header::VARY,
        HeaderValue::from_static("Access-Control-Request-Headers"),
    );
    allow(&mut resp);
    resp
}
