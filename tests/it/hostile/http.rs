//! The HTTP layer itself: other methods than GET, unknown paths, malformed
//! requests, and a silent client that must not block the others.

use super::client::send_raw;
use super::{LAYER, Want, check, run, still_healthy};
use crate::support;
use std::io::Write;
use std::net::TcpStream;
use std::time::{Duration, Instant};

fn other_corpus() -> Vec<(String, String, String, Want)> {
    let mut cases = Vec::new();
    for method in ["POST", "PUT", "DELETE", "PATCH"] {
        for path in [
            "/wms/?SERVICE=WMS&REQUEST=GetCapabilities".to_string(),
            format!("/tiles/{LAYER}/2/2/1.png"),
            "/healthz".to_string(),
            "/".to_string(),
        ] {
            cases.push((
                format!("{method} {path}"),
                method.to_string(),
                path,
                Want::MethodNotAllowed,
            ));
        }
    }
    for path in [
        "/nothing",
        "/wmsx",
        "/wms/extra",
        "/tiles",
        "/api/v4/nothing/",
        "/healthz/more",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/../../etc/passwd",
    ] {
        cases.push((
            format!("GET {path}"),
            "GET".to_string(),
            path.to_string(),
            Want::Json(404),
        ));
    }
    cases
}

#[test]
fn other_methods_get_405_and_unknown_paths_404() {
    run(support::demo(), other_corpus());
}

#[test]
fn malformed_http_is_refused_without_harm() {
    let server = support::demo();
    let big_header = format!(
        "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\nConnection: close\r\n\r\n",
        "a".repeat(1024 * 1024)
    );
    let many_headers = format!(
        "GET /healthz HTTP/1.1\r\nHost: x\r\n{}Connection: close\r\n\r\n",
        (0..2000)
            .map(|i| format!("X-H{i}: v\r\n"))
            .collect::<String>()
    );
    let raw: Vec<(&str, Vec<u8>)> = vec![
        (
            "header without colon",
            b"GET /healthz HTTP/1.1\r\nHost x\r\n\r\n".to_vec(),
        ),
        (
            "space in target",
            b"GET /wms/?a=b c HTTP/1.1\r\nHost: x\r\n\r\n".to_vec(),
        ),
        (
            "binary request line",
            b"\x00\x01\x02\xff GET\r\n\r\n".to_vec(),
        ),
        (
            "HTTP/9.9",
            b"GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n".to_vec(),
        ),
        ("1 MB header", big_header.into_bytes()),
        ("2000 headers", many_headers.into_bytes()),
    ];
    let mut failures = Vec::new();
    for (name, bytes) in raw {
        match send_raw(server.addr, &bytes) {
            Ok(resp) => {
                if let Err(e) = check(&resp, Want::AnyClientError) {
                    failures.push(format!("{name}: {e}"));
                }
            }
            // Closing the connection without an answer is acceptable for garbage
            // that is not HTTP at all; hanging is not (send_raw reports that).
            Err(e) if e.starts_with("no end of headers in 0 bytes") => {}
            Err(e) => failures.push(format!("{name}: {e}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    still_healthy(server);
}

#[test]
fn a_silent_client_does_not_block_others() {
    // A connection that sends half a request and stops must not keep the
    // server from answering anyone else.
    let server = support::demo();
    let mut idle = TcpStream::connect(server.addr).expect("connect");
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHo")
        .expect("write");
    let started = Instant::now();
    still_healthy(server);
    assert!(started.elapsed() < Duration::from_secs(2));
    drop(idle);
}
