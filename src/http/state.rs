//! `AppState`: what every request may read. Shared by `Arc`, never mutated.

use crate::catalogue::Repo;
use crate::config::Config;
use crate::serve::Service;
use std::sync::Arc;

pub struct AppState {
    /// The server's settings (listen limits, timeouts, upload limits).
    pub config: Config,
    /// The request path of maps, tiles, capabilities and their kin.
    pub service: Service,
    /// What the catalogue API reads and writes through.
    pub repo: Arc<Repo>,
}

impl AppState {
    pub fn new(config: Config, service: Service, repo: Arc<Repo>) -> AppState {
        AppState {
            config,
            service,
            repo,
        }
    }
}
