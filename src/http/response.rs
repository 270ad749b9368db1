//! The one place where a `Reply` becomes an HTTP response: status, body,
//! `Content-Type`, `ETag`, `Cache-Control`, `Warning`, `Last-Modified`;
//! conditional requests (`If-None-Match`, `If-Modified-Since` → 304); the
//! `Vary` of answers that depend on the caller; and HEAD.

use crate::serve::Reply;
use bytes::Bytes;
use chrono::{DateTime, Utc};
use http::{HeaderMap, HeaderValue, StatusCode, header};
use http_body_util::Full;
use hyper::Response;

pub type Body = Full<Bytes>;

/// A response with a body and a content type.
pub fn bytes(status: StatusCode, content_type: &str, body: impl Into<Bytes>) -> Response<Body> {
    let mut resp = Response::new(Full::new(body.into()));
    *resp.status_mut() = status;
    if let Ok(v) = HeaderValue::from_str(content_type) {
        resp.headers_mut().insert(header::CONTENT_TYPE, v);
    }
    resp
}

/// The response to a successful `reply` of a request with `request_headers`.
pub fn reply(request_headers: &HeaderMap, reply: Reply) -> Response<Body> {
    let fresh = reply
        .etag
        .as_deref()
        .is_some_and(|tag| not_modified(request_headers, tag))
        || reply
            .last_modified
            .is_some_and(|at| unchanged_since(request_headers, at));
    let mut resp = if fresh {
        // The content type tells later stages (compression) which
        // representation this stands for.
        bytes(StatusCode::NOT_MODIFIED, &reply.content_type, Bytes::new())
    } else {
        bytes(StatusCode::OK, &reply.content_type, reply.body)
    };
    let headers = resp.headers_mut();
    let mut set = |name, value: Option<&str>| {
        if let Some(v) = value.and_then(|v| HeaderValue::from_str(v).ok()) {
            headers.insert(name, v);
        }
    };
    set(header::ETAG, reply.etag.as_deref());
    set(header::CACHE_CONTROL, reply.cache_control.as_deref());
    let stamp = reply
        .last_modified
        .map(|at| at.format("%a, %d %b %Y %H:%M:%S GMT").to_string());
    set(header::LAST_MODIFIED, stamp.as_deref());
    for w in &reply.warnings {
        if let Ok(v) = HeaderValue::from_str(w) {
            headers.append(header::WARNING, v);
        }
    }
    if reply.depends_on_caller {
        resp.extensions_mut().insert(DependsOnCaller);
    }
    resp
}

/// True when `If-None-Match` lists `etag` (or `*`), comparing weakly as RFC 9110 says for GET.
pub fn not_modified(request_headers: &HeaderMap, etag: &str) -> bool {
    // The gzip representation's tag (`"x-gzip"`, see `compress.rs`) names the same content.
    let strip = |t: &str| {
        let t = t.trim().trim_start_matches("W/");
        match t.strip_suffix(&format!("{}\"", super::compress::ETAG_SUFFIX)) {
            Some(inner) => format!("{inner}\""),
            None => t.to_string(),
        }
    };
    let ours = strip(etag);
    request_headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| t.trim() == "*" || strip(t) == ours)
}

/// True when the request's `If-Modified-Since` is at or after `at` (whole
/// seconds) and it sends no `If-None-Match`, which, when present, decides
/// alone (RFC 9110 §13.2.2). Unparsable dates are ignored.
fn unchanged_since(request_headers: &HeaderMap, at: DateTime<Utc>) -> bool {
    if request_headers.contains_key(header::IF_NONE_MATCH) {
        return false;
    }
    request_headers
        .get(header::IF_MODIFIED_SINCE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| DateTime::parse_from_rfc2822(v.trim()).ok())
        .is_some_and(|since| at.timestamp() <= since.timestamp())
}

/// Drops the body of a response to a HEAD request, keeping its headers and length.
pub fn for_head(resp: Response<Body>) -> Response<Body> {
    use hyper::body::Body as _;
    let (mut parts, body) = resp.into_parts();
    let len = body.size_hint().exact().unwrap_or(0);
    parts
        .headers
        .insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    Response::from_parts(parts, Full::new(Bytes::new()))
}

/// Marks a response whose content depends on who asks; [`finish_vary`]
/// turns the mark into `Vary` once the response is otherwise complete.
#[derive(Clone, Copy, Debug)]
struct DependsOnCaller;

/// The request headers that carry credentials.
pub const VARY_CALLER: &str = "Authorization, username, password";

/// Appends `Vary` with the credential headers to marked responses; after any
/// other `Vary` (content coding), so both hold.
pub fn finish_vary(resp: &mut Response<Body>) {
    if resp.extensions().get::<DependsOnCaller>().is_some() {
        resp.headers_mut()
            .append(header::VARY, HeaderValue::from_static(VARY_CALLER));
    }
}
