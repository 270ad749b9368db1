//! The metadata rules shared by blocks (dask-geomodeling's base classes):
//! BaseElementwise intersections, BaseCombine unions, aligned geo-transforms
//! and timedeltas, and the per-statistic / per-value dtype helpers.

use super::blocks::{Operand, Stat};
use super::dtype::{self, Dt, Scalar};
use super::error::GraphError;
use super::freq::Freq;
use super::meta::Meta;
use crate::geo::Transformer;
use crate::model::{BBox, Crs};

/// Box corners transformed to WGS84, bounds (dask-geomodeling's
/// `Extent.transformed`).
pub(crate) fn to_wgs84(crs: Crs, b: &BBox) -> Option<[f64; 4]> {
    let t = Transformer::new(crs, Crs::WGS84).ok()?;
    transform_corners(&t, b).map(|b| [b.min_x, b.min_y, b.max_x, b.max_y])
}

pub(crate) fn transform_corners(t: &Transformer, b: &BBox) -> Option<BBox> {
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
pub(crate) fn resample_period((p0, p1): (i64, i64), f: Freq, direction: i8) -> (i64, i64) {
    if direction != 0 {
        let side = if direction > 0 { -1 } else { 1 };
        return (f.closest(p0, side), f.closest(p1, side));
    }
    let mut start = f.closest(p0, -1);
    if p0 >= f.shift(start, 0.5) {
        start = f.closest(p0, 1);
    }
    let mut end = f.closest(p1, 1);
    if p1 < f.shift(end, -0.5) {
        end = f.closest(p1, -1);
    }
    (start, end)
}

pub(crate) fn operand(o: &Operand, m: &[Meta]) -> dtype::Operand {
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

pub(crate) fn single(x: &Meta, dtype: Dt, fillvalue: Option<f64>) -> Meta {
    Meta {
        dtype,
        fillvalue,
        ..x.clone()
    }
}

pub(crate) fn check_elementwise(key: &str, ins: &[&Meta]) -> Result<(), GraphError> {
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
pub(crate) fn elementwise(ins: &[&Meta], dtype: Dt) -> Meta {
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

pub(crate) fn intersect_extent(ins: &[&Meta]) -> Option<[f64; 4]> {
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

pub(crate) fn intersect_geometry(ins: &[&Meta]) -> Option<(Crs, BBox)> {
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

pub(crate) fn common_projection(ins: &[&Meta]) -> Option<Crs> {
    let p = ins.first()?.projection?;
    ins.iter().all(|x| x.projection == Some(p)).then_some(p)
}

pub(crate) fn aligned_transform(ins: &[&Meta]) -> Option<[f64; 6]> {
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
pub(crate) fn py_mod(a: f64, b: f64) -> f64 {
    let r = a % b;
    if r != 0.0 && (r < 0.0) != (b < 0.0) {
        r + b
    } else {
        r
    }
}
