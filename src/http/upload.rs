//! Multipart uploads for `POST /api/v4/rastersources/<uuid>/data/`: the body
//! is parsed as it arrives and the `file` part streamed to a new file under
//! the data dir's `uploads/` folder, never held whole in memory. The other
//! parts (`timestamp`, `file_id`, …) are small text fields.
//!
//! Limits: the whole body may be at most `storage.max_upload_bytes` (413,
//! from `Content-Length` before reading and while streaming); a text field at
//! most [`MAX_FIELD_BYTES`], part headers at most
//! `protocol::multipart::MAX_HEADER_BYTES`. The body is read with
//! `server.body_timeout_secs` as the longest gap between its pieces. On
//! any failure the partial file is removed. The parser is sans-IO
//! (`protocol::multipart`).

use super::state::AppState;
use super::timed_body::TimedBody;
use crate::api::{ApiError, Upload};
use crate::protocol::multipart::{self, Event, Parser};
use http::{HeaderMap, header};
use std::path::PathBuf;
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use uuid::Uuid;

/// Largest text field.
pub const MAX_FIELD_BYTES: usize = 64 * 1024;
/// Most parts in one form.
pub const MAX_PARTS: usize = 64;
/// After a 413, how much more of the body is read and dropped (so the
/// client sees the answer instead of a reset connection).
const DRAIN_BYTES: u64 = 1024 * 1024;
/// A client that sends nothing more gets its 413 after this pause.
const DRAIN_GAP: Duration = Duration::from_millis(200);

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

/// Streams the upload to disk and returns where it is, with the form's
/// other fields.
pub async fn receive(
    state: &AppState,
    headers: &HeaderMap,
    body: &mut TimedBody,
) -> Result<Upload, ApiError> {
    let limit = state.config.storage.max_upload_bytes.bytes();
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit) {
        drain(body).await;
        return Err(too_large(limit));
    }
    let boundary = boundary(headers).ok_or_else(|| {
        form_error("Multipart form parse error - Invalid boundary in multipart: None")
    })?;
    let dir = state.repo.uploads_dir();
    tokio::fs::create_dir_all(&dir)
        .await
        .map_err(|e| ApiError::Internal(format!("creating {}: {e}", dir.display())))?;
    let mut partial = Partial(Some(
        dir.join(format!("{}.upload", Uuid::new_v4().simple())),
    ));
    let result = stream(body, &boundary, limit, &mut partial).await;
    match result {
        Ok(upload) => {
            partial.0 = None;
            Ok(upload)
        }
        Err(e) => {
            if matches!(e, ApiError::TooLarge(_)) {
                drain(body).await;
            }
            Err(e)
        }
    }
}

/// Removes the file when dropped unless disarmed (`.0 = None`).
struct Partial(Option<PathBuf>);

impl Drop for Partial {
    fn drop(&mut self) {
        if let Some(p) = &self.0 {
            let _ = std::fs::remove_file(p);
        }
    }
}

/// Where the bytes of the current part go.
enum Sink {
    File(tokio::fs::File),
    Field(String, Vec<u8>),
    Skip,
}

async fn stream(
    body: &mut TimedBody,
    boundary: &str,
    limit: u64,
    partial: &mut Partial,
) -> Result<Upload, ApiError> {
    let path = partial.0.clone().unwrap_or_default();
    let mut parser = Parser::new(boundary);
    let (mut total, mut parts) = (0u64, 0usize);
    let mut sink = Sink::Skip;
    let mut file_name: Option<String> = None;
    let mut file_bytes: Option<u64> = None;
    let mut fields: Vec<(String, String)> = Vec::new();
    loop {
        let chunk = match body.frame().await {
            None => None,
            Some(Err(e)) => return Err(form_error(&format!("reading the body: {e}"))),
            Some(Ok(frame)) => match frame.into_data() {
                Ok(data) => Some(data),
                Err(_) => continue,
            },
        };
        let eof = chunk.is_none();
        if let Some(data) = chunk {
            total += data.len() as u64;
            if total > limit {
                return Err(too_large(limit));
            }
            parser.feed(&data);
        }
        while let Some(event) = parser.next_event().map_err(|m| form_error(&m))? {
            match event {
                Event::Start { name, filename } => {
                    parts += 1;
                    if parts > MAX_PARTS {
                        return Err(form_error("Too many parts in the form."));
                    }
                    sink = if name == "file" && file_bytes.is_none() {
                        let f = tokio::fs::File::create(&path).await.map_err(|e| {
                            ApiError::Internal(format!("creating {}: {e}", path.display()))
                        })?;
                        file_name = filename.filter(|n| !n.is_empty());
                        file_bytes = Some(0);
                        Sink::File(f)
                    } else if filename.is_none() {
                        Sink::Field(name, Vec::new())
                    } else {
                        Sink::Skip
                    };
                }
                Event::Data(bytes) => match &mut sink {
                    Sink::File(f) => {
                        f.write_all(&bytes).await.map_err(|e| {
                            ApiError::Internal(format!("writing {}: {e}", path.display()))
                        })?;
                        file_bytes = file_bytes.map(|n| n + bytes.len() as u64);
                    }
                    Sink::Field(name, value) => {
                        if value.len() + bytes.len() > MAX_FIELD_BYTES {
                            return Err(ApiError::field(
                                name,
                                format!("The field is longer than {MAX_FIELD_BYTES} bytes."),
                            ));
                        }
                        value.extend_from_slice(&bytes);
                    }
                    Sink::Skip => {}
                },
                Event::End => match std::mem::replace(&mut sink, Sink::Skip) {
                    Sink::File(mut f) => {
                        f.flush().await.map_err(|e| {
                            ApiError::Internal(format!("writing {}: {e}", path.display()))
                        })?;
                    }
                    Sink::Field(name, value) => {
                        let text = String::from_utf8(value)
                            .map_err(|_| ApiError::field(&name, "The value is not UTF-8."))?;
                        fields.push((name, text));
                    }
                    Sink::Skip => {}
                },
            }
        }
        if eof {
            break;
        }
    }
    if !parser.done() {
        return Err(form_error(
            "Multipart form parse error - the body ends before the closing boundary.",
        ));
    }
    match file_bytes {
        None => Err(ApiError::field("file", "No file was submitted.")),
        Some(0) => Err(ApiError::field("file", "The submitted file is empty.")),
        Some(_) => Ok(Upload {
            file: path,
            file_name,
            fields,
        }),
    }
}

/// Reads and drops up to [`DRAIN_BYTES`] more of the body (2 s at most,
/// and no longer than [`DRAIN_GAP`] without a byte).
async fn drain(body: &mut TimedBody) {
    let mut seen = 0u64;
    let _ = tokio::time::timeout(Duration::from_secs(2), async {
        while let Ok(Some(Ok(frame))) = tokio::time::timeout(DRAIN_GAP, body.frame()).await {
            if let Ok(d) = frame.into_data() {
                seen += d.len() as u64;
                if seen > DRAIN_BYTES {
                    return;
                }
            }
        }
    })
    .await;
}

fn too_large(limit: u64) -> ApiError {
    ApiError::TooLarge(format!(
        "The upload is larger than the limit of {limit} bytes."
    ))
}

fn form_error(message: &str) -> ApiError {
    ApiError::field("non_field_errors", message)
}

/// The `boundary` parameter of the Content-Type.
fn boundary(headers: &HeaderMap) -> Option<String> {
    multipart::boundary(headers.get(header::CONTENT_TYPE)?.to_str().ok()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multipart_bodies_and_their_boundary() {
        let mut h = HeaderMap::new();
        h.insert(
            header::CONTENT_TYPE,
            "multipart/form-data; boundary=\"a b\"".parse().unwrap(),
        );
        assert!(is_multipart(&h));
        assert_eq!(boundary(&h).as_deref(), Some("a b"));
        h.insert(header::CONTENT_TYPE, "application/json".parse().unwrap());
        assert!(!is_multipart(&h));
    }
}
