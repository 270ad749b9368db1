//! The graph engine's view of the catalogue without pixels: what a
//! `LizardRasterSource` uuid names (a source's grid and frame instants, or a
//! layer's graph), for metadata inference and validation of layer graphs.
//! Reading frames is the renderer's (`render::geoblock`).

use super::records::RasterLayer;
use super::snapshot::Snapshot;
use super::source::RasterSource;
use crate::graph::{Graph, GraphError, GraphLimits, Leaf, Leaves, Meta, SourceMeta};
use crate::model::{GridSpec, RasterBuf};
use serde_json::Value;
use uuid::Uuid;

/// The graph metadata of a stored source; `None` before its first frame.
pub fn source_meta(source: &RasterSource) -> Option<SourceMeta> {
    let grid = source.grid.as_ref()?;
    let times = if source.temporal {
        source
            .frames
            .iter()
            .filter_map(|f| f.timestamp)
            .map(|t| t.timestamp_millis())
            .collect()
    } else if source.frames.is_empty() {
        Vec::new()
    } else {
        vec![0]
    };
    Some(SourceMeta {
        dtype: grid.dtype,
        // Cells outside a frame hold this after warping.
        nodata: Some(grid.nodata.unwrap_or_else(|| grid.dtype.max_value())),
        crs: grid.crs(),
        geo_transform: grid.transform(),
        width: grid.width,
        height: grid.height,
        times,
        interval: source.interval_ms.filter(|_| source.temporal),
    })
}

/// Resolves uuids against one snapshot; reads nothing.
pub struct SnapshotLeaves<'a> {
    pub snap: &'a Snapshot,
    pub limits: GraphLimits,
}

impl SnapshotLeaves<'_> {
    pub fn resolve_in(snap: &Snapshot, limits: &GraphLimits, id: Uuid) -> Option<Leaf> {
        if let Some(source) = snap.source(id) {
            return source_meta(source).map(Leaf::Source);
        }
        let layer = snap.layer(id)?;
        Graph::parse(&layer.graph, limits)
            .ok()
            .map(|g| Leaf::Layer(Box::new(g)))
    }
}

impl Leaves for SnapshotLeaves<'_> {
    fn resolve(&self, id: Uuid) -> Option<Leaf> {
        SnapshotLeaves::resolve_in(self.snap, &self.limits, id)
    }

    fn read(&self, id: Uuid, _: &GridSpec, _: &[usize]) -> Result<Vec<RasterBuf>, GraphError> {
        Err(GraphError::Request(format!(
            "raster {id}: metadata only, no pixels here"
        )))
    }
}

/// Parses `graph` and infers its endpoint's metadata over `snap`: the
/// validation a stored layer graph passes, with errors naming the node.
pub fn graph_meta(snap: &Snapshot, graph: &Value) -> Result<Meta, GraphError> {
    let limits = GraphLimits::default();
    let parsed = Graph::parse(graph, &limits)?;
    parsed.meta(&SnapshotLeaves { snap, limits })
}

/// [`graph_meta`] of a stored layer.
pub fn layer_meta(snap: &Snapshot, layer: &RasterLayer) -> Result<Meta, GraphError> {
    graph_meta(snap, &layer.graph)
}
