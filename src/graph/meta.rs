//! Metadata inference per block (lizard-api.md §5.3–5.5): dtype, fill value,
//! extent (WGS84), geometry, projection, geo_transform, period, timedelta,
//! temporal. Also the constructor checks that need input metadata (bool inputs
//! for logic blocks, matching temporal flags, integer stores for Reclassify).

use super::blocks::{Block, MathOp, Operand, Stat, UnaryOp};
use super::dtype::{self, Dt, Scalar};
use super::error::GraphError;
use super::freq;
use super::leaves::{Leaf, Leaves, SourceMeta};
use super::parse::Graph;
use super::wkt;
use crate::geo::Transformer;
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

/// Box corners transformed to WGS84, bounds (dask-geomodeling's
/// `Extent.transformed`).
fn to_wgs84(crs: Crs, b: &BBox) -> Option<[f64; 4]> {
    let t = Transformer::new(crs, Crs::WGS84).ok()?;
    transform_corners(&t, b).map(|b| [b.min_x, b.min_y, b.max_x, b.max_y])
}

fn transform_corners(t: &Transformer, b: &BBox) -> Option<BBox> {
    let mut xs = [b.min_x, b.min_x, b.max_x, b.max_x];
    let mut ys = [b.min_y, b.max_y, b.max_y, b.min_y];
    t.transform_in_place(&mut xs, &mut ys);
    if xs.iter().chain(ys.iter()).any(|v| !v.is_finite()) {
        return None;
    }
    let f = |v: &[f64], max: bool| {
        v.iter()
            .copied()
            .fold(if max { f64::MIN } else { f64::MAX }, |a, b| {
                if max { a.max(b) } else { a.min(b) }
            })
    };
    Some(BBox::new(
        f(&xs, false),
        f(&ys, false),
        f(&xs, true),
        f(&ys, true),
    ))
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
                        freq::label(a, *f, *closed_right, *label_right),
                        freq::label(b, *f, *closed_right, *label_right),
                    ),
                }),
                timedelta: *freq,
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
                timedelta: Some(*f),
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

/// `dtype_for_statistic`.
pub(crate) fn stat_dtype(dt: Dt, stat: Stat) -> Dt {
    match stat {
        Stat::Min | Stat::Max => dt,
        Stat::Sum => dt.at_least_32(),
        Stat::Count => Dt::I32,
        _ => dtype::result_type(&[dtype::Operand::Raster(Dt::F32), dtype::Operand::Raster(dt)]),
    }
}

/// Resample.period.
pub(crate) fn resample_period((p0, p1): (i64, i64), f: i64, direction: i8) -> (i64, i64) {
    if direction != 0 {
        let side = if direction > 0 { -1 } else { 1 };
        return (freq::closest(p0, f, side), freq::closest(p1, f, side));
    }
    let mut start = freq::closest(p0, f, -1);
    if p0 as f64 >= start as f64 + 0.5 * f as f64 {
        start = freq::closest(p0, f, 1);
    }
    let mut end = freq::closest(p1, f, 1);
    if (p1 as f64) < end as f64 - 0.5 * f as f64 {
        end = freq::closest(p1, f, -1);
    }
    (start, end)
}

fn operand(o: &Operand, m: &[Meta]) -> dtype::Operand {
    match o {
        Operand::Node(i) => dtype::Operand::Raster(m[*i].dtype),
        Operand::Scalar(s) => dtype::Operand::Scalar(*s),
    }
}

/// `Mask`'s dtype: float32 for a float value, else the smallest unsigned
/// (non-negative) or signed integer type.
pub(crate) fn mask_dtype(v: Scalar) -> Option<Dt> {
    match v {
        Scalar::Float(_) => Some(Dt::F32),
        Scalar::Int(i) if i >= 0 => Some(uint_dtype(i as u64)),
        Scalar::Int(i) => Some(if i >= i64::from(i8::MIN) {
            Dt::I8
        } else if i >= i64::from(i16::MIN) {
            Dt::I16
        } else if i >= i64::from(i32::MIN) {
            Dt::I32
        } else {
            Dt::I64
        }),
        Scalar::Bool(_) => None,
    }
}

/// `get_uint_dtype(n)`: the smallest unsigned type with room for `n` values
/// (dask-geomodeling passes a value, not a count, from `Mask`: 256 → uint8,
/// which then overflows; reproduced on purpose).
pub(crate) fn uint_dtype(n: u64) -> Dt {
    let n1 = n.saturating_sub(1);
    if n1 <= u64::from(u8::MAX) {
        Dt::U8
    } else if n1 <= u64::from(u16::MAX) {
        Dt::U16
    } else if n1 <= u64::from(u32::MAX) {
        Dt::U32
    } else {
        Dt::U64
    }
}

fn single(x: &Meta, dtype: Dt, fillvalue: Option<f64>) -> Meta {
    Meta {
        dtype,
        fillvalue,
        ..x.clone()
    }
}

fn check_elementwise(key: &str, ins: &[&Meta]) -> Result<(), GraphError> {
    let Some(first) = ins.first() else {
        return Ok(());
    };
    if ins.iter().any(|x| x.temporal != first.temporal) {
        return Err(GraphError::node(
            key,
            "Temporal properties of input rasters do not match.",
        ));
    }
    if first.temporal
        && let Some(d) = first.timedelta
        && ins.iter().any(|x| x.timedelta.is_some_and(|t| t != d))
    {
        return Err(GraphError::node(
            key,
            "Time resolutions of input rasters are not equal.",
        ));
    }
    Ok(())
}

/// BaseElementwise: intersections, equal projection, aligned geo_transform.
fn elementwise(ins: &[&Meta], dtype: Dt) -> Meta {
    let fillvalue = dtype.max();
    if ins.len() == 1 {
        return single(ins[0], dtype, fillvalue);
    }
    Meta {
        dtype,
        fillvalue,
        extent: intersect_extent(ins),
        geometry: intersect_geometry(ins),
        projection: common_projection(ins),
        geo_transform: aligned_transform(ins),
        period: intersect_period(ins),
        timedelta: if ins.iter().any(|x| x.timedelta.is_none()) {
            None
        } else {
            ins[0].timedelta
        },
        temporal: ins[0].temporal,
    }
}

/// BaseCombine (Group): unions, aligned timedelta, temporal if any.
pub(crate) fn combine(ins: &[&Meta]) -> Meta {
    let ops: Vec<_> = ins
        .iter()
        .map(|x| dtype::Operand::Raster(x.dtype))
        .collect();
    let dt = dtype::result_type(&ops);
    let periods: Vec<(i64, i64)> = ins.iter().filter_map(|x| x.period).collect();
    let extents: Vec<[f64; 4]> = ins.iter().filter_map(|x| x.extent).collect();
    let geoms: Vec<(Crs, BBox)> = ins.iter().filter_map(|x| x.geometry).collect();
    Meta {
        dtype: dt,
        fillvalue: dt.max(),
        extent: extents.iter().copied().reduce(|a, b| {
            [
                a[0].min(b[0]),
                a[1].min(b[1]),
                a[2].max(b[2]),
                a[3].max(b[3]),
            ]
        }),
        geometry: geoms.iter().copied().reduce(|(c, a), (d, b)| {
            let b = reproject(d, c, &b).unwrap_or(b);
            (c, a.union(&b))
        }),
        projection: common_projection(ins),
        geo_transform: aligned_transform(ins),
        period: periods
            .iter()
            .copied()
            .reduce(|a, b| (a.0.min(b.0), a.1.max(b.1))),
        timedelta: aligned_timedelta(ins),
        temporal: ins.iter().any(|x| x.temporal),
    }
}

/// BaseCombine.get_aligned_timedelta.
pub(crate) fn aligned_timedelta(ins: &[&Meta]) -> Option<i64> {
    let with: Vec<(i64, (i64, i64))> = ins
        .iter()
        .filter_map(|x| Some((x.timedelta?, x.period?)))
        .collect();
    let (td, (first, _)) = *with.first()?;
    if with.iter().any(|(t, _)| *t != td) {
        return None;
    }
    if with
        .iter()
        .any(|(_, (a, _))| (first - a).rem_euclid(td) != 0)
    {
        return None;
    }
    Some(td)
}

fn intersect_extent(ins: &[&Meta]) -> Option<[f64; 4]> {
    let mut out = ins.first()?.extent?;
    for x in &ins[1..] {
        let e = x.extent?;
        out = [
            out[0].max(e[0]),
            out[1].max(e[1]),
            out[2].min(e[2]),
            out[3].min(e[3]),
        ];
    }
    (out[2] > out[0] && out[3] > out[1]).then_some(out)
}

pub(crate) fn reproject(from: Crs, to: Crs, b: &BBox) -> Option<BBox> {
    if from == to {
        return Some(*b);
    }
    transform_corners(&Transformer::new(from, to).ok()?, b)
}

fn intersect_geometry(ins: &[&Meta]) -> Option<(Crs, BBox)> {
    let (crs, mut out) = ins.first()?.geometry?;
    for x in &ins[1..] {
        let (c, b) = x.geometry?;
        let b = reproject(c, crs, &b)?;
        out = BBox::new(
            out.min_x.max(b.min_x),
            out.min_y.max(b.min_y),
            out.max_x.min(b.max_x),
            out.max_y.min(b.max_y),
        );
        if out.max_x <= out.min_x || out.max_y <= out.min_y {
            return None;
        }
    }
    Some((crs, out))
}

pub(crate) fn intersect_period(ins: &[&Meta]) -> Option<(i64, i64)> {
    let mut out = ins.first()?.period?;
    for x in &ins[1..] {
        let p = x.period?;
        out = (out.0.max(p.0), out.1.min(p.1));
    }
    (out.1 >= out.0).then_some(out)
}

fn common_projection(ins: &[&Meta]) -> Option<Crs> {
    let p = ins.first()?.projection?;
    ins.iter().all(|x| x.projection == Some(p)).then_some(p)
}

fn aligned_transform(ins: &[&Meta]) -> Option<[f64; 6]> {
    let g = ins.first()?.geo_transform?;
    let norm = |t: &[f64; 6]| (py_mod(t[0], t[1]), py_mod(t[3], t[5]));
    for x in &ins[1..] {
        let o = x.geo_transform?;
        if g[1].abs() != o[1].abs() || g[5].abs() != o[5].abs() || norm(&g) != norm(&o) {
            return None;
        }
    }
    Some(g)
}

/// Python's `%` (result takes the sign of the divisor).
fn py_mod(a: f64, b: f64) -> f64 {
    let r = a % b;
    if r != 0.0 && (r < 0.0) != (b < 0.0) {
        r + b
    } else {
        r
    }
}
