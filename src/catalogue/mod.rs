//! The catalogue: organisations, users and their roles and keys, observation
//! types, layer collections, raster sources (with their frames), raster
//! layers and tasks; their database and the in-memory snapshot the render
//! path and the API read; the access rules (`Guard::layer`, `::source`,
//! `::collection`: one guard per kind of object).
//!
//! May use model, geo, graph (to check layer graphs and derive their fields)
//! and storage (frames); never render, serve, api or http.

pub mod access;
pub mod admin;
mod db;
pub mod demo;
pub mod derived;
mod durable;
#[cfg(test)]
mod durable_tests;
mod error;
pub mod graphmeta;
pub mod graphref;
mod ingest;
mod legacy;
#[cfg(test)]
mod limits_tests;
pub mod people;
mod records;
mod repo;
mod slug;
mod snapshot;
mod source;
pub mod worker;

pub use access::{Caller, Guard};
pub use durable::Catalogue;
pub use error::CatalogueError;
pub use ingest::{IngestOutcome, IngestRequest, ingest, ingest_named};
pub use people::{ApiKey, KeyScope, Role, RoleKind, User};
pub use records::{
    AccessModifier, LayerCollection, ObservationType, Organisation, RasterLayer, Task, TaskStatus,
    epoch,
};
pub use repo::Repo;
pub use slug::{slugify, unique_layer_slug};
pub use snapshot::{CatalogueData, Snapshot};
pub use source::{Frame, FrameMatch, RasterSource, SourceGrid};
