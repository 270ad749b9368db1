//! Response building: bodies, caching headers (`ETag`, `Cache-Control`,
//! `Last-Modified`), conditional requests (`If-None-Match` and
//! `If-Modified-Since` → 304) and HEAD; the caching policy of what depends
//! on the caller (`private`, `Vary`) and the 401 challenge.

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

/// `Last-Modified` on a cacheable success (200 or 304): `at` in HTTP-date form,
/// whole seconds. A 200 becomes a 304 when the request's `If-Modified-Since`
/// is at or after `at` and it sends no `If-None-Match` (which, when present,
/// decides alone: RFC 9110 §13.2.2). Unparsable dates are ignored.
pub fn last_modified(
    request_headers: &HeaderMap,
    resp: Response<Body>,
    at: DateTime<Utc>,
) -> Response<Body> {
    if !matches!(resp.status(), StatusCode::OK | StatusCode::NOT_MODIFIED) {
        return resp;
    }
    let (mut parts, body) = resp.into_parts();
    let stamp = at.format("%a, %d %b %Y %H:%M:%S GMT").to_string();
    if let Ok(v) = HeaderValue::from_str(&stamp) {
        parts.headers.insert(header::LAST_MODIFIED, v);
    }
    let since = request_headers
        .get(header::IF_MODIFIED_SINCE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| DateTime::parse_from_rfc2822(v.trim()).ok());
    let unchanged = since.is_some_and(|s| at.timestamp() <= s.timestamp());
    if parts.status == StatusCode::OK
        && unchanged
        && !request_headers.contains_key(header::IF_NONE_MATCH)
    {
        parts.status = StatusCode::NOT_MODIFIED;
        return Response::from_parts(parts, Full::new(Bytes::new()));
    }
    Response::from_parts(parts, body)
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

/// The `Cache-Control` of a map or tile: `no-cache` for the latest frame
/// (`moving`), else the layer's own value or the configured default; for a
/// layer that is not public, the same made `private` (shared caches must not
/// store it: `public`, `s-maxage` and `proxy-revalidate` are dropped).
pub fn cache_policy(default: &str, layer: Option<&str>, public: bool, moving: bool) -> String {
    let base = if moving {
        "no-cache"
    } else {
        layer.unwrap_or(default)
    };
    if public {
        return base.to_string();
    }
    let kept = base.split(',').map(str::trim).filter(|t| {
        let name = t
            .split('=')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        !t.is_empty()
            && !matches!(
                name.as_str(),
                "public" | "private" | "s-maxage" | "proxy-revalidate"
            )
    });
    std::iter::once("private")
        .chain(kept)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Marks a response whose content depends on who asks (capabilities, the
/// index, anything about a layer that is not public); [`finish_vary`] turns
/// the mark into `Vary` once the response is otherwise complete.
#[derive(Clone, Copy, Debug)]
pub struct DependsOnCaller;

pub fn depends_on_caller(resp: &mut Response<Body>) {
    resp.extensions_mut().insert(DependsOnCaller);
}

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

/// The challenge sent with 401: Basic auth, where the key goes as password.
pub const CHALLENGE: &str = "Basic realm=\"tegel\"";

/// Makes `resp` a 401 with the Basic challenge, never cached.
pub fn unauthorized(mut resp: Response<Body>) -> Response<Body> {
    *resp.status_mut() = StatusCode::UNAUTHORIZED;
    let headers = resp.headers_mut();
    headers.insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static(CHALLENGE),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_policies_drop_what_shared_caches_use() {
        let d = "public, max-age=3600";
        assert_eq!(cache_policy(d, None, true, false), d);
        assert_eq!(cache_policy(d, None, false, false), "private, max-age=3600");
        assert_eq!(cache_policy(d, None, true, true), "no-cache");
        assert_eq!(cache_policy(d, None, false, true), "private, no-cache");
        let own = "public, max-age=86400, s-maxage=604800, immutable";
        assert_eq!(cache_policy(d, Some(own), true, false), own);
        assert_eq!(
            cache_policy(d, Some(own), false, false),
            "private, max-age=86400, immutable"
        );
        assert_eq!(cache_policy(d, Some(own), true, true), "no-cache");
    }
}
