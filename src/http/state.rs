//! `AppState`: what every handler may read. Shared by `Arc`, never mutated.

use crate::catalogue::Catalogue;
use crate::config::Config;
use crate::render::Renderer;

pub struct AppState {
    pub config: Config,
    pub renderer: Renderer,
    /// Absolute base URL clients use (no trailing slash), for links in documents.
    pub public_url: String,
}

impl AppState {
    pub fn new(config: Config, renderer: Renderer, public_url: String) -> AppState {
        AppState {
            config,
            renderer,
            public_url: public_url.trim_end_matches('/').to_string(),
        }
    }

    pub fn catalogue(&self) -> &Catalogue {
        &self.renderer.context().catalogue
    }
}
