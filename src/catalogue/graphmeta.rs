//! The graph engine's view of the catalogue without pixels: what a
//! `LizardRasterSource` uuid names (a source's grid and frame instants, or a
//! layer's graph), for metadata inference and validation of layer graphs.
//! Reading frames is the renderer's (`render::geoblock`).

use super::records::RasterLayer;
use super::snapshot::Snapshot;
use super::source::{Frame, RasterSource, SourceGrid};
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

/// Parses `graph` and infers its endpoint's metadata over `snap`, within
/// the snapshot's graph limits: the validation a stored layer graph passes,
/// with errors naming the node.
pub fn graph_meta(snap: &Snapshot, graph: &Value) -> Result<Meta, GraphError> {
    let limits = snap.graph_limits();
    let parsed = Graph::parse(graph, &limits)?;
    parsed.meta(&SnapshotLeaves { snap, limits })
}

/// Refuses `graph` when one 256×256 tile of it at one instant already costs
/// more than the snapshot's `max_cost` (see `Graph::check_reference`): the
/// check a stored layer graph passes once its sources hold data.
pub fn check_reference(snap: &Snapshot, graph: &Value) -> Result<(), GraphError> {
    let limits = snap.graph_limits();
    let parsed = Graph::parse(graph, &limits)?;
    parsed.check_reference(&SnapshotLeaves { snap, limits })
}

/// [`graph_meta`] of a stored layer.
pub fn layer_meta(snap: &Snapshot, layer: &RasterLayer) -> Result<Meta, GraphError> {
    graph_meta(snap, &layer.graph)
}

/// The native grid of a graph's endpoint: its geometry on its geo_transform,
/// when it has one projection and an aligned grid.
pub fn grid_of(meta: &Meta) -> Option<SourceGrid> {
    let (crs, bbox) = meta.geometry?;
    match meta.geo_transform {
        Some([x0, dx, _, y0, _, dy]) if dx != 0.0 && dy != 0.0 && meta.projection == Some(crs) => {
            let width = ((bbox.max_x - bbox.min_x) / dx).abs().round();
            let height = ((bbox.max_y - bbox.min_y) / dy).abs().round();
            // The grid's cells, anchored where the graph's transform says,
            // covering the footprint.
            let cols_before = ((bbox.min_x - x0) / dx).round();
            let rows_before = ((bbox.max_y - y0) / dy).round();
            Some(SourceGrid {
                crs: crs.0,
                origin_x: x0 + cols_before * dx,
                origin_y: y0 + rows_before * dy,
                pixel_x: dx,
                pixel_y: dy,
                width: width.max(1.0) as u32,
                height: height.max(1.0) as u32,
                dtype: meta
                    .dtype
                    .data_type()
                    .unwrap_or(crate::model::DataType::F64),
                nodata: meta.fillvalue,
            })
        }
        _ => None,
    }
}

/// The instants of a temporal graph's frames over its whole period (a
/// dask-geomodeling `time` request); empty for non-temporal or empty graphs.
pub fn frame_times(snap: &Snapshot, graph: &Graph, meta: &Meta) -> Vec<i64> {
    let (Some((start, stop)), Some((crs, bbox))) = (meta.period, meta.geometry) else {
        return Vec::new();
    };
    if !meta.temporal {
        return Vec::new();
    }
    let leaves = SnapshotLeaves {
        snap,
        limits: snap.graph_limits(),
    };
    let request = crate::graph::Request {
        mode: crate::graph::RequestMode::Time,
        bbox,
        crs,
        width: 1,
        height: 1,
        start: Some(start),
        stop: Some(stop),
    };
    let answered = match graph.evaluate(&leaves, &request) {
        Ok(Some(crate::graph::Output::Time(ts))) => ts,
        _ => Vec::new(),
    };
    if answered.len() > 1 {
        return answered;
    }
    // An aggregating endpoint (TemporalSum over the whole period answers one
    // instant): offer the instants of the data it aggregates, within its
    // period, so clients can pick the intervals to aggregate over.
    let mut inputs: Vec<i64> = graph
        .source_refs()
        .into_iter()
        .flat_map(|id| match snap.layer(id) {
            Some(l) => snap.layer_sources(l).0,
            None => vec![id],
        })
        .filter_map(|id| snap.source(id))
        .filter(|s| s.temporal)
        .flat_map(|s| s.frames.iter().filter_map(|f| f.timestamp))
        .map(|t| t.timestamp_millis())
        .filter(|t| (start..=stop).contains(t))
        .chain(answered)
        .collect();
    inputs.sort_unstable();
    inputs.dedup();
    inputs
}

/// A geoblock layer seen as a source: the grid of its graph's endpoint (when
/// it has one projection and an aligned grid) and a frame per instant of its
/// period (no files: for time selection and capabilities only). `None` when
/// the graph does not evaluate to a located raster.
pub fn virtual_source(snap: &Snapshot, layer: &RasterLayer) -> Option<RasterSource> {
    let limits = snap.graph_limits();
    let graph = Graph::parse(&layer.graph, &limits).ok()?;
    let meta = graph.meta(&SnapshotLeaves { snap, limits }).ok()?;
    let grid = grid_of(&meta)?;
    let frames = if meta.temporal {
        frame_times(snap, &graph, &meta)
            .into_iter()
            .filter_map(chrono::DateTime::from_timestamp_millis)
            .map(|t| Frame {
                file: String::new(),
                timestamp: Some(t),
                bytes: 0,
            })
            .collect()
    } else {
        vec![Frame {
            file: String::new(),
            timestamp: None,
            bytes: 0,
        }]
    };
    Some(RasterSource {
        uuid: layer.uuid,
        name: layer.name.clone(),
        description: String::new(),
        organisation: layer.organisation,
        access_modifier: layer.access_modifier,
        supplier: None,
        supplier_code: None,
        temporal: meta.temporal,
        interval_ms: meta.timedelta,
        grid: Some(grid),
        frames,
        created: layer.created,
        last_modified: layer.last_modified,
        revision: snap.layer_version(layer),
    })
}
