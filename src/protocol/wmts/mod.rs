//! WMTS 1.0.0: KVP and RESTful requests → typed requests, the capabilities
//! document and OWS 1.1 exception reports.
//!
//! * `request` — KVP → `WmtsRequest` (GetCapabilities, GetTile), Sections, UpdateSequence.
//! * `rest` — `/wmts/1.0.0/…` paths → capabilities or a tile query.
//! * `tile` — a tile query checked against a layer → `TileAddress` → `RenderRequest`.
//! * `featureinfo` — GetFeatureInfo: pixel, InfoFormat and their RESTful extensions.
//! * `layer` — `WmtsLayer`: what capabilities advertise and GetTile enforces.
//! * `capabilities` — the document; `exception` — the ExceptionReport; `error` — `WmtsError`.
//!
//! Tile matrix sets are `geo::tms`. No I/O and no catalogue access.

pub mod capabilities;
pub mod error;
pub mod exception;
pub mod featureinfo;
pub mod layer;
pub mod request;
pub mod rest;
pub mod tile;

pub use error::{OwsCode, WmtsError};
pub use featureinfo::FeatureInfoQuery;
pub use layer::{SetLink, WmtsLayer};
pub use request::{Freshness, GetCapabilities, Sections, WmtsRequest, parse_kvp};
pub use rest::{RestRequest, parse_rest};
pub use tile::{Binding, TileAddress, TileQuery};

/// The one version served.
pub const VERSION: &str = "1.0.0";
/// The one tile format offered.
pub const FORMAT_PNG: &str = "image/png";

#[cfg(test)]
mod tests;
