//! `PixelMesh`: the approximate destination → source pixel map used for warping.
//!
//! DESIGN §4: exact transforms on a coarse grid of control points of the
//! destination, bilinear interpolation in between, refined until the interpolation
//! error is at most `max_err_px` source pixels (GDAL's default 0.125).
//! Must not touch: the resampling itself (`kernels`), I/O, CRS definitions.
//!
//! Refinement is per block of `MAX_STEP`² destination pixels: every block starts
//! at one cell and halves its own step until its error is small enough. Distortion
//! is rarely uniform over a large map (a whole-mesh halving would pay everywhere for
//! the worst corner), yet inside a block the step stays uniform, so `row_into` is a
//! plain loop over equal cells. The exact values measured for the error check
//! (cell centres and edge midpoints) are exactly the control points of the halved
//! step, so no transform is wasted when a block refines.

use super::transform::Transformer;
use crate::model::{GeoTransform, GridSpec};

/// GDAL's default tolerance of its approximate transformer, in source pixels.
pub const DEFAULT_MAX_ERR_PX: f64 = 0.125;

/// Largest control-point spacing (and block size) in destination pixels.
const MAX_STEP: u32 = 64;

/// Cells touching a failed control point are refined down to this step, so the
/// exact per-pixel fallback only covers a thin band along the domain edge.
const NAN_STEP: u32 = 8;

/// 0, 1, 2, … as floats: the per-pixel offsets inside a cell, so the row loop has
/// no int → float conversion and vectorises.
const RAMP: [f64; MAX_STEP as usize] = {
    let mut r = [0.0; MAX_STEP as usize];
    let mut i = 0;
    while i < r.len() {
        r[i] = i as f64;
        i += 1;
    }
    r
};

/// Exact destination pixel index → fractional source pixel, in batches.
struct Exact<'a> {
    dst: GeoTransform,
    t: &'a Transformer,
    src: GeoTransform,
    calls: usize,
}

impl Exact<'_> {
    /// Replaces pixel indices (xs, ys) of the destination by the source (col, row)
    /// of their centres; NaN where the transform fails.
    fn eval(&mut self, xs: &mut [f64], ys: &mut [f64]) {
        for (x, y) in xs.iter_mut().zip(ys.iter_mut()) {
            (*x, *y) = self.dst.pixel_to_world(*x + 0.5, *y + 0.5);
        }
        self.t.transform_in_place(xs, ys);
        for (x, y) in xs.iter_mut().zip(ys.iter_mut()) {
            (*x, *y) = self.src.world_to_pixel(*x, *y);
        }
        self.calls += xs.len();
    }
}

/// Control points at pixel indices `(x0 + i·step, y0 + j·step)`, `nx × ny` cells.
#[derive(Clone)]
struct Lattice {
    step: u32,
    nx: usize,
    ny: usize,
    col: Vec<f64>,
    row: Vec<f64>,
}

impl Lattice {
    fn at(&self, i: usize, j: usize) -> (f64, f64) {
        let k = j * (self.nx + 1) + i;
        (
            self.col.get(k).copied().unwrap_or(f64::NAN),
            self.row.get(k).copied().unwrap_or(f64::NAN),
        )
    }

    /// All points computed exactly.
    fn exact(ex: &mut Exact<'_>, x0: u32, y0: u32, step: u32, nx: usize, ny: usize) -> Lattice {
        let (mut col, mut row) = (Vec::new(), Vec::new());
        for j in 0..=ny {
            for i in 0..=nx {
                col.push(f64::from(x0) + (i as f64) * f64::from(step));
                row.push(f64::from(y0) + (j as f64) * f64::from(step));
            }
        }
        ex.eval(&mut col, &mut row);
        Lattice {
            step,
            nx,
            ny,
            col,
            row,
        }
    }

    /// The sub-lattice of `nx × ny` cells starting at point (i0, j0), every `stride`-th point.
    fn sub(&self, i0: usize, j0: usize, stride: usize, nx: usize, ny: usize) -> Lattice {
        let (mut col, mut row) = (Vec::new(), Vec::new());
        for j in 0..=ny {
            for i in 0..=nx {
                let (c, r) = self.at(i0 + i * stride, j0 + j * stride);
                col.push(c);
                row.push(r);
            }
        }
        Lattice {
            step: self.step * stride as u32,
            nx,
            ny,
            col,
            row,
        }
    }

    /// The lattice at half the step over the same extent; only new points are transformed.
    fn halve(&self, ex: &mut Exact<'_>, x0: u32, y0: u32) -> Lattice {
        let step = self.step / 2;
        let (nx, ny) = (self.nx * 2, self.ny * 2);
        let (mut xs, mut ys) = (Vec::new(), Vec::new());
        for j in 0..=ny {
            for i in 0..=nx {
                if i % 2 == 1 || j % 2 == 1 {
                    xs.push(f64::from(x0) + (i as f64) * f64::from(step));
                    ys.push(f64::from(y0) + (j as f64) * f64::from(step));
                }
            }
        }
        ex.eval(&mut xs, &mut ys);
        let (mut new_c, mut new_r) = (xs.into_iter(), ys.into_iter());
        let (mut col, mut row) = (Vec::new(), Vec::new());
        for j in 0..=ny {
            for i in 0..=nx {
                let (c, r) = if i % 2 == 1 || j % 2 == 1 {
                    (
                        new_c.next().unwrap_or(f64::NAN),
                        new_r.next().unwrap_or(f64::NAN),
                    )
                } else {
                    self.at(i / 2, j / 2)
                };
                col.push(c);
                row.push(r);
            }
        }
        Lattice {
            step,
            nx,
            ny,
            col,
            row,
        }
    }

    /// True when any corner of cell (i, j) failed to transform.
    fn cell_has_nan(&self, i: usize, j: usize) -> bool {
        [
            self.at(i, j),
            self.at(i + 1, j),
            self.at(i, j + 1),
            self.at(i + 1, j + 1),
        ]
        .iter()
        .any(|(c, r)| c.is_nan() || r.is_nan())
    }
}

/// True when interpolating `coarse` is within `tol` of `fine` (its halving) at
/// every cell centre and edge midpoint, and failed points are confined enough.
fn good_enough(coarse: &Lattice, fine: &Lattice, tol: f64) -> bool {
    let mid = |a: (f64, f64), b: (f64, f64)| ((a.0 + b.0) * 0.5, (a.1 + b.1) * 0.5);
    for j in 0..coarse.ny {
        for i in 0..coarse.nx {
            let (c00, c10) = (coarse.at(i, j), coarse.at(i + 1, j));
            let (c01, c11) = (coarse.at(i, j + 1), coarse.at(i + 1, j + 1));
            let (fi, fj) = (2 * i, 2 * j);
            let checks = [
                (mid(c00, c10), fine.at(fi + 1, fj)),
                (mid(c00, c01), fine.at(fi, fj + 1)),
                (mid(mid(c00, c10), mid(c01, c11)), fine.at(fi + 1, fj + 1)),
                (mid(c10, c11), fine.at(fi + 2, fj + 1)),
                (mid(c01, c11), fine.at(fi + 1, fj + 2)),
            ];
            if coarse.cell_has_nan(i, j) {
                // Exact per pixel later; refine first so that band stays thin,
                // unless the whole cell fails (refining would not help).
                let all_nan = checks.iter().all(|(_, e)| e.0.is_nan());
                if coarse.step > NAN_STEP && !all_nan {
                    return false;
                }
                continue;
            }
            for (approx, exact) in checks {
                let err = (approx.0 - exact.0).hypot(approx.1 - exact.1);
                // NaN (an interior point failing) also refines.
                if err.is_nan() || err > tol {
                    return false;
                }
            }
        }
    }
    true
}

/// One block of destination pixels with its own uniform control step.
struct Block {
    x0: u32,
    y0: u32,
    w: u32,
    lat: Lattice,
    /// Per cell: corners failed, use `exact`.
    exact_cell: Vec<bool>,
    /// `w·h` exact (col, row) pairs, interleaved; empty when no cell is exact.
    exact: Vec<f64>,
}

/// For every destination pixel centre, the fractional source pixel (col, row).
///
/// Built once per (destination grid, source grid) and read row by row by the warp
/// kernel. Source coordinates follow `GeoTransform::world_to_pixel`: the centre of
/// source pixel (i, j) is at (i + 0.5, j + 0.5). NaN marks pixels whose transform fails.
pub struct PixelMesh {
    width: u32,
    height: u32,
    block: u32,
    blocks_x: usize,
    blocks: Vec<Block>,
    scale: f64,
    transforms: usize,
}

impl std::fmt::Debug for PixelMesh {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PixelMesh")
            .field("width", &self.width)
            .field("height", &self.height)
            .field("blocks", &self.blocks.len())
            .field("transforms", &self.transforms)
            .finish()
    }
}

impl PixelMesh {
    /// Builds the mesh of `dst` against the source grid `src`, with `dst_to_src`
    /// transforming destination CRS coordinates into the source CRS.
    ///
    /// The interpolation error at every cell centre and edge midpoint is at most
    /// `max_err_px` source pixels (Euclidean); pass [`DEFAULT_MAX_ERR_PX`] for GDAL's
    /// behaviour, 0 for exact transforms everywhere. Cells touching a failed control
    /// point are transformed exactly per pixel. Cost: a smooth 256² tile takes 81
    /// exact transforms (~50 µs for 3857 → 28992); a grid refined to step 1
    /// everywhere takes about 4/3 of a transform per pixel. Memory is about
    /// 16 bytes per control point plus 16 bytes per exactly-transformed pixel.
    pub fn build(
        dst: &GridSpec,
        dst_to_src: &Transformer,
        src: &GeoTransform,
        max_err_px: f64,
    ) -> PixelMesh {
        let tol = if max_err_px.is_nan() {
            0.0
        } else {
            max_err_px.max(0.0)
        };
        let (w, h) = (dst.width, dst.height);
        let mut ex = Exact {
            dst: dst.transform(),
            t: dst_to_src,
            src: *src,
            calls: 0,
        };
        let block = w.max(h).max(1).next_power_of_two().min(MAX_STEP);
        let blocks_x = w.div_ceil(block) as usize;
        let blocks_y = h.div_ceil(block) as usize;
        let mut blocks = Vec::with_capacity(blocks_x * blocks_y);
        // Control points at the block step and its half, shared by neighbouring blocks.
        let half = (block / 2).max(1);
        let per = (block / half) as usize;
        let shared = Lattice::exact(&mut ex, 0, 0, half, blocks_x * per, blocks_y * per);
        for by in 0..blocks_y {
            for bx in 0..blocks_x {
                let (x0, y0) = (bx as u32 * block, by as u32 * block);
                let (bw, bh) = ((w - x0).min(block), (h - y0).min(block));
                let fine = shared.sub(bx * per, by * per, 1, per, per);
                let lat = if per == 1 {
                    fine
                } else {
                    refine(&mut ex, x0, y0, fine.sub(0, 0, 2, 1, 1), fine, tol)
                };
                blocks.push(finish_block(&mut ex, x0, y0, bw, bh, lat));
            }
        }
        let scale = median_scale(&blocks);
        PixelMesh {
            width: w,
            height: h,
            block,
            blocks_x,
            blocks,
            scale,
            transforms: ex.calls,
        }
    }

    /// Width of the destination grid in pixels.
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Height of the destination grid in pixels.
    pub fn height(&self) -> u32 {
        self.height
    }

    /// How many exact point transforms building this mesh took.
    pub fn transforms(&self) -> usize {
        self.transforms
    }

    /// Fills `cols`/`rows` with the source (col, row) of the centres of destination
    /// row `row`, pixel `0..width`.
    ///
    /// Writes `min(width, cols.len(), rows.len())` entries; a `row` beyond the grid
    /// gives NaN. Pure arithmetic: a multiply-add per pixel, no transforms, no allocation.
    pub fn row_into(&self, row: u32, cols: &mut [f64], rows: &mut [f64]) {
        let n = (self.width as usize).min(cols.len()).min(rows.len());
        let (cols, rows) = (&mut cols[..n], &mut rows[..n]);
        if row >= self.height {
            cols.fill(f64::NAN);
            rows.fill(f64::NAN);
            return;
        }
        let first = (row / self.block) as usize * self.blocks_x;
        let Some(blocks) = self.blocks.get(first..first + self.blocks_x) else {
            return;
        };
        for b in blocks {
            let ly = row - b.y0;
            let s = b.lat.step;
            let (l, t) = ((ly / s) as usize, f64::from(ly % s) / f64::from(s));
            let inv_s = 1.0 / f64::from(s);
            for k in 0..b.lat.nx {
                let j0 = (b.x0 + k as u32 * s) as usize;
                let j1 = ((b.x0 + (k as u32 + 1) * s).min(b.x0 + b.w) as usize).min(n);
                if j0 >= j1 {
                    break;
                }
                let (oc, or) = (&mut cols[j0..j1], &mut rows[j0..j1]);
                if b.exact_cell.get(l * b.lat.nx + k).copied().unwrap_or(true) {
                    let start = 2 * (ly as usize * b.w as usize + (j0 - b.x0 as usize));
                    let src = b.exact.get(start..start + 2 * (j1 - j0)).unwrap_or(&[]);
                    oc.fill(f64::NAN);
                    or.fill(f64::NAN);
                    for ((c, r), pair) in oc.iter_mut().zip(or.iter_mut()).zip(src.chunks_exact(2))
                    {
                        (*c, *r) = (pair[0], pair[1]);
                    }
                    continue;
                }
                let (a, bb) = (b.lat.at(k, l), b.lat.at(k + 1, l));
                let (c, d) = (b.lat.at(k, l + 1), b.lat.at(k + 1, l + 1));
                let (lc, lr) = (a.0 + (c.0 - a.0) * t, a.1 + (c.1 - a.1) * t);
                let (rc, rr) = (bb.0 + (d.0 - bb.0) * t, bb.1 + (d.1 - bb.1) * t);
                let (dc, dr) = ((rc - lc) * inv_s, (rr - lr) * inv_s);
                for ((c, r), f) in oc.iter_mut().zip(or.iter_mut()).zip(&RAMP) {
                    *c = lc + dc * f;
                    *r = lr + dr * f;
                }
            }
        }
    }

    /// The envelope `[min col, min row, max col, max row]` of every finite source
    /// coordinate `row_into` can produce: bilinear interpolation never leaves the
    /// hull of its control points, and exact pixels are included one by one.
    /// May be slightly larger than needed (control points past the grid's edge).
    /// `None` when nothing transformed. Cost: one pass over the control points,
    /// far cheaper than scanning every pixel.
    pub fn src_envelope(&self) -> Option<[f64; 4]> {
        let mut env = [
            f64::INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        ];
        let mut add = |c: f64, r: f64| {
            if c.is_finite() && r.is_finite() {
                env = [env[0].min(c), env[1].min(r), env[2].max(c), env[3].max(r)];
            }
        };
        for b in &self.blocks {
            for (&c, &r) in b.lat.col.iter().zip(&b.lat.row) {
                add(c, r);
            }
            for pair in b.exact.chunks_exact(2) {
                add(pair[0], pair[1]);
            }
        }
        (env[0] <= env[2] && env[1] <= env[3]).then_some(env)
    }

    /// How many source pixels one destination pixel spans: the median over the
    /// mesh cells of √(scale_x · scale_y), where scale_x (scale_y) is the length in
    /// source pixels of one destination pixel step along x (y). For pyramid level
    /// choice. NaN when no cell could be transformed.
    pub fn src_pixels_per_dst_pixel(&self) -> f64 {
        self.scale
    }
}

/// Halves the step of one block until `good_enough` (or step 1, which is exact).
fn refine(
    ex: &mut Exact<'_>,
    x0: u32,
    y0: u32,
    mut coarse: Lattice,
    mut fine: Lattice,
    tol: f64,
) -> Lattice {
    loop {
        if good_enough(&coarse, &fine, tol) {
            return coarse;
        }
        if fine.step == 1 {
            return fine;
        }
        let finer = fine.halve(ex, x0, y0);
        coarse = std::mem::replace(&mut fine, finer);
    }
}

/// Marks cells with failed corners and transforms their pixels exactly.
fn finish_block(ex: &mut Exact<'_>, x0: u32, y0: u32, w: u32, h: u32, lat: Lattice) -> Block {
    let mut exact_cell = Vec::with_capacity(lat.nx * lat.ny);
    for j in 0..lat.ny {
        for i in 0..lat.nx {
            exact_cell.push(lat.cell_has_nan(i, j));
        }
    }
    let mut exact = Vec::new();
    if exact_cell.iter().any(|&e| e) {
        let (mut xs, mut ys) = (Vec::new(), Vec::new());
        for py in 0..h {
            for px in 0..w {
                let cell = (py / lat.step) as usize * lat.nx + (px / lat.step) as usize;
                let wanted = exact_cell.get(cell).copied().unwrap_or(false);
                xs.push(if wanted { f64::from(x0 + px) } else { f64::NAN });
                ys.push(f64::from(y0 + py));
            }
        }
        ex.eval(&mut xs, &mut ys);
        exact = xs.into_iter().zip(ys).flat_map(|(c, r)| [c, r]).collect();
    }
    Block {
        x0,
        y0,
        w,
        lat,
        exact_cell,
        exact,
    }
}

/// Median over all interpolated cells of the geometric-mean pixel scale.
fn median_scale(blocks: &[Block]) -> f64 {
    let mut scales = Vec::new();
    for b in blocks {
        let s = f64::from(b.lat.step);
        for j in 0..b.lat.ny {
            for i in 0..b.lat.nx {
                let (c00, c10) = (b.lat.at(i, j), b.lat.at(i + 1, j));
                let (c01, c11) = (b.lat.at(i, j + 1), b.lat.at(i + 1, j + 1));
                let sx = ((c10.0 - c00.0 + c11.0 - c01.0) / (2.0 * s))
                    .hypot((c10.1 - c00.1 + c11.1 - c01.1) / (2.0 * s));
                let sy = ((c01.0 - c00.0 + c11.0 - c10.0) / (2.0 * s))
                    .hypot((c01.1 - c00.1 + c11.1 - c10.1) / (2.0 * s));
                let g = (sx * sy).sqrt();
                if g.is_finite() {
                    scales.push(g);
                }
            }
        }
    }
    if scales.is_empty() {
        return f64::NAN;
    }
    let mid = scales.len() / 2;
    let (_, m, _) = scales.select_nth_unstable_by(mid, f64::total_cmp);
    *m
}
