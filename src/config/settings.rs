//! The typed settings: one struct per `config/tegel.toml` section, with defaults.
//!
//! Defaults here must equal the values written in `config/tegel.toml` (a test
//! checks it). Loading and validation live in `load.rs` and `validate.rs`.

use super::ByteSize;
use serde::{Deserialize, Serialize};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

/// All of tegel's settings. Build it with [`Config::load`](super::Config::load);
/// `Config::default()` is the built-in configuration, equal to the shipped file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub server: ServerConfig,
    pub render: RenderConfig,
    pub cache: CacheConfig,
    pub storage: StorageConfig,
    pub demo: DemoConfig,
    pub wms: WmsConfig,
    pub wmts: WmtsConfig,
    pub graph: GraphConfig,
}

/// `[server]`: the listening socket and connection limits.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerConfig {
    /// Socket address to bind, e.g. `127.0.0.1:8080` or `0.0.0.0:80`.
    pub listen: SocketAddr,
    /// Absolute http(s) URL clients reach the server at, without query; empty =
    /// derived from `listen` (see [`ServerConfig::public_url_for`]). Stored without a
    /// trailing slash after validation.
    pub public_url: String,
    /// Directory holding the catalogue and the raster store.
    pub data_dir: PathBuf,
    /// Whole-request deadline, seconds (≥ 1).
    pub request_timeout_secs: u64,
    /// Connections open at once (≥ 1). At the cap a new connection closes the
    /// one idle the longest; when none is idle it is refused at once with a 503.
    pub max_connections: usize,
    /// Seconds a connection may take to send a complete request head, counted
    /// from its accept and, on keep-alive, from the end of the previous
    /// response; also the keep-alive idle timeout (1..=3600).
    pub header_timeout_secs: u64,
    /// Longest gap between two pieces of a request body, seconds (1..=3600).
    pub body_timeout_secs: u64,
    /// Seconds in-flight requests get to finish on shutdown.
    pub shutdown_grace_secs: u64,
    /// Threads answering HTTP (rendering has its own pool); 0 = one per core.
    /// With one, a single-threaded runtime serves without cross-thread hand-offs.
    pub io_threads: usize,
}

impl Default for ServerConfig {
    fn default() -> ServerConfig {
        ServerConfig {
            listen: SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 8080),
            public_url: String::new(),
            data_dir: PathBuf::from("./data"),
            request_timeout_secs: 30,
            max_connections: 1024,
            header_timeout_secs: 10,
            body_timeout_secs: 10,
            shutdown_grace_secs: 10,
            io_threads: 0,
        }
    }
}

impl ServerConfig {
    /// `io_threads`, with 0 resolved to the number of cores this process may use.
    pub fn effective_io_threads(&self) -> usize {
        match self.io_threads {
            0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
            n => n,
        }
    }

    /// The base URL for links in documents, without trailing slash: `public_url` when
    /// set, else `http://<bound>` where an unspecified address (`0.0.0.0`, `::`) becomes
    /// loopback. Pass the address actually bound (it differs from `listen` for port 0).
    pub fn public_url_for(&self, bound: SocketAddr) -> String {
        if !self.public_url.is_empty() {
            return self.public_url.clone();
        }
        let ip = match bound.ip() {
            IpAddr::V4(v4) if v4.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(v6) if v6.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
            ip => ip,
        };
        format!("http://{}", SocketAddr::new(ip, bound.port()))
    }

    /// `public_url_for(self.listen)`.
    pub fn public_url(&self) -> String {
        self.public_url_for(self.listen)
    }

    pub fn request_timeout(&self) -> Duration {
        Duration::from_secs(self.request_timeout_secs)
    }

    pub fn header_timeout(&self) -> Duration {
        Duration::from_secs(self.header_timeout_secs)
    }

    pub fn body_timeout(&self) -> Duration {
        Duration::from_secs(self.body_timeout_secs)
    }

    pub fn shutdown_grace(&self) -> Duration {
        Duration::from_secs(self.shutdown_grace_secs)
    }
}

/// `[render]`: the CPU pool, its queue and the size limits of one image.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RenderConfig {
    /// Render threads; 0 = one per core (see [`RenderConfig::effective_threads`]).
    pub threads: usize,
    /// Renders waiting for a thread; when full, requests get 503 + `Retry-After` (≥ 1).
    pub queue_depth: usize,
    /// Largest image width in pixels (≥ 1).
    pub max_width: u32,
    /// Largest image height in pixels (≥ 1).
    pub max_height: u32,
    /// Largest width·height of one image (≥ 1).
    pub max_pixels: u64,
    /// Most layers in one WMS GetMap (WMS `LayerLimit`, ≥ 1).
    pub layer_limit: u32,
    /// `Retry-After` seconds sent with a 503 when the queue is full (≥ 1).
    pub retry_after_secs: u64,
    /// Share of `queue_depth` one layer (and one caller) may hold, running
    /// or waiting, in (0, 1]; at least one job. Beyond it that layer's
    /// renders get 503 + `Retry-After` while other layers keep rendering.
    pub max_share: f64,
}

impl Default for RenderConfig {
    fn default() -> RenderConfig {
        RenderConfig {
            threads: 0,
            queue_depth: 64,
            max_width: 4096,
            max_height: 4096,
            max_pixels: 16_777_216,
            layer_limit: 8,
            retry_after_secs: 1,
            max_share: 0.5,
        }
    }
}

impl RenderConfig {
    /// `threads`, or the number of cores when 0 (1 when that is unknown).
    pub fn effective_threads(&self) -> usize {
        if self.threads > 0 {
            return self.threads;
        }
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    }

    pub fn retry_after(&self) -> Duration {
        Duration::from_secs(self.retry_after_secs)
    }
}

/// `[cache]`: the rendered-response cache and its HTTP headers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CacheConfig {
    /// Bytes of rendered responses kept in memory; 0 = cache off.
    pub max_bytes: ByteSize,
    /// `Cache-Control` of successful image responses; empty = header not sent.
    pub cache_control: String,
    /// `Cache-Control` of error responses; empty = header not sent.
    pub cache_control_errors: String,
}

impl Default for CacheConfig {
    fn default() -> CacheConfig {
        CacheConfig {
            max_bytes: ByteSize(512 * 1024 * 1024),
            cache_control: "public, max-age=3600".to_owned(),
            cache_control_errors: "no-store".to_owned(),
        }
    }
}

impl CacheConfig {
    pub fn enabled(&self) -> bool {
        self.max_bytes.0 > 0
    }
}

/// `[storage]`: the raster store's resource limits.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StorageConfig {
    /// Memory maps kept open at once (LRU beyond that, ≥ 1).
    pub max_open_maps: usize,
    /// Largest width·height of an ingested GeoTIFF (≥ 1).
    pub max_input_pixels: u64,
    /// Largest upload body (≥ 1).
    pub max_upload_bytes: ByteSize,
}

impl Default for StorageConfig {
    fn default() -> StorageConfig {
        StorageConfig {
            max_open_maps: 256,
            max_input_pixels: 500_000_000,
            max_upload_bytes: ByteSize(2 * 1024 * 1024 * 1024),
        }
    }
}

/// `[demo]`: what `tegel serve` does on an empty data directory.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DemoConfig {
    /// Ingest the demo layers of `fixtures_dir` when the data directory is empty.
    pub ingest_on_empty: bool,
    /// Directory holding `demo.json` and its GeoTIFFs.
    pub fixtures_dir: PathBuf,
}

impl Default for DemoConfig {
    fn default() -> DemoConfig {
        DemoConfig {
            ingest_on_empty: true,
            fixtures_dir: PathBuf::from("fixtures/demo"),
        }
    }
}

/// `[wms]`: service metadata and exception behaviour.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WmsConfig {
    /// `<Service><Title>` of the capabilities.
    pub title: String,
    /// `<Service><Abstract>` of the capabilities (TOML key `abstract`).
    #[serde(rename = "abstract")]
    pub abstract_text: String,
    /// HTTP status of OGC exception reports: 200 (the OGC habit) or 400.
    pub exception_status: u16,
}

impl Default for WmsConfig {
    fn default() -> WmsConfig {
        WmsConfig {
            title: "tegel".to_owned(),
            abstract_text: "Raster layers served by tegel".to_owned(),
            exception_status: 200,
        }
    }
}

/// `[wmts]`: tile matrix sets beyond the built-in ones.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct WmtsConfig {
    /// OGC TMS 2.0 JSON files, or folders whose `*.json` files are all read,
    /// loaded at start-up; each set is offered to the layers it covers.
    pub tile_matrix_sets: Vec<PathBuf>,
}

/// `[graph]`: the limits of the geoblock graph engine, checked before any pixel
/// is read. Plain numbers here; the engine's `GraphLimits` is built from them
/// where both are known (the defaults are equal to `GraphLimits::default()`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GraphConfig {
    /// Nodes in one graph document (1 ..= 65536).
    pub max_nodes: usize,
    /// Longest reference chain from a graph's endpoint; a single source is
    /// depth 1 (1 ..= 256).
    pub max_depth: usize,
    /// Layers nested in one another through their graphs (1 ..= 32).
    pub max_nesting: usize,
    /// Cells times frames one block may hold for a request (1 ..= 2^32).
    pub max_values: usize,
    /// Instants one block may answer, e.g. labels of a frequency over a
    /// period (1 ..= 2^26).
    pub max_steps: usize,
    /// Estimated work of one evaluation in kernel steps over cells (1 ..=
    /// 2^50): cells × window cells, bins, vertices, labels… summed over the
    /// graph; more is refused before anything is read.
    pub max_cost: u64,
}

impl Default for GraphConfig {
    fn default() -> GraphConfig {
        GraphConfig {
            max_nodes: 256,
            max_depth: 64,
            max_nesting: 8,
            max_values: 1 << 26,
            max_steps: 1 << 20,
            max_cost: 1 << 32,
        }
    }
}
