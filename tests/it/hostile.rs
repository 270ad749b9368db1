//! Hostile HTTP input against the shared demo server: every bad request gets a
//! client error (or a WMS exception report), never a 5xx, never a hang, and
//! the server keeps answering afterwards.
//!
//! Uses its own raw HTTP client with a bounded read timeout, so a hanging
//! request fails the test instead of stalling it. Read-only: changes nothing
//! in the demo server's data.

use super::support::{self, Resp};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

const LAYER: &str = "nelen-schuurmans:p_lochem_kwel_wegzijging_2050";
/// The longest any single hostile request may take to be answered.
const DEADLINE: Duration = Duration::from_secs(8);

/// What a hostile request must get back.
#[derive(Clone, Copy, Debug)]
enum Want {
    /// A WMS exception report (200 with an XML type, or a 4xx), with this OGC
    /// `code` attribute when `Some`.
    Ogc(Option<&'static str>),
    /// Exactly this status with a JSON error body (`status` field equal to it).
    Json(u16),
    /// 405 with an `Allow` header offering GET.
    MethodNotAllowed,
    /// Any 4xx: refused by the HTTP layer before any endpoint saw it.
    AnyClientError,
    /// 414 URI Too Long from the HTTP layer (hyper refuses targets of 64 KiB and
    /// more before routing), or else a WMS exception report.
    TooLongOrOgc,
}

/// Sends `raw` bytes as they are and reads the answer, within [`DEADLINE`].
fn send_raw(addr: SocketAddr, raw: &[u8]) -> Result<Resp, String> {
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

fn request(addr: SocketAddr, method: &str, target: &str) -> Result<Resp, String> {
    let req = format!("{method} {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    send_raw(addr, req.as_bytes())
}

/// Checks one answer against what it must be; `Err` says what is wrong.
fn check(resp: &Resp, want: Want) -> Result<(), String> {
    let status = resp.status;
    if status >= 500 {
        return Err(format!("server error {status}: {}", clip(&resp.text())));
    }
    let no_store = resp
        .header("cache-control")
        .is_some_and(|v| v.contains("no-store"));
    match want {
        Want::Ogc(code) => {
            let xml_type = resp.content_type().contains("xml");
            if !((status == 200 && xml_type) || (400..500).contains(&status)) {
                return Err(format!(
                    "status {status} with type {:?}, not an exception report",
                    resp.content_type()
                ));
            }
            let text = resp.text();
            if !xml_type || !text.contains("<ServiceExceptionReport") {
                return Err(format!("not a ServiceExceptionReport: {}", clip(&text)));
            }
            if let Some(code) = code
                && !text.contains(&format!("code=\"{code}\""))
            {
                return Err(format!("expected code=\"{code}\" in {}", clip(&text)));
            }
            if !no_store {
                return Err("an exception report without Cache-Control: no-store".into());
            }
        }
        Want::Json(expected) => {
            if status != expected {
                return Err(format!(
                    "status {status}, expected {expected}: {}",
                    clip(&resp.text())
                ));
            }
            if !resp.content_type().contains("json") {
                return Err(format!(
                    "content type {:?} is not JSON",
                    resp.content_type()
                ));
            }
            let body: serde_json::Value = serde_json::from_slice(&resp.body)
                .map_err(|e| format!("error body is not JSON ({e}): {}", clip(&resp.text())))?;
            if body.get("status").and_then(|s| s.as_u64()) != Some(u64::from(expected)) {
                return Err(format!("JSON status field does not say {expected}: {body}"));
            }
            if body
                .get("detail")
                .and_then(|s| s.as_str())
                .is_none_or(str::is_empty)
            {
                return Err(format!("JSON error without a detail: {body}"));
            }
            if !no_store {
                return Err("an error response without Cache-Control: no-store".into());
            }
        }
        Want::MethodNotAllowed => {
            if status != 405 {
                return Err(format!("status {status}, expected 405"));
            }
            let allow = resp.header("allow").unwrap_or("");
            if !allow.split(',').any(|m| m.trim() == "GET") {
                return Err(format!("Allow header {allow:?} does not offer GET"));
            }
            if !no_store {
                return Err("405 without Cache-Control: no-store".into());
            }
        }
        Want::TooLongOrOgc => {
            if status != 414 {
                return check(resp, Want::Ogc(None));
            }
        }
        Want::AnyClientError => {
            if !(400..500).contains(&status) {
                return Err(format!("status {status}, expected a 4xx"));
            }
        }
    }
    Ok(())
}

fn clip(s: &str) -> String {
    s.chars().take(300).collect()
}

/// A WMS 1.3.0 GetMap of the demo layer with `over` replacing or adding parameters.
fn getmap(over: &[(&str, &str)]) -> String {
    let mut params: Vec<(String, String)> = [
        ("SERVICE", "WMS"),
        ("VERSION", "1.3.0"),
        ("REQUEST", "GetMap"),
        ("LAYERS", LAYER),
        ("STYLES", ""),
        ("CRS", "EPSG:28992"),
        ("BBOX", "220000,455000,240000,470000"),
        ("WIDTH", "64"),
        ("HEIGHT", "64"),
        ("FORMAT", "image/png"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    for (k, v) in over {
        match params.iter_mut().find(|(pk, _)| pk == k) {
            Some(p) => p.1 = v.to_string(),
            None => params.push((k.to_string(), v.to_string())),
        }
    }
    params.retain(|(_, v)| v != "\u{0}");
    let query: Vec<String> = params.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!("/wms/?{}", query.join("&"))
}

/// Drops a parameter from [`getmap`].
const DROP: &str = "\u{0}";

fn wms_corpus() -> Vec<(String, String, Want)> {
    let fifty = vec![LAYER; 50].join(",");
    let huge_layer = "x".repeat(100 * 1024);
    let long_layer = "x".repeat(60 * 1024);
    let huge_bbox = format!("0,0,1,{}", "9".repeat(100 * 1024));
    let cases: Vec<(&str, String, Want)> = vec![
        ("BBOX NaN", getmap(&[("BBOX", "NaN,0,1,1")]), Want::Ogc(None)),
        ("BBOX inf", getmap(&[("BBOX", "0,0,inf,1")]), Want::Ogc(None)),
        ("BBOX -inf", getmap(&[("BBOX", "-inf,0,1,1")]), Want::Ogc(None)),
        ("BBOX 1e400", getmap(&[("BBOX", "0,0,1e400,1")]), Want::Ogc(None)),
        ("BBOX minx>maxx", getmap(&[("BBOX", "10,0,1,1")]), Want::Ogc(None)),
        ("BBOX empty", getmap(&[("BBOX", "5,5,5,5")]), Want::Ogc(None)),
        ("BBOX three numbers", getmap(&[("BBOX", "0,0,1")]), Want::Ogc(None)),
        ("BBOX missing", getmap(&[("BBOX", DROP)]), Want::Ogc(None)),
        ("WIDTH=0", getmap(&[("WIDTH", "0")]), Want::Ogc(None)),
        ("WIDTH=-1", getmap(&[("WIDTH", "-1")]), Want::Ogc(None)),
        ("WIDTH=999999999", getmap(&[("WIDTH", "999999999")]), Want::Ogc(None)),
        ("WIDTH=abc", getmap(&[("WIDTH", "abc")]), Want::Ogc(None)),
        ("HEIGHT=1e3", getmap(&[("HEIGHT", "1e3")]), Want::Ogc(None)),
        (
            "WIDTH=2^64",
            getmap(&[("WIDTH", "18446744073709551616")]),
            Want::Ogc(None),
        ),
        ("50 layers", getmap(&[("LAYERS", &fifty)]), Want::Ogc(None)),
        (
            "unknown layer",
            getmap(&[("LAYERS", "nope:nothing")]),
            Want::Ogc(Some("LayerNotDefined")),
        ),
        (
            "one unknown among known layers",
            getmap(&[("LAYERS", &format!("{LAYER},nope:nothing"))]),
            Want::Ogc(Some("LayerNotDefined")),
        ),
        (
            "unknown style",
            getmap(&[("STYLES", "no_such_colormap")]),
            Want::Ogc(Some("StyleNotDefined")),
        ),
        (
            "style with a bad range",
            getmap(&[("STYLES", "viridis:abc:1")]),
            Want::Ogc(Some("StyleNotDefined")),
        ),
        (
            "style min NaN",
            getmap(&[("STYLES", "viridis:nan:5")]),
            Want::Ogc(Some("StyleNotDefined")),
        ),
        (
            "style max 1e400",
            getmap(&[("STYLES", "viridis:0:1e400")]),
            Want::Ogc(Some("StyleNotDefined")),
        ),
        (
            "style min > max",
            getmap(&[("STYLES", "viridis:5:1")]),
            Want::Ogc(Some("StyleNotDefined")),
        ),
        (
            "style with too many parts",
            getmap(&[("STYLES", "viridis:1:2:3")]),
            Want::Ogc(Some("StyleNotDefined")),
        ),
        (
            "more STYLES than LAYERS",
            getmap(&[("STYLES", "viridis,viridis,viridis")]),
            Want::Ogc(None),
        ),
        (
            "unknown CRS 1.3.0",
            getmap(&[("CRS", "EPSG:99999")]),
            Want::Ogc(Some("InvalidCRS")),
        ),
        (
            "garbage CRS",
            getmap(&[("CRS", "../../etc/passwd")]),
            Want::Ogc(Some("InvalidCRS")),
        ),
        (
            "unknown SRS 1.1.1",
            getmap(&[("VERSION", "1.1.1"), ("CRS", DROP), ("SRS", "EPSG:99999")]),
            Want::Ogc(Some("InvalidSRS")),
        ),
        (
            "unknown FORMAT",
            getmap(&[("FORMAT", "image/gif")]),
            Want::Ogc(Some("InvalidFormat")),
        ),
        (
            "GeoTIFF of two layers",
            getmap(&[("FORMAT", "image/tiff"), ("LAYERS", &format!("{LAYER},{LAYER}"))]),
            Want::Ogc(Some("InvalidFormat")),
        ),
        ("GetMap without VERSION", getmap(&[("VERSION", DROP)]), Want::Ogc(None)),
        ("unknown VERSION", getmap(&[("VERSION", "9.9.9")]), Want::Ogc(None)),
        (
            "GetFeatureInfo",
            "/wms/?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetFeatureInfo&LAYERS=x&QUERY_LAYERS=x&I=1&J=1"
                .to_string(),
            Want::Ogc(Some("OperationNotSupported")),
        ),
        (
            "unknown REQUEST",
            "/wms/?SERVICE=WMS&VERSION=1.3.0&REQUEST=DeleteEverything".to_string(),
            Want::Ogc(Some("OperationNotSupported")),
        ),
        ("no parameters", "/wms/".to_string(), Want::Ogc(None)),
        (
            "SERVICE=WFS",
            "/wms/?SERVICE=WFS&REQUEST=GetCapabilities".to_string(),
            Want::Ogc(None),
        ),
        (
            "broken percent-encoding",
            getmap(&[("LAYERS", "%ZZ%")]),
            Want::Ogc(None),
        ),
        (
            "percent-encoded invalid UTF-8",
            getmap(&[("LAYERS", "%C3%28%FF")]),
            Want::Ogc(None),
        ),
        (
            "percent-encoded NUL in layer",
            getmap(&[("LAYERS", "nelen-schuurmans%00:dem")]),
            Want::Ogc(None),
        ),
        (
            "100 KB layer name",
            getmap(&[("LAYERS", &huge_layer)]),
            Want::TooLongOrOgc,
        ),
        ("100 KB BBOX", getmap(&[("BBOX", &huge_bbox)]), Want::TooLongOrOgc),
        (
            "60 KB layer name (under the URI limit)",
            getmap(&[("LAYERS", &long_layer)]),
            Want::Ogc(None),
        ),
        (
            "repeated BBOX",
            format!("{}&BBOX=0,0,2,2", getmap(&[])),
            Want::Ogc(None),
        ),
        (
            "repeated LAYERS",
            format!("{}&LAYERS=nelen-schuurmans:dem", getmap(&[])),
            Want::Ogc(None),
        ),
        (
            "repeated REQUEST",
            format!("{}&request=GetCapabilities", getmap(&[])),
            Want::Ogc(None),
        ),
        ("TIME garbage", getmap(&[("TIME", "garbage")]), Want::Ogc(None)),
        (
            "TIME year 99999",
            getmap(&[("TIME", "99999-01-01T00:00:00Z")]),
            Want::Ogc(None),
        ),
        (
            "TIME reversed interval",
            getmap(&[("TIME", "2024-01-02T00:00:00Z/2024-01-01T00:00:00Z")]),
            Want::Ogc(None),
        ),
        (
            "RESAMPLING unknown",
            getmap(&[("RESAMPLING", "cubic-spline-of-doom")]),
            Want::Ogc(None),
        ),
        ("BGCOLOR garbage", getmap(&[("BGCOLOR", "0xZZZZZZ")]), Want::Ogc(None)),
        (
            "TRANSPARENT garbage",
            getmap(&[("TRANSPARENT", "perhaps")]),
            Want::Ogc(None),
        ),
        (
            "capabilities with a future UPDATESEQUENCE",
            "/wms/?SERVICE=WMS&REQUEST=GetCapabilities&UPDATESEQUENCE=999999999".to_string(),
            Want::Ogc(Some("InvalidUpdateSequence")),
        ),
    ];
    cases
        .into_iter()
        .map(|(name, target, want)| (name.to_string(), target, want))
        .collect()
}

fn xyz_corpus() -> Vec<(String, String, Want)> {
    let t = |z: &str, x: &str, y: &str| format!("/tiles/{LAYER}/{z}/{x}/{y}");
    let cases: Vec<(&str, String, Want)> = vec![
        ("z=31", t("31", "0", "0.png"), Want::Json(404)),
        ("z=255", t("255", "0", "0.png"), Want::Json(404)),
        ("x = 2^z", t("2", "4", "0.png"), Want::Json(404)),
        ("y = 2^z", t("2", "0", "4.png"), Want::Json(404)),
        ("x = 2^z at z=0", t("0", "1", "0.png"), Want::Json(404)),
        ("negative x", t("2", "-1", "0.png"), Want::Json(400)),
        ("negative z", t("-2", "0", "0.png"), Want::Json(400)),
        ("non-numeric z", t("a", "0", "0.png"), Want::Json(400)),
        ("non-numeric y", t("2", "0", "abc.png"), Want::Json(400)),
        ("fractional x", t("2", "1.5", "0.png"), Want::Json(400)),
        (".jpg", t("2", "0", "0.jpg"), Want::Json(400)),
        ("no extension", t("2", "0", "0"), Want::Json(400)),
        (
            "huge z",
            t("99999999999999999999", "0", "0.png"),
            Want::Json(404),
        ),
        (
            "huge x",
            t("3", "99999999999999999999999999", "0.png"),
            Want::Json(404),
        ),
        (
            "z=30, x beyond 2^30",
            t("30", "1073741824", "0.png"),
            Want::Json(404),
        ),
        (
            "path traversal as layer",
            "/tiles/..%2F..%2Fetc%2Fpasswd/2/0/0.png".to_string(),
            Want::Json(400),
        ),
        (
            "unknown layer",
            "/tiles/nope:nothing/2/0/0.png".to_string(),
            Want::Json(404),
        ),
        (
            "unknown uuid layer",
            "/tiles/7d3a3c6e-5e0a-4d35-9a55-000000000000/2/0/0.png".to_string(),
            Want::Json(404),
        ),
        (
            "too few segments",
            format!("/tiles/{LAYER}/2/0"),
            Want::Json(400),
        ),
        (
            "too many segments",
            format!("/tiles/{LAYER}/2/0/0/0.png"),
            Want::Json(400),
        ),
        ("empty tiles path", "/tiles/".to_string(), Want::Json(400)),
        (
            "unknown style",
            format!("{}?styles=no_such_colormap", t("2", "2", "1.png")),
            Want::Json(400),
        ),
        (
            "TIME garbage",
            format!("{}?time=yesterday", t("2", "2", "1.png")),
            Want::Json(400),
        ),
        (
            "resampling garbage",
            format!("{}?resampling=%ZZ", t("2", "2", "1.png")),
            Want::Json(400),
        ),
    ];
    cases
        .into_iter()
        .map(|(name, target, want)| (name.to_string(), target, want))
        .collect()
}

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

/// Runs every case, collects all failures, then checks the server still answers.
fn run(server: &support::TestServer, cases: Vec<(String, String, String, Want)>) {
    let mut failures = Vec::new();
    let count = cases.len();
    for (name, method, target, want) in cases {
        match request(server.addr, &method, &target).and_then(|r| check(&r, want)) {
            Ok(()) => {}
            Err(e) => failures.push(format!("{name}: {e}")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {count} hostile requests were answered wrongly:\n{}",
        failures.len(),
        failures.join("\n")
    );
    still_healthy(server);
}

fn still_healthy(server: &support::TestServer) {
    let resp = request(server.addr, "GET", "/healthz").expect("healthz after the corpus");
    assert_eq!(
        resp.status,
        200,
        "healthz after the corpus: {}",
        resp.text()
    );
}

fn with_get(cases: Vec<(String, String, Want)>) -> Vec<(String, String, String, Want)> {
    cases
        .into_iter()
        .map(|(n, t, w)| (n, "GET".to_string(), t, w))
        .collect()
}

#[test]
fn the_baseline_requests_of_the_corpus_succeed() {
    // The corpus varies one parameter of these requests; they must be good ones,
    // or every case would fail for the wrong reason.
    let server = support::demo();
    let resp = request(server.addr, "GET", &getmap(&[])).expect("baseline GetMap");
    assert_eq!(resp.status, 200, "{}", resp.text());
    assert_eq!(resp.content_type(), "image/png");
    let resp = request(server.addr, "GET", &format!("/tiles/{LAYER}/2/2/1.png")).expect("tile");
    assert_eq!(resp.status, 200, "{}", resp.text());
    assert_eq!(resp.content_type(), "image/png");
}

#[test]
fn extreme_but_valid_maps_are_drawn_not_failed() {
    // Legal requests at the edges of every CRS: a map (mostly empty), quickly.
    let server = support::demo();
    let cases: &[(&str, &str)] = &[
        ("EPSG:28992", "-1e300,-1e300,1e300,1e300"),
        ("EPSG:28992", "230000,460000,230000.000001,460000.000001"),
        ("CRS:84", "-180,-90,180,90"),
        ("EPSG:4326", "-90,-180,90,180"),
        ("EPSG:3857", "-1e10,-1e10,1e10,1e10"),
        ("EPSG:32631", "-1e7,-1e7,1e7,1e7"),
        ("EPSG:3035", "-1e8,-1e8,1e8,1e8"),
    ];
    let mut failures = Vec::new();
    for (crs, bbox) in cases {
        let target = getmap(&[
            ("CRS", crs),
            ("BBOX", bbox),
            ("WIDTH", "100"),
            ("HEIGHT", "50"),
        ]);
        let started = Instant::now();
        match request(server.addr, "GET", &target) {
            Ok(resp) if resp.status == 200 && resp.content_type() == "image/png" => {
                let img = support::decode_png(&resp.body);
                if (img.width, img.height) != (100, 50) {
                    failures.push(format!("{crs} {bbox}: {}x{}", img.width, img.height));
                }
            }
            Ok(resp) => failures.push(format!(
                "{crs} {bbox}: {} {}: {}",
                resp.status,
                resp.content_type(),
                clip(&resp.text())
            )),
            Err(e) => failures.push(format!("{crs} {bbox}: {e}")),
        }
        if started.elapsed() > Duration::from_secs(3) {
            failures.push(format!("{crs} {bbox}: took {:?}", started.elapsed()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn hostile_wms_requests_get_exception_reports() {
    run(support::demo(), with_get(wms_corpus()));
}

#[test]
fn hostile_tile_requests_get_json_client_errors() {
    run(support::demo(), with_get(xyz_corpus()));
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
