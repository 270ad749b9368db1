//! gzip for XML and JSON responses (capabilities, exception reports, JSON
//! errors) when the client sends `Accept-Encoding: gzip`. Images (PNG, TIFF)
//! are already compressed or raw values clients read directly: never touched,
//! and never given `Vary: Accept-Encoding`.
//!
//! A compressed body is another representation, so its strong ETag gets a
//! `-gzip` suffix (`response::not_modified` accepts either form). Compressing
//! is CPU work and runs on the render pool; when that is busy the response goes
//! out uncompressed rather than waiting.

use super::response::Body;
use crate::render::Pool;
use bytes::Bytes;
use flate2::Compression;
use flate2::write::GzEncoder;
use http::{HeaderMap, HeaderValue, StatusCode, header};
use http_body_util::{BodyExt, Full};
use hyper::Response;
use std::io::Write;

/// Bodies smaller than this are sent as they are (gzip's own overhead is ~20 bytes).
const MIN_BYTES: usize = 512;
/// The suffix a compressed representation adds inside its ETag's quotes.
pub const ETAG_SUFFIX: &str = "-gzip";

/// True for the XML and JSON media types tegel answers with.
fn compressible(content_type: &str) -> bool {
    let base = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    base == "text/xml"
        || base == "application/xml"
        || base == "application/json"
        || base.ends_with("+xml")
        || base.ends_with("+json")
        || base.ends_with("_xml")
}

/// True when `Accept-Encoding` accepts gzip (`gzip`, `x-gzip` or `*` with q > 0).
pub fn accepts_gzip(request_headers: &HeaderMap) -> bool {
    let mut gzip = None;
    let mut any = None;
    for item in request_headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
    {
        let mut parts = item.split(';');
        let name = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = parts
            .filter_map(|p| p.trim().strip_prefix("q=").or(p.trim().strip_prefix("Q=")))
            .find_map(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        match name.as_str() {
            "gzip" | "x-gzip" => gzip = Some(q > 0.0),
            "*" => any = Some(q > 0.0),
            _ => {}
        }
    }
    gzip.or(any).unwrap_or(false)
}

/// The ETag of the gzip representation: `"x"` → `"x-gzip"` (weak tags keep `W/`).
fn gzip_etag(etag: &HeaderValue) -> Option<HeaderValue> {
    let text = etag.to_str().ok()?;
    let inner = text.strip_suffix('"')?;
    HeaderValue::from_str(&format!("{inner}{ETAG_SUFFIX}\"")).ok()
}

/// Compresses `resp` when its type is XML/JSON and the client accepts gzip;
/// adds `Vary: Accept-Encoding` to every XML/JSON response either way.
pub async fn negotiate(
    pool: &Pool,
    request_headers: &HeaderMap,
    resp: Response<Body>,
) -> Response<Body> {
    let type_ok = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(compressible);
    if !type_ok || resp.headers().contains_key(header::CONTENT_ENCODING) {
        return resp;
    }
    let (mut parts, body) = resp.into_parts();
    parts
        .headers
        .append(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    let gzip = accepts_gzip(request_headers);
    if gzip && parts.status == StatusCode::NOT_MODIFIED {
        if let Some(tag) = parts.headers.get(header::ETAG).and_then(gzip_etag) {
            parts.headers.insert(header::ETAG, tag);
        }
        return Response::from_parts(parts, body);
    }
    let bytes = match body.collect().await {
        Ok(c) => c.to_bytes(),
        Err(never) => match never {},
    };
    if !gzip || bytes.len() < MIN_BYTES {
        return Response::from_parts(parts, Full::new(bytes));
    }
    let plain = bytes.clone();
    match pool.run(move || Ok(gzip_bytes(&plain))).await {
        Ok(Some(packed)) => {
            if let Some(tag) = parts.headers.get(header::ETAG).and_then(gzip_etag) {
                parts.headers.insert(header::ETAG, tag);
            }
            parts
                .headers
                .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
            parts.headers.remove(header::CONTENT_LENGTH);
            Response::from_parts(parts, Full::new(packed))
        }
        // Busy pool or a failed encoder: the plain body is always a valid answer.
        _ => Response::from_parts(parts, Full::new(bytes)),
    }
}

/// gzip at a fast level: capabilities documents are repetitive, level 1 already
/// shrinks them ~10×. `None` if the encoder fails.
fn gzip_bytes(data: &[u8]) -> Option<Bytes> {
    let mut enc = GzEncoder::new(Vec::with_capacity(data.len() / 4), Compression::fast());
    enc.write_all(data).ok()?;
    enc.finish().ok().map(Bytes::from)
}
