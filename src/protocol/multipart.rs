//! `multipart/form-data` (RFC 7578) as a push parser, sans I/O: bytes are
//! fed as they arrive and events (a part starts, its bytes, it ends) taken
//! out; the upload endpoint streams a file part to disk with it.

/// Largest block of part headers.
pub const MAX_HEADER_BYTES: usize = 16 * 1024;

/// The `boundary` parameter of a `Content-Type` value (1–70 characters).
pub fn boundary(content_type: &str) -> Option<String> {
    let value = params(content_type)
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
    pub fn next_event(&mut self) -> Result<Option<Event>, String> {
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
            while let Some(e) = p.next_event().expect("valid") {
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
        assert!(
            p.next_event().is_err(),
            "a part without Content-Disposition"
        );
        let mut p = Parser::new("XyZ");
        p.feed(b"--XyZgarbage\r\n");
        assert!(p.next_event().is_err());
    }

    #[test]
    fn boundary_and_params() {
        let ct = "multipart/form-data; boundary=\"a b\"";
        assert_eq!(boundary(ct).as_deref(), Some("a b"));
        assert_eq!(boundary("multipart/form-data"), None);
        assert_eq!(find(b"abcabd", b"abd"), Some(3));
        assert_eq!(find(b"ab", b"abc"), None);
    }
}
