//! Metadata inference per block (lizard-api.md §5.3–5.5): dtype, fill value,
//! extent (WGS84), geometry, projection, geo_transform, period, timedelta,
//! temporal. `Meta` itself, the leaves' metadata, and `node_meta`, which hands
//! every other block to its family (`fuse::meta`, `combine_meta`, `misc_meta`,
//! `temporal_meta`, `place_meta`). Those also make the constructor checks that
//! need input metadata (bool inputs for logic blocks, matching temporal flags,
//! integer stores for Reclassify).

use super::blocks::Block;
use super::dtype::{self, Dt};
use super::error::GraphError;
use super::fuse::meta as elementwise;
use super::leaves::{Leaf, Leaves, SourceMeta};
use super::meta_rules::{combine, operand, single, to_wgs84};
use super::parse::Graph;
use super::{combine_meta, misc_meta, place_meta, temporal_meta};
use crate::model::{BBox, Crs};

/// What a block reports about itself without reading pixels.
#[derive(Clone, Debug, PartialEq)]
pub struct Meta {
    pub dtype: Dt,
    /// The nodata value of `vals` answers; `None` for bool.
    pub fillvalue: Option<f64>,
    /// [min lon, min lat, max lon, max lat] (WGS84), `None` = empty.
    pub extent: Option<[f64; 4]>,
    /// Native footprint: a box in a CRS.
    pub geometry: Option<(Crs, BBox)>,
    pub projection: Option<Crs>,
    /// GDAL order (x0, dx, 0, y0, 0, dy).
    pub geo_transform: Option<[f64; 6]>,
    /// First and last timestamp (ms since the epoch, UTC).
    pub period: Option<(i64, i64)>,
    /// Step between frames in ms, if equidistant.
    pub timedelta: Option<i64>,
    pub temporal: bool,
}

impl Meta {
    /// dask-geomodeling's `len(block)`: frames in the period (from the
    /// timedelta), 1 for a one-instant period, 0 when empty. Non-equidistant
    /// blocks report `None` (ask a `time` request over the period).
    pub fn len(&self) -> Option<usize> {
        match (self.period, self.timedelta) {
            (None, _) => Some(0),
            (Some((a, b)), _) if a == b => Some(1),
            (Some((a, b)), Some(td)) if td > 0 => Some(((b - a) / td) as usize + 1),
            _ => None,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.period.is_none()
    }
}

/// `with_extent: false` skips the WGS84 transform (evaluation needs no extent).
pub(crate) fn source_meta_with(sm: &SourceMeta, with_extent: bool) -> Meta {
    let dt = Dt::from_data_type(sm.dtype);
    let bbox = sm.geo_transform.bbox(sm.width, sm.height);
    let gt = sm.geo_transform;
    let n = sm.times.len();
    Meta {
        dtype: dt,
        fillvalue: Some(dtype::cast(
            dt,
            sm.nodata.unwrap_or(dt.max().unwrap_or(0.0)),
        )),
        extent: if with_extent {
            to_wgs84(sm.crs, &bbox)
        } else {
            None
        },
        geometry: Some((sm.crs, bbox)),
        projection: Some(sm.crs),
        geo_transform: Some([gt.origin_x, gt.pixel_x, 0.0, gt.origin_y, 0.0, gt.pixel_y]),
        period: (n > 0).then(|| (sm.times[0], sm.times[n - 1])),
        timedelta: if n > 1 {
            sm.interval.or_else(|| Some(sm.times[1] - sm.times[0]))
        } else {
            None
        },
        temporal: n > 1,
    }
}

/// Metadata of every node of `graph` (same order as `graph.nodes`).
pub(crate) fn infer(
    graph: &Graph,
    leaves: &dyn Leaves,
    nesting: usize,
) -> Result<Vec<Meta>, GraphError> {
    infer_with(graph, leaves, nesting, true)
}

/// `infer` without WGS84 extents of sources (cheaper; for evaluation, which
/// never reads extents).
pub(crate) fn infer_with(
    graph: &Graph,
    leaves: &dyn Leaves,
    nesting: usize,
    extents: bool,
) -> Result<Vec<Meta>, GraphError> {
    let mut out: Vec<Meta> = Vec::with_capacity(graph.nodes.len());
    for node in &graph.nodes {
        let m = node_meta(
            &node.key,
            &node.block,
            &out,
            leaves,
            nesting,
            graph,
            extents,
        )?;
        out.push(m);
    }
    Ok(out)
}

pub(crate) fn leaf_meta(
    key: &str,
    id: uuid::Uuid,
    leaves: &dyn Leaves,
    nesting: usize,
    graph: &Graph,
    extents: bool,
) -> Result<Meta, GraphError> {
    match leaves.resolve(id) {
        None => Err(GraphError::UnknownLeaf(id)),
        Some(Leaf::Source(sm)) => Ok(source_meta_with(&sm, extents)),
        Some(Leaf::Layer(g)) => {
            if nesting + 1 > graph.limits.max_nesting {
                return Err(GraphError::node(key, "layers nested too deeply"));
            }
            let metas = infer_with(&g, leaves, nesting + 1, extents)?;
            Ok(metas[g.endpoint()].clone())
        }
    }
}

/// The metadata of one node from its inputs' (`m`, by node index). Blocks
/// that keep their store's metadata (MaskBelow, Step, TemporalSum, Dilate,
/// MovingMax, Smooth), HillShade and the leaves are answered here.
fn node_meta(
    key: &str,
    block: &Block,
    m: &[Meta],
    leaves: &dyn Leaves,
    nesting: usize,
    graph: &Graph,
    extents: bool,
) -> Result<Meta, GraphError> {
    let ins = |nodes: &[usize]| -> Vec<&Meta> { nodes.iter().map(|&i| &m[i]).collect() };
    Ok(match block {
        Block::Source(id) => leaf_meta(key, *id, leaves, nesting, graph, extents)?,
        Block::LizardGroup(ids) => {
            let ms = ids
                .iter()
                .map(|id| leaf_meta(key, *id, leaves, nesting, graph, extents))
                .collect::<Result<Vec<_>, _>>()?;
            combine(&ms.iter().collect::<Vec<_>>())
        }
        Block::Math(op, a, b) => {
            let ops = [operand(a, m), operand(b, m)];
            elementwise::math(key, *op, &ins(&block.inputs()), ops)?
        }
        Block::Unary(op, s) => elementwise::unary(key, *op, &m[*s])?,
        Block::FillNoData(nodes) => elementwise::fill_no_data(key, &ins(nodes))?,
        Block::Mask(s, v) => elementwise::mask(key, &m[*s], *v)?,
        Block::MaskBelow(s, _) | Block::Step { store: s, .. } => m[*s].clone(),
        Block::Classify { store, bins, .. } => elementwise::classify(&m[*store], bins.len()),
        Block::Reclassify {
            store, to_float, ..
        } => elementwise::reclassify(key, &m[*store], *to_float)?,
        Block::Group(nodes) => combine_meta::group(&ins(nodes)),
        Block::Max(nodes) => combine_meta::max(key, &ins(nodes))?,
        Block::Clip(s, c) => misc_meta::clip(key, &m[*s], &m[*c])?,
        Block::RasterizeWkt { polygons, crs } => misc_meta::rasterize_wkt(polygons, *crs, extents),
        Block::Snap(store, index) => temporal_meta::snap(&m[*store], &m[*index]),
        Block::Shift(s, ms) => temporal_meta::shift(&m[*s], *ms),
        Block::TemporalSum(s) => m[*s].clone(),
        Block::TemporalAggregate {
            source,
            freq,
            stat,
            closed_right,
            label_right,
        } => temporal_meta::temporal_aggregate(
            &m[*source],
            *freq,
            *stat,
            *closed_right,
            *label_right,
        ),
        Block::Cumulative { source, stat, .. } => temporal_meta::cumulative(&m[*source], *stat),
        Block::Resample {
            source,
            freq,
            direction,
        } => temporal_meta::resample(&m[*source], *freq, *direction),
        Block::Dilate(s, _) | Block::MovingMax(s, _) | Block::Smooth { store: s, .. } => {
            m[*s].clone()
        }
        // fillvalue 256 on purpose (not a uint8 value: no nodata in practice).
        Block::HillShade { store, .. } => single(&m[*store], Dt::U8, Some(256.0)),
        Block::Place {
            store,
            crs,
            anchor,
            coords,
            ..
        } => place_meta::place(&m[*store], *crs, *anchor, coords, extents),
    })
}
