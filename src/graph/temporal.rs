//! Temporal blocks (dask-geomodeling's `raster/temporal.py`): Snap, Shift,
//! TemporalSum, TemporalAggregate, Cumulative, Resample. Bins follow a
//! `Freq` (fixed or calendar, in UTC; see `freq`). Aggregations run in
//! `result_type(float32, dtype)` with nodata as NaN, summing frames in order
//! as NumPy does along the first axis.

use super::blocks::Stat;
use super::dtype::{self, Dt};
use super::error::GraphError;
use super::eval::Ctx;
use super::freq::{self, Freq};
use super::raster::{Data, Mode, Raster, Req};
use super::reduce;
use std::collections::BTreeSet;

fn times(
    ctx: &Ctx,
    node: usize,
    req: &Req,
    start: Option<i64>,
    stop: Option<i64>,
) -> Result<Option<Vec<i64>>, GraphError> {
    let r = Req {
        mode: Mode::Time,
        start,
        stop,
        ..*req
    };
    Ok(match ctx.eval(node, &r)? {
        Some(Data::Time(t)) => Some(t),
        _ => None,
    })
}

fn time_set(
    ctx: &Ctx,
    node: usize,
    req: &Req,
    start: Option<i64>,
    stop: Option<i64>,
) -> Result<BTreeSet<i64>, GraphError> {
    Ok(times(ctx, node, req, start, stop)?
        .unwrap_or_default()
        .into_iter()
        .collect())
}

fn empty(mode: Mode) -> Option<Data> {
    match mode {
        Mode::Vals => None,
        Mode::Time => Some(Data::Time(vec![])),
    }
}

fn pick(r: Raster, idx: &[usize]) -> Raster {
    let bands = idx
        .iter()
        .filter_map(|&i| r.bands.get(i).cloned())
        .collect();
    Raster {
        bands,
        ..r.clone_meta()
    }
}

/// Snap: the time structure of `index`, the values of `store` (nearest frame).
pub(crate) fn snap(
    ctx: &Ctx,
    store: usize,
    index: usize,
    req: &Req,
) -> Result<Option<Data>, GraphError> {
    let (sp, ip) = (ctx.metas[store].period, ctx.metas[index].period);
    if sp.is_none() || ip.is_none() {
        return Ok(None);
    }
    if req.mode == Mode::Time {
        return ctx.eval(index, req);
    }
    let Some(index_time) = times(ctx, index, req, req.start, req.stop)? else {
        return Ok(None);
    };
    let Some(stop) = req.stop else {
        let Some(first) = index_time.first() else {
            return Ok(None);
        };
        return ctx.eval(
            store,
            &Req {
                start: Some(*first),
                ..*req
            },
        );
    };
    let sp = sp.unwrap_or_default();
    let store_time: Vec<i64> = if sp.0 == sp.1 {
        vec![sp.0]
    } else {
        let mut set = time_set(ctx, store, req, req.start, None)?;
        set.extend(time_set(ctx, store, req, req.start, Some(stop))?);
        set.extend(time_set(ctx, store, req, Some(stop), None)?);
        set.into_iter().collect()
    };
    let (Some(first), Some(last)) = (store_time.first(), store_time.last()) else {
        return Ok(None);
    };
    ctx.check_values(index_time.len(), req)?;
    let nearest = freq::neighbours(&store_time, &index_time, 0);
    let r = Req {
        start: Some(*first),
        stop: Some(*last),
        ..*req
    };
    Ok(match ctx.eval(store, &r)? {
        Some(Data::Vals(v)) => Some(Data::Vals(pick(v, &nearest))),
        other => other,
    })
}

/// Shift: requests moved back by `ms`, answered timestamps forward.
pub(crate) fn shift(
    ctx: &Ctx,
    store: usize,
    ms: i64,
    req: &Req,
) -> Result<Option<Data>, GraphError> {
    let r = Req {
        start: req.start.map(|s| s - ms),
        stop: req.stop.map(|s| s - ms),
        ..*req
    };
    Ok(match ctx.eval(store, &r)? {
        Some(Data::Time(t)) => Some(Data::Time(t.into_iter().map(|t| t + ms).collect())),
        other => other,
    })
}

/// TemporalSum: all frames summed into one (nodata not masked: it is summed
/// too, as dask-geomodeling does); the last timestamp. NumPy sums integers in
/// int64 (uint64 for unsigned), so the values' dtype differs from the
/// block's reported dtype exactly as there.
pub(crate) fn temporal_sum(ctx: &Ctx, store: usize, req: &Req) -> Result<Option<Data>, GraphError> {
    Ok(match ctx.eval(store, req)? {
        Some(Data::Time(t)) => Some(Data::Time(t.last().copied().into_iter().collect())),
        Some(Data::Vals(r)) => {
            let dt = match r.dtype {
                d if d.is_float() => d,
                Dt::U8 | Dt::U16 | Dt::U32 | Dt::U64 => Dt::U64,
                _ => Dt::I64,
            };
            let len = r.width as usize * r.height as usize;
            let mut acc = vec![0.0; len];
            for band in &r.bands {
                ctx.cancel.check()?;
                for (a, v) in acc.iter_mut().zip(band) {
                    *a = dtype::cast(dt, *a + *v);
                }
            }
            Some(Data::Vals(Raster {
                dtype: dt,
                bands: vec![acc],
                ..r.clone_meta()
            }))
        }
        None => None,
    })
}

/// Source frames as NaN-for-nodata planes in the calculation dtype.
fn as_nan(r: &Raster) -> Vec<Vec<f64>> {
    let nd = r.nodata.unwrap_or(f64::NAN);
    r.bands
        .iter()
        .map(|b| {
            b.iter()
                .map(|v| if *v == nd { f64::NAN } else { *v })
                .collect()
        })
        .collect()
}

/// TemporalAggregate: frames binned by `freq` and reduced with `stat`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn temporal_aggregate(
    ctx: &Ctx,
    node: usize,
    source: usize,
    f: Option<Freq>,
    stat: Stat,
    closed_right: bool,
    label_right: bool,
    req: &Req,
) -> Result<Option<Data>, GraphError> {
    let m = &ctx.metas[node];
    let Some((start_label, stop_label)) = freq::snap_labels(m.period, req.start, req.stop, f)
    else {
        return Ok(empty(req.mode));
    };
    // Labels step through the zone's wall clock, as the bins do. (dask-
    // geomodeling 2.8 steps a naive UTC `date_range` here, so outside UTC its
    // labels miss its own bins and come out empty; the documented rule is
    // bins in the zone, labels as UTC, which this follows.)
    let labels = match f {
        None => vec![start_label],
        Some(f) => ctx.labels(f, start_label, stop_label)?,
    };
    if req.mode == Mode::Time {
        return Ok(Some(Data::Time(labels)));
    }
    ctx.check_values(labels.len(), req)?;
    let (s, e) = match f {
        None => ctx.metas[source].period.unwrap_or_default(),
        Some(f) => {
            // `_labels_to_start_stop`. For end-of-period offsets closed on
            // the right this misses frames late on a period's last day (and
            // reads some of the day before it, which bin elsewhere), as
            // dask-geomodeling does: its bins end at the end of that day,
            // but the request ends at its midnight.
            let mut s = if label_right {
                f.step(start_label, -1)
            } else {
                start_label
            };
            if closed_right {
                s += 1;
            }
            let stop_label = stop_label.unwrap_or(start_label);
            let mut e = if label_right {
                stop_label
            } else {
                f.step(stop_label, 1)
            };
            if !closed_right {
                e -= 1;
            }
            (s, e)
        }
    };
    let src_times = times(ctx, source, req, Some(s), Some(e))?.unwrap_or_default();
    if src_times.is_empty() {
        return Ok(empty(req.mode));
    }
    let r = Req {
        start: Some(s),
        stop: Some(e),
        ..*req
    };
    let Some(Data::Vals(data)) = ctx.eval(source, &r)? else {
        return Ok(None);
    };
    if data.bands.len() != src_times.len() {
        return Err(GraphError::Read(
            "Shape of raster does not match number of timestamps".into(),
        ));
    }
    let calc = dtype::result_type(&[
        dtype::Operand::Raster(Dt::F32),
        dtype::Operand::Raster(data.dtype),
    ]);
    let planes = as_nan(&data);
    let fill_bin = if stat.extensive() {
        0.0
    } else {
        m.fillvalue.unwrap_or(0.0)
    };
    let len = data.width as usize * data.height as usize;
    // Each frame's bin, found once (labels are sorted).
    let mut members: Vec<Vec<&[f64]>> = vec![Vec::new(); labels.len()];
    for (t, plane) in src_times.iter().zip(&planes) {
        let slot = match f {
            None => Some(0),
            Some(f) => labels
                .binary_search(&f.label(*t, closed_right, label_right))
                .ok(),
        };
        if let Some(slot) = slot {
            members[slot].push(plane.as_slice());
        }
    }
    let bands = members
        .iter()
        .map(|frames| {
            ctx.cancel.check()?;
            if frames.is_empty() {
                return Ok(vec![fill_bin; len]);
            }
            Ok(reduce::reduce(stat, calc, frames, len)
                .into_iter()
                .map(|v| {
                    if v.is_finite() {
                        dtype::cast(m.dtype, v)
                    } else {
                        fill_bin
                    }
                })
                .collect())
        })
        .collect::<Result<_, GraphError>>()?;
    Ok(Some(Data::Vals(Raster {
        dtype: m.dtype,
        nodata: m.fillvalue,
        width: data.width,
        height: data.height,
        bands,
    })))
}

/// Cumulative: running sum/count per source frame, reset per bin (closed and
/// labelled right) of `freq`.
pub(crate) fn cumulative(
    ctx: &Ctx,
    node: usize,
    source: usize,
    stat: Stat,
    f: Option<Freq>,
    req: &Req,
) -> Result<Option<Data>, GraphError> {
    if req.mode == Mode::Time {
        return ctx.eval(source, req);
    }
    let m = &ctx.metas[node];
    let Some(t) = times(ctx, source, req, req.start, req.stop)? else {
        return Ok(None);
    };
    let (Some(&start), Some(&stop)) = (t.first(), t.last()) else {
        return Ok(None);
    };
    let s = match f {
        None => m.period.map_or(start, |p| p.0),
        Some(f) => f.bin_start(start, true),
    };
    let src_times = times(ctx, source, req, Some(s), Some(stop))?.unwrap_or_default();
    let r = Req {
        start: Some(s),
        stop: Some(stop),
        ..*req
    };
    let Some(Data::Vals(data)) = ctx.eval(source, &r)? else {
        return Ok(None);
    };
    if data.bands.len() != src_times.len() {
        return Err(GraphError::Read(
            "Shape of raster does not match number of timestamps".into(),
        ));
    }
    let calc = dtype::result_type(&[
        dtype::Operand::Raster(Dt::F32),
        dtype::Operand::Raster(data.dtype),
    ]);
    let planes = as_nan(&data);
    let len = data.width as usize * data.height as usize;
    let mut acc = vec![0.0; len];
    let mut bin: Option<i64> = None;
    let mut bands = Vec::new();
    for (ti, plane) in src_times.iter().zip(&planes) {
        ctx.cancel.check()?;
        let b = f.map(|f| f.label(*ti, true, true));
        if b != bin {
            acc.iter_mut().for_each(|a| *a = 0.0);
            bin = b;
        }
        reduce::accumulate(stat, calc, &mut acc, plane);
        if *ti >= start && *ti <= stop {
            bands.push(acc.iter().map(|a| dtype::cast(m.dtype, *a)).collect());
        }
    }
    Ok(Some(Data::Vals(Raster {
        dtype: m.dtype,
        nodata: m.fillvalue,
        width: data.width,
        height: data.height,
        bands,
    })))
}

/// Resample: a new equidistant axis; each label takes the source frame
/// nearest / forward / backward.
pub(crate) fn resample(
    ctx: &Ctx,
    node: usize,
    source: usize,
    f: Freq,
    direction: i8,
    req: &Req,
) -> Result<Option<Data>, GraphError> {
    let m = &ctx.metas[node];
    let Some((start, stop)) = freq::snap_labels(m.period, req.start, req.stop, Some(f)) else {
        return Ok(empty(req.mode));
    };
    let labels = ctx.labels(f, start, stop)?;
    if req.mode == Mode::Time {
        return Ok(Some(Data::Time(labels)));
    }
    ctx.check_values(labels.len(), req)?;
    let shift = match direction {
        1 => 0.0,
        -1 => -1.0,
        _ => -0.5,
    };
    let (is, ie) = (
        f.shift(start, shift),
        f.shift(stop.unwrap_or(start), shift + 1.0),
    );
    let mut set = time_set(ctx, source, req, Some(is), None)?;
    set.extend(time_set(ctx, source, req, Some(is), Some(ie))?);
    set.extend(time_set(ctx, source, req, Some(ie), None)?);
    let store_time: Vec<i64> = set.into_iter().collect();
    if store_time.is_empty() {
        return Ok(empty(req.mode));
    }
    let nearest = freq::neighbours(&store_time, &labels, direction);
    let lo = nearest.iter().copied().min().unwrap_or(0);
    let hi = nearest.iter().copied().max().unwrap_or(0);
    let r = Req {
        start: Some(store_time[lo]),
        stop: Some(store_time[hi]),
        ..*req
    };
    let idx: Vec<usize> = nearest.iter().map(|i| i - lo).collect();
    Ok(match ctx.eval(source, &r)? {
        Some(Data::Vals(v)) => Some(Data::Vals(pick(v, &idx))),
        other => other,
    })
}
