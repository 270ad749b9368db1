//! `Service`: the request path between transport and engines. One call in
//! (an endpoint's request in its protocol encoding, the caller, one
//! catalogue snapshot), one [`Reply`] or [`Failure`] out. Knows nothing of
//! HTTP: `http` extracts the call and the credentials and writes the answer.

use super::failure::Failure;
use super::reply::Reply;
use super::settings::Settings;
use super::{colormaps, index, wms, wmts, xyz};
use crate::catalogue::{Caller, Catalogue, Snapshot};
use crate::geo::cache::TransformCache;
use crate::geo::tms::TileMatrixSet;
use crate::model::ErrorClass;
use crate::render::{Pool, Renderer};
use std::sync::Arc;

/// Which way tile rows count.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rows {
    /// XYZ (Google/OSM) and WMTS: row 0 is the northernmost.
    FromNorth,
    /// OSGeo TMS: row 0 is the southernmost.
    FromSouth,
}

/// One request to the service, as its endpoint received it.
#[derive(Clone, Copy, Debug)]
pub enum Call<'a> {
    /// The landing page.
    Index,
    /// The WMS of `scope`, with its KVP query.
    Wms {
        scope: &'a wms::Scope,
        query: &'a str,
    },
    /// The WMTS KVP binding.
    WmtsKvp { query: &'a str },
    /// The WMTS RESTful binding: the path after `/wmts/` and the media
    /// ranges the client accepts (`None`: anything).
    WmtsRest {
        path: &'a str,
        accept: Option<&'a str>,
    },
    /// An XYZ or TMS tile: the path after the prefix, and the query.
    Tile {
        path: &'a str,
        query: &'a str,
        rows: Rows,
    },
    /// The colormap catalogue: the path after its prefix, and the query.
    Colormaps { path: &'a str, query: &'a str },
}

/// Credentials that were presented and did not check out: the message.
#[derive(Clone, Debug, PartialEq)]
pub struct Refused(pub String);

/// Everything a request needs besides itself.
pub struct Service {
    /// The catalogue whose snapshots requests read.
    catalogue: Arc<Catalogue>,
    /// Renders layers (cache, engine, pool).
    pub(super) renderer: Renderer,
    /// Transforms for extents in capabilities (shared with the engine).
    pub(super) transforms: Arc<TransformCache>,
    /// Typed settings of the request path.
    pub(super) settings: Settings,
    /// The WMTS tile matrix sets: the built-in ones, then configured ones.
    pub(super) tile_matrix_sets: Vec<&'static TileMatrixSet>,
    /// Absolute base URL clients use (no trailing slash), for links.
    pub(super) public_url: String,
}

impl Service {
    pub fn new(
        catalogue: Arc<Catalogue>,
        renderer: Renderer,
        transforms: Arc<TransformCache>,
        settings: Settings,
        public_url: &str,
        tile_matrix_sets: Vec<&'static TileMatrixSet>,
    ) -> Service {
        Service {
            catalogue,
            renderer,
            transforms,
            settings,
            tile_matrix_sets,
            public_url: public_url.trim_end_matches('/').to_string(),
        }
    }

    /// The catalogue's current state: every request reads one.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.catalogue.snapshot()
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The CPU pool blocking work runs on.
    pub fn pool(&self) -> &Arc<Pool> {
        self.renderer.pool()
    }

    pub fn public_url(&self) -> &str {
        &self.public_url
    }

    /// Answers `call` for `caller` over `snap`. Wrong credentials are
    /// refused before anything else is looked at, in the endpoint's own
    /// error format, so they reveal nothing.
    pub async fn answer(
        &self,
        snap: &Arc<Snapshot>,
        caller: Result<Caller, Refused>,
        call: Call<'_>,
    ) -> Result<Reply, Failure> {
        match call {
            // The colormaps are the same for everyone.
            Call::Colormaps { path, query } => colormaps::answer(self, path, query),
            Call::Index => index::page(self, snap, &json_caller(caller)?),
            Call::Wms { scope, query } => wms::answer(self, snap, caller, scope, query).await,
            Call::WmtsKvp { query } => wmts::answer_kvp(self, snap, caller, query).await,
            Call::WmtsRest { path, accept } => {
                wmts::answer_rest(self, snap, caller, path, accept).await
            }
            Call::Tile { path, query, rows } => {
                let caller = json_caller(caller)?;
                xyz::answer(self, snap, &caller, path, query, rows).await
            }
        }
    }
}

/// The caller, or the JSON 401 of refused credentials.
fn json_caller(caller: Result<Caller, Refused>) -> Result<Caller, Failure> {
    caller.map_err(|Refused(m)| Failure::Json(ErrorClass::Unauthorized, m))
}
