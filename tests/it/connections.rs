//! Connections keep the server reachable: silent, idle, slow and truncated
//! clients cannot lock it up or hold a connection for ever. Everything over
//! real sockets against a server on `127.0.0.1:0`; every wait is bounded.

use crate::api::client::{Client, basic, user_key};
use crate::config_keys::{LOCHEM_FILE, config_with};
use crate::support::{TestServer, repo, test_config};
use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};
use tegel::config::Config;

/// A config without demo data, with the given timeouts.
fn config(tag: &str, header: u64, body: u64) -> Config {
    let mut config = test_config(tag);
    config.demo.ingest_on_empty = false;
    config.server.header_timeout_secs = header;
    config.server.body_timeout_secs = body;
    config
}

fn connect(addr: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5)).expect("connect");
    stream.set_nodelay(true).expect("nodelay");
    stream
}

/// Everything the server sends until it closes the connection, and when it
/// closed; panics when it is still open after `wait`.
fn read_until_closed(stream: &mut TcpStream, wait: Duration) -> (Vec<u8>, Duration) {
    let started = Instant::now();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let left = wait.saturating_sub(started.elapsed());
        assert!(
            !left.is_zero(),
            "still open after {wait:?}; received {:?}",
            String::from_utf8_lossy(&got)
        );
        stream.set_read_timeout(Some(left)).expect("timeout");
        match stream.read(&mut buf) {
            Ok(0) => return (got, started.elapsed()),
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == ErrorKind::ConnectionReset => return (got, started.elapsed()),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(e) => panic!("read: {e}"),
        }
    }
}

/// Reads one response by its `Content-Length`: status, head and body.
fn read_response(stream: &mut TcpStream, wait: Duration) -> (u16, String, Vec<u8>) {
    stream.set_read_timeout(Some(wait)).expect("timeout");
    let mut raw = Vec::new();
    let mut byte = [0u8; 1];
    while !raw.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte) {
            Ok(1) => raw.push(byte[0]),
            other => panic!(
                "no complete response head ({other:?}): {:?}",
                String::from_utf8_lossy(&raw)
            ),
        }
    }
    let head = String::from_utf8_lossy(&raw).to_string();
    let status = head[9..12].parse().expect("status");
    let length: usize = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse().ok())?
        })
        .unwrap_or(0);
    let mut body = vec![0u8; length];
    stream.read_exact(&mut body).expect("body");
    (status, head, body)
}

fn get(stream: &mut TcpStream, path: &str) {
    let req = format!("GET {path} HTTP/1.1\r\nHost: tegel\r\n\r\n");
    stream.write_all(req.as_bytes()).expect("write");
}

/// `/healthz` on a new connection: its time from connect to answer.
fn healthz_time(addr: SocketAddr) -> Duration {
    let started = Instant::now();
    let mut s = connect(addr);
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: tegel\r\nConnection: close\r\n\r\n")
        .expect("write");
    let (status, _, body) = read_response(&mut s, Duration::from_secs(5));
    assert_eq!((status, body.as_slice()), (200, &b"ok\n"[..]));
    started.elapsed()
}

/// The soft limit of open files of this process (Linux), if known.
fn open_files_limit() -> Option<u64> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    line.split_whitespace().nth(3)?.parse().ok()
}

#[test]
fn silent_connections_beyond_the_cap_do_not_stop_healthz() {
    const SILENT: usize = 2000;
    if let Some(limit) = open_files_limit() {
        assert!(
            limit >= 2 * SILENT as u64 + 512,
            "this test needs {} open files (client and server in one process), \
             the soft limit is {limit}: raise it with `ulimit -n`",
            2 * SILENT + 512
        );
    }
    let mut config = config("conn-silent", 60, 60);
    config.server.max_connections = 256;
    let server = TestServer::start(config);
    let addr = server.addr;
    let opener = std::thread::spawn(move || {
        let mut held = Vec::with_capacity(SILENT);
        for _ in 0..SILENT {
            held.push(connect(addr));
        }
        held
    });
    let mut slowest = Duration::ZERO;
    let mut asked = 0;
    while !opener.is_finished() || asked < 20 {
        slowest = slowest.max(healthz_time(addr));
        asked += 1;
        std::thread::sleep(Duration::from_millis(5));
        assert!(asked < 10_000, "the opener never finished");
    }
    let held = opener.join().expect("opener");
    assert_eq!(held.len(), SILENT);
    // Once they are all open, as before.
    for _ in 0..20 {
        slowest = slowest.max(healthz_time(addr));
    }
    eprintln!("/healthz: {asked} + 20 answers, the slowest in {slowest:?}");
    assert!(
        slowest < Duration::from_millis(100),
        "/healthz took {slowest:?} while {SILENT} silent connections were opened"
    );
}

#[test]
fn a_silent_connection_is_closed_after_header_timeout_secs() {
    let server = TestServer::start(config("conn-header-silent", 1, 10));
    let mut s = connect(server.addr);
    let (got, waited) = read_until_closed(&mut s, Duration::from_secs(5));
    assert!(got.is_empty(), "{:?}", String::from_utf8_lossy(&got));
    assert!(
        waited >= Duration::from_millis(900) && waited < Duration::from_millis(1500),
        "closed after {waited:?}, not after 1 s"
    );

    // On keep-alive the span starts at the end of the previous response.
    let mut s = connect(server.addr);
    std::thread::sleep(Duration::from_millis(600));
    get(&mut s, "/healthz");
    let (status, _, _) = read_response(&mut s, Duration::from_secs(5));
    assert_eq!(status, 200);
    let (got, waited) = read_until_closed(&mut s, Duration::from_secs(5));
    assert!(got.is_empty(), "{:?}", String::from_utf8_lossy(&got));
    assert!(
        waited >= Duration::from_millis(800) && waited < Duration::from_millis(1500),
        "idle keep-alive connection closed after {waited:?}, not 1 s after its answer"
    );
}

#[test]
fn a_partial_request_head_gets_408_then_close() {
    let server = TestServer::start(config("conn-header-partial", 1, 10));
    let mut s = connect(server.addr);
    let started = Instant::now();
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: tegel\r\n")
        .expect("write");
    // A slow trickle does not extend the deadline.
    std::thread::sleep(Duration::from_millis(500));
    s.write_all(b"X-Slow: 1\r\n").expect("write");
    let (got, _) = read_until_closed(&mut s, Duration::from_secs(5));
    let waited = started.elapsed();
    let text = String::from_utf8_lossy(&got);
    assert!(
        text.starts_with("HTTP/1.1 408 Request Timeout\r\n"),
        "{text}"
    );
    assert!(
        text.to_ascii_lowercase()
            .contains("\r\nconnection: close\r\n"),
        "{text}"
    );
    assert!(text.contains("\"status\":408"), "{text}");
    assert!(
        waited >= Duration::from_millis(900) && waited < Duration::from_millis(1600),
        "answered after {waited:?}, not after 1 s"
    );
}

/// Sends `head` (and `body`), then nothing more: the server must answer
/// 408 (or close) within the body timeout of 1 s plus slack.
fn stalled_body(tag: &str, head: &str, body: &[u8]) {
    let server = TestServer::start(config(tag, 10, 1));
    let mut s = connect(server.addr);
    let started = Instant::now();
    s.write_all(head.as_bytes()).expect("write");
    s.write_all(body).expect("write");
    let (got, _) = read_until_closed(&mut s, Duration::from_secs(5));
    let waited = started.elapsed();
    let text = String::from_utf8_lossy(&got);
    assert!(text.starts_with("HTTP/1.1 408 "), "{text}");
    assert!(
        text.to_ascii_lowercase()
            .contains("\r\nconnection: close\r\n"),
        "{text}"
    );
    assert!(text.contains("\"status\":408"), "{text}");
    assert!(
        waited >= Duration::from_millis(900) && waited < Duration::from_millis(2000),
        "answered after {waited:?}: not the 1 s body timeout"
    );
    // The server is still there.
    assert!(healthz_time(server.addr) < Duration::from_secs(1));
}

#[test]
fn a_body_shorter_than_its_content_length_gets_408_within_the_body_timeout() {
    stalled_body(
        "conn-body-short",
        "POST /api/v4/rastersources/ HTTP/1.1\r\nHost: tegel\r\nAccept: application/json\r\n\
         Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n",
        b"{\"name\": \"",
    );
}

#[test]
fn a_chunked_body_that_stops_mid_chunk_gets_408_within_the_body_timeout() {
    // One chunk of 1 GiB declared, 10 bytes of it sent.
    stalled_body(
        "conn-body-chunked",
        "POST /api/v4/rastersources/ HTTP/1.1\r\nHost: tegel\r\nAccept: application/json\r\n\
         Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n40000000\r\n",
        b"{\"name\": \"",
    );
}

#[test]
fn a_declared_body_over_the_json_limit_is_refused_at_once() {
    let server = TestServer::start(config("conn-body-large", 10, 10));
    let mut s = connect(server.addr);
    let started = Instant::now();
    s.write_all(
        b"POST /api/v4/rastersources/ HTTP/1.1\r\nHost: tegel\r\nAccept: application/json\r\n\
          Content-Type: application/json\r\nContent-Length: 1000000000\r\n\r\n",
    )
    .expect("write");
    let (status, _, body) = read_response(&mut s, Duration::from_secs(5));
    assert_eq!(status, 413, "{}", String::from_utf8_lossy(&body));
    assert!(
        started.elapsed() < Duration::from_millis(500),
        "answered after {:?}",
        started.elapsed()
    );
}

#[test]
fn at_the_cap_the_oldest_idle_connection_makes_room() {
    let mut config = config("conn-evict", 30, 10);
    config.server.max_connections = 4;
    let server = TestServer::start(config);
    let mut idle: Vec<TcpStream> = (0..4)
        .map(|_| {
            let mut s = connect(server.addr);
            get(&mut s, "/healthz");
            assert_eq!(read_response(&mut s, Duration::from_secs(5)).0, 200);
            // Each becomes idle after the one before.
            std::thread::sleep(Duration::from_millis(20));
            s
        })
        .collect();
    // The first of them answers once more: now the second is idle the longest.
    get(&mut idle[0], "/healthz");
    assert_eq!(read_response(&mut idle[0], Duration::from_secs(5)).0, 200);
    std::thread::sleep(Duration::from_millis(20));

    let mut new = connect(server.addr);
    get(&mut new, "/healthz");
    let (status, _, body) = read_response(&mut new, Duration::from_secs(2));
    assert_eq!((status, body.as_slice()), (200, &b"ok\n"[..]));
    let (got, _) = read_until_closed(&mut idle[1], Duration::from_secs(2));
    assert!(got.is_empty(), "{:?}", String::from_utf8_lossy(&got));
    // The others are still served on their connections.
    for i in [0, 2, 3] {
        get(&mut idle[i], "/healthz");
        let (status, _, _) = read_response(&mut idle[i], Duration::from_secs(2));
        assert_eq!(status, 200, "connection {i}");
    }
}

#[test]
fn at_the_cap_with_every_connection_busy_a_new_one_is_refused_at_once() {
    let mut config = config("conn-refuse", 30, 10);
    config.server.max_connections = 2;
    let server = TestServer::start(config);
    // Two connections with a request head under way: busy, not idle.
    let mut busy: Vec<TcpStream> = (0..2)
        .map(|_| {
            let mut s = connect(server.addr);
            s.write_all(b"GET /healthz HTTP/1.1\r\n").expect("write");
            s
        })
        .collect();
    std::thread::sleep(Duration::from_millis(200));
    let started = Instant::now();
    let mut refused = connect(server.addr);
    let (got, _) = read_until_closed(&mut refused, Duration::from_secs(2));
    let text = String::from_utf8_lossy(&got);
    assert!(text.starts_with("HTTP/1.1 503 "), "{text}");
    assert!(text.contains("\r\nRetry-After: "), "{text}");
    assert!(text.contains("\r\nConnection: close\r\n"), "{text}");
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    // The busy ones complete their requests.
    for s in &mut busy {
        s.write_all(b"Host: tegel\r\n\r\n").expect("write");
        assert_eq!(read_response(s, Duration::from_secs(2)).0, 200);
    }
}

#[test]
fn a_slow_but_steady_upload_succeeds() {
    let mut config = config_with("conn-slow-upload", &[LOCHEM_FILE]);
    config.server.body_timeout_secs = 1;
    config.server.header_timeout_secs = 1;
    let server = TestServer::start(config);
    let key = user_key(&server, "slow-root", true);
    let client = Client::with_key(&server, &key);
    let orgs = client.get_json("/api/v4/organisations/?slug=nelen-schuurmans");
    let org = orgs["results"][0]["uuid"]
        .as_str()
        .expect("the demo organisation");
    let created = client
        .send(
            "POST",
            "/api/v4/rastersources/",
            Some(&serde_json::json!({"name": "slow", "organisation": org})),
        )
        .expect_status(201);
    let source: serde_json::Value = serde_json::from_slice(&created.body).expect("JSON");
    let source = source["uuid"].as_str().expect("uuid").to_string();
    let file = std::fs::read(repo().join("fixtures/demo/rain/rain_00.tif")).expect("fixture");
    let boundary = "----tegel-slow-boundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"rain_00.tif\"\r\n\
         Content-Type: image/tiff\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(&file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let mut s = connect(server.addr);
    let head = format!(
        "POST /api/v4/rastersources/{source}/data/ HTTP/1.1\r\nHost: tegel\r\nConnection: close\r\n\
         Authorization: {}\r\nAccept: application/json\r\n\
         Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {}\r\n\r\n",
        basic(&key),
        body.len()
    );
    s.write_all(head.as_bytes()).expect("write");
    // Ten pieces 200 ms apart: 2 s in all, longer than both timeouts, each
    // gap well within the body timeout.
    let started = Instant::now();
    for piece in body.chunks(body.len().div_ceil(10)) {
        std::thread::sleep(Duration::from_millis(200));
        s.write_all(piece).expect("the server kept reading");
    }
    assert!(started.elapsed() >= Duration::from_millis(1900));
    let (status, _, answer) = read_response(&mut s, Duration::from_secs(20));
    let answer = String::from_utf8_lossy(&answer);
    assert_eq!(status, 200, "{answer}");
    assert!(answer.contains("task_id"), "{answer}");
}

#[test]
fn an_idle_http2_connection_is_closed_after_header_timeout_secs() {
    let server = TestServer::start(config("conn-h2-idle", 1, 10));
    let mut s = connect(server.addr);
    // The h2c preface and an empty SETTINGS frame, then nothing.
    s.write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\0\0\0\x04\0\0\0\0\0")
        .expect("write");
    let (got, waited) = read_until_closed(&mut s, Duration::from_secs(5));
    // The server's SETTINGS frame came (type 4), and no HTTP/1 text.
    assert!(got.len() >= 9 && got[3] == 4, "{got:?}");
    assert!(!got.starts_with(b"HTTP/1.1"), "{got:?}");
    assert!(
        waited >= Duration::from_millis(900) && waited < Duration::from_millis(1500),
        "closed after {waited:?}, not after 1 s"
    );
}

/// The soft and hard open-files limits of process `pid` (Linux).
fn open_files_limits(pid: u32) -> Option<(String, String)> {
    let limits = std::fs::read_to_string(format!("/proc/{pid}/limits")).ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    let mut words = line.split_whitespace().skip(3);
    Some((words.next()?.to_string(), words.next()?.to_string()))
}

#[test]
fn serve_raises_its_open_files_limit_to_the_hard_limit() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    let Some((_, hard)) = open_files_limits(std::process::id()) else {
        return; // no /proc: not Linux
    };
    // Started with a soft limit of 256 (below any hard limit Linux sets).
    let data = crate::support::temp_dir("conn-nofile");
    let mut cmd = std::process::Command::new("sh");
    cmd.arg("-c")
        .arg("ulimit -Sn 256 && exec \"$0\" serve --data-dir \"$1\"")
        .arg(crate::cli::tegel().get_program())
        .arg(&data)
        .env("TEGEL_SERVER_LISTEN", "127.0.0.1:0")
        .env("TEGEL_DEMO_INGEST_ON_EMPTY", "false")
        .env("TEGEL_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let mut child = cmd.spawn().expect("spawn tegel serve");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if line.contains("serving on http://") {
                let _ = tx.send(());
            }
        }
    });
    let announced = rx.recv_timeout(Duration::from_secs(20));
    let limits = open_files_limits(child.id());
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&data);
    assert!(announced.is_ok(), "tegel serve did not start");
    let (soft, hard_child) = limits.expect("the server's limits");
    assert_eq!(hard_child, hard);
    assert_eq!(soft, hard, "the soft limit was not raised from 256");
}
