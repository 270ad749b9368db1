//! `Snapshot`: an immutable, indexed view of the whole catalogue.
//!
//! The render path and the API read only snapshots (no locks, no I/O);
//! writers change a copy of `CatalogueData`, commit it and swap in a new
//! snapshot (see `durable.rs`).

use super::graphref;
use super::people::{ApiKey, Role, User};
use super::records::{LayerCollection, ObservationType, Organisation, RasterLayer, Task};
use super::source::RasterSource;
use crate::graph::GraphLimits;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use uuid::Uuid;

/// Everything the catalogue stores.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CatalogueData {
    /// Bumped by every committed write; objects remember the revision that last changed them.
    pub revision: u64,
    pub organisations: Vec<Organisation>,
    pub users: Vec<User>,
    pub roles: Vec<Role>,
    pub api_keys: Vec<ApiKey>,
    pub observation_types: Vec<ObservationType>,
    pub layer_collections: Vec<LayerCollection>,
    pub sources: Vec<RasterSource>,
    pub layers: Vec<RasterLayer>,
    pub tasks: Vec<Task>,
}

/// Positions of records by key.
type Index<K> = HashMap<K, usize>;

fn index<T, K: std::hash::Hash + Eq>(items: &[T], key: impl Fn(&T) -> K) -> Index<K> {
    items.iter().enumerate().map(|(i, t)| (key(t), i)).collect()
}

/// An indexed, read-only catalogue state.
#[derive(Debug, Default)]
pub struct Snapshot {
    data: CatalogueData,
    orgs: Index<Uuid>,
    org_slugs: Index<String>,
    users: Index<i64>,
    usernames: Index<String>,
    keys: Index<String>,
    roles_of: HashMap<i64, Vec<Role>>,
    observation_types: Index<i64>,
    collections: Index<Uuid>,
    collection_slugs: Index<String>,
    sources: Index<Uuid>,
    layers: Index<Uuid>,
    tasks: Index<Uuid>,
    /// `org-slug:layer-slug` → layer index.
    wms_names: Index<String>,
    /// Source or layer uuid → indices of the layers whose graph names it.
    dependants: HashMap<Uuid, Vec<usize>>,
    /// The graph engine's limits for every graph read through this snapshot.
    graph_limits: GraphLimits,
    /// `shown_source` of computed layers, by layer uuid: each costs a graph
    /// parse, metadata inference and a time evaluation over the whole
    /// period, and a snapshot never changes.
    computed: Mutex<HashMap<Uuid, Option<Arc<RasterSource>>>>,
}

/// A layer's source as map services show it (see [`Snapshot::shown_source`]).
#[derive(Debug)]
pub enum Shown<'a> {
    Stored(&'a RasterSource),
    Computed(Arc<RasterSource>),
}

impl std::ops::Deref for Shown<'_> {
    type Target = RasterSource;

    fn deref(&self) -> &RasterSource {
        match self {
            Shown::Stored(s) => s,
            Shown::Computed(s) => s,
        }
    }
}

impl Snapshot {
    /// A snapshot of `data` under the engine's default graph limits.
    pub fn new(data: CatalogueData) -> Snapshot {
        Snapshot::with_graph_limits(data, GraphLimits::default())
    }

    /// A snapshot of `data` whose graphs are parsed, checked and evaluated
    /// under `limits` (see [`Snapshot::graph_limits`]).
    pub fn with_graph_limits(data: CatalogueData, limits: GraphLimits) -> Snapshot {
        let mut roles_of: HashMap<i64, Vec<Role>> = HashMap::new();
        for r in &data.roles {
            roles_of.entry(r.user).or_default().push(*r);
        }
        let mut dependants: HashMap<Uuid, Vec<usize>> = HashMap::new();
        for (i, l) in data.layers.iter().enumerate() {
            for id in graphref::references(&l.graph) {
                let list = dependants.entry(id).or_default();
                if list.last() != Some(&i) {
                    list.push(i);
                }
            }
        }
        let orgs = index(&data.organisations, |o| o.uuid);
        let wms_names = data
            .layers
            .iter()
            .enumerate()
            .filter_map(|(i, l)| {
                let org = orgs.get(&l.organisation)?;
                Some((format!("{}:{}", data.organisations[*org].slug, l.slug), i))
            })
            .collect();
        Snapshot {
            orgs,
            org_slugs: index(&data.organisations, |o| o.slug.clone()),
            users: index(&data.users, |u| u.id),
            usernames: index(&data.users, |u| u.username.to_lowercase()),
            keys: index(&data.api_keys, |k| k.prefix.clone()),
            roles_of,
            observation_types: index(&data.observation_types, |o| o.id),
            collections: index(&data.layer_collections, |c| c.uuid),
            collection_slugs: index(&data.layer_collections, |c| c.slug.clone()),
            sources: index(&data.sources, |s| s.uuid),
            layers: index(&data.layers, |l| l.uuid),
            tasks: index(&data.tasks, |t| t.id),
            wms_names,
            dependants,
            graph_limits: limits,
            computed: Mutex::default(),
            data,
        }
    }

    /// The graph engine's limits every reader of this snapshot applies: the
    /// API's checks of layer graphs, metadata inference and rendering.
    pub fn graph_limits(&self) -> GraphLimits {
        self.graph_limits
    }

    pub fn data(&self) -> &CatalogueData {
        &self.data
    }

    pub fn revision(&self) -> u64 {
        self.data.revision
    }

    pub fn organisation(&self, uuid: Uuid) -> Option<&Organisation> {
        self.orgs.get(&uuid).map(|&i| &self.data.organisations[i])
    }

    pub fn organisation_by_slug(&self, slug: &str) -> Option<&Organisation> {
        self.org_slugs
            .get(slug)
            .map(|&i| &self.data.organisations[i])
    }

    pub fn user(&self, id: i64) -> Option<&User> {
        self.users.get(&id).map(|&i| &self.data.users[i])
    }

    /// A user by username, case-insensitively (usernames are unique that way).
    pub fn user_by_name(&self, username: &str) -> Option<&User> {
        self.usernames
            .get(&username.to_lowercase())
            .map(|&i| &self.data.users[i])
    }

    pub fn api_key(&self, prefix: &str) -> Option<&ApiKey> {
        self.keys.get(prefix).map(|&i| &self.data.api_keys[i])
    }

    /// Every role `user` holds.
    pub fn roles_of(&self, user: i64) -> &[Role] {
        self.roles_of.get(&user).map_or(&[], Vec::as_slice)
    }

    pub fn observation_type(&self, id: i64) -> Option<&ObservationType> {
        self.observation_types
            .get(&id)
            .map(|&i| &self.data.observation_types[i])
    }

    pub fn layer_collection(&self, uuid: Uuid) -> Option<&LayerCollection> {
        self.collections
            .get(&uuid)
            .map(|&i| &self.data.layer_collections[i])
    }

    pub fn layer_collection_by_slug(&self, slug: &str) -> Option<&LayerCollection> {
        self.collection_slugs
            .get(slug)
            .map(|&i| &self.data.layer_collections[i])
    }

    pub fn source(&self, uuid: Uuid) -> Option<&RasterSource> {
        self.sources.get(&uuid).map(|&i| &self.data.sources[i])
    }

    pub fn layer(&self, uuid: Uuid) -> Option<&RasterLayer> {
        self.layers.get(&uuid).map(|&i| &self.data.layers[i])
    }

    pub fn task(&self, id: Uuid) -> Option<&Task> {
        self.tasks.get(&id).map(|&i| &self.data.tasks[i])
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

    /// All sources, in creation order.
    pub fn sources(&self) -> &[RasterSource] {
        &self.data.sources
    }

    /// The layers whose graph names `id` (a source or a layer) directly.
    pub fn dependants(&self, id: Uuid) -> impl Iterator<Item = &RasterLayer> {
        self.dependants
            .get(&id)
            .into_iter()
            .flatten()
            .map(|&i| &self.data.layers[i])
    }

    /// The raster sources a layer reads, through nested layers, in graph
    /// order without repeats; also the referenced uuids that name nothing
    /// (deleted sources). Nesting deeper than the limits' `max_nesting` stops.
    pub fn layer_sources(&self, layer: &RasterLayer) -> (Vec<Uuid>, Vec<Uuid>) {
        let (mut found, mut missing, mut seen) = (Vec::new(), Vec::new(), vec![layer.uuid]);
        self.walk_sources(layer, 0, &mut found, &mut missing, &mut seen);
        (found, missing)
    }

    fn walk_sources(
        &self,
        layer: &RasterLayer,
        depth: usize,
        found: &mut Vec<Uuid>,
        missing: &mut Vec<Uuid>,
        seen: &mut Vec<Uuid>,
    ) {
        for id in graphref::references(&layer.graph) {
            if self.source(id).is_some() {
                if !found.contains(&id) {
                    found.push(id);
                }
            } else if let Some(nested) = self.layer(id) {
                if depth < self.graph_limits.max_nesting && !seen.contains(&id) {
                    seen.push(id);
                    self.walk_sources(nested, depth + 1, found, missing, seen);
                }
            } else if !missing.contains(&id) {
                missing.push(id);
            }
        }
    }

    /// The one source a layer shows when its graph is a single source, or a
    /// single nested layer that is; `None` for real computations.
    pub fn single_source(&self, layer: &RasterLayer) -> Option<&RasterSource> {
        let mut graph = &layer.graph;
        for _ in 0..=self.graph_limits.max_nesting {
            let id = graphref::trivial_reference(graph)?;
            if let Some(source) = self.source(id) {
                return Some(source);
            }
            graph = &self.layer(id)?.graph;
        }
        None
    }

    /// What a map service shows of a layer: its one source, or for a
    /// computation the grid and instants of its graph (see
    /// `graphmeta::virtual_source`). `None` for broken layers.
    pub fn shown_source(&self, layer: &RasterLayer) -> Option<Shown<'_>> {
        if let Some(s) = self.single_source(layer) {
            return Some(Shown::Stored(s));
        }
        if !graphref::is_geoblock(&layer.graph) {
            return None;
        }
        let lock = || self.computed.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(known) = lock().get(&layer.uuid) {
            return known.clone().map(Shown::Computed);
        }
        // Computed unlocked: requests for other layers need not wait.
        let shown = super::graphmeta::virtual_source(self, layer).map(Arc::new);
        lock().insert(layer.uuid, shown.clone());
        shown.map(Shown::Computed)
    }

    /// The version a cached rendering of `layer` depends on: the newest
    /// revision of the layer, of the layers nested in it and of the sources
    /// they read.
    pub fn layer_version(&self, layer: &RasterLayer) -> u64 {
        let mut version = layer.revision;
        let mut stack = vec![(layer, 0)];
        while let Some((l, depth)) = stack.pop() {
            version = version.max(l.revision);
            for id in graphref::references(&l.graph) {
                if let Some(s) = self.source(id) {
                    version = version.max(s.revision);
                } else if let Some(nested) = self.layer(id) {
                    if depth < self.graph_limits.max_nesting {
                        stack.push((nested, depth + 1));
                    }
                }
            }
        }
        version
    }
}
