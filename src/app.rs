//! Wiring: from a validated `Config` to a running server. Used by `main.rs` and
//! by the integration tests, so both start tegel the same way.

use crate::cache::TileCache;
use crate::catalogue::{Catalogue, CatalogueError, Repo, demo, worker::Worker};
use crate::config::Config;
use crate::geo::cache::TransformCache;
use crate::geo::tms::{self, TileMatrixSet};
use crate::geo::tms_json;
use crate::graph::GraphLimits;
use crate::http::{AppState, Server};
use crate::render::{Engine, Pool, RenderError, Renderer};
use crate::serve::{Service, Settings};
use crate::storage::{Limits, Store, StoreError};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::oneshot;

/// Why tegel could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Catalogue(#[from] CatalogueError),
    #[error(transparent)]
    Render(#[from] RenderError),
    #[error("tile matrix set {path}: {message}")]
    TileMatrixSet { path: PathBuf, message: String },
    #[error("start-up failed: {0}")]
    Startup(String),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
}

/// The store and catalogue of a data dir.
pub struct DataDir {
    pub store: Arc<Store>,
    pub catalogue: Arc<Catalogue>,
}

/// Opens the data dir of `config` (creating it when missing).
pub fn open_data_dir(config: &Config) -> Result<DataDir, StartError> {
    let dir = &config.server.data_dir;
    let store = Arc::new(Store::open(dir, config.storage.max_open_maps)?);
    let catalogue = Arc::new(Catalogue::open_with_graph_limits(
        dir,
        graph_limits(config),
    )?);
    Ok(DataDir { store, catalogue })
}

/// The graph engine's limits, from the config's `[graph]` section.
pub fn graph_limits(config: &Config) -> GraphLimits {
    let g = &config.graph;
    GraphLimits {
        max_nodes: g.max_nodes,
        max_depth: g.max_depth,
        max_nesting: g.max_nesting,
        max_values: g.max_values,
        max_steps: g.max_steps,
        max_cost: g.max_cost,
    }
}

/// Limits for decoding input GeoTIFFs, from the config.
pub fn input_limits(config: &Config) -> Limits {
    Limits {
        max_pixels: config.storage.max_input_pixels,
        ..Limits::default()
    }
}

/// Ingests the demo data when the catalogue is empty and the config asks for it.
pub fn ingest_demo_if_empty(config: &Config, data: &DataDir) -> Result<(), StartError> {
    let empty = data.catalogue.snapshot().layers().is_empty();
    let manifest = config.demo.fixtures_dir.join("demo.json");
    if !(empty && config.demo.ingest_on_empty) {
        return Ok(());
    }
    if !manifest.exists() {
        tracing::warn!(path = %manifest.display(), "demo data not found; starting with an empty catalogue");
        return Ok(());
    }
    let made = demo::ingest_demo(
        &data.catalogue,
        &data.store,
        &config.demo.fixtures_dir,
        &input_limits(config),
    )?;
    tracing::info!(layers = made.len(), "ingested the demo data");
    Ok(())
}

/// Reads the OGC TMS 2.0 JSON documents of `[wmts] tile_matrix_sets`: each
/// path a file, or a folder whose `*.json` files are read in name order.
/// Errors name the file; identifiers must be unique, built-in ones included.
pub fn load_tile_matrix_sets(config: &Config) -> Result<Vec<&'static TileMatrixSet>, StartError> {
    let fail = |path: &Path, message: String| StartError::TileMatrixSet {
        path: path.to_path_buf(),
        message,
    };
    let mut files = Vec::new();
    for path in &config.wmts.tile_matrix_sets {
        if path.is_dir() {
            let entries = std::fs::read_dir(path).map_err(|e| fail(path, e.to_string()))?;
            let mut found: Vec<PathBuf> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    p.extension()
                        .is_some_and(|x| x.eq_ignore_ascii_case("json"))
                })
                .collect();
            found.sort();
            files.extend(found);
        } else {
            files.push(path.clone());
        }
    }
    let mut sets: Vec<&'static TileMatrixSet> = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).map_err(|e| fail(&file, e.to_string()))?;
        let set = tms_json::parse(&text).map_err(|e| fail(&file, e.to_string()))?;
        if tms::find(set.id).is_some() || sets.iter().any(|s| s.id == set.id) {
            return Err(fail(
                &file,
                format!("identifier '{}' is already taken by another set", set.id),
            ));
        }
        tracing::info!(path = %file.display(), id = set.id, "tile matrix set loaded");
        sets.push(tms_json::into_static(set));
    }
    Ok(sets)
}

/// The request path over `data`: tile cache, render pool and engine, and
/// the service layer with the settings of `config`.
pub fn build_service(
    config: &Config,
    data: &DataDir,
    public_url: &str,
    extra_sets: &[&'static TileMatrixSet],
) -> Result<Service, StartError> {
    let cache = TileCache::new(config.cache.max_bytes.bytes());
    let transforms = Arc::new(TransformCache::new());
    let pool = Arc::new(
        Pool::new(config.render.effective_threads(), config.render.queue_depth)?
            .with_max_share(config.render.max_share),
    );
    let engine = Engine::new(data.store.clone(), transforms.clone());
    let renderer = Renderer::new(engine, cache, pool);
    Ok(Service::new(
        data.catalogue.clone(),
        renderer,
        transforms,
        Settings::from_config(config),
        public_url,
        tms::with_extra(extra_sets),
    ))
}

/// A server running on a background task.
pub struct Running {
    pub addr: SocketAddr,
    pub public_url: String,
    pub state: Arc<AppState>,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Running {
    /// Stops accepting, lets requests finish, waits for the server task.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
        // The upload worker finishes the task at hand, then ends.
        let state = self.state.clone();
        let _ = tokio::task::spawn_blocking(move || state.repo.worker.stop()).await;
    }
}

/// Opens the data dir, ingests the demo when asked, binds and serves in the background.
pub async fn start(config: Config) -> Result<Running, StartError> {
    let (data, tile_matrix_sets) = {
        let config = config.clone();
        tokio::task::spawn_blocking(move || -> Result<_, StartError> {
            let sets = load_tile_matrix_sets(&config)?;
            let data = open_data_dir(&config)?;
            ingest_demo_if_empty(&config, &data)?;
            Ok((data, sets))
        })
        .await
        .map_err(|e| StartError::Startup(e.to_string()))??
    };
    let listen = config.server.listen;
    let server = Server::bind(listen)
        .await
        .map_err(|source| StartError::Bind {
            addr: listen,
            source,
        })?;
    let addr = server.local_addr().map_err(|source| StartError::Bind {
        addr: listen,
        source,
    })?;
    let public_url = config.server.public_url_for(addr);
    let service = build_service(&config, &data, &public_url, &tile_matrix_sets)?;
    let repo = Arc::new(Repo {
        catalogue: data.catalogue.clone(),
        store: data.store.clone(),
        limits: input_limits(&config),
        data_dir: config.server.data_dir.clone(),
        worker: Worker::idle(),
    });
    // Files of uploads cut off by a crash or a kill: no task will ever take them.
    crate::catalogue::worker::sweep_uploads(&repo.catalogue, &repo.uploads_dir());
    repo.worker
        .start(repo.catalogue.clone(), repo.store.clone(), repo.limits);
    let state = Arc::new(AppState::new(config, service, repo));
    watch_catalogue(data.catalogue.clone());
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(server.run(state.clone(), async {
        let _ = rx.await;
    }));
    Ok(Running {
        addr,
        public_url,
        state,
        shutdown: Some(tx),
        task: Some(task),
    })
}

/// Picks up catalogue changes made by other processes (`tegel ingest`) within a second.
fn watch_catalogue(catalogue: Arc<Catalogue>) {
    let weak = Arc::downgrade(&catalogue);
    drop(catalogue);
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        loop {
            tick.tick().await;
            let Some(catalogue) = weak.upgrade() else {
                return;
            };
            match tokio::task::spawn_blocking(move || catalogue.reload_if_changed()).await {
                Ok(Ok(true)) => tracing::info!("catalogue changed on disk; reloaded"),
                Ok(Ok(false)) => {}
                Ok(Err(e)) => {
                    tracing::warn!(error = %e, "catalogue reload failed; keeping the previous state")
                }
                Err(e) => tracing::warn!(error = %e, "catalogue reload task failed"),
            }
        }
    });
}
