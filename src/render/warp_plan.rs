//! Nearest-neighbour warp plans: the part of a warp that depends only on the
//! request grid and the source's grid (CRS, level-0 transform, pyramid levels),
//! not on its data. Building one takes the approximate mesh, the level and
//! window choice and the window offset of every target pixel; applying it to a
//! source is one window read and a gather. Sources stored on one grid (layers
//! derived from one tiling) share a plan; [`PlanMemo`] keeps the plans of one
//! request evaluation.
//!
//! Plan + apply gives exactly what the direct nearest warp gave: the same level,
//! window and cells (offsets from `kernels::nearest_offsets`, the first pass of
//! `kernels::gather_nearest`, or per axis for a grid in the source's own CRS,
//! gathered by `kernels::gather_nearest_separable`) and the same antimeridian
//! rule. Cost: 5 bytes per target pixel while held (a few per row and column
//! in the source's CRS).

use super::error::RenderError;
use super::warp::{
    MAX_ERROR_PX, Warped, axis_indices, choose_window, columns_beyond_antimeridian, default_fill,
    level_coords, read_of, same_dtype,
};
use crate::geo::approx::PixelMesh;
use crate::geo::cache::TransformCache;
use crate::kernels::{self, NO_CELL, WarpWindow};
use crate::model::{Crs, GeoTransform, GridSpec, LevelInfo, PyramidInfo, RasterBuf, RasterSource};
use std::sync::{Arc, Mutex, PoisonError};

/// Everything a plan depends on.
#[derive(Debug)]
struct Key {
    grid: GridSpec,
    crs: Crs,
    transform: GeoTransform,
    levels: Vec<LevelInfo>,
}

impl Key {
    fn of(grid: &GridSpec, info: &PyramidInfo) -> Key {
        Key {
            grid: *grid,
            crs: info.crs,
            transform: info.transform,
            levels: info.levels.clone(),
        }
    }

    fn fits(&self, grid: &GridSpec, info: &PyramidInfo) -> bool {
        self.grid == *grid
            && self.crs == info.crs
            && self.transform == info.transform
            && self.levels == info.levels
    }
}

/// How to fill one request grid from any source stored on one grid, by nearest
/// neighbour.
#[derive(Debug)]
pub struct WarpPlan {
    key: Key,
    /// The level and its window to read; `None` when no pixel finds a cell.
    read: Option<(usize, WarpWindow)>,
    cells: Cells,
}

/// Where each target pixel's cell lies in the window.
#[derive(Debug)]
enum Cells {
    /// The window offset of every target pixel's cell (row-major), or
    /// `NO_CELL`, and 1 where there is one.
    Offsets { offsets: Vec<u32>, valid: Vec<u8> },
    /// A grid aligned with the level's axes (same CRS, both north-up): the
    /// window column of each target column and window row of each target row,
    /// or `NO_CELL`. Gathers a row at a time, with no per-pixel index.
    Axes { cols: Vec<u32>, rows: Vec<u32> },
}

impl WarpPlan {
    /// The plan for warping sources with `info`'s grid onto `grid` (`info`'s
    /// dtype and nodata play no part).
    pub fn nearest(
        grid: &GridSpec,
        info: &PyramidInfo,
        transforms: &TransformCache,
    ) -> Result<WarpPlan, RenderError> {
        let key = Key::of(grid, info);
        let to_src = transforms.get(grid.crs, info.crs)?;
        let mesh = PixelMesh::build(grid, &to_src, &info.transform, MAX_ERROR_PX);
        let Some((level, window)) = choose_window(grid, info, &mesh, 0) else {
            return Ok(WarpPlan::empty(key));
        };
        let outside = columns_beyond_antimeridian(grid);
        let cells = if grid.crs == info.crs {
            let (mut cols, rows) = axes(grid, info, level, &window);
            outside.iter().for_each(|&c| cols[c] = NO_CELL);
            let any = |v: &[u32]| v.iter().any(|&i| i != NO_CELL);
            if !(any(&cols) && any(&rows)) {
                return Ok(WarpPlan::empty(key));
            }
            Cells::Axes { cols, rows }
        } else {
            let factor = f64::from(info.levels[level].factor);
            let mut coords = level_coords(&mesh, factor);
            let mut offsets =
                kernels::nearest_offsets(&window, grid.width, grid.height, &mut coords);
            if !outside.is_empty() {
                for row in offsets.chunks_exact_mut(grid.width as usize) {
                    outside.iter().for_each(|&c| row[c] = NO_CELL);
                }
            }
            let valid: Vec<u8> = offsets.iter().map(|&o| u8::from(o != NO_CELL)).collect();
            if !valid.contains(&1) {
                return Ok(WarpPlan::empty(key));
            }
            Cells::Offsets { offsets, valid }
        };
        Ok(WarpPlan {
            key,
            read: Some((level, window)),
            cells,
        })
    }

    fn empty(key: Key) -> WarpPlan {
        WarpPlan {
            key,
            read: None,
            cells: Cells::Offsets {
                offsets: Vec::new(),
                valid: Vec::new(),
            },
        }
    }

    /// Warps `source`, which must be stored on the grid the plan was built for.
    /// Pixels without a cell hold the source's nodata (or [`default_fill`]).
    pub fn apply(&self, source: &dyn RasterSource) -> Result<Warped, RenderError> {
        Ok(match self.values(source)? {
            None => Warped::empty(&self.key.grid, source.info()),
            Some(Values { buf, valid }) => Warped {
                buf,
                valid: valid.unwrap_or_else(|| self.valid().to_vec()),
                empty: false,
            },
        })
    }

    /// [`WarpPlan::apply`] for a plan used once: hands its validity over
    /// instead of copying it.
    pub fn apply_once(self, source: &dyn RasterSource) -> Result<Warped, RenderError> {
        Ok(match self.values(source)? {
            None => Warped::empty(&self.key.grid, source.info()),
            Some(Values { buf, valid }) => Warped {
                buf,
                valid: valid.unwrap_or_else(|| match self.cells {
                    Cells::Offsets { valid, .. } => valid,
                    Cells::Axes { .. } => Vec::new(),
                }),
                empty: false,
            },
        })
    }

    /// The plan's own validity (none for per-axis cells: the gather finds it).
    fn valid(&self) -> &[u8] {
        match &self.cells {
            Cells::Offsets { valid, .. } => valid,
            Cells::Axes { .. } => &[],
        }
    }

    /// The values of `source` on the grid, and their validity unless it is the
    /// plan's own; `None` when no pixel finds a cell.
    fn values(&self, source: &dyn RasterSource) -> Result<Option<Values>, RenderError> {
        let info = source.info();
        let grid = &self.key.grid;
        if !self.key.fits(grid, info) {
            return Err(RenderError::Internal(
                "a warp plan applied to a source on another grid".into(),
            ));
        }
        let Some((level, window)) = self.read else {
            return Ok(None);
        };
        let nodata = info.nodata.unwrap_or_else(|| default_fill(info.dtype));
        // The answer's buffers, then the window (the direct warp's order).
        let mut out = RasterBuf::new(info.dtype, grid.width, grid.height, Some(nodata));
        let axes = matches!(self.cells, Cells::Axes { .. });
        let mut valid = vec![0u8; if axes { grid.pixels() } else { 0 }];
        let mut src = RasterBuf::new(info.dtype, window.width, window.height, info.nodata);
        source.read_window(level, read_of(&window), &mut src)?;
        match &self.cells {
            Cells::Offsets { offsets, .. } => {
                same_dtype!(&src.data, &mut out.data, s, d => kernels::gather_offsets(s, offsets, d));
            }
            Cells::Axes { cols, rows } => {
                same_dtype!(&src.data, &mut out.data, s, d =>
                    kernels::gather_nearest_separable(s, &window, cols, rows, d, &mut valid));
            }
        }
        Ok(Some(Values {
            buf: out,
            valid: axes.then_some(valid),
        }))
    }
}

/// What [`WarpPlan::values`] read: the values, and their validity unless it
/// is the plan's own.
struct Values {
    buf: RasterBuf,
    valid: Option<Vec<u8>>,
}

/// The window columns of the target columns and window rows of the target
/// rows of a grid aligned with the level's axes.
fn axes(
    grid: &GridSpec,
    info: &PyramidInfo,
    level: usize,
    window: &WarpWindow,
) -> (Vec<u32>, Vec<u32>) {
    let (lt, dt) = (info.level_transform(level), grid.transform());
    let cols = axis_indices(
        grid.width,
        dt.origin_x,
        dt.pixel_x,
        lt.origin_x,
        lt.pixel_x,
        window.col,
        window.width,
    );
    let rows = axis_indices(
        grid.height,
        dt.origin_y,
        dt.pixel_y,
        lt.origin_y,
        lt.pixel_y,
        window.row,
        window.height,
    );
    (cols, rows)
}

/// How many plans a [`PlanMemo`] keeps by default: enough for every strip of
/// a split evaluation that is in flight at once, times a few source grids.
const MAX_PLANS: usize = 64;

/// The plans built while evaluating one request, shared by every source read
/// on the same grid. Used from several threads at once: a plan is built once,
/// concurrent readers of the same grid wait for it. Keeps the plans of the
/// last `limit` grids it met (a plan holds 5 bytes per pixel).
#[derive(Debug)]
pub struct PlanMemo {
    slots: Mutex<Vec<Arc<Slot>>>,
    limit: usize,
}

impl Default for PlanMemo {
    fn default() -> PlanMemo {
        PlanMemo::with_limit(MAX_PLANS)
    }
}

#[derive(Debug)]
struct Slot {
    key: Key,
    plan: Mutex<Option<Arc<WarpPlan>>>,
}

impl PlanMemo {
    /// A memo keeping at most `limit` plans (at least one).
    pub fn with_limit(limit: usize) -> PlanMemo {
        PlanMemo {
            slots: Mutex::new(Vec::new()),
            limit: limit.max(1),
        }
    }

    /// The nearest-neighbour plan for sources with `info`'s grid on `grid`.
    pub fn nearest(
        &self,
        grid: &GridSpec,
        info: &PyramidInfo,
        transforms: &TransformCache,
    ) -> Result<Arc<WarpPlan>, RenderError> {
        let slot = {
            let mut slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
            match slots.iter().find(|s| s.key.fits(grid, info)) {
                Some(s) => Arc::clone(s),
                None => {
                    let s = Arc::new(Slot {
                        key: Key::of(grid, info),
                        plan: Mutex::new(None),
                    });
                    if slots.len() >= self.limit {
                        // Readers still building or holding it keep their Arc.
                        slots.remove(0);
                    }
                    slots.push(Arc::clone(&s));
                    s
                }
            }
        };
        let mut plan = slot.plan.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(p) = &*plan {
            return Ok(Arc::clone(p));
        }
        let p = Arc::new(WarpPlan::nearest(grid, info, transforms)?);
        *plan = Some(Arc::clone(&p));
        Ok(p)
    }
}

#[cfg(test)]
#[path = "warp_plan_tests.rs"]
mod tests;
