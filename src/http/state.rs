//! `AppState`: what every handler may read. Shared by `Arc`, never mutated.

use crate::catalogue::Catalogue;
use crate::config::Config;
use crate::geo::tms::{self, TileMatrixSet};
use crate::render::Renderer;

pub struct AppState {
    pub config: Config,
    pub renderer: Renderer,
    /// Absolute base URL clients use (no trailing slash), for links in documents.
    pub public_url: String,
    /// The WMTS tile matrix sets: the built-in ones, then those of
    /// `[wmts] tile_matrix_sets`.
    pub tile_matrix_sets: Vec<&'static TileMatrixSet>,
}

impl AppState {
    pub fn new(config: Config, renderer: Renderer, public_url: String) -> AppState {
        AppState {
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
