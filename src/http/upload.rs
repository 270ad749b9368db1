//! Multipart uploads for `POST /api/v4/rastersources/<uuid>/data/`: the body
//! is parsed as it arrives and the `file` part streamed to a new file under
//! the data dir's `uploads/` folder, never held whole in memory. The other
//! parts (`timestamp`, `file_id`, …) are small text fields.
//!
//! Limits: the whole body may be at most `storage.max_upload_bytes` (413,
//! from `Content-Length` before reading and while streaming); a text field at
//! most [`MAX_FIELD_BYTES`], part headers at most [`MAX_HEADER_BYTES`]. On
//! any failure the partial file is removed. The parser (`Parser`) is sans-IO.

use super::state::AppState;
use crate::api::{ApiError, Upload};
use http::{HeaderMap, header};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use std::path::PathBuf;
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use uuid::Uuid;

/// Largest text field.
pub const MAX_FIELD_BYTES: usize = 64 * 1024;
/// Largest block of part headers.
pub const MAX_HEADER_BYTES: usize = 16 * 1024;
/// Most parts in one form.
pub const MAX_PARTS: usize = 64;
/// After a 413, how much more of the body is read and dropped (so the
/// client sees the answer instead of a reset connection).
const DRAIN_BYTES: u64 = 1024 * 1024;

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
    mut body: Incoming,
) -> Result<Upload, ApiError> {
    let limit = state.config.storage.max_upload_bytes.bytes();
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit) {
        drain(&mut body).await;
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
    let result = stream(&mut body, &boundary, limit, &mut partial).await;
    match result {
        Ok(upload) => {
            partial.0 = None;
            Ok(upload)
        }
        Err(e) => {
            if matches!(e, ApiError::TooLarge(_)) {
                drain(&mut body).await;
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
    body: &mut Incoming,
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
        while let Some(event) = parser.next().map_err(|m| form_error(&m))? {
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

/// Reads and drops up to [`DRAIN_BYTES`] more of the body (2 s at most).
async fn drain(body: &mut Incoming) {
    let mut seen = 0u64;
    let _ = tokio::time::timeout(Duration::from_secs(2), async {
        while let Some(Ok(frame)) = body.frame().await {
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

/// The `boundary` parameter of the Content-Type (1–70 characters).
fn boundary(headers: &HeaderMap) -> Option<String> {
    let ct = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    let value = params(ct)
        .find(|(k, _)| k.eq_ignore_ascii_case("boundary"))?
        .1;
    (!value.is_empty() && value.len() <= 70).then_some(value)
}

/// `key=value` parameters after the first `;` of a header value; quoted
/// values unquoted.
fn params(header: &str) -> impl Iterator<Item = (String, String)> + '_ {
    header.split(';').skip(1).filter_map(|p| {
        let (k, v) = p.split_once('=')?;
        let v = v.trim();
        let v = v
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .unwrap_or(v);
        Some((k.trim().to_string(), v.replace("\\\"", "\"")))
    })
}

/// What the parser found.
#[derive(Debug, PartialEq)]
pub enum Event {
    /// A part begins: its form name and, for files, the file name.
    Start {
        name: String,
        filename: Option<String>,
    },
    /// Bytes of the current part's content.
    Data(Vec<u8>),
    /// The current part ended.
    End,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum State {
    Preamble,
    AfterDelimiter,
    Headers,
    Body,
    Done,
}

/// A push parser for `multipart/form-data` (RFC 7578): `feed` bytes as they
/// arrive, take `next` events until `None`, repeat. Holds at most one part
/// header block or one delimiter's length of content.
pub struct Parser {
    /// `\r\n--<boundary>`.
    delimiter: Vec<u8>,
    buf: Vec<u8>,
    state: State,
    end_pending: bool,
}

impl Parser {
    pub fn new(boundary: &str) -> Parser {
        Parser {
            delimiter: format!("\r\n--{boundary}").into_bytes(),
            // The first delimiter may start the body without a line break.
            buf: b"\r\n".to_vec(),
            state: State::Preamble,
            end_pending: false,
        }
    }

    pub fn feed(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// Whether the closing delimiter was seen.
    pub fn done(&self) -> bool {
        self.state == State::Done
    }

    /// The next event, `None` when more bytes are needed (or after the end).
    pub fn next(&mut self) -> Result<Option<Event>, String> {
        if self.end_pending {
            self.end_pending = false;
            return Ok(Some(Event::End));
        }
        let dl = self.delimiter.len();
        loop {
            match self.state {
                State::Preamble => match find(&self.buf, &self.delimiter) {
                    Some(i) => {
                        self.buf.drain(..i + dl);
                        self.state = State::AfterDelimiter;
                    }
                    None => {
                        let keep = self.buf.len().min(dl - 1);
                        self.buf.drain(..self.buf.len() - keep);
                        return Ok(None);
                    }
                },
                State::AfterDelimiter => {
                    if self.buf.len() < 2 {
                        return Ok(None);
                    }
                    if self.buf.starts_with(b"--") {
                        self.state = State::Done;
                        self.buf.clear();
                        return Ok(None);
                    }
                    match find(&self.buf, b"\r\n") {
                        Some(i) if self.buf[..i].iter().all(|b| *b == b' ' || *b == b'\t') => {
                            self.buf.drain(..i + 2);
                            self.state = State::Headers;
                        }
                        Some(_) => {
                            return Err("Multipart form parse error - bad delimiter line.".into());
                        }
                        None if self.buf.len() > 256 => {
                            return Err("Multipart form parse error - bad delimiter line.".into());
                        }
                        None => return Ok(None),
                    }
                }
                State::Headers => {
                    let end = if self.buf.starts_with(b"\r\n") {
                        Some(0)
                    } else {
                        find(&self.buf, b"\r\n\r\n").map(|i| i + 2)
                    };
                    let Some(end) = end else {
                        if self.buf.len() > MAX_HEADER_BYTES {
                            return Err(
                                "Multipart form parse error - part headers too long.".into()
                            );
                        }
                        return Ok(None);
                    };
                    let head = String::from_utf8_lossy(&self.buf[..end]).into_owned();
                    self.buf.drain(..end + 2);
                    self.state = State::Body;
                    return part_start(&head).map(Some);
                }
                State::Body => match find(&self.buf, &self.delimiter) {
                    Some(i) => {
                        let data: Vec<u8> = self.buf.drain(..i).collect();
                        self.buf.drain(..dl);
                        self.state = State::AfterDelimiter;
                        if data.is_empty() {
                            return Ok(Some(Event::End));
                        }
                        self.end_pending = true;
                        return Ok(Some(Event::Data(data)));
                    }
                    None => {
                        let keep = dl - 1;
                        if self.buf.len() <= keep {
                            return Ok(None);
                        }
                        let data: Vec<u8> = self.buf.drain(..self.buf.len() - keep).collect();
                        return Ok(Some(Event::Data(data)));
                    }
                },
                State::Done => {
                    self.buf.clear();
                    return Ok(None);
                }
            }
        }
    }
}

/// The part's form name and file name from its `Content-Disposition`.
fn part_start(head: &str) -> Result<Event, String> {
    let disposition = head
        .split("\r\n")
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("content-disposition"))
        .map(|(_, v)| v.trim())
        .ok_or("Multipart form parse error - a part lacks Content-Disposition.")?;
    let mut name = None;
    let mut filename = None;
    for (k, v) in params(disposition) {
        match k.to_ascii_lowercase().as_str() {
            "name" => name = Some(v),
            "filename" => filename = Some(v),
            _ => {}
        }
    }
    let name = name.ok_or("Multipart form parse error - a part has no name.")?;
    Ok(Event::Start { name, filename })
}

/// The first position of `needle` in `hay`.
fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    let first = *needle.first()?;
    let mut from = 0;
    while from + needle.len() <= hay.len() {
        let i = from
            + hay[from..=hay.len() - needle.len()]
                .iter()
                .position(|b| *b == first)?;
        if hay[i..].starts_with(needle) {
            return Some(i);
        }
        from = i + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> Vec<u8> {
        let mut b = Vec::new();
        b.extend_from_slice(b"--XyZ\r\nContent-Disposition: form-data; name=\"timestamp\"\r\n\r\n2024-06-01T12:00:00Z\r\n");
        b.extend_from_slice(b"--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.tif\"\r\nContent-Type: image/tiff\r\n\r\n");
        b.extend_from_slice(b"II*\0\r\n--Xy not the end\r\n\r\nbytes");
        b.extend_from_slice(b"\r\n--XyZ--\r\nepilogue");
        b
    }

    /// Feeds `body` in chunks of `n` and collects (fields, file bytes).
    fn parse(body: &[u8], n: usize) -> (Vec<Event>, bool) {
        let mut p = Parser::new("XyZ");
        let mut events = Vec::new();
        for chunk in body.chunks(n) {
            p.feed(chunk);
            while let Some(e) = p.next().expect("valid") {
                match (events.last_mut(), e) {
                    (Some(Event::Data(d)), Event::Data(more)) => d.extend(more),
                    (_, e) => events.push(e),
                }
            }
        }
        (events, p.done())
    }

    #[test]
    fn parts_come_out_whole_whatever_the_chunking() {
        let body = form();
        let want = vec![
            Event::Start {
                name: "timestamp".into(),
                filename: None,
            },
            Event::Data(b"2024-06-01T12:00:00Z".to_vec()),
            Event::End,
            Event::Start {
                name: "file".into(),
                filename: Some("a.tif".into()),
            },
            Event::Data(b"II*\0\r\n--Xy not the end\r\n\r\nbytes".to_vec()),
            Event::End,
        ];
        for n in [1, 2, 3, 7, 64, body.len()] {
            let (events, done) = parse(&body, n);
            assert_eq!(events, want, "chunks of {n}");
            assert!(done);
        }
    }

    #[test]
    fn truncated_and_malformed_bodies() {
        let body = form();
        let (_, done) = parse(&body[..body.len() - 20], 5);
        assert!(!done, "no closing delimiter");
        let mut p = Parser::new("XyZ");
        p.feed(b"--XyZ\r\nContent-Type: text/plain\r\n\r\nx\r\n--XyZ--");
        assert!(p.next().is_err(), "a part without Content-Disposition");
        let mut p = Parser::new("XyZ");
        p.feed(b"--XyZgarbage\r\n");
        assert!(p.next().is_err());
    }

    #[test]
    fn boundary_and_params() {
        let mut h = HeaderMap::new();
        h.insert(
            header::CONTENT_TYPE,
            "multipart/form-data; boundary=\"a b\"".parse().unwrap(),
        );
        assert_eq!(boundary(&h).as_deref(), Some("a b"));
        assert!(is_multipart(&h));
        h.insert(header::CONTENT_TYPE, "multipart/form-data".parse().unwrap());
        assert_eq!(boundary(&h), None);
        assert_eq!(find(b"abcabd", b"abd"), Some(3));
        assert_eq!(find(b"ab", b"abc"), None);
    }
}
