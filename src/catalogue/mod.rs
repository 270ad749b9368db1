//! The catalogue: organisations, raster sources (with their frames) and raster
//! layers; their durable file and the in-memory snapshot the render path reads.
//!
//! Access rules here are the anonymous-caller subset (Public objects only);
//! users, keys and the full Lizard API live on top of this module.

pub mod demo;
mod durable;
mod error;
mod ingest;
mod records;
mod slug;
mod snapshot;

pub use durable::Catalogue;
pub use error::CatalogueError;
pub use ingest::{IngestOutcome, IngestRequest, ingest};
pub use records::{
    AccessModifier, Frame, FrameMatch, Organisation, RasterLayer, RasterSource, SourceGrid,
};
pub use slug::slugify;
pub use snapshot::{CatalogueData, Snapshot};
