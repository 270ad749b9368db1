//! Strip-parallel evaluation of large requests: when every block of the
//! graph is cell-local, a request is cut into horizontal strips evaluated on
//! rayon and the strips' answers stacked back into one raster.

use super::blocks::Block;
use super::error::GraphError;
use super::eval::Ctx;
use super::fuse;
use super::raster::{Data, Mode, Raster, Req};
use crate::model::{BBox, GridSpec};
use rayon::prelude::*;

/// Requests with at least this many cells are cut into horizontal strips that
/// are evaluated in parallel (all blocks are cell-local or grow their own
/// requests); smaller strips also keep each block's frames in cache.
const SPLIT_CELLS: usize = 64 * 1024;
/// Fewest rows per strip (each strip repeats the per-request overhead).
const MIN_STRIP_ROWS: u32 = 8;
/// Most cells per strip: 8192 f64 cells = 64 KiB frames stay below the
/// allocator's mmap threshold (recycled, no fresh zeroed pages) and in L2.
const STRIP_CELLS: usize = 8 * 1024;

/// Evaluates `node` for `req`, in strips when the request is large and the
/// graph allows it.
pub(crate) fn eval_split(ctx: &Ctx, node: usize, req: &Req) -> Result<Option<Data>, GraphError> {
    let g = req.grid;
    let cells = g.width as usize * g.height as usize;
    // A lone source gains nothing from strips (one read either way), and
    // graphs of sources and elementwise blocks run fused over cache-sized
    // chunks, their reads and chunks already in parallel (`fuse`).
    let fused = ctx
        .graph
        .nodes
        .iter()
        .all(|n| matches!(n.block, Block::Source(_)) || fuse::fusable(&n.block));
    let splittable =
        ctx.graph.nodes.len() > 1 && !fused && ctx.graph.nodes.iter().all(|n| n.block.cell_local());
    if req.mode != Mode::Vals || req.is_point() || cells < SPLIT_CELLS || !splittable {
        return ctx.eval(node, req);
    }
    let k = (rayon::current_num_threads() * 2)
        .max(cells.div_ceil(STRIP_CELLS))
        .min((g.height / MIN_STRIP_ROWS) as usize) as u32;
    if k < 2 {
        return ctx.eval(node, req);
    }
    let rows_per = g.height.div_ceil(k);
    let py = (g.bbox.min_y - g.bbox.max_y) / f64::from(g.height);
    let strips: Vec<(u32, u32)> = (0..k)
        .map(|i| (i * rows_per, ((i + 1) * rows_per).min(g.height)))
        .filter(|(a, b)| b > a)
        .collect();
    let parts: Vec<Option<Data>> = strips
        .par_iter()
        .map(|&(r0, r1)| {
            let top = g.bbox.max_y + f64::from(r0) * py;
            let bottom = if r1 == g.height {
                g.bbox.min_y
            } else {
                g.bbox.max_y + f64::from(r1) * py
            };
            let sub = Req {
                grid: GridSpec {
                    bbox: BBox::new(g.bbox.min_x, bottom, g.bbox.max_x, top),
                    height: r1 - r0,
                    ..g
                },
                ..*req
            };
            ctx.eval(node, &sub)
        })
        .collect::<Result<_, _>>()?;
    let mut rasters = Vec::with_capacity(parts.len());
    for p in parts {
        match p {
            Some(Data::Vals(r)) => rasters.push(r),
            // Strips disagree about having data: answer unsplit.
            _ => return ctx.eval(node, req),
        }
    }
    let n = rasters[0].bands.len();
    if rasters
        .iter()
        .any(|r| r.bands.len() != n || r.dtype != rasters[0].dtype)
    {
        return ctx.eval(node, req);
    }
    let mut out = Raster {
        bands: vec![Vec::with_capacity(cells); n],
        height: g.height,
        ..rasters[0].clone_meta()
    };
    for r in &rasters {
        for (o, b) in out.bands.iter_mut().zip(&r.bands) {
            o.extend_from_slice(b);
        }
    }
    Ok(Some(Data::Vals(out)))
}
