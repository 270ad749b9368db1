//! Metadata inference per block (lizard-api.md §5.3–5.5): dtype, fill value,
//! extent (WGS84), geometry, projection, geo_transform, period, timedelta,
//! temporal. Also the constructor checks that need input metadata (bool inputs
//! for logic blocks, matching temporal flags, integer stores for Reclassify).

use super::blocks::{Block, MathOp, UnaryOp};
use super::dtype::{self, Dt};
use super::error::GraphError;
use super::freq::Freq;
use super::leaves::{Leaf, Leaves, SourceMeta};
use super::meta_rules::*;
use super::parse::Graph;
use super::wkt;
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

fn node_meta(
    key: &str,
    block: &Block,
    m: &[Meta],
    leaves: &dyn Leaves,
    nesting: usize,
    graph: &Graph,
    extents: bool,
) -> Result<Meta, GraphError> {
    let err = |s: &str| GraphError::node(key, s);
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
            let ins: Vec<&Meta> = block.inputs().iter().map(|&i| &m[i]).collect();
            check_elementwise(key, &ins)?;
            let ops = [operand(a, m), operand(b, m)];
            let dt = if op.is_comparison() || op.is_logic() {
                if op.is_logic() && ins.iter().any(|x| x.dtype != Dt::Bool) {
                    return Err(err("inputs must have boolean dtypes"));
                }
                Dt::Bool
            } else if *op == MathOp::Divide {
                let mut v = vec![dtype::Operand::Raster(Dt::F32)];
                v.extend(ops);
                dtype::result_type(&v)
            } else {
                dtype::result_type(&ops).at_least_32()
            };
            elementwise(&ins, dt)
        }
        Block::Unary(op, s) => {
            let x = &m[*s];
            let is_bool = x.dtype == Dt::Bool;
            match op {
                UnaryOp::Invert if !is_bool => {
                    return Err(err("input block must have boolean dtype"));
                }
                UnaryOp::Invert => single(x, Dt::Bool, None),
                _ if is_bool => return Err(err("input block must not have boolean dtype")),
                UnaryOp::IsData | UnaryOp::IsNoData => single(x, Dt::Bool, None),
                UnaryOp::Exp | UnaryOp::Log | UnaryOp::Log10 => {
                    let dt = dtype::result_type(&[
                        dtype::Operand::Raster(Dt::F32),
                        dtype::Operand::Raster(x.dtype),
                    ]);
                    single(x, dt, dt.max())
                }
            }
        }
        Block::FillNoData(ins) => {
            let ins: Vec<&Meta> = ins.iter().map(|&i| &m[i]).collect();
            check_elementwise(key, &ins)?;
            let ops: Vec<_> = ins
                .iter()
                .map(|x| dtype::Operand::Raster(x.dtype))
                .collect();
            elementwise(&ins, dtype::result_type(&ops).at_least_32())
        }
        Block::Group(ins) => combine(&ins.iter().map(|&i| &m[i]).collect::<Vec<_>>()),
        Block::Max(ins) => {
            let ins: Vec<&Meta> = ins.iter().map(|&i| &m[i]).collect();
            check_elementwise(key, &ins)?;
            let ops: Vec<_> = ins
                .iter()
                .map(|x| dtype::Operand::Raster(x.dtype))
                .collect();
            let mut out = elementwise(&ins, dtype::result_type(&ops));
            let union = combine(&ins);
            out.extent = union.extent;
            out.geometry = union.geometry;
            out
        }
        Block::Clip(s, c) => {
            let (st, cl) = (&m[*s], &m[*c]);
            if st.temporal != cl.temporal {
                return Err(err(
                    "the temporal properties of the values raster and the clipping mask differ; consider using Snap",
                ));
            }
            if st.temporal && st.timedelta != cl.timedelta {
                return Err(err(
                    "Time resolution of the clipping mask does not match that of the values raster. Consider using Snap.",
                ));
            }
            let mut out = st.clone();
            out.extent = intersect_extent(&[st, cl]);
            out.geometry = intersect_geometry(&[st, cl]);
            out.period = intersect_period(&[st, cl]);
            out
        }
        Block::Mask(s, v) => {
            let dt = mask_dtype(*v).ok_or_else(|| err("Value does not fit in an integer dtype"))?;
            single(&m[*s], dt, Some(if v.value() == 0.0 { 1.0 } else { 0.0 }))
        }
        Block::MaskBelow(s, _) | Block::Step { store: s, .. } => m[*s].clone(),
        Block::Classify { store, bins, .. } => {
            let dt = uint_dtype(bins.len() as u64 + 2);
            single(&m[*store], dt, dt.max())
        }
        Block::Reclassify {
            store, to_float, ..
        } => {
            let x = &m[*store];
            if x.dtype.is_float() {
                return Err(err("The store must be of boolean or integer datatype"));
            }
            let dt = if *to_float { Dt::F64 } else { Dt::I64 };
            single(x, dt, dt.max())
        }
        Block::Snap(store, index) => {
            let (st, ix) = (&m[*store], &m[*index]);
            Meta {
                period: st.period.and(ix.period),
                timedelta: ix.timedelta,
                temporal: ix.temporal,
                ..st.clone()
            }
        }
        Block::Shift(s, ms) => {
            let x = &m[*s];
            Meta {
                period: x.period.map(|(a, b)| (a + ms, b + ms)),
                ..x.clone()
            }
        }
        Block::TemporalSum(s) => m[*s].clone(),
        Block::TemporalAggregate {
            source,
            freq,
            stat,
            closed_right,
            label_right,
        } => {
            let x = &m[*source];
            let dt = stat_dtype(x.dtype, *stat);
            Meta {
                dtype: dt,
                fillvalue: dt.max(),
                period: x.period.map(|(a, b)| match freq {
                    None => (b, b),
                    Some(f) => (
                        f.label(a, *closed_right, *label_right),
                        f.label(b, *closed_right, *label_right),
                    ),
                }),
                timedelta: freq.and_then(Freq::fixed_ms),
                temporal: freq.is_some(),
                ..x.clone()
            }
        }
        Block::Cumulative { source, stat, .. } => {
            let x = &m[*source];
            let dt = stat_dtype(x.dtype, *stat);
            single(x, dt, dt.max())
        }
        Block::Resample {
            source,
            freq: f,
            direction,
        } => {
            let x = &m[*source];
            Meta {
                period: x.period.map(|p| resample_period(p, *f, *direction)),
                timedelta: f.fixed_ms(),
                ..x.clone()
            }
        }
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
        } => {
            let x = &m[*store];
            let same = x.projection == Some(*crs);
            let geometry = x.geometry.and_then(|(c, b)| {
                let b = reproject(c, *crs, &b)?;
                let px = coords.iter().map(|c| c.0);
                let py = coords.iter().map(|c| c.1);
                let (minx, maxx) = (
                    px.clone().fold(f64::MAX, f64::min),
                    px.fold(f64::MIN, f64::max),
                );
                let (miny, maxy) = (
                    py.clone().fold(f64::MAX, f64::min),
                    py.fold(f64::MIN, f64::max),
                );
                if coords.is_empty() {
                    return None;
                }
                Some((
                    *crs,
                    BBox::new(
                        b.min_x + minx - anchor.0,
                        b.min_y + miny - anchor.1,
                        b.max_x + maxx - anchor.0,
                        b.max_y + maxy - anchor.1,
                    ),
                ))
            });
            Meta {
                projection: if same { x.projection } else { None },
                geo_transform: if same { x.geo_transform } else { None },
                extent: match (extents, geometry) {
                    (true, Some((c, b))) => to_wgs84(c, &b),
                    _ => None,
                },
                geometry,
                ..x.clone()
            }
        }
        Block::RasterizeWkt { polygons, crs } => {
            let b = wkt::bounds(polygons);
            let bbox = BBox::new(b[0], b[1], b[2], b[3]);
            Meta {
                dtype: Dt::Bool,
                fillvalue: None,
                extent: if extents { to_wgs84(*crs, &bbox) } else { None },
                geometry: Some((*crs, bbox)),
                projection: Some(*crs),
                geo_transform: None,
                period: Some((0, 0)),
                timedelta: None,
                temporal: false,
            }
        }
    })
}
