//! `Snapshot`: an immutable, indexed view of the whole catalogue.
//!
//! The render path reads only snapshots (no locks, no I/O); writers build a new
//! one and swap it in (see `catalogue.rs`).

use super::records::{Organisation, RasterLayer, RasterSource};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use uuid::Uuid;

/// Everything the catalogue stores, as persisted.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CatalogueData {
    /// File format version, for migrations.
    pub format: u32,
    /// Bumped by every committed write; objects remember the revision that last changed them.
    pub revision: u64,
    pub organisations: Vec<Organisation>,
    pub sources: Vec<RasterSource>,
    pub layers: Vec<RasterLayer>,
}

/// An indexed, read-only catalogue state.
#[derive(Debug, Default)]
pub struct Snapshot {
    data: CatalogueData,
    orgs: HashMap<Uuid, usize>,
    sources: HashMap<Uuid, usize>,
    layers: HashMap<Uuid, usize>,
    /// `org-slug:layer-slug` → layer index.
    wms_names: HashMap<String, usize>,
}

impl Snapshot {
    pub fn new(data: CatalogueData) -> Snapshot {
        let orgs = data
            .organisations
            .iter()
            .enumerate()
            .map(|(i, o)| (o.uuid, i))
            .collect();
        let sources = data
            .sources
            .iter()
            .enumerate()
            .map(|(i, s)| (s.uuid, i))
            .collect();
        let layers = data
            .layers
            .iter()
            .enumerate()
            .map(|(i, l)| (l.uuid, i))
            .collect();
        let mut snap = Snapshot {
            data,
            orgs,
            sources,
            layers,
            wms_names: HashMap::new(),
        };
        let names: Vec<(String, usize)> = snap
            .data
            .layers
            .iter()
            .enumerate()
            .filter_map(|(i, l)| snap.wms_name(l).map(|n| (n, i)))
            .collect();
        snap.wms_names = names.into_iter().collect();
        snap
    }

    pub fn data(&self) -> &CatalogueData {
        &self.data
    }

    pub fn organisation(&self, uuid: Uuid) -> Option<&Organisation> {
        self.orgs.get(&uuid).map(|&i| &self.data.organisations[i])
    }

    pub fn organisation_by_slug(&self, slug: &str) -> Option<&Organisation> {
        self.data.organisations.iter().find(|o| o.slug == slug)
    }

    pub fn source(&self, uuid: Uuid) -> Option<&RasterSource> {
        self.sources.get(&uuid).map(|&i| &self.data.sources[i])
    }

    pub fn layer(&self, uuid: Uuid) -> Option<&RasterLayer> {
        self.layers.get(&uuid).map(|&i| &self.data.layers[i])
    }

    /// A layer by its WMS name (`org-slug:layer-slug`) or its uuid in text form.
    pub fn layer_by_name(&self, name: &str) -> Option<&RasterLayer> {
        if let Some(&i) = self.wms_names.get(name) {
            return Some(&self.data.layers[i]);
        }
        Uuid::try_parse(name).ok().and_then(|u| self.layer(u))
    }

    /// The WMS layer name: `<organisation slug>:<layer slug>`.
    pub fn wms_name(&self, layer: &RasterLayer) -> Option<String> {
        self.organisation(layer.organisation)
            .map(|o| format!("{}:{}", o.slug, layer.slug))
    }

    /// All layers, in creation order.
    pub fn layers(&self) -> &[RasterLayer] {
        &self.data.layers
    }

    /// The version a cached rendering of `layer` depends on: the newest revision
    /// of the layer and of the source it reads.
    pub fn layer_version(&self, layer: &RasterLayer) -> u64 {
        let source_rev = self.source(layer.source).map_or(0, |s| s.revision);
        layer.revision.max(source_rev)
    }
}
