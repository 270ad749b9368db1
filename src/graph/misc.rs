//! Misc blocks: Clip, Mask, MaskBelow, Step, Classify, Reclassify and
//! RasterizeWKT (dask-geomodeling's `raster/misc.py`).

use super::dtype::{self, Dt, Scalar};
use super::error::GraphError;
use super::eval::Ctx;
use super::meta::Meta;
use super::raster::{Data, Mode, Raster, Req};
use super::wkt::{self, Polygon};
use crate::geo::Transformer;
use crate::model::Crs;

/// Clip: cells where the mask raster is nodata (or False) become nodata. The
/// request is clamped into the common period; no start → its end.
pub(crate) fn clip(
    ctx: &Ctx,
    node: usize,
    store: usize,
    source: usize,
    req: &Req,
) -> Result<Option<Data>, GraphError> {
    let Some(period) = ctx.metas[node].period else {
        return Ok(None);
    };
    let mut r = *req;
    let start = req.start.unwrap_or(period.1);
    if let Some(stop) = req.stop {
        if stop < period.0 || start > period.1 {
            return Ok(None);
        }
        r.stop = Some(stop.max(period.0).min(period.1));
    }
    r.start = Some(start.max(period.0).min(period.1));
    let mut both = ctx.eval_many(&[store, source], &[r, r])?;
    let mask = both.pop().flatten();
    let Some(data) = both.pop().flatten() else {
        return Ok(None);
    };
    let Data::Vals(mut values) = data else {
        return Ok(Some(data));
    };
    let nd = values.nodata;
    if values.bands.iter().flatten().all(|v| Some(*v) == nd) {
        return Ok(Some(Data::Vals(values)));
    }
    let Some(Data::Vals(mask)) = mask else {
        return Ok(None);
    };
    let fill = nd.unwrap_or(0.0);
    let is_bool = mask.dtype == Dt::Bool;
    for (t, band) in values.bands.iter_mut().enumerate() {
        let Some(mb) = mask.bands.get(if mask.bands.len() == 1 { 0 } else { t }) else {
            return Err(GraphError::Request(
                "mask answered fewer frames than the store".into(),
            ));
        };
        for (v, k) in band.iter_mut().zip(mb) {
            let masked = if is_bool {
                *k == 0.0
            } else {
                Some(*k) == mask.nodata
            };
            if masked {
                *v = fill;
            }
        }
    }
    Ok(Some(Data::Vals(values)))
}

/// Mask: data cells (isclose) become `value`, nodata cells the fill (0, or 1
/// when value is 0).
pub(crate) fn mask(m: &Meta, value: Scalar, mut r: Raster) -> Raster {
    let fill = m.fillvalue.unwrap_or(0.0);
    let v = dtype::cast(m.dtype, value.value());
    let ok = super::combine::has_data_fn(r.dtype, r.nodata);
    for x in r.bands.iter_mut().flatten() {
        *x = if ok(*x) { v } else { fill };
    }
    r.dtype = m.dtype;
    r.nodata = Some(fill);
    r
}

/// MaskBelow: cells below `value` become nodata (compared in the common dtype).
pub(crate) fn mask_below(value: Scalar, mut r: Raster) -> Raster {
    let cmp = scalar_in(r.dtype, value);
    let nd = r.nodata.unwrap_or(0.0);
    for x in r.bands.iter_mut().flatten() {
        if *x < cmp {
            *x = nd;
        }
    }
    r
}

/// A scalar rounded to the dtype NumPy compares it in against a `dt` array.
fn scalar_in(dt: Dt, s: Scalar) -> f64 {
    let common = dtype::result_type(&[dtype::Operand::Raster(dt), dtype::Operand::Scalar(s)]);
    dtype::cast(common, s.value())
}

/// Step: left below `value`, `at` on it, right above; outputs cast to the
/// store's dtype (e.g. at = 0.5 → 0 on integer stores); nodata kept (exact).
pub(crate) fn step(
    mut r: Raster,
    left: Scalar,
    right: Scalar,
    value: Scalar,
    at: Scalar,
) -> Raster {
    let dt = r.dtype;
    let loc = scalar_in(dt, value);
    let (l, a, rt) = (
        dtype::cast(dt, left.value()),
        dtype::cast(dt, at.value()),
        dtype::cast(dt, right.value()),
    );
    let nd = r.nodata;
    for x in r.bands.iter_mut().flatten() {
        if Some(*x) == nd {
            continue;
        }
        *x = if *x < loc {
            l
        } else if *x == loc {
            a
        } else if *x > loc {
            rt
        } else {
            *x
        };
    }
    r
}

/// Classify: `numpy.digitize(values, bins, right)`; nodata (exact) → fill.
pub(crate) fn classify(m: &Meta, bins: &[f64], right: bool, mut r: Raster) -> Raster {
    let fill = m.fillvalue.unwrap_or(0.0);
    // NaN never equals: "no nodata".
    let nd = r.nodata.unwrap_or(f64::NAN);
    // digitize = the number of edges at or below the value (right: below),
    // counted one edge per pass so every pass is a plain vector loop. Bin
    // indices fit the output dtype by construction: no rounding needed.
    let len = r.width as usize * r.height as usize;
    let mut k = vec![0.0; len];
    for band in r.bands.iter_mut() {
        k.iter_mut().for_each(|x| *x = 0.0);
        for b in bins {
            if right {
                for (x, v) in k.iter_mut().zip(band.iter()) {
                    *x += f64::from(u8::from(*b < *v));
                }
            } else {
                for (x, v) in k.iter_mut().zip(band.iter()) {
                    *x += f64::from(u8::from(*b <= *v));
                }
            }
        }
        for (v, x) in band.iter_mut().zip(k.iter()) {
            *v = if *v == nd { fill } else { *x };
        }
    }
    r.dtype = m.dtype;
    r.nodata = Some(fill);
    r
}

/// Reclassify: listed `from` values map to `to`; nodata → fill unless listed;
/// `select` → unlisted values become nodata, else kept.
pub(crate) fn reclassify(
    m: &Meta,
    from: &[i64],
    to: &[f64],
    select: bool,
    mut r: Raster,
) -> Raster {
    let fill = m.fillvalue.unwrap_or(0.0);
    let nd = r.nodata;
    let nd_listed = nd.is_none_or(|n| from.iter().any(|f| *f as f64 == n));
    for x in r.bands.iter_mut().flatten() {
        let v = *x;
        *x = if let Some(i) = from.iter().position(|f| *f as f64 == v) {
            dtype::cast(m.dtype, to[i])
        } else if select || (!nd_listed && Some(v) == nd) {
            fill
        } else {
            dtype::cast(m.dtype, v)
        };
    }
    r.dtype = m.dtype;
    r.nodata = Some(fill);
    r
}

/// RasterizeWKT: True where the cell centre lies inside the geometry.
pub(crate) fn rasterize_wkt(
    polygons: &[Polygon],
    crs: Crs,
    req: &Req,
) -> Result<Option<Data>, GraphError> {
    if req.mode == Mode::Time {
        return Ok(Some(Data::Time(vec![0])));
    }
    let g = &req.grid;
    let polys: Vec<Polygon> = if crs == g.crs {
        polygons.to_vec()
    } else {
        let t = Transformer::new(crs, g.crs)
            .map_err(|e| GraphError::Request(format!("cannot transform the WKT: {e}")))?;
        polygons
            .iter()
            .map(|p| {
                p.iter()
                    .map(|ring| {
                        let mut xs: Vec<f64> = ring.iter().map(|c| c.0).collect();
                        let mut ys: Vec<f64> = ring.iter().map(|c| c.1).collect();
                        t.transform_in_place(&mut xs, &mut ys);
                        xs.into_iter().zip(ys).collect()
                    })
                    .collect()
            })
            .collect()
    };
    let (w, h) = (g.width, g.height);
    let mut band = vec![0.0; w as usize * h as usize];
    if req.is_point() {
        if let Some(b) = band.first_mut() {
            *b = f64::from(u8::from(wkt::contains(&polys, g.bbox.min_x, g.bbox.max_y)));
        }
    } else {
        let tr = g.transform();
        let mut xs = Vec::new();
        for row in 0..h {
            let y = tr.origin_y + (f64::from(row) + 0.5) * tr.pixel_y;
            wkt::crossings(&polys, y, &mut xs);
            for pair in xs.chunks_exact(2) {
                for col in 0..w {
                    let x = tr.origin_x + (f64::from(col) + 0.5) * tr.pixel_x;
                    if pair[0] <= x && x <= pair[1] {
                        band[(row * w + col) as usize] = 1.0;
                    }
                }
            }
        }
    }
    Ok(Some(Data::Vals(Raster {
        dtype: Dt::Bool,
        nodata: None,
        width: w,
        height: h,
        bands: vec![band],
    })))
}
