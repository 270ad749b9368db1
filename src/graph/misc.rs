//! Misc blocks: Clip and RasterizeWKT (dask-geomodeling's `raster/misc.py`;
//! its elementwise Mask, MaskBelow, Step, Classify and Reclassify run fused,
//! see `fuse`), and `scalar_in`, NumPy's rounding of a scalar operand.

use super::cancel::Cancel;
use super::dtype::{self, Dt, Scalar};
use super::error::GraphError;
use super::eval::Ctx;
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

/// A scalar rounded to the dtype NumPy compares it in against a `dt` array.
pub(crate) fn scalar_in(dt: Dt, s: Scalar) -> f64 {
    let common = dtype::result_type(&[dtype::Operand::Raster(dt), dtype::Operand::Scalar(s)]);
    dtype::cast(common, s.value())
}

/// RasterizeWKT: True where the cell centre lies inside the geometry.
pub(crate) fn rasterize_wkt(
    polygons: &[Polygon],
    crs: Crs,
    req: &Req,
    cancel: &Cancel,
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
            cancel.check()?;
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
