//! Place (dask-geomodeling's `spatial.Place`): copies the store raster so that
//! `anchor` lands on each coordinate, overlaps reduced with a statistic
//! (`reduce_rasters`). When the whole store fits in the request's pixel count
//! it is fetched once and pasted at integer pixel shifts ("warp" mode);
//! otherwise one shifted request per coordinate ("group" mode).

use super::blocks::Stat;
use super::dtype::{self, Dt};
use super::error::GraphError;
use super::eval::Ctx;
use super::raster::{Data, Mode, Raster, Req};
use crate::geo::Transformer;
use crate::model::{BBox, Crs};

/// Python's `round` of a float (ties to even).
fn py_round(x: f64) -> i64 {
    x.round_ties_even() as i64
}

fn to_request_crs(from: Crs, to: Crs, pts: &[(f64, f64)]) -> Result<Vec<(f64, f64)>, GraphError> {
    if from == to {
        return Ok(pts.to_vec());
    }
    let t = Transformer::new(from, to).map_err(|e| GraphError::Request(e.to_string()))?;
    pts.iter()
        .map(|(x, y)| {
            t.transform(*x, *y)
                .map_err(|e| GraphError::Request(e.to_string()))
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn place(
    ctx: &Ctx,
    node: usize,
    store: usize,
    crs: Crs,
    anchor: (f64, f64),
    coords: &[(f64, f64)],
    stat: Stat,
    req: &Req,
) -> Result<Option<Data>, GraphError> {
    if req.mode != Mode::Vals {
        return ctx.eval(store, req);
    }
    let g = req.grid;
    let anchor = to_request_crs(crs, g.crs, &[anchor])?[0];
    let coords = to_request_crs(crs, g.crs, coords)?;
    let Some((scrs, sb)) = ctx.metas[store].geometry else {
        return Ok(None);
    };
    let e = super::meta_rules::reproject(scrs, g.crs, &sb)
        .ok_or_else(|| GraphError::Request("cannot transform the store extent".into()))?;
    let (xmin, ymin, xmax, ymax) = (e.min_x, e.min_y, e.max_x, e.max_y);
    let b = g.bbox;
    let sx = b.width() / f64::from(g.width);
    let sy = b.height() / f64::from(g.height);
    let m = &ctx.metas[node];
    if sx > 0.0 && sy > 0.0 {
        let fh = ((ymax - ymin) / sy).ceil();
        let fw = ((xmax - xmin) / sx).ceil();
        if fh * fw <= f64::from(g.width) * f64::from(g.height) {
            let src_bbox = BBox::new(xmin, ymin, xmin + fw * sx, ymin + fh * sy);
            let mut r = *req;
            r.grid.bbox = src_bbox;
            r.grid.width = fw as u32;
            r.grid.height = fh as u32;
            let Some(Data::Vals(src)) = ctx.eval(store, &r)? else {
                return Ok(None);
            };
            return Ok(Some(Data::Vals(warp_mode(
                &src,
                anchor,
                &coords,
                src_bbox,
                &g.bbox,
                (sx, sy),
                stat,
                ctx.cancel,
            )?)));
        }
    }
    // Group mode: one shifted request per coordinate.
    let mut reqs = Vec::new();
    for (x, y) in &coords {
        let bb = BBox::new(
            b.min_x + anchor.0 - x,
            b.min_y + anchor.1 - y,
            b.max_x + anchor.0 - x,
            b.max_y + anchor.1 - y,
        );
        if bb.min_x >= xmax || bb.min_y > ymax || bb.max_x < xmin || bb.max_y <= ymin {
            continue;
        }
        let mut r = *req;
        r.grid.bbox = bb;
        reqs.push(r);
    }
    if reqs.is_empty() {
        let t = Req {
            mode: Mode::Time,
            ..*req
        };
        let Some(Data::Time(times)) = ctx.eval(store, &t)? else {
            return Ok(None);
        };
        let fill = m.fillvalue.unwrap_or(0.0);
        return Ok(Some(Data::Vals(Raster::filled(
            m.dtype,
            m.fillvalue,
            g.width,
            g.height,
            times.len(),
            fill,
        ))));
    }
    let nodes = vec![store; reqs.len()];
    let stack: Vec<Raster> = ctx
        .eval_many(&nodes, &reqs)?
        .into_iter()
        .filter_map(|d| match d {
            Some(Data::Vals(r)) => Some(r),
            _ => None,
        })
        .collect();
    if stack.is_empty() {
        return Ok(None);
    }
    Ok(Some(Data::Vals(reduce(&stack, stat))))
}

#[allow(clippy::too_many_arguments)]
fn warp_mode(
    src: &Raster,
    anchor: (f64, f64),
    coords: &[(f64, f64)],
    src_bbox: BBox,
    dst: &BBox,
    (sx, sy): (f64, f64),
    stat: Stat,
    cancel: &super::cancel::Cancel,
) -> Result<Raster, GraphError> {
    let nd = src.nodata;
    let anchor_px = (
        (anchor.0 - src_bbox.min_x) / sx,
        (anchor.1 - src_bbox.min_y) / sy,
    );
    let dst_h = py_round(dst.height() / sy);
    let dst_w = py_round(dst.width() / sx);
    let (src_w, src_h) = (i64::from(src.width), i64::from(src.height));
    let ok = super::combine::has_data_fn(src.dtype, nd);
    let fill = nd.unwrap_or(0.0);
    let any_data = src.bands.iter().flatten().any(|v| ok(*v));
    let mut stack = Vec::new();
    let blank = Raster::filled(
        src.dtype,
        nd,
        dst_w.max(0) as u32,
        dst_h.max(0) as u32,
        src.bands.len(),
        fill,
    );
    for (x, y) in coords {
        cancel.check()?;
        if !any_data {
            break;
        }
        let cp = ((x - dst.min_x) / sx, (y - dst.min_y) / sy);
        let di = py_round(cp.0 - anchor_px.0);
        let dj = dst_h - src_h - py_round(cp.1 - anchor_px.1);
        if di <= -src_w || di >= dst_w || dj <= -src_h || dj >= dst_h {
            continue;
        }
        let mut out = blank.clone();
        let mut hit = false;
        for (t, band) in src.bands.iter().enumerate() {
            for j in 0..src_h {
                for i in 0..src_w {
                    let v = band[(j * src_w + i) as usize];
                    let (ti, tj) = (i + di, j + dj);
                    if ok(v) && ti >= 0 && tj >= 0 && ti < dst_w && tj < dst_h {
                        out.bands[t][(tj * dst_w + ti) as usize] = v;
                        hit = true;
                    }
                }
            }
        }
        if hit {
            stack.push(out);
        }
    }
    Ok(if stack.is_empty() {
        blank
    } else {
        reduce(&stack, stat)
    })
}

/// `reduce_rasters` for the statistics Place offers.
pub(crate) fn reduce(stack: &[Raster], stat: Stat) -> Raster {
    let first = &stack[0];
    let (dt, nd) = (first.dtype, first.nodata);
    let fill = if matches!(stat, Stat::Sum | Stat::Count) {
        0.0
    } else {
        nd.unwrap_or(0.0)
    };
    let mut out = Raster::filled(dt, nd, first.width, first.height, first.bands.len(), fill);
    let calc = dtype::result_type(&[dtype::Operand::Raster(dt), dtype::Operand::Raster(Dt::F16)]);
    let len = first.width as usize * first.height as usize;
    for t in 0..out.bands.len() {
        for i in 0..len {
            let vals = stack.iter().filter_map(|r| {
                let v = r.bands[t][i];
                super::combine::has_data_fn(r.dtype, r.nodata)(v).then_some(v)
            });
            let o = &mut out.bands[t][i];
            match stat {
                Stat::Last => {
                    if let Some(v) = vals.into_iter().next_back() {
                        *o = v;
                    }
                }
                Stat::First => {
                    if let Some(v) = vals.into_iter().next() {
                        *o = v;
                    }
                }
                Stat::Count => *o = dtype::cast(dt, vals.count() as f64),
                _ => {
                    let v: Vec<f64> = vals.collect();
                    if v.is_empty() {
                        continue;
                    }
                    let round = |x: f64| dtype::cast(calc, x);
                    let r = match stat {
                        Stat::Max => v.iter().copied().fold(f64::MIN, f64::max),
                        Stat::Min => v.iter().copied().fold(f64::MAX, f64::min),
                        Stat::Sum => v.iter().fold(0.0, |a, x| round(a + x)),
                        _ => round(v.iter().fold(0.0, |a, x| round(a + x)) / v.len() as f64),
                    };
                    *o = dtype::cast(dt, r);
                }
            }
        }
    }
    out
}
