//! A raw HTTP/1.1 client with a bounded read timeout: sends bytes as they are
//! and parses the answer, so a hanging request fails instead of stalling.

use super::DEADLINE;
use crate::support::Resp;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Instant;

/// Sends `raw` bytes as they are and reads the answer, within [`DEADLINE`].
pub(super) fn send_raw(addr: SocketAddr, raw: &[u8]) -> Result<Resp, String> {
    let mut stream = TcpStream::connect(addr).map_err(|e| format!("connect: {e}"))?;
    stream.set_read_timeout(Some(DEADLINE)).ok();
    stream.set_write_timeout(Some(DEADLINE)).ok();
    // The server may answer and close before it has read everything (a too-long
    // request): a failed write is fine as long as an answer can be read.
    let _ = stream.write_all(raw);
    let started = Instant::now();
    let mut data = Vec::new();
    let mut buf = [0u8; 16384];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => data.extend_from_slice(&buf[..n]),
            Err(e)
                if e.kind() == std::io::ErrorKind::WouldBlock
                    || e.kind() == std::io::ErrorKind::TimedOut =>
            {
                return Err(format!(
                    "no complete answer within {:?} (got {} bytes)",
                    started.elapsed(),
                    data.len()
                ));
            }
            Err(e) if !data.is_empty() => {
                // A reset after the answer was sent (unread request bytes).
                let _ = e;
                break;
            }
            Err(e) => return Err(format!("read: {e}")),
        }
    }
    parse(&data)
}

fn parse(raw: &[u8]) -> Result<Resp, String> {
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| format!("no end of headers in {} bytes", raw.len()))?;
    let head = String::from_utf8_lossy(&raw[..end]).into_owned();
    let mut lines = head.split("\r\n");
    let status: u16 = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("bad status line in {head:?}"))?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| {
            l.split_once(':')
                .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        })
        .collect();
    let mut body = raw[end + 4..].to_vec();
    let length = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse::<usize>().ok());
    if let Some(n) = length {
        if body.len() < n {
            return Err(format!("body cut short: {} of {n} bytes", body.len()));
        }
        body.truncate(n);
    }
    Ok(Resp {
        status,
        headers,
        body,
    })
}

pub(super) fn request(addr: SocketAddr, method: &str, target: &str) -> Result<Resp, String> {
    let req = format!("{method} {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    send_raw(addr, req.as_bytes())
}
