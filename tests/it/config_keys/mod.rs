//! Every key of `config/tegel.toml` does what its comment says: one test per
//! key sets it to a value other than its default and observes the documented
//! effect through a real server (in this process, or the `tegel` binary where
//! only the binary shows it); where cheap, the same observation on a server
//! with the default shows the key is not inert.
//!
//! | key                           | test |
//! |-------------------------------|------|
//! | `server.listen`               | `tests/it/config.rs`: `serve_starts_on_the_address_from_the_environment`, `a_bad_listen_address_is_refused` |
//! | `server.public_url`           | `server::server_public_url_is_the_base_of_the_links_in_api_index_and_capabilities`; also `tests/it/conformance/kvp.rs`: `kvp_05_online_resources_are_url_prefixes_with_the_public_url` |
//! | `server.data_dir`             | `server::server_data_dir_holds_the_catalogue_and_the_raster_store` |
//! | `server.request_timeout_secs` | `server::server_request_timeout_secs_abandons_a_request_running_longer` |
//! | `server.max_connections`      | `server::server_max_connections_closes_the_longest_idle_connection_or_refuses_at_once`; also `tests/it/connections.rs` |
//! | `server.header_timeout_secs`  | `server::server_header_timeout_secs_closes_a_connection_that_sends_no_request`; also `tests/it/connections.rs` |
//! | `server.body_timeout_secs`    | `server::server_body_timeout_secs_answers_408_to_a_body_that_stops`; also `tests/it/connections.rs` |
//! | `server.shutdown_grace_secs`  | `server::server_shutdown_grace_secs_lets_an_in_flight_request_finish`, `server::server_shutdown_grace_secs_ends_the_wait_for_in_flight_requests` |
//! | `server.io_threads`           | `server::server_io_threads_sets_the_threads_of_the_http_runtime` (the binary) |
//! | `render.threads`              | `render::render_threads_sets_the_size_of_the_render_pool` (the binary) |
//! | `render.queue_depth`          | `render::render_queue_depth_refuses_renders_beyond_it_with_503`; also `tests/it/cache.rs`: `a_full_render_queue_answers_503_with_retry_after` |
//! | `render.max_width`            | `render::render_max_width_limits_the_width_of_an_image` |
//! | `render.max_height`           | `render::render_max_height_limits_the_height_of_an_image` |
//! | `render.max_pixels`           | `tests/it/faults.rs`: `max_pixels_refuses_a_large_map_at_once`; `serve/families.rs`: `a_map_beyond_max_pixels_is_refused_before_rendering` |
//! | `render.layer_limit`          | `render::render_layer_limit_limits_the_layers_of_one_getmap` |
//! | `render.retry_after_secs`     | `render::render_retry_after_secs_is_sent_with_a_503`; also `tests/it/cache.rs`: `a_full_render_queue_answers_503_with_retry_after` |
//! | `render.max_share`            | `tests/it/fairness.rs`: `one_layer_holds_at_most_its_share_of_the_render_queue`, `with_the_whole_queue_as_share_one_layer_starves_the_others` |
//! | `graph.max_cost`              | `tests/it/graph_budget.rs`: `bombs_stored_before_the_bounds_are_refused_when_drawn` (default), `a_render_whose_request_timed_out_stops_using_cpu` (raised) |
//! | `cache.max_bytes`             | `cache::cache_max_bytes_zero_renders_every_request_anew` |
//! | `cache.cache_control`         | `cache::cache_cache_control_is_the_header_of_successful_maps_and_tiles` |
//! | `cache.cache_control_errors`  | `tests/it/faults.rs`: `cache_control_errors_is_the_policy_of_every_error` |
//! | `storage.max_open_maps`       | `storage::storage_max_open_maps_bounds_the_raster_files_mapped_at_once` |
//! | `storage.max_input_pixels`    | `storage::storage_max_input_pixels_refuses_larger_uploads_and_ingests` |
//! | `storage.max_upload_bytes`    | `tests/it/api/rastersources.rs`: `an_upload_over_the_limit_is_413_and_leaves_nothing` |
//! | `demo.ingest_on_empty`        | `demo::demo_ingest_on_empty_ingests_the_demo_into_an_empty_data_dir_only` |
//! | `demo.fixtures_dir`           | `demo::demo_fixtures_dir_is_where_the_demo_comes_from` |
//! | `wms.title`                   | `wms::wms_title_is_the_service_title_of_the_capabilities` |
//! | `wms.abstract`                | `wms::wms_abstract_is_the_service_abstract_of_the_capabilities` |
//! | `wms.exception_status`        | `tests/it/conformance/kvp.rs`: `w13_exc_01_exception_status_200_by_default_400_when_configured` |
//! | `wmts.tile_matrix_sets`       | `tests/it/wmts/tms_json.rs`: `tms_03_json_tile_matrix_sets_are_advertised_and_served`, `tms_03_a_bad_document_stops_start_up_naming_the_file` |
//!
//! Tests named `module::test` are in this folder. The servers here ingest only
//! the demo layers a test needs (see [`fixtures`]), which keeps them cheap to
//! start. `server.io_threads` is read by the `tegel` binary alone (it builds the
//! runtime `tegel::app::start` runs on), so it is tested there, by the names of
//! the process's threads; `render.threads` too, where the render pool's
//! threads are the only ones of their name.

mod cache;
mod demo;
mod render;
mod server;
mod storage;
mod wms;

use super::cli::tegel;
use super::support::{self, Resp, TestServer, repo, temp_dir, test_config};
use serde_json::Value;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};
use tegel::config::Config;

/// The demo layer of Lochem, 91×65 pixels (5 915), in RD New.
pub const LOCHEM: &str = "nelen-schuurmans:p_lochem_kwel_wegzijging_2050";
pub const LOCHEM_BBOX: &str = "207750,457250,230500,473500";
/// The demo rain radar: 12 frames of 120×100 pixels (12 000), in RD New.
pub const RAIN: &str = "nelen-schuurmans:rain";
pub const RAIN_BBOX: &str = "120000,400000,240000,500000";
/// The `demo.json` names of the layers above.
pub const LOCHEM_FILE: &str = "p_lochem_kwel_wegzijging_2050";
/// The `demo.json` name of the demo DEM.
pub const DEM_FILE: &str = "dem";
pub const RAIN_FILE: &str = "rain";

/// A fixtures directory holding a `demo.json` with only the demo layers
/// `names` (their files referred to by absolute path, in the repository).
pub fn fixtures(tag: &str, names: &[&str]) -> PathBuf {
    let demo = repo().join("fixtures/demo");
    let text = std::fs::read_to_string(demo.join("demo.json")).expect("demo.json");
    let mut manifest: Value = serde_json::from_str(&text).expect("demo.json is JSON");
    let mut picked = Vec::new();
    for layer in manifest["layers"].as_array().expect("layers") {
        if names.contains(&layer["name"].as_str().expect("name")) {
            let mut layer = layer.clone();
            for file in layer["files"].as_array_mut().expect("files") {
                let path = demo.join(file.as_str().expect("file"));
                *file = Value::String(path.to_str().expect("UTF-8 path").to_string());
            }
            picked.push(layer);
        }
    }
    assert_eq!(picked.len(), names.len(), "unknown demo layer in {names:?}");
    manifest["layers"] = Value::Array(picked);
    let dir = temp_dir(&format!("{tag}-fixtures"));
    std::fs::write(
        dir.join("demo.json"),
        serde_json::to_vec_pretty(&manifest).expect("JSON"),
    )
    .expect("write demo.json");
    dir
}

/// The test config (fresh data dir, port 0) ingesting only the demo layers `names`.
pub fn config_with(tag: &str, names: &[&str]) -> Config {
    let mut config = test_config(tag);
    config.demo.fixtures_dir = fixtures(tag, names);
    config
}

/// A server with every key at its default over the Lochem layer alone, shared
/// by the tests that compare with the defaults.
pub fn defaults() -> &'static TestServer {
    static SERVER: std::sync::OnceLock<TestServer> = std::sync::OnceLock::new();
    SERVER.get_or_init(|| TestServer::start(config_with("keys-defaults", &[LOCHEM_FILE])))
}

/// A WMS 1.3.0 GetMap in RD New (x, y axis order).
pub fn getmap(layers: &str, bbox: &str, width: u32, height: u32) -> String {
    format!(
        "/wms/?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS={layers}&STYLES=&CRS=EPSG:28992\
         &BBOX={bbox}&WIDTH={width}&HEIGHT={height}&FORMAT=image/png&TRANSPARENT=TRUE"
    )
}

pub const WMS_CAPS: &str = "/wms/?SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.3.0";
pub const WMTS_CAPS: &str = "/wmts/?SERVICE=WMTS&REQUEST=GetCapabilities";

/// Panics unless `resp` is a 200 PNG; returns it decoded.
pub fn png(resp: &Resp) -> support::Image {
    assert_eq!(resp.status, 200, "{}", resp.text());
    assert_eq!(resp.content_type(), "image/png", "{}", resp.text());
    support::decode_png(&resp.body)
}

/// The number of pixels of `img` that are not fully transparent.
pub fn painted(img: &support::Image) -> usize {
    img.rgba.chunks_exact(4).filter(|p| p[3] != 0).count()
}

/// The JSON body of a response.
pub fn json(resp: &Resp) -> Value {
    serde_json::from_slice(&resp.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", resp.text()))
}

/// One HTTP/1.1 connection kept open between requests.
pub struct Conn {
    pub stream: TcpStream,
    addr: SocketAddr,
}

impl Conn {
    pub fn open(addr: SocketAddr) -> Conn {
        let stream = TcpStream::connect(addr).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .expect("timeout");
        Conn { stream, addr }
    }

    /// Writes a GET of `path`; `close` asks the server to close after it.
    pub fn send_get(&mut self, path: &str, close: bool) {
        let connection = if close { "close" } else { "keep-alive" };
        let req = format!(
            "GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: {connection}\r\n\r\n",
            self.addr
        );
        self.stream.write_all(req.as_bytes()).expect("write");
    }

    /// Reads one response (its body by `Content-Length`): status and body.
    /// `None` when nothing came within `wait` (the read times out).
    pub fn read_response(&mut self, wait: Duration) -> Option<(u16, Vec<u8>)> {
        self.stream.set_read_timeout(Some(wait)).expect("timeout");
        let mut raw = Vec::new();
        let mut byte = [0u8; 1];
        while !raw.ends_with(b"\r\n\r\n") {
            match self.stream.read(&mut byte) {
                Ok(0) => panic!(
                    "the connection closed mid-response: {:?}",
                    String::from_utf8_lossy(&raw)
                ),
                Ok(_) => raw.push(byte[0]),
                Err(e)
                    if raw.is_empty()
                        && matches!(
                            e.kind(),
                            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                        ) =>
                {
                    return None;
                }
                Err(e) => panic!("reading a response: {e}"),
            }
        }
        let head = String::from_utf8_lossy(&raw).into_owned();
        let status: u16 = head
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .expect("status code");
        let length: usize = head
            .lines()
            .find_map(|l| {
                let (k, v) = l.split_once(':')?;
                k.trim()
                    .eq_ignore_ascii_case("content-length")
                    .then(|| v.trim().parse().ok())?
            })
            .unwrap_or(0);
        self.stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .expect("timeout");
        let mut body = vec![0; length];
        self.stream.read_exact(&mut body).expect("response body");
        Some((status, body))
    }
}

/// `tegel serve` run as its own process over a fresh data dir without demo
/// data, on port 0, with the `TEGEL_*` variables in `env`. Killed when dropped.
pub struct Serve {
    child: Child,
    pub addr: SocketAddr,
    data: PathBuf,
}

impl Serve {
    pub fn start(env: &[(&str, &str)]) -> Serve {
        let data = temp_dir("keys-serve");
        let mut cmd = tegel();
        cmd.arg("serve").arg("--data-dir").arg(&data);
        cmd.env("TEGEL_SERVER_LISTEN", "127.0.0.1:0");
        cmd.env("TEGEL_DEMO_INGEST_ON_EMPTY", "false");
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("spawn tegel serve");
        let Some(addr) = support::announced_addr(&mut child, Duration::from_secs(20)) else {
            let _ = child.kill();
            let out = child.wait_with_output().expect("output");
            panic!(
                "tegel serve {env:?} did not announce its address; stderr: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        };
        Serve { child, addr, data }
    }

    /// The names (`comm`) of the process's threads.
    pub fn thread_names(&self) -> Vec<String> {
        let tasks = Path::new("/proc")
            .join(self.child.id().to_string())
            .join("task");
        let mut names: Vec<String> = std::fs::read_dir(&tasks)
            .expect("/proc/<pid>/task")
            .filter_map(|t| std::fs::read_to_string(t.ok()?.path().join("comm")).ok())
            .map(|n| n.trim().to_string())
            .collect();
        names.sort();
        names
    }

    /// The names of the process's threads once at least `n` of them match
    /// `named` (a new thread names itself after it started), or after 10 s.
    pub fn threads_once(&self, n: usize, named: impl Fn(&str) -> bool) -> Vec<String> {
        let started = Instant::now();
        loop {
            let names = self.thread_names();
            let matching = names.iter().filter(|t| named(t)).count();
            if matching >= n || started.elapsed() > Duration::from_secs(10) {
                return names;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// SIGTERM, then a clean exit within 20 s.
    pub fn stop(mut self) {
        let status = std::process::Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill -TERM");
        assert!(status.success());
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                assert!(status.success(), "tegel exited with {status}");
                return;
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "tegel did not stop within 20 s of SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        let _ = std::fs::remove_dir_all(&self.data);
    }
}
