//! `[server]`: public_url, data_dir, request_timeout_secs, max_connections,
//! header_timeout_secs, body_timeout_secs, shutdown_grace_secs, io_threads (listen: `tests/it/config.rs`).

use super::*;
use crate::api::client::{Client, basic, user_key};
use crate::support::ogc_exception_code;
use std::thread::JoinHandle;

/// A config with no demo data (for tests that need no layer).
fn bare(tag: &str) -> Config {
    let mut config = test_config(tag);
    config.demo.ingest_on_empty = false;
    config
}

#[test]
fn server_public_url_is_the_base_of_the_links_in_api_index_and_capabilities() {
    const PUBLIC: &str = "https://maps.example.org/tegel";
    let mut config = config_with("keys-public-url", &[LOCHEM_FILE]);
    config.server.public_url = PUBLIC.to_string();
    let server = TestServer::start(config);
    let own = format!("http://{}", server.addr);
    let accept = [("Accept", "application/json")];

    let root = json(&server.get_with("/api/v4/", &accept).expect_status(200));
    assert_eq!(
        root["rasters"],
        format!("{PUBLIC}/api/v4/rasters/"),
        "{root}"
    );
    let rasters = json(
        &server
            .get_with("/api/v4/rasters/", &accept)
            .expect_status(200),
    );
    let url = rasters["results"][0]["url"].as_str().expect("a raster url");
    assert!(
        url.starts_with(&format!("{PUBLIC}/api/v4/rasters/")),
        "{url}"
    );

    let index = server.get("/").expect_status(200).text();
    assert!(index.contains(&format!("{PUBLIC}/wms/")), "{index}");
    assert!(
        index.contains(&format!("{PUBLIC}/tiles/{LOCHEM}/{{z}}/{{x}}/{{y}}.png")),
        "{index}"
    );

    let wms = server.get(WMS_CAPS).expect_status(200).text();
    assert!(
        wms.contains(&format!("xlink:href=\"{PUBLIC}/wms/?")),
        "{wms}"
    );
    let wmts = server.get(WMTS_CAPS).expect_status(200).text();
    assert!(
        wmts.contains(&format!("template=\"{PUBLIC}/wmts/1.0.0/{LOCHEM}/")),
        "{wmts}"
    );
    for (what, text) in [
        ("API root", root.to_string()),
        ("API rasters", rasters.to_string()),
        ("index", index),
        ("WMS capabilities", wms),
        ("WMTS capabilities", wmts),
    ] {
        assert!(!text.contains(&own), "{what} links to {own}: {text}");
    }

    // Empty (the default): links go to the address the server is bound to.
    let plain = defaults();
    let root = json(&plain.get_with("/api/v4/", &accept).expect_status(200));
    assert_eq!(
        root["rasters"],
        format!("http://{}/api/v4/rasters/", plain.addr)
    );
}

#[test]
fn server_data_dir_holds_the_catalogue_and_the_raster_store() {
    let mut config = config_with("keys-data-dir", &[LOCHEM_FILE]);
    let parent = config.server.data_dir.clone();
    // Not there yet: the server creates it.
    let dir = parent.join("nested").join("data");
    config.server.data_dir = dir.clone();
    let first = TestServer::start(config);
    assert!(dir.join("catalogue.sqlite").is_file());
    let stored: Vec<PathBuf> = std::fs::read_dir(dir.join("sources"))
        .expect("the store's folder")
        .flat_map(|s| std::fs::read_dir(s.expect("entry").path()).expect("a source folder"))
        .map(|f| f.expect("entry").path())
        .collect();
    assert_eq!(stored.len(), 1, "one frame file for Lochem: {stored:?}");
    assert_eq!(stored[0].extension().and_then(|e| e.to_str()), Some("tif"));
    let map = getmap(LOCHEM, LOCHEM_BBOX, 91, 65);
    let served = first.get(&map);
    assert!(painted(&png(&served)) > 1000);

    // Another server over the same directory, ingesting nothing, serves the
    // same layer from what is stored there.
    let mut again = bare("keys-data-dir-again");
    let _ = std::fs::remove_dir_all(&again.server.data_dir);
    again.server.data_dir = dir.clone();
    let second = TestServer::start(again);
    assert_eq!(second.get(&map).expect_status(200).body, served.body);

    // One over an empty directory knows no layer.
    let third = TestServer::start(bare("keys-data-dir-empty"));
    assert_eq!(ogc_exception_code(&third.get(&map)), "LayerNotDefined");
    drop((second, first));
    let _ = std::fs::remove_dir_all(&parent);
}

/// The JSON body of a POST that the server reads before answering.
const BODY: &[u8] = br#"{"name": "late"}"#;

/// A POST of [`BODY`] to the API of which only the first byte is sent: the
/// server waits for the rest while the request runs.
fn stalled_post(addr: SocketAddr) -> Conn {
    let mut conn = Conn::open(addr);
    let head = format!(
        "POST /api/v4/rastersources/ HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\
         Accept: application/json\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        BODY.len()
    );
    conn.stream.write_all(head.as_bytes()).expect("write");
    conn.stream.write_all(&BODY[..1]).expect("write");
    conn
}

#[test]
fn server_request_timeout_secs_abandons_a_request_running_longer() {
    let mut config = bare("keys-timeout");
    config.server.request_timeout_secs = 1;
    let quick = TestServer::start(config);
    let patient = TestServer::start(bare("keys-timeout-default"));
    let started = Instant::now();
    let mut late = stalled_post(quick.addr);
    let mut waiting = stalled_post(patient.addr);

    let (status, body) = late
        .read_response(Duration::from_secs(20))
        .expect("an answer within 20 s");
    let waited = started.elapsed();
    assert_eq!(status, 503, "{}", String::from_utf8_lossy(&body));
    let body: Value = serde_json::from_slice(&body).expect("JSON");
    assert_eq!(
        body["detail"], "The request took too long and was abandoned.",
        "{body}"
    );
    assert!(
        waited >= Duration::from_millis(950),
        "abandoned before its second was up: {waited:?}"
    );

    // With the default (30 s) the same request is still waited for after
    // 2.5 s, and answered once its body is complete.
    let left = Duration::from_millis(2500).saturating_sub(started.elapsed());
    assert!(
        waiting
            .read_response(left.max(Duration::from_millis(500)))
            .is_none(),
        "the default deadline cut the request short"
    );
    waiting.stream.write_all(&BODY[1..]).expect("write");
    let (status, body) = waiting
        .read_response(Duration::from_secs(20))
        .expect("an answer");
    assert_ne!(status, 503, "{}", String::from_utf8_lossy(&body));
    assert!(
        (400..500).contains(&status),
        "an anonymous POST is refused: {status} {}",
        String::from_utf8_lossy(&body)
    );
}

#[test]
fn server_max_connections_closes_the_longest_idle_connection_or_refuses_at_once() {
    let mut config = bare("keys-max-connections");
    config.server.max_connections = 1;
    let server = TestServer::start(config);
    let mut first = Conn::open(server.addr);
    first.send_get("/healthz", false);
    let answer = first.read_response(Duration::from_secs(10));
    assert_eq!(answer.map(|a| a.0), Some(200));

    // A second connection is served at once: the first, idle, makes room.
    let mut second = Conn::open(server.addr);
    second.send_get("/healthz", false);
    let (status, body) = second
        .read_response(Duration::from_millis(1500))
        .expect("the second connection is served while the first is idle");
    assert_eq!((status, body.as_slice()), (200, &b"ok\n"[..]));
    first
        .stream
        .set_read_timeout(Some(Duration::from_secs(2)))
        .expect("timeout");
    let mut rest = Vec::new();
    assert!(
        first.stream.read_to_end(&mut rest).is_ok() && rest.is_empty(),
        "the idle first connection was closed without a word: {:?}",
        String::from_utf8_lossy(&rest)
    );

    // With the one connection busy (its request head under way) a third is
    // refused at once, and the busy one is still served.
    second
        .stream
        .write_all(b"GET /healthz HTTP/1.1\r\n")
        .expect("write");
    std::thread::sleep(Duration::from_millis(200));
    let started = Instant::now();
    let mut third = Conn::open(server.addr);
    third.send_get("/healthz", true);
    let mut refused = Vec::new();
    third.stream.read_to_end(&mut refused).expect("read");
    let refused = String::from_utf8_lossy(&refused);
    assert!(refused.starts_with("HTTP/1.1 503 "), "{refused}");
    assert!(refused.contains("\r\nRetry-After: 1\r\n"), "{refused}");
    assert!(refused.contains("\r\nConnection: close\r\n"), "{refused}");
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "the refusal took {:?}",
        started.elapsed()
    );
    second
        .stream
        .write_all(b"Host: tegel\r\n\r\n")
        .expect("write");
    let answer = second.read_response(Duration::from_secs(10));
    assert_eq!(
        answer.map(|a| a.0),
        Some(200),
        "the busy one is still served"
    );

    // With the default both are served at once, neither closed.
    let plain = defaults();
    let mut first = Conn::open(plain.addr);
    first.send_get("/healthz", false);
    let answer = first.read_response(Duration::from_secs(10));
    assert_eq!(answer.map(|a| a.0), Some(200));
    let mut second = Conn::open(plain.addr);
    second.send_get("/healthz", false);
    let answer = second.read_response(Duration::from_secs(10));
    assert_eq!(
        answer.map(|a| a.0),
        Some(200),
        "the second connection waited although the limit is 1024"
    );
    first.send_get("/healthz", true);
    let answer = first.read_response(Duration::from_secs(10));
    assert_eq!(answer.map(|a| a.0), Some(200), "the first was closed");
}

/// Reads from `conn` for at most `wait`: `Some(elapsed)` when the server
/// closed it (EOF or reset) without sending anything, `None` when it is
/// still open.
fn closed_within(conn: &mut Conn, wait: Duration) -> Option<Duration> {
    let started = Instant::now();
    conn.stream.set_read_timeout(Some(wait)).expect("timeout");
    let mut got = Vec::new();
    match conn.stream.read_to_end(&mut got) {
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {}
        Err(_) => return None,
    }
    Some(started.elapsed())
}

#[test]
fn server_header_timeout_secs_closes_a_connection_that_sends_no_request() {
    let mut config = bare("keys-header-timeout");
    config.server.header_timeout_secs = 1;
    let quick = TestServer::start(config);
    let mut silent = Conn::open(quick.addr);
    let waited = closed_within(&mut silent, Duration::from_secs(5)).expect("closed");
    assert!(
        waited >= Duration::from_millis(900) && waited < Duration::from_millis(1500),
        "closed after {waited:?}"
    );
    // With the default (10 s) a silent connection is still open after 2 s.
    let mut patient = Conn::open(defaults().addr);
    assert_eq!(closed_within(&mut patient, Duration::from_secs(2)), None);
    patient.send_get("/healthz", true);
    let answer = patient.read_response(Duration::from_secs(10));
    assert_eq!(answer.map(|a| a.0), Some(200));
}

#[test]
fn server_body_timeout_secs_answers_408_to_a_body_that_stops() {
    let mut config = bare("keys-body-timeout");
    config.server.body_timeout_secs = 1;
    let quick = TestServer::start(config);
    let started = Instant::now();
    let mut late = stalled_post(quick.addr);
    let (status, body) = late
        .read_response(Duration::from_secs(5))
        .expect("an answer");
    let waited = started.elapsed();
    assert_eq!(status, 408, "{}", String::from_utf8_lossy(&body));
    let body: Value = serde_json::from_slice(&body).expect("JSON");
    assert_eq!(body["status"], 408, "{body}");
    assert!(
        waited >= Duration::from_millis(900) && waited < Duration::from_secs(2),
        "answered after {waited:?}"
    );
    // With the default (10 s) the same request is still waited for after 2 s.
    let patient = TestServer::start(bare("keys-body-timeout-default"));
    let mut waiting = stalled_post(patient.addr);
    assert!(waiting.read_response(Duration::from_secs(2)).is_none());
    waiting.stream.write_all(&BODY[1..]).expect("write");
    let (status, _) = waiting
        .read_response(Duration::from_secs(10))
        .expect("an answer");
    assert!((400..500).contains(&status) && status != 408, "{status}");
}

/// A server with `shutdown_grace_secs = grace` and an upload in progress on
/// it: half its body sent, the server already writing the file.
struct InFlight {
    server: TestServer,
    conn: Conn,
    rest: Vec<u8>,
}

fn upload_in_flight(tag: &str, grace: u64) -> InFlight {
    let mut config = config_with(tag, &[LOCHEM_FILE]);
    config.server.shutdown_grace_secs = grace;
    let server = TestServer::start(config);
    let key = user_key(&server, "grace-root", true);
    let client = Client::with_key(&server, &key);
    let orgs = client.get_json("/api/v4/organisations/?slug=nelen-schuurmans");
    let org = orgs["results"][0]["uuid"]
        .as_str()
        .expect("the demo organisation");
    let created = client
        .send(
            "POST",
            "/api/v4/rastersources/",
            Some(&serde_json::json!({"name": "grace", "organisation": org})),
        )
        .expect_status(201);
    let source = json(&created)["uuid"].as_str().expect("uuid").to_string();
    let file = std::fs::read(repo().join("fixtures/demo/rain/rain_00.tif")).expect("fixture");
    let (content_type, body) = multipart("rain_00.tif", &file);
    let mut conn = Conn::open(server.addr);
    let head = format!(
        "POST /api/v4/rastersources/{source}/data/ HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\
         Authorization: {}\r\nAccept: application/json\r\nContent-Type: {content_type}\r\n\
         Content-Length: {}\r\n\r\n",
        server.addr,
        basic(&key),
        body.len()
    );
    let half = body.len() / 2;
    conn.stream.write_all(head.as_bytes()).expect("write");
    conn.stream.write_all(&body[..half]).expect("write");
    // The request is being handled once its file is being written.
    let uploads = server.data_dir.join("uploads");
    let started = Instant::now();
    while !std::fs::read_dir(&uploads).is_ok_and(|mut d| d.next().is_some()) {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the upload did not start"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    InFlight {
        server,
        conn,
        rest: body[half..].to_vec(),
    }
}

/// A `multipart/form-data` body with one file part.
fn multipart(name: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----tegel-config-keys-boundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
         Content-Type: image/tiff\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// Stops `server` on another thread (as on SIGTERM) and returns once it no
/// longer accepts connections, which is when its grace period starts.
fn stop_in_background(server: TestServer) -> JoinHandle<()> {
    let addr = server.addr;
    let stopping = std::thread::spawn(move || drop(server));
    let started = Instant::now();
    while TcpStream::connect_timeout(&addr, Duration::from_secs(1)).is_ok() {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the server still accepts connections"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    stopping
}

#[test]
fn server_shutdown_grace_secs_lets_an_in_flight_request_finish() {
    let InFlight {
        server,
        mut conn,
        rest,
    } = upload_in_flight("keys-grace-long", 30);
    let stopping = stop_in_background(server);
    // Longer than a grace of 1 s, well within the 30 s configured.
    std::thread::sleep(Duration::from_secs(2));
    conn.stream
        .write_all(&rest)
        .expect("the rest of the upload");
    let (status, body) = conn
        .read_response(Duration::from_secs(20))
        .expect("the in-flight upload is answered");
    let body = String::from_utf8_lossy(&body);
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("task_id"), "{body}");
    stopping.join().expect("the server stopped");
}

#[test]
fn server_shutdown_grace_secs_ends_the_wait_for_in_flight_requests() {
    let InFlight {
        server, mut conn, ..
    } = upload_in_flight("keys-grace-short", 1);
    let stopping = stop_in_background(server);
    let started = Instant::now();
    // The upload never completes: the server closes its connection when the
    // grace period is over, without an answer.
    conn.stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .expect("timeout");
    let mut answer = Vec::new();
    let read = conn.stream.read_to_end(&mut answer);
    let waited = started.elapsed();
    if let Err(e) = &read {
        assert!(
            !matches!(
                e.kind(),
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
            ),
            "the connection is still open 20 s after the shutdown"
        );
    }
    assert!(
        answer.is_empty(),
        "an unfinished upload was answered: {}",
        String::from_utf8_lossy(&answer)
    );
    assert!(
        waited >= Duration::from_millis(500),
        "closed at once, not after the grace period: {waited:?}"
    );
    assert!(
        waited < Duration::from_secs(6),
        "closed after {waited:?}: not the 1 s configured (the default is 10 s)"
    );
    stopping.join().expect("the server stopped");
}

fn healthz(addr: SocketAddr) {
    let resp = support::http_request(addr, "GET", "/healthz", &[]);
    assert_eq!((resp.status, resp.text().as_str()), (200, "ok\n"));
}

#[test]
fn server_io_threads_sets_the_threads_of_the_http_runtime() {
    // Tokio names its workers and its blocking pool `tegel-io`; the blocking
    // pool holds at most two more (start-up and the catalogue's polls).
    let is_io = |name: &str| name == "tegel-io";
    let io = |serve: &Serve, n: usize| {
        let names = serve.threads_once(n, is_io);
        (names.iter().filter(|name| is_io(name)).count(), names)
    };
    let five = Serve::start(&[("TEGEL_SERVER_IO_THREADS", "5")]);
    healthz(five.addr);
    let (n, names) = io(&five, 5);
    assert!((5..=7).contains(&n), "5 workers: {names:?}");
    five.stop();

    // One: a single-threaded runtime, the main thread serves.
    let one = Serve::start(&[("TEGEL_SERVER_IO_THREADS", "1")]);
    healthz(one.addr);
    let (n, names) = io(&one, 0);
    assert!(n <= 2, "no workers: {names:?}");
    one.stop();

    // The default (0): one per core available.
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let default = Serve::start(&[]);
    healthz(default.addr);
    let (n, names) = io(&default, cores);
    assert!(
        (cores..=cores + 2).contains(&n),
        "{cores} workers: {names:?}"
    );
    default.stop();
}
