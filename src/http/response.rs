//! Response building: bodies, caching headers (`ETag`, `Cache-Control`),
//! conditional requests (`If-None-Match` → 304) and HEAD.

use bytes::Bytes;
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

/// A cacheable success: body (or 304 when the client has it), `ETag`, `Cache-Control`.
pub fn cacheable(
    request_headers: &HeaderMap,
    content_type: &str,
    body: Bytes,
    etag: &str,
    cache_control: &str,
) -> Response<Body> {
    let mut resp = if not_modified(request_headers, etag) {
        let mut r = Response::new(Full::new(Bytes::new()));
        *r.status_mut() = StatusCode::NOT_MODIFIED;
        // Tells later stages (compression) which representation this stands for.
        if let Ok(v) = HeaderValue::from_str(content_type) {
            r.headers_mut().insert(header::CONTENT_TYPE, v);
        }
        r
    } else {
        bytes(StatusCode::OK, content_type, body)
    };
    let headers = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(etag) {
        headers.insert(header::ETAG, v);
    }
    if !cache_control.is_empty()
        && let Ok(v) = HeaderValue::from_str(cache_control)
    {
        headers.insert(header::CACHE_CONTROL, v);
    }
    resp
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
