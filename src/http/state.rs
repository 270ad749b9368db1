//! `AppState`: what every handler may read. Shared by `Arc`, never mutated.

use crate::catalogue::{Catalogue, Repo};
use crate::config::Config;
use crate::geo::tms::{self, TileMatrixSet};
use crate::render::Renderer;
use std::sync::Arc;

pub struct AppState {
    pub config: Config,
    pub renderer: Renderer,
    /// Absolute base URL clients use (no trailing slash), for links in documents.
    pub public_url: String,
    /// The WMTS tile matrix sets: the built-in ones, then those of
    /// `[wmts] tile_matrix_sets`.
    pub tile_matrix_sets: Vec<&'static TileMatrixSet>,
    /// What the catalogue API writes through.
    pub repo: Arc<Repo>,
}

impl AppState {
    pub fn new(config: Config, renderer: Renderer, public_url: String) -> AppState {
        let ctx = renderer.context();
        let repo = Arc::new(Repo {
            catalogue: ctx.catalogue.clone(),
            store: ctx.store.clone(),
            limits: crate::storage::Limits {
                max_pixels: config.storage.max_input_pixels,
                ..crate::storage::Limits::default()
            },
            data_dir: config.server.data_dir.clone(),
            worker: crate::catalogue::worker::Worker::idle(),
        });
        AppState {
            repo,
            config,
            renderer,
            public_url: public_url.trim_end_matches('/').to_string(),
            tile_matrix_sets: tms::with_extra(&[]),
        }
    }

    /// Offers `extra` sets after the built-in ones.
    pub fn with_tile_matrix_sets(mut self, extra: &[&'static TileMatrixSet]) -> AppState {
        self.tile_matrix_sets = tms::with_extra(extra);
        self
    }

    pub fn catalogue(&self) -> &Catalogue {
        &self.renderer.context().catalogue
    }
}
