//! `/api/v4/…`: HTTP in and out for the catalogue API (`crate::api`).
//!
//! Decodes the path, query and credentials, reads a JSON (or form) body of
//! at most [`MAX_JSON_BYTES`] (a larger declared `Content-Length` is refused
//! before reading; a body that stops arriving for `server.body_timeout_secs`
//! gets `408` and the connection closes), runs the handler off the async
//! runtime, and
//! writes its answer as JSON or, for `?format=api` and browsers, as the
//! browsable HTML page. Errors are Lizard's JSON body with the status of
//! their class (`errors.rs`); 401 carries `WWW-Authenticate`, 405 `Allow`.
//! Responses depend on the caller: `Cache-Control: private, no-cache` and
//! `Vary: Accept, Authorization`.

use super::auth;
use super::errors;
use super::response::{self, Body};
use super::state::AppState;
use super::timed_body::TimedBody;
use super::upload;
use crate::api::{self, ApiBody, ApiError, ApiRequest, ApiResponse, Format, Method};
use crate::protocol::kvp::{decode_form_lossy, decode_path};
use bytes::Bytes;
use http::request::Parts;
use http::{HeaderValue, StatusCode, header};
use hyper::Response;
use hyper::body::Incoming;
use serde_json::Value;

/// The path prefix this module answers.
pub const PREFIX: &str = "/api/v4";

/// The methods the API answers (for CORS preflights).
pub const METHODS: &str = "GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS";

/// Largest JSON or form body (uploads have their own limit).
pub const MAX_JSON_BYTES: usize = 2 * 1024 * 1024;

/// Whether `path` is the API's (colormaps excepted: `colormaps.rs`).
pub fn owns(path: &str) -> bool {
    path == PREFIX || path.starts_with("/api/v4/")
}

pub async fn handle(state: &AppState, parts: &Parts, body: Incoming) -> Response<Body> {
    let accept = parts
        .headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok());
    let params = decode_query(parts.uri.query().unwrap_or(""));
    let format = params
        .iter()
        .rev()
        .find(|(k, _)| k == "format")
        .map(|(_, v)| v.as_str());
    let format = Format::negotiate(format, accept).unwrap_or(Format::Json);
    let segments = segments(parts.uri.path());
    let allow = api::allow(segments.as_deref().unwrap_or_default());
    let title = segments
        .as_ref()
        .ok()
        .and_then(|s| s.first().cloned())
        .unwrap_or_else(|| "Api Root".into());
    let method_line = format!("{} {}", parts.method, parts.uri);
    let mut body = TimedBody::new(body, state.config.server.body_timeout());
    let answer = prepare(state, parts, &mut body, params, segments, accept).await;
    if body.timed_out() {
        return errors::request_timeout(state.service.settings());
    }
    let answer = match answer {
        Ok(req) => run(state, req).await,
        Err(e) => Err(e),
    };
    let error_policy = state.service.settings().cache_control_errors.as_deref();
    write(format, &title, &method_line, allow, answer, error_policy)
}

/// Everything up to the handler: method, path, query, caller, body.
async fn prepare(
    state: &AppState,
    parts: &Parts,
    body: &mut TimedBody,
    params: Vec<(String, String)>,
    segments: Result<Vec<String>, ApiError>,
    accept: Option<&str>,
) -> Result<ApiRequest, ApiError> {
    let method = Method::parse(parts.method.as_str())
        .ok_or_else(|| ApiError::MethodNotAllowed(parts.method.to_string()))?;
    let segments = segments?;
    let format_param = params
        .iter()
        .rev()
        .find(|(k, _)| k == "format")
        .map(|(_, v)| v.as_str());
    let format = Format::negotiate(format_param, accept)?;
    let snapshot = state.service.snapshot();
    let caller = auth::caller(&snapshot, &parts.headers).map_err(|_| ApiError::BadCredentials)?;
    let mut req = ApiRequest {
        method,
        segments,
        params,
        caller,
        body: ApiBody::Empty,
        base: state.service.public_url().to_string(),
        format,
        snapshot,
    };
    if method.is_read() {
        return Ok(req);
    }
    req.body = if upload::is_multipart(&parts.headers) {
        // Who may upload is settled before a byte is written to disk.
        api::may_upload(&req)?;
        ApiBody::Upload(upload::receive(state, &parts.headers, body).await?)
    } else {
        read_body(&parts.headers, body).await?
    };
    Ok(req)
}

/// Runs the handler on the blocking pool (it may write the database).
async fn run(state: &AppState, req: ApiRequest) -> Result<ApiResponse, ApiError> {
    let repo = state.repo.clone();
    let upload = match &req.body {
        ApiBody::Upload(u) => Some(u.file.clone()),
        _ => None,
    };
    let out = tokio::task::spawn_blocking(move || api::handle(&repo, &req))
        .await
        .unwrap_or_else(|e| Err(ApiError::Internal(format!("API handler failed: {e}"))));
    // A handler that did not take the uploaded file over leaves it behind.
    if let Some(file) = upload {
        if file.exists() && out.is_err() {
            let _ = std::fs::remove_file(&file);
        }
    }
    out
}

/// `Content-Type` JSON (or none) → JSON; a URL-encoded form → an object of
/// its fields; anything else → 415.
async fn read_body(headers: &http::HeaderMap, body: &mut TimedBody) -> Result<ApiBody, ApiError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|s| {
            s.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        });
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > MAX_JSON_BYTES) {
        return Err(too_large());
    }
    let bytes = read_limited(body, MAX_JSON_BYTES).await?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(ApiBody::Empty);
    }
    match content_type.as_deref() {
        None | Some("application/json") => serde_json::from_slice(&bytes)
            .map(ApiBody::Json)
            .map_err(|e| ApiError::ParseError(e.to_string())),
        Some("application/x-www-form-urlencoded") => {
            let text = std::str::from_utf8(&bytes)
                .map_err(|_| ApiError::ParseError("the form is not UTF-8".into()))?;
            let pairs = decode_query(text);
            Ok(ApiBody::Json(Value::Object(
                pairs
                    .into_iter()
                    .map(|(k, v)| (k, Value::String(v)))
                    .collect(),
            )))
        }
        Some(other) => Err(ApiError::UnsupportedMediaType(other.to_string())),
    }
}

fn too_large() -> ApiError {
    ApiError::TooLarge(format!(
        "The request body is larger than {MAX_JSON_BYTES} bytes."
    ))
}

/// The body, refused beyond `limit` bytes without reading further.
async fn read_limited(body: &mut TimedBody, limit: usize) -> Result<Bytes, ApiError> {
    let mut out = Vec::new();
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| ApiError::ParseError(format!("reading the body: {e}")))?;
        if let Ok(data) = frame.into_data() {
            if out.len() + data.len() > limit {
                return Err(too_large());
            }
            out.extend_from_slice(&data);
        }
    }
    Ok(Bytes::from(out))
}

/// The path after `/api/v4/`, percent-decoded per segment.
fn segments(path: &str) -> Result<Vec<String>, ApiError> {
    let rest = path.strip_prefix(PREFIX).unwrap_or("");
    rest.split('/')
        .filter(|s| !s.is_empty())
        .map(|s| decode_path(s).ok_or(ApiError::NotFound))
        .collect()
}

/// `a=1&b=x%20y` → pairs, `+` as space, decoded as Django's `QueryDict`
/// decodes them: a broken escape stays literal (`name__icontains=%` looks for
/// a `%`), bytes that are not UTF-8 become U+FFFD.
fn decode_query(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (decode_form_lossy(k), decode_form_lossy(v))
        })
        .collect()
}

fn write(
    format: Format,
    title: &str,
    method_line: &str,
    allow: &'static str,
    answer: Result<ApiResponse, ApiError>,
    error_policy: Option<&str>,
) -> Response<Body> {
    let (status, body, err) = match answer {
        Ok(r) => (r.status, r.body, None),
        Err(e) => {
            if e.class() == crate::model::ErrorClass::Internal {
                tracing::error!(error = %e, "API request failed");
            }
            (e.status(), Some(e.body()), Some(e))
        }
    };
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut resp = match (&body, format) {
        (None, _) => response::bytes(status, "application/json", Bytes::new()),
        (Some(json), Format::Json) => response::bytes(
            status,
            "application/json",
            serde_json::to_vec(json).unwrap_or_default(),
        ),
        (Some(json), Format::Api) => response::bytes(
            status,
            "text/html; charset=utf-8",
            api::format::browsable_html(title, method_line, status.as_u16(), allow, json),
        ),
    };
    if body.is_none() {
        *resp.body_mut() = Body::new(Bytes::new());
        resp.headers_mut().remove(header::CONTENT_TYPE);
    }
    let h = resp.headers_mut();
    h.insert(header::ALLOW, HeaderValue::from_static(allow));
    if format == Format::Api {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(api::format::CONTENT_SECURITY_POLICY),
        );
    }
    h.insert(
        header::VARY,
        HeaderValue::from_static("Accept, Authorization"),
    );
    // Errors carry the policy of every other error of the server.
    let policy = match err {
        Some(_) => error_policy.and_then(|p| HeaderValue::from_str(p).ok()),
        None => Some(HeaderValue::from_static("private, no-cache")),
    };
    if let Some(policy) = policy {
        h.insert(header::CACHE_CONTROL, policy);
    }
    if matches!(
        err,
        Some(ApiError::BadCredentials) | Some(ApiError::NotAuthenticated)
    ) {
        h.insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"api\""),
        );
    }
    resp
}
