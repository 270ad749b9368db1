//! Neighbourhood blocks (dask-geomodeling's `raster/spatial.py`): Dilate,
//! MovingMax, Smooth, HillShade. Each grows the request by the margin it needs
//! (never the whole raster), filters, and crops back.
//!
//! `grow_pixels` reproduces dask-geomodeling's `expand_request_pixels`, which
//! grows x by the y-derived amount and y by the x-derived amount (a known bug;
//! only visible for non-square request pixels).

use super::cancel::Cancel;
use super::dtype::{self, Dt};
use super::error::GraphError;
use super::eval::Ctx;
use super::raster::{Data, Mode, Raster, Req};
use crate::model::BBox;

/// `expand_request_pixels`: `None` for time and point requests.
fn grow_pixels(req: &Req, radius: u32) -> Option<Req> {
    if req.mode != Mode::Vals || req.is_point() {
        return None;
    }
    let g = req.grid;
    let b = g.bbox;
    let ax = b.width() / f64::from(g.width) * f64::from(radius);
    let ay = b.height() / f64::from(g.height) * f64::from(radius);
    let mut out = *req;
    // Matches dask-geomodeling: y1 grown by the x amount, x2 by the y amount.
    out.grid.bbox = BBox::new(b.min_x - ax, b.min_y - ax, b.max_x + ay, b.max_y + ay);
    out.grid.width += 2 * radius;
    out.grid.height += 2 * radius;
    Some(out)
}

fn crop(r: &mut Raster, my: usize, mx: usize) {
    let (w, h) = (r.width as usize, r.height as usize);
    let (nw, nh) = (w.saturating_sub(2 * mx), h.saturating_sub(2 * my));
    for band in r.bands.iter_mut() {
        let mut out = Vec::with_capacity(nw * nh);
        for row in my..my + nh {
            out.extend_from_slice(&band[row * w + mx..row * w + mx + nw]);
        }
        *band = out;
    }
    r.width = nw as u32;
    r.height = nh as u32;
}

/// Dilate: per listed value (in order), cells 6-connected (in y, x and ±1
/// frame in time: SciPy's default structure on a 3-D array) to a cell equal to
/// it in the original become it.
pub(crate) fn dilate(
    ctx: &Ctx,
    store: usize,
    values: &[f64],
    req: &Req,
) -> Result<Option<Data>, GraphError> {
    let Some(grown) = grow_pixels(req, 1) else {
        return ctx.eval(store, req);
    };
    let Some(Data::Vals(mut r)) = ctx.eval(store, &grown)? else {
        return Ok(None);
    };
    let (w, h, n) = (r.width as usize, r.height as usize, r.bands.len());
    let original = r.bands.clone();
    for v in values {
        let v = dtype::cast(r.dtype, *v);
        for t in 0..n {
            for y in 0..h {
                ctx.cancel.check()?;
                for x in 0..w {
                    let i = y * w + x;
                    let hit = original[t][i] == v
                        || (x > 0 && original[t][i - 1] == v)
                        || (x + 1 < w && original[t][i + 1] == v)
                        || (y > 0 && original[t][i - w] == v)
                        || (y + 1 < h && original[t][i + w] == v)
                        || (t > 0 && original[t - 1][i] == v)
                        || (t + 1 < n && original[t + 1][i] == v);
                    if hit {
                        r.bands[t][i] = v;
                    }
                }
            }
        }
    }
    crop(&mut r, 1, 1);
    Ok(Some(Data::Vals(r)))
}

/// MovingMax over a circular footprint of diameter `size` (odd); nodata
/// counts as the dtype minimum and stays nodata only if nothing else is near.
pub(crate) fn moving_max(
    ctx: &Ctx,
    store: usize,
    size: u32,
    req: &Req,
) -> Result<Option<Data>, GraphError> {
    let radius = size / 2;
    let Some(grown) = grow_pixels(req, radius) else {
        return ctx.eval(store, req);
    };
    let Some(Data::Vals(mut r)) = ctx.eval(store, &grown)? else {
        return Ok(None);
    };
    let (w, h) = (r.width as usize, r.height as usize);
    let min = r.dtype.min();
    let nd = r.nodata.unwrap_or(f64::NAN);
    let rr = f64::from(size) / 2.0;
    let o = radius as i64;
    let offsets: Vec<(i64, i64)> = (-o..=o)
        .flat_map(|dy| (-o..=o).map(move |dx| (dy, dx)))
        .filter(|(dy, dx)| ((dx * dx + dy * dy) as f64) < rr * rr)
        .collect();
    for band in r.bands.iter_mut() {
        let filled: Vec<f64> = band
            .iter()
            .map(|v| if *v == nd { min } else { *v })
            .collect();
        // Polled every few thousand window cells: a wide window makes one
        // row seconds of work.
        let every = (4096 / offsets.len().max(1)).max(1);
        for y in 0..h {
            for x in 0..w {
                if x % every == 0 {
                    ctx.cancel.check()?;
                }
                let mut m = f64::NEG_INFINITY;
                for (dy, dx) in &offsets {
                    // SciPy's default mode 'reflect' (edge cells are cropped).
                    let yy = reflect(y as i64 + dy, h);
                    let xx = reflect(x as i64 + dx, w);
                    m = m.max(filled[yy * w + xx]);
                }
                let i = y * w + x;
                band[i] = if m == min && band[i] == nd { nd } else { m };
            }
        }
    }
    crop(&mut r, radius as usize, radius as usize);
    Ok(Some(Data::Vals(r)))
}

fn reflect(i: i64, n: usize) -> usize {
    let n = n as i64;
    let mut i = i;
    if i < 0 {
        i = -i - 1;
    }
    if i >= n {
        i = 2 * n - i - 1;
    }
    i.clamp(0, n - 1) as usize
}

/// Rounds to float32 (NumPy float32 arithmetic).
#[inline(always)]
fn f(v: f64) -> f64 {
    f64::from(v as f32)
}

/// HillShade (Horn gradients, float32 arithmetic as NumPy does it).
pub(crate) fn hillshade(
    ctx: &Ctx,
    store: usize,
    altitude: f64,
    azimuth: f64,
    fill: f64,
    req: &Req,
) -> Result<Option<Data>, GraphError> {
    let Some(grown) = grow_pixels(req, 1) else {
        return ctx.eval(store, req);
    };
    let b = req.grid.bbox;
    let xres = b.width() / f64::from(req.grid.width);
    let yres = b.height() / f64::from(req.grid.height);
    let Some(Data::Vals(r)) = ctx.eval(store, &grown)? else {
        return Ok(None);
    };
    let (w, h) = (r.width as usize, r.height as usize);
    let nd = r.nodata.unwrap_or(f64::NAN);
    // Arithmetic in the store's dtype for floats; integer sums divided by a
    // Python float give float64 before the float32 store.
    let is_f32 = matches!(r.dtype, Dt::F32 | Dt::F16);
    let rnd = |v: f64| if is_f32 { f(v) } else { v };
    let fill_v = dtype::cast(r.dtype, fill);
    let (alt, az) = (altitude.to_radians(), azimuth.to_radians());
    let zsf = 1.0 / 8.0;
    let (sin_alt, c32) = (f(alt.sin()), f(alt.cos() * zsf));
    let (az32, sq32) = (f(az), f(zsf * zsf));
    let mut out_bands = Vec::with_capacity(r.bands.len());
    for band in &r.bands {
        let a: Vec<f64> = band
            .iter()
            .map(|v| if *v == nd { fill_v } else { *v })
            .collect();
        let mut out = Vec::with_capacity((w - 2) * (h - 2));
        for y in 1..h - 1 {
            ctx.cancel.check()?;
            for x in 1..w - 1 {
                let p =
                    |dy: i64, dx: i64| a[(y as i64 + dy) as usize * w + (x as i64 + dx) as usize];
                let two = |v: f64| rnd(2.0 * v);
                let gy = rnd(rnd(
                    rnd(rnd(rnd(p(-1, -1) + two(p(-1, 0))) + p(-1, 1)) - p(1, -1)) - two(p(1, 0)),
                ) - p(1, 1));
                let gx = rnd(rnd(
                    rnd(rnd(rnd(p(-1, -1) + two(p(0, -1))) + p(1, -1)) - p(-1, 1)) - two(p(0, 1)),
                ) - p(1, 1));
                let (gy, gx) = (f(gy / yres), f(gx / xres));
                let xx = f(f(gx * gx) + f(gy * gy));
                let aspect = f(gy.atan2(gx));
                let num = f(sin_alt - f(f(c32 * f(xx.sqrt())) * f(f(aspect - az32).sin())));
                let den = f(f(1.0 + f(sq32 * xx)).sqrt());
                let c = f(num / den);
                out.push(if c <= 0.0 { 0.0 } else { f(255.0 * c).trunc() });
            }
        }
        out_bands.push(out);
    }
    Ok(Some(Data::Vals(Raster {
        dtype: Dt::U8,
        nodata: Some(256.0),
        width: (w - 2) as u32,
        height: (h - 2) as u32,
        bands: out_bands,
    })))
}

const MARGIN_THRESHOLD: f64 = 6.0;

/// Python's `round` (ties to even).
fn py_round(x: f64) -> f64 {
    let r = x.round();
    if (x - x.trunc()).abs() == 0.5 {
        2.0 * (x / 2.0).round()
    } else {
        r
    }
}

/// Smooth: Gaussian blur of σ = size/3 (size in metres, margins in whole
/// pixels); nodata becomes `fill` and is not restored. Margins above 6 px are
/// fetched at the request's pixel count ("zoom") and resampled back.
pub(crate) fn smooth(
    ctx: &Ctx,
    store: usize,
    size_m: f64,
    fill: f64,
    req: &Req,
) -> Result<Option<Data>, GraphError> {
    if req.mode != Mode::Vals {
        return ctx.eval(store, req);
    }
    if req.grid.crs.epsg() == 4326 {
        return Err(GraphError::Request(
            "Smooth in a geographic CRS is not supported".into(),
        ));
    }
    let g = req.grid;
    let b = g.bbox;
    let shape_m = (b.height(), b.width());
    let (radius_px, margins_px, margins_m) = if shape_m.0 > 0.0 && shape_m.1 > 0.0 {
        let res = (
            f64::from(g.height) / shape_m.0,
            f64::from(g.width) / shape_m.1,
        );
        let rp = (size_m * res.0, size_m * res.1);
        let mp = (py_round(rp.0), py_round(rp.1));
        (rp, mp, (mp.0 / res.0, mp.1 / res.1))
    } else {
        (
            (MARGIN_THRESHOLD, MARGIN_THRESHOLD),
            (MARGIN_THRESHOLD, MARGIN_THRESHOLD),
            (size_m, size_m),
        )
    };
    let mut grown = *req;
    grown.grid.bbox = BBox::new(
        b.min_x - margins_m.1,
        b.min_y - margins_m.0,
        b.max_x + margins_m.1,
        b.max_y + margins_m.0,
    );
    grown.grid.height += 2 * margins_px.0 as u32;
    grown.grid.width += 2 * margins_px.1 as u32;
    let zoom = radius_px.0 > MARGIN_THRESHOLD || radius_px.1 > MARGIN_THRESHOLD;
    let mut size = radius_px;
    if zoom {
        let z = (
            f64::from(grown.grid.height) / f64::from(g.height),
            f64::from(grown.grid.width) / f64::from(g.width),
        );
        size = (size.0 / z.0, size.1 / z.1);
        grown.grid.height = g.height;
        grown.grid.width = g.width;
    }
    let Some(Data::Vals(mut r)) = ctx.eval(store, &grown)? else {
        return Ok(None);
    };
    let (w, h) = (r.width as usize, r.height as usize);
    let nd = r.nodata.unwrap_or(f64::NAN);
    let dt = r.dtype;
    let fill_v = dtype::cast(dt, fill);
    for band in r.bands.iter_mut() {
        band.iter_mut().for_each(|v| {
            if *v == nd {
                *v = fill_v
            }
        });
        // Axis 1 (rows) then axis 2 (columns), each pass stored in the dtype.
        gauss_pass(band, w, h, size.0 / 3.0, fill, dt, true, ctx.cancel)?;
        gauss_pass(band, w, h, size.1 / 3.0, fill, dt, false, ctx.cancel)?;
    }
    if !zoom {
        let (my, mx) = (py_round(size.0) as usize, py_round(size.1) as usize);
        crop(&mut r, my, mx);
    } else {
        let zy = 1.0 - 2.0 * size.0 / h as f64;
        let zx = 1.0 - 2.0 * size.1 / w as f64;
        for band in r.bands.iter_mut() {
            let src = band.clone();
            for oy in 0..h {
                for ox in 0..w {
                    let iy = (zy * oy as f64 + size.0 + 0.5).floor();
                    let ix = (zx * ox as f64 + size.1 + 0.5).floor();
                    let inside = iy >= 0.0 && ix >= 0.0 && (iy as usize) < h && (ix as usize) < w;
                    band[oy * w + ox] = if inside {
                        src[iy as usize * w + ix as usize]
                    } else {
                        0.0
                    };
                }
            }
        }
    }
    Ok(Some(Data::Vals(r)))
}

/// SciPy's `gaussian_filter1d` (truncate 4, mode constant) along rows
/// (`vertical`) or columns, symmetric-kernel summation as SciPy's
/// `correlate1d`, result cast to `dt`.
#[allow(clippy::too_many_arguments)]
fn gauss_pass(
    band: &mut [f64],
    w: usize,
    h: usize,
    sigma: f64,
    cval: f64,
    dt: Dt,
    vertical: bool,
    cancel: &Cancel,
) -> Result<(), GraphError> {
    if sigma <= 1e-15 {
        return Ok(());
    }
    let radius = (4.0 * sigma + 0.5) as usize;
    let s2 = sigma * sigma;
    let mut wts: Vec<f64> = (0..=radius)
        .map(|x| (-0.5 / s2 * (x * x) as f64).exp())
        .collect();
    let total: f64 = wts[0] + 2.0 * wts[1..].iter().sum::<f64>();
    wts.iter_mut().for_each(|v| *v /= total);
    let (lines, len, stride, step) = if vertical { (w, h, 1, w) } else { (h, w, w, 1) };
    let mut line = vec![0.0; len + 2 * radius];
    for l in 0..lines {
        cancel.check()?;
        let base = l * stride;
        line.iter_mut().for_each(|v| *v = cval);
        for i in 0..len {
            line[radius + i] = band[base + i * step];
        }
        for i in 0..len {
            let c = radius + i;
            let mut acc = line[c] * wts[0];
            for j in 1..=radius {
                acc += (line[c - j] + line[c + j]) * wts[j];
            }
            band[base + i * step] = dtype::cast(dt, acc);
        }
    }
    Ok(())
}
