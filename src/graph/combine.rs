//! Blocks that merge several rasters: Group
//! (union in space and time, merged by bands or by time), Max (reduction), and
//! Lizard's LizardRasterGroup. These use dask-geomodeling's `get_index`: for
//! float inputs a cell is nodata when `isclose` to the nodata value.

use super::dtype::{self, Dt};
use super::error::GraphError;
use super::eval::{Ctx, empty_like};
use super::meta::{self, Meta};
use super::raster::{Data, Mode, Raster, Req};
use uuid::Uuid;

/// `numpy.isclose(v, nodata)` (rtol 1e-5, atol 1e-8) as NumPy 1 evaluates it
/// for a float32 array: the difference is taken in float32.
#[inline(always)]
pub(crate) fn has_data_fn(dt: Dt, nodata: Option<f64>) -> impl Fn(f64) -> bool {
    let nd = nodata.unwrap_or(f64::NAN);
    let f32_mode = matches!(dt, Dt::F32 | Dt::F16);
    let tol = 1e-8 + 1e-5 * nd.abs();
    let tol32 = f64::from(tol as f32);
    let nd32 = f64::from(nd as f32);
    let float = dt.is_float();
    let none = nodata.is_none() || dt == Dt::Bool;
    move |v: f64| {
        if none {
            true
        } else if !float || !nd.is_finite() {
            v != nd
        } else if f32_mode {
            f64::from((v - nd32) as f32).abs() > tol32
        } else {
            (v - nd).abs() > tol
        }
    }
}

fn vals(d: Option<Data>) -> Option<Raster> {
    match d {
        Some(Data::Vals(r)) => Some(r),
        _ => None,
    }
}

/// Copies the data cells of `r` into `out` starting at frame `at` (values
/// rounded to the output dtype).
fn paste(out: &mut Raster, r: &Raster, at: usize) {
    let dt = out.dtype;
    // Inputs whose dtype promotes into the output's need no rounding (always
    // the case for FillNoData and Group, whose dtype is the inputs' result type).
    let exact = r.dtype.promote(dt) == dt;
    for (t, band) in r.bands.iter().enumerate() {
        let Some(dst) = out.bands.get_mut(at + t) else {
            break;
        };
        match (r.nodata, r.dtype) {
            (None, _) | (_, Dt::Bool) => {
                for (o, v) in dst.iter_mut().zip(band.iter()) {
                    *o = if exact { *v } else { dtype::cast(dt, *v) };
                }
            }
            (Some(nd), d) if (!d.is_float() || !nd.is_finite()) && exact => {
                for (o, v) in dst.iter_mut().zip(band.iter()) {
                    *o = if *v != nd { *v } else { *o };
                }
            }
            (Some(nd), Dt::F32 | Dt::F16) if exact => {
                // isclose with the difference taken in float32 (see has_data_fn).
                let nd32 = f64::from(nd as f32);
                let tol32 = f64::from((1e-8 + 1e-5 * nd.abs()) as f32);
                for (o, v) in dst.iter_mut().zip(band.iter()) {
                    let data = f64::from((*v - nd32) as f32).abs() > tol32;
                    *o = if data { *v } else { *o };
                }
            }
            (Some(_), _) if exact => {
                let ok = has_data_fn(r.dtype, r.nodata);
                for (o, v) in dst.iter_mut().zip(band.iter()) {
                    *o = if ok(*v) { *v } else { *o };
                }
            }
            (Some(_), _) => {
                let ok = has_data_fn(r.dtype, r.nodata);
                for (o, v) in dst.iter_mut().zip(band.iter()) {
                    let c = dtype::cast(dt, *v);
                    *o = if ok(*v) { c } else { *o };
                }
            }
        }
    }
}

/// Group: union of the inputs, rightmost data wins.
pub(crate) fn group(
    ctx: &Ctx,
    node: usize,
    ins: &[usize],
    req: &Req,
) -> Result<Option<Data>, GraphError> {
    let m = &ctx.metas[node];
    let metas: Vec<&Meta> = ins.iter().map(|&i| &ctx.metas[i]).collect();
    let Some(period) = m.period else {
        return Ok(None);
    };
    let (start, stop) = (req.start, req.stop);
    if let (Some(s), Some(e)) = (start, stop) {
        if s > period.1 || e < period.0 {
            return Ok(None);
        }
    }
    match m.timedelta {
        None => group_by_time(ctx, m, ins, &metas, req),
        Some(td) => group_by_bands(ctx, m, ins, &metas, req, period, td),
    }
}

/// Group.get_relevant_sources.
fn relevant(ins: &[usize], metas: &[&Meta], start: Option<i64>, stop: Option<i64>) -> Vec<usize> {
    let with: Vec<(usize, (i64, i64))> = ins
        .iter()
        .zip(metas)
        .filter_map(|(i, m)| Some((*i, m.period?)))
        .collect();
    if with.is_empty() {
        return vec![];
    }
    match (start, stop) {
        (None, _) => {
            let last = with.iter().map(|(_, p)| p.1).max().unwrap_or(0);
            with.iter()
                .filter(|(_, p)| p.1 == last)
                .map(|(i, _)| *i)
                .collect()
        }
        (Some(s), None) => {
            let inside: Vec<usize> = with
                .iter()
                .filter(|(_, p)| p.0 <= s && s <= p.1)
                .map(|(i, _)| *i)
                .collect();
            if !inside.is_empty() {
                return inside;
            }
            let edges = with.iter().flat_map(|(_, p)| [p.0, p.1]);
            let closest = edges.min_by_key(|d| (d - s).abs()).unwrap_or(s);
            // zip(stops + starts, stores + stores): stores may repeat.
            let mut out = vec![];
            for (i, p) in with
                .iter()
                .map(|(i, p)| (*i, p.1))
                .chain(with.iter().map(|(i, p)| (*i, p.0)))
            {
                if p == closest {
                    out.push(i);
                }
            }
            out
        }
        (Some(s), Some(e)) => with
            .iter()
            .filter(|(_, p)| !(e < p.0 || s > p.1))
            .map(|(i, _)| *i)
            .collect(),
    }
}

fn group_by_time(
    ctx: &Ctx,
    m: &Meta,
    ins: &[usize],
    metas: &[&Meta],
    req: &Req,
) -> Result<Option<Data>, GraphError> {
    let sources = relevant(ins, metas, req.start, req.stop);
    if sources.is_empty() {
        return Ok(None);
    }
    let time_req = Req {
        mode: Mode::Time,
        ..*req
    };
    let times = ctx.eval_many(&sources, &vec![time_req; sources.len()])?;
    let times: Vec<Vec<i64>> = times
        .into_iter()
        .map(|t| match t {
            Some(Data::Time(t)) => t,
            _ => vec![],
        })
        .collect();
    let mut sorted: Vec<i64> = times.iter().flatten().copied().collect();
    sorted.sort_unstable();
    sorted.dedup();
    let nearest = |sorted: &[i64]| match req.start {
        None => sorted.len() - 1,
        Some(s) => {
            let mut best = 0;
            for (i, t) in sorted.iter().enumerate() {
                if (t - s).abs() < (sorted[best] - s).abs() {
                    best = i;
                }
            }
            best
        }
    };
    if req.mode == Mode::Time {
        if req.stop.is_none() && sorted.len() > 1 {
            let i = nearest(&sorted);
            sorted = vec![sorted[i]];
        }
        return Ok(Some(Data::Time(sorted)));
    }
    let data = ctx.eval_many(&sources, &vec![*req; sources.len()])?;
    let mut pairs = Vec::new();
    for (d, t) in data.into_iter().zip(times) {
        if let Some(r) = vals(d) {
            pairs.push((r, t));
        }
    }
    if pairs.is_empty() {
        return Ok(None);
    }
    let mut out = empty_like(m, req, sorted.len());
    for (r, t) in &pairs {
        for (k, stamp) in t.iter().enumerate() {
            let Ok(band) = sorted.binary_search(stamp) else {
                continue;
            };
            if let Some(src) = r.bands.get(k) {
                let one = Raster {
                    bands: vec![src.clone()],
                    ..r.clone_meta()
                };
                paste(&mut out, &one, band);
            }
        }
    }
    if req.stop.is_none() && sorted.len() > 1 {
        let i = nearest(&sorted);
        out.bands = vec![out.bands.swap_remove(i)];
    }
    Ok(Some(Data::Vals(out)))
}

#[allow(clippy::too_many_arguments)]
fn group_by_bands(
    ctx: &Ctx,
    m: &Meta,
    ins: &[usize],
    metas: &[&Meta],
    req: &Req,
    period: (i64, i64),
    td: i64,
) -> Result<Option<Data>, GraphError> {
    let origin = period.0;
    let start = match req.start {
        None => period.1,
        Some(s) if s < period.0 => period.0,
        Some(s) => s + (origin - s).rem_euclid(td),
    };
    let stop = match req.stop {
        None => start,
        Some(e) if e > period.1 => period.1,
        Some(e) => e - (e - origin).rem_euclid(td),
    };
    let nbands = if stop >= start {
        ((stop - start) / td + 1) as usize
    } else {
        0
    };
    if req.mode == Mode::Time {
        return Ok(Some(Data::Time(
            (0..nbands).map(|i| start + i as i64 * td).collect(),
        )));
    }
    let sources = relevant(ins, metas, Some(start), Some(stop));
    let mut reqs = Vec::new();
    let mut offsets = Vec::new();
    for &s in &sources {
        let p = ctx.metas[s].period.unwrap_or(period);
        let (a, b) = (start.max(p.0), stop.min(p.1));
        offsets.push(((a - start).div_euclid(td)) as usize);
        reqs.push(Req {
            start: Some(a),
            stop: Some(b),
            ..*req
        });
    }
    let data = ctx.eval_many(&sources, &reqs)?;
    let mut out = empty_like(m, req, nbands);
    for (d, at) in data.into_iter().zip(offsets) {
        if let Some(r) = vals(d) {
            paste(&mut out, &r, at);
        }
    }
    Ok(Some(Data::Vals(out)))
}

/// Max: per-cell maximum over the inputs' data cells (isclose), all-nodata →
/// nodata. The request is clamped into the common period; no start → its end.
pub(crate) fn max(
    ctx: &Ctx,
    node: usize,
    ins: &[usize],
    req: &Req,
) -> Result<Option<Data>, GraphError> {
    let m = &ctx.metas[node];
    let Some(period) = m.period else {
        return Ok(None);
    };
    let mut r = *req;
    match (req.start, req.stop) {
        (Some(s), Some(e)) => {
            r.start = Some(s.max(period.0));
            r.stop = Some(e.min(period.1));
        }
        (Some(s), None) => r.start = Some(s.max(period.0).min(period.1)),
        (None, _) => r.start = Some(period.1),
    }
    let data = ctx.eval_many(ins, &vec![r; ins.len()])?;
    let mut stack = Vec::new();
    for d in data.into_iter().flatten() {
        match d {
            Data::Time(t) => return Ok(Some(Data::Time(t))),
            Data::Vals(v) => stack.push(v),
        }
    }
    let Some(first) = stack.first() else {
        return Ok(None);
    };
    let fill = m.fillvalue.unwrap_or(0.0);
    let mut out = Raster::filled(
        m.dtype,
        Some(fill),
        first.width,
        first.height,
        first.bands.len(),
        fill,
    );
    let mut seen = vec![vec![false; out.bands.first().map_or(0, Vec::len)]; out.bands.len()];
    for s in &stack {
        let ok = has_data_fn(s.dtype, s.nodata);
        for (t, band) in s.bands.iter().enumerate().take(out.bands.len()) {
            for ((o, v), k) in out.bands[t].iter_mut().zip(band).zip(seen[t].iter_mut()) {
                if ok(*v) {
                    if !*k || *v > *o {
                        *o = *v;
                    }
                    *k = true;
                }
            }
        }
    }
    for band in out.bands.iter_mut() {
        band.iter_mut().for_each(|v| *v = dtype::cast(m.dtype, *v));
    }
    Ok(Some(Data::Vals(out)))
}

/// LizardRasterGroup: like Group over the named sources/layers, but a time
/// range is refused (Lizard raises on it).
pub(crate) fn lizard_group(
    ctx: &Ctx,
    node: usize,
    ids: &[Uuid],
    req: &Req,
) -> Result<Option<Data>, GraphError> {
    if req.start.is_some() && req.stop.is_some() && req.start != req.stop {
        return Err(GraphError::Request(
            "LizardRasterGroup does not support a time range".into(),
        ));
    }
    let key = &ctx.graph.nodes[node].key;
    let m = &ctx.metas[node];
    let mut merged: Option<Raster> = None;
    let mut times: Vec<i64> = Vec::new();
    for id in ids {
        let _ = meta::leaf_meta(key, *id, ctx.leaves, ctx.nesting, ctx.graph, false)?;
        let sub = super::parse::Graph {
            nodes: vec![super::parse::Node {
                key: key.clone(),
                block: super::blocks::Block::Source(*id),
            }],
            limits: ctx.graph.limits,
        };
        let metas = meta::infer_with(&sub, ctx.leaves, ctx.nesting, false)?;
        let c = Ctx {
            graph: &sub,
            metas,
            leaves: ctx.leaves,
            nesting: ctx.nesting,
            cancel: ctx.cancel,
        };
        match c.eval(0, req)? {
            Some(Data::Time(t)) => times.extend(t),
            Some(Data::Vals(r)) => {
                let out = merged.get_or_insert_with(|| empty_like(m, req, 1));
                let last = Raster {
                    bands: r.bands.last().cloned().into_iter().collect(),
                    ..r.clone_meta()
                };
                paste(out, &last, 0);
            }
            None => {}
        }
    }
    if req.mode == Mode::Time {
        times.sort_unstable();
        return Ok(Some(Data::Time(
            times.last().copied().into_iter().collect(),
        )));
    }
    Ok(merged.map(Data::Vals))
}
