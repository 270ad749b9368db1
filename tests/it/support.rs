//! Test support: a real tegel server on `127.0.0.1:0` over a fresh data dir,
//! a minimal HTTP/1.1 client, and PNG/GeoTIFF decoding of what comes back.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tegel::config::Config;

/// The repository root (where `fixtures/` lives).
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A new, empty directory under the system temp dir. The first call also
/// removes the directories of earlier test runs whose process has ended (the
/// shared demo server lives in a static and is never dropped).
pub fn temp_dir(tag: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    static SWEEP: OnceLock<()> = OnceLock::new();
    SWEEP.get_or_init(sweep_stale_dirs);
    let dir = std::env::temp_dir().join(format!(
        "tegel-it-{}-{tag}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create temp dir");
    dir
}

fn sweep_stale_dirs() {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = name
            .strip_prefix("tegel-it-")
            .and_then(|r| r.split('-').next())
        else {
            continue;
        };
        let alive = Path::new("/proc").join(pid).exists();
        if !alive && pid.parse::<u32>().is_ok() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// The config tests start from: demo data, an ephemeral port, a fresh data dir.
pub fn test_config(tag: &str) -> Config {
    let mut config = Config::default();
    config.server.listen = "127.0.0.1:0".parse().expect("addr");
    config.server.data_dir = temp_dir(tag);
    config.demo.fixtures_dir = repo().join("fixtures/demo");
    config.demo.ingest_on_empty = true;
    config
}

/// A running server with its own runtime thread; stopped when dropped.
pub struct TestServer {
    pub addr: SocketAddr,
    pub data_dir: PathBuf,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl TestServer {
    pub fn start(config: Config) -> TestServer {
        let data_dir = config.server.data_dir.clone();
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async move {
                match tegel::app::start(config).await {
                    Ok(running) => {
                        addr_tx.send(Ok(running.addr)).ok();
                        let _ = stop_rx.await;
                        running.stop().await;
                    }
                    Err(e) => {
                        addr_tx.send(Err(e.to_string())).ok();
                    }
                }
            });
        });
        let addr = addr_rx
            .recv()
            .expect("server thread")
            .unwrap_or_else(|e| panic!("server failed to start: {e}"));
        TestServer {
            addr,
            data_dir,
            stop: Some(stop_tx),
            thread: Some(thread),
        }
    }

    pub fn get(&self, path: &str) -> Resp {
        self.request("GET", path, &[])
    }

    pub fn get_with(&self, path: &str, headers: &[(&str, &str)]) -> Resp {
        self.request("GET", path, headers)
    }

    pub fn request(&self, method: &str, path: &str, headers: &[(&str, &str)]) -> Resp {
        http_request(self.addr, method, path, headers)
    }

    /// A request with a body (`Content-Length` is added).
    pub fn send(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Resp {
        http_request_body(self.addr, method, path, headers, Some(body))
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        let _ = std::fs::remove_dir_all(&self.data_dir);
    }
}

/// One server with the demo data shared by the read-only tests of this binary.
pub fn demo() -> &'static TestServer {
    static SERVER: OnceLock<TestServer> = OnceLock::new();
    SERVER.get_or_init(|| TestServer::start(test_config("demo")))
}

/// A decoded HTTP response.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn content_type(&self) -> &str {
        self.header("content-type").unwrap_or("")
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// Panics with the body shown when the status is not `want`.
    pub fn expect_status(self, want: u16) -> Resp {
        assert_eq!(
            self.status,
            want,
            "unexpected status; body: {}",
            self.text()
        );
        self
    }
}

/// A plain HTTP/1.1 request with `Connection: close`, read to EOF.
pub fn http_request(addr: SocketAddr, method: &str, path: &str, headers: &[(&str, &str)]) -> Resp {
    http_request_body(addr, method, path, headers, None)
}

/// [`http_request`] with an optional body.
pub fn http_request_body(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&[u8]>,
) -> Resp {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream.set_read_timeout(Some(Duration::from_secs(60))).ok();
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    if let Some(b) = body {
        req.push_str(&format!("Content-Length: {}\r\n", b.len()));
    }
    req.push_str("\r\n");
    let mut bytes = req.into_bytes();
    bytes.extend_from_slice(body.unwrap_or_default());
    stream.write_all(&bytes).expect("write request");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("read response");
    parse_response(&raw, method == "HEAD")
}

fn parse_response(raw: &[u8], head: bool) -> Resp {
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("end of headers");
    let head_text = String::from_utf8_lossy(&raw[..end]).into_owned();
    let mut lines = head_text.split("\r\n");
    let status_line = lines.next().expect("status line");
    let status: u16 = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("status code");
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| {
            l.split_once(':')
                .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        })
        .collect();
    let rest = &raw[end + 4..];
    // tegel answers with complete bodies and Content-Length, never chunked.
    assert!(
        !headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case("transfer-encoding"))
    );
    let body = if head { Vec::new() } else { rest.to_vec() };
    Resp {
        status,
        headers,
        body,
    }
}

/// A decoded PNG as RGBA8, whatever its colour type.
pub struct Image {
    pub width: u32,
    pub height: u32,
    pub rgba: Vec<u8>,
}

impl Image {
    /// The RGBA of pixel (x, y).
    pub fn pixel(&self, x: u32, y: u32) -> [u8; 4] {
        let i = (y as usize * self.width as usize + x as usize) * 4;
        [
            self.rgba[i],
            self.rgba[i + 1],
            self.rgba[i + 2],
            self.rgba[i + 3],
        ]
    }
}

pub fn decode_png(bytes: &[u8]) -> Image {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    decoder.set_transformations(
        png::Transformations::EXPAND | png::Transformations::ALPHA | png::Transformations::STRIP_16,
    );
    let mut reader = decoder.read_info().expect("PNG header");
    let mut buf = vec![0; reader.output_buffer_size().expect("size")];
    let info = reader.next_frame(&mut buf).expect("PNG data");
    buf.truncate(info.buffer_size());
    let (w, h) = (info.width, info.height);
    let rgba = match info.color_type {
        png::ColorType::Rgba => buf,
        png::ColorType::GrayscaleAlpha => buf
            .chunks_exact(2)
            .flat_map(|p| [p[0], p[0], p[0], p[1]])
            .collect(),
        other => panic!("unexpected PNG colour type after expansion: {other:?}"),
    };
    Image {
        width: w,
        height: h,
        rgba,
    }
}

/// A decoded single-band GeoTIFF as f64 values.
pub struct Values {
    pub width: u32,
    pub height: u32,
    pub values: Vec<f64>,
    /// GDAL_NODATA, when the file has it.
    pub nodata: Option<f64>,
}

pub fn decode_tiff(bytes: &[u8]) -> Values {
    use tiff::decoder::{Decoder, DecodingResult};
    let mut dec = Decoder::new(std::io::Cursor::new(bytes)).expect("TIFF header");
    let (width, height) = dec.dimensions().expect("dimensions");
    let nodata = dec
        .get_tag_ascii_string(tiff::tags::Tag::Unknown(42113))
        .ok()
        .and_then(|s| s.trim_end_matches('\0').trim().parse::<f64>().ok());
    let values: Vec<f64> = match dec.read_image().expect("TIFF data") {
        DecodingResult::F32(v) => v.into_iter().map(f64::from).collect(),
        DecodingResult::F64(v) => v,
        DecodingResult::U8(v) => v.into_iter().map(f64::from).collect(),
        DecodingResult::I16(v) => v.into_iter().map(f64::from).collect(),
        DecodingResult::U16(v) => v.into_iter().map(f64::from).collect(),
        DecodingResult::I32(v) => v.into_iter().map(f64::from).collect(),
        DecodingResult::U32(v) => v.into_iter().map(f64::from).collect(),
        DecodingResult::I8(v) => v.into_iter().map(f64::from).collect(),
        _ => panic!("unexpected TIFF sample type"),
    };
    Values {
        width,
        height,
        values,
        nodata,
    }
}

/// Reads a little-endian f32 golden file.
pub fn read_f32(path: &Path) -> Vec<f32> {
    let bytes =
        std::fs::read(path).unwrap_or_else(|e| panic!("golden {} missing: {e}", path.display()));
    bytes
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect()
}

/// Validates `doc` with xmllint against the offline OGC schemas in
/// `tests/ogc-schemas` (`schema` relative to it, or `None` for the DOCTYPE's DTD).
/// Fails, never skips, when xmllint is missing.
pub fn xmllint(doc: &[u8], schema: Option<&str>, name: &str) {
    let dir = repo().join("tests/ogc-schemas");
    let file = temp_dir("xml").join(format!("{name}.xml"));
    std::fs::write(&file, doc).expect("write document");
    let mut cmd = std::process::Command::new("xmllint");
    cmd.env("XML_CATALOG_FILES", dir.join("catalog.xml"))
        .args(["--nonet", "--noout"]);
    match schema {
        Some(path) => cmd.arg("--schema").arg(dir.join(path)),
        None => cmd.arg("--valid"),
    };
    let out = cmd.arg(&file).output().unwrap_or_else(|e| {
        panic!("xmllint is required ({e}); install it: apt-get install -y libxml2-utils")
    });
    assert!(
        out.status.success(),
        "{name} is not valid:\n{}\n{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(doc)
    );
}

/// The `code` attribute of the first exception in an OGC exception report
/// (`""` when it has none); panics when `resp` is not an XML exception report.
pub fn ogc_exception_code(resp: &Resp) -> String {
    let text = resp.text();
    assert!(
        resp.content_type().contains("xml") && text.contains("ServiceExceptionReport"),
        "not an exception report ({}): {text}",
        resp.content_type()
    );
    text.split("code=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap_or("")
        .to_string()
}

/// The texts of every `<tag>…</tag>` element in `xml`, in document order.
pub fn xml_texts(xml: &str, tag: &str) -> Vec<String> {
    let (open, close) = (format!("<{tag}>"), format!("</{tag}>"));
    xml.split(&open)
        .skip(1)
        .filter_map(|s| s.split(&close).next())
        .map(str::to_string)
        .collect()
}

impl TestServer {
    /// Changes the server's catalogue as another process (`tegel admin`)
    /// would — one transaction on its database — and waits until the server
    /// serves the new revision (it polls the database every second).
    pub fn update_catalogue<T>(
        &self,
        change: impl FnOnce(
            &mut tegel::catalogue::CatalogueData,
            u64,
        ) -> Result<T, tegel::catalogue::CatalogueError>,
    ) -> T {
        let catalogue = tegel::catalogue::Catalogue::open(&self.data_dir).expect("catalogue");
        let out = catalogue.update(change).expect("catalogue update");
        let revision = catalogue.snapshot().revision();
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        loop {
            let caps = self.get("/wms/?SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.3.0");
            let seen = caps
                .text()
                .split("updateSequence=\"")
                .nth(1)
                .and_then(|s| s.split('"').next())
                .and_then(|s| s.parse::<u64>().ok());
            if seen.is_some_and(|s| s >= revision) {
                return out;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the server did not pick up revision {revision} (serves {seen:?})"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

/// `RssAnon` of process `pid` in KiB; `None` once it is gone.
pub fn rss_anon_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("RssAnon:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// CPU time (user + system, in clock ticks) of the threads `tids` of
/// process `pid`.
pub fn cpu_ticks<'a>(pid: u32, tids: impl IntoIterator<Item = &'a String>) -> u64 {
    tids.into_iter()
        .filter_map(|t| std::fs::read_to_string(format!("/proc/{pid}/task/{t}/stat")).ok())
        .filter_map(|stat| {
            // utime and stime: fields 14 and 15, counted after the `(comm)`.
            let rest = &stat[stat.rfind(')')? + 2..];
            let f: Vec<&str> = rest.split(' ').collect();
            Some(f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?)
        })
        .sum()
}

/// The ids of process `pid`'s threads whose name starts with `prefix`.
pub fn threads_named(pid: u32, prefix: &str) -> std::collections::HashSet<String> {
    std::fs::read_dir(format!("/proc/{pid}/task"))
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|t| {
            std::fs::read_to_string(format!("/proc/{pid}/task/{t}/comm"))
                .is_ok_and(|c| c.starts_with(prefix))
        })
        .collect()
}

/// The address a spawned `tegel serve` announces on its stdout ("serving on
/// http://ADDR"), within `wait`; `None` when it does not (the caller kills
/// it and reports its stderr). Takes the child's piped stdout.
pub fn announced_addr(child: &mut std::process::Child, wait: Duration) -> Option<SocketAddr> {
    use std::io::BufRead;
    let stdout = child.stdout.take()?;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            if let Some(rest) = line.split("serving on http://").nth(1) {
                let _ = tx.send(rest.trim().to_string());
            }
        }
    });
    rx.recv_timeout(wait).ok()?.parse().ok()
}
