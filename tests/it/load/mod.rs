//! Load and faults against `tegel serve` run as its own process, so that its
//! memory (RssAnon) and a SIGKILL are its alone: a soak of distinct tiles
//! with API writes (`soak`), and SIGKILL during uploads and write bursts
//! (`kill`), and the CPU a render stops using once its caller is gone
//! (`cancel`).
//!
//! The soak runs for `TEGEL_SOAK_SECS` (default 20) at `TEGEL_SOAK_CLIENTS`
//! connections (default 256); it is `#[ignore]`d in the default test run
//! because it loads every core, and `.ci/run` runs it on its own:
//! `cargo test --release --test it -- --ignored --test-threads=1 load::`.
//! The full soak is `TEGEL_SOAK_SECS=180 TEGEL_SOAK_CLIENTS=256` (README).

mod cancel;
mod kill;
mod soak;

use crate::cli::tegel;
use crate::config_keys::{LOCHEM_FILE, RAIN_FILE, fixtures};
use crate::support::{announced_addr, cpu_ticks, rss_anon_kib, temp_dir, threads_named};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

/// The superuser key the servers here are started with.
pub const ADMIN_KEY: &str = "loadadmin.0123456789abcdefghij";

/// `tegel serve` over a data dir that outlives it: started, killed with
/// SIGKILL and started again over the same files.
pub struct Proc {
    child: Child,
    pub addr: SocketAddr,
    pub data: PathBuf,
    fixtures: PathBuf,
    env: Vec<(String, String)>,
}

impl Proc {
    /// A server over a fresh data dir holding the demo layers of Lochem and
    /// the rain radar, with `ADMIN_KEY` and the `TEGEL_*` variables in `env`.
    pub fn start(tag: &str, env: &[(&str, &str)]) -> Proc {
        Proc::start_over(tag, &[LOCHEM_FILE, RAIN_FILE], env)
    }

    /// The same over the demo layers `layers` (their `demo.json` names).
    pub fn start_over(tag: &str, layers: &[&str], env: &[(&str, &str)]) -> Proc {
        let data = temp_dir(tag);
        let fixtures = fixtures(tag, layers);
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let (child, addr) = spawn(&data, &fixtures, &env);
        Proc {
            child,
            addr,
            data,
            fixtures,
            env,
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGKILL: no shutdown, no flush, no clean-up.
    pub fn kill9(&mut self) {
        self.child.kill().expect("SIGKILL");
        self.child.wait().expect("reap");
    }

    /// Starts the server again over the same data dir.
    pub fn restart(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            self.kill9();
        }
        let (child, addr) = spawn(&self.data, &self.fixtures, &self.env);
        self.child = child;
        self.addr = addr;
    }

    /// CPU time (user + system, in clock ticks) of the process's render
    /// threads.
    pub fn render_ticks(&self) -> u64 {
        cpu_ticks(self.pid(), &threads_named(self.pid(), "tegel-render"))
    }

    /// The process's anonymous resident memory, in bytes.
    pub fn rss_anon(&self) -> u64 {
        rss_anon_kib(self.pid()).map_or(0, |kib| kib * 1024)
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        let _ = std::fs::remove_dir_all(&self.data);
        let _ = std::fs::remove_dir_all(&self.fixtures);
    }
}

fn spawn(data: &Path, fixtures: &Path, env: &[(String, String)]) -> (Child, SocketAddr) {
    let mut cmd = tegel();
    cmd.arg("serve").arg("--data-dir").arg(data);
    cmd.env("TEGEL_SERVER_LISTEN", "127.0.0.1:0");
    cmd.env("TEGEL_DEMO_FIXTURES_DIR", fixtures);
    cmd.env("TEGEL_ADMIN_KEY", ADMIN_KEY);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.stdout(Stdio::piped()).stderr(Stdio::null());
    let mut child = cmd.spawn().expect("spawn tegel serve");
    let Some(addr) = announced_addr(&mut child, Duration::from_secs(60)) else {
        let _ = child.kill();
        let _ = child.wait();
        panic!("tegel serve did not announce its address within 60 s");
    };
    (child, addr)
}

/// `Authorization: Basic` for `ADMIN_KEY`.
pub fn admin_auth() -> String {
    crate::api::client::basic(ADMIN_KEY)
}

/// One HTTP/1.1 connection kept alive between requests.
pub struct Conn {
    stream: TcpStream,
    addr: SocketAddr,
}

/// A response: status, headers (lower-case names) and body.
pub type Answer = (u16, Vec<(String, String)>, Vec<u8>);

/// What went wrong on a connection: the transport, not an HTTP status.
#[derive(Debug)]
pub struct Broken(pub String);

impl Conn {
    pub fn open(addr: SocketAddr) -> Result<Conn, Broken> {
        let stream = TcpStream::connect_timeout(&addr, Duration::from_secs(10))
            .map_err(|e| Broken(e.to_string()))?;
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .map_err(|e| Broken(e.to_string()))?;
        let _ = stream.set_nodelay(true);
        Ok(Conn { stream, addr })
    }

    /// Sends one request and reads its response: status, headers (lower-case
    /// names) and body.
    pub fn request(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Result<Answer, Broken> {
        let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {}\r\n", self.addr);
        for (k, v) in headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        if !body.is_empty() || method != "GET" {
            head.push_str(&format!("Content-Length: {}\r\n", body.len()));
        }
        head.push_str("\r\n");
        let mut out = head.into_bytes();
        out.extend_from_slice(body);
        self.stream
            .write_all(&out)
            .map_err(|e| Broken(format!("write: {e}")))?;
        read_response(&mut self.stream)
    }
}

/// One request on a connection of its own.
pub fn one_request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, Vec<(String, String)>, Vec<u8>) {
    let mut conn = Conn::open(addr).expect("connect");
    let mut all = headers.to_vec();
    all.push(("Connection", "close"));
    conn.request(method, path, &all, body)
        .unwrap_or_else(|e| panic!("{method} {path}: {e:?}"))
}

fn read_response(stream: &mut TcpStream) -> Result<Answer, Broken> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    let read_line = |reader: &mut BufReader<&mut TcpStream>, line: &mut String| {
        line.clear();
        match reader.read_line(line) {
            Ok(0) => Err(Broken("the connection closed".into())),
            Ok(_) => Ok(()),
            Err(e) => Err(Broken(format!("read: {e}"))),
        }
    };
    read_line(&mut reader, &mut line)?;
    let status: u16 = line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| Broken(format!("not a status line: {line:?}")))?;
    let mut headers = Vec::new();
    loop {
        read_line(&mut reader, &mut line)?;
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        if let Some((k, v)) = l.split_once(':') {
            headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
    }
    let header = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let mut body = Vec::new();
    if let Some(length) = header("content-length") {
        let length: usize = length
            .parse()
            .map_err(|_| Broken(format!("bad Content-Length {length}")))?;
        body.resize(length, 0);
        reader
            .read_exact(&mut body)
            .map_err(|e| Broken(format!("body: {e}")))?;
    } else if header("transfer-encoding").is_some_and(|t| t.contains("chunked")) {
        loop {
            read_line(&mut reader, &mut line)?;
            let size = usize::from_str_radix(line.trim(), 16)
                .map_err(|_| Broken(format!("bad chunk size {line:?}")))?;
            let mut chunk = vec![0; size + 2];
            reader
                .read_exact(&mut chunk)
                .map_err(|e| Broken(format!("chunk: {e}")))?;
            if size == 0 {
                break;
            }
            chunk.truncate(size);
            body.extend_from_slice(&chunk);
        }
    }
    Ok((status, headers, body))
}

/// Polls `done` every 50 ms until it holds; fails after `limit`.
pub fn wait_until(limit: Duration, what: &str, mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(started.elapsed() < limit, "{what}: not within {limit:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
}
