//! `Repo`: what the API's handlers act on — the catalogue, the frame store
//! and the input limits of one data dir.

use super::durable::Catalogue;
use crate::storage::{Limits, Store};
use std::path::PathBuf;
use std::sync::Arc;

pub struct Repo {
    pub catalogue: Arc<Catalogue>,
    pub store: Arc<Store>,
    /// Limits for decoding uploaded GeoTIFFs.
    pub limits: Limits,
    /// The data dir (uploads wait in its `uploads/` folder).
    pub data_dir: PathBuf,
}
