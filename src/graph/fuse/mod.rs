//! Fused evaluation of elementwise chains (Math, Unary, FillNoData, Mask,
//! MaskBelow, Step, Classify, Reclassify): the connected elementwise blocks
//! below a node form a region; the blocks that feed it are evaluated (in
//! parallel), and the region runs as one program over cache-sized chunks
//! (`exec`), so a tile is not materialised once per block. Source frames
//! enter in their stored type and are converted chunk by chunk.
//!
//! The rules of each block (dtype, nodata, frames, answering nothing) are
//! the ones dask-geomodeling applies block by block (`plan`); `time`
//! requests pass through the region the way the blocks pass them.

pub(crate) mod args;
mod exec;
pub(crate) mod meta;
mod ops;
mod plan;

#[cfg(test)]
mod tests;

use super::blocks::Block;
use super::error::GraphError;
use super::eval::{Ctx, clip_to_period};
use super::meta::Meta;
use super::raster::{Data, Raster, Req};
use crate::model::RasterBuf;
use exec::Frames;
pub(crate) use plan::Shape;
use plan::{Key, Members, Shapes};
use rayon::prelude::*;
use std::collections::HashMap;

/// Requests with at least this many cells run their chunks on rayon, in
/// pieces of `PIECE` cells.
const PARALLEL_CELLS: usize = 256 * 1024;
const PIECE: usize = 64 * 1024;

/// An answer feeding a region.
pub(crate) enum Input {
    /// A block's answer.
    Vals(Raster),
    /// A source's frames in their stored type (dtype and nodata as the
    /// source block answers them).
    Stored {
        shape: Shape,
        frames: Vec<RasterBuf>,
    },
}

impl Input {
    fn shape(&self) -> Shape {
        match self {
            Input::Vals(r) => Shape {
                dtype: r.dtype,
                nodata: r.nodata,
                bands: r.bands.len(),
                width: r.width,
                height: r.height,
            },
            Input::Stored { shape, .. } => *shape,
        }
    }

    fn frames(&self) -> Frames<'_> {
        match self {
            Input::Vals(r) => Frames::F64(&r.bands),
            Input::Stored { frames, .. } => Frames::Typed(frames),
        }
    }

    /// Every frame holds one cell per grid cell (what `exec` reads).
    fn complete(&self) -> bool {
        let s = self.shape();
        let n = s.width as usize * s.height as usize;
        match self {
            Input::Vals(r) => r.bands.iter().all(|b| b.len() == n),
            Input::Stored { frames, .. } => frames.iter().all(|f| f.data.len() == n),
        }
    }
}

/// The blocks a region fuses.
pub(crate) fn fusable(b: &Block) -> bool {
    matches!(
        b,
        Block::Math(..)
            | Block::Unary(..)
            | Block::FillNoData(_)
            | Block::Mask(..)
            | Block::MaskBelow(..)
            | Block::Step { .. }
            | Block::Classify { .. }
            | Block::Reclassify { .. }
    )
}

/// The request a block gives its inputs: elementwise math and FillNoData
/// clip a window to their period (BaseElementwise); the others pass it on.
fn child_req(b: &Block, m: &Meta, req: &Req) -> Req {
    match b {
        Block::Math(..) | Block::FillNoData(_) => clip_to_period(req, m.period),
        _ => *req,
    }
}

/// A region: its members' requests and its inputs.
struct Region<'a> {
    ctx: &'a Ctx<'a>,
    reqs: Vec<Req>,
    /// (member, child) → the child's key.
    edges: HashMap<(Key, usize), Key>,
    inputs: Vec<Key>,
    input_of: HashMap<Key, usize>,
}

impl Members for Region<'_> {
    fn block(&self, node: usize) -> &Block {
        &self.ctx.graph.nodes[node].block
    }

    fn meta(&self, node: usize) -> &Meta {
        &self.ctx.metas[node]
    }

    fn child(&self, at: Key, child: usize) -> Key {
        self.edges[&(at, child)]
    }

    fn input(&self, key: Key) -> Option<usize> {
        self.input_of.get(&key).copied()
    }
}

impl<'a> Region<'a> {
    fn discover(ctx: &'a Ctx<'a>, node: usize, req: &Req) -> Region<'a> {
        let mut r = Region {
            ctx,
            reqs: vec![*req],
            edges: HashMap::new(),
            inputs: vec![],
            input_of: HashMap::new(),
        };
        let mut seen = std::collections::HashSet::new();
        r.visit((node, 0), &mut seen);
        r
    }

    fn intern(&mut self, req: Req) -> usize {
        match self.reqs.iter().position(|r| *r == req) {
            Some(i) => i,
            None => {
                self.reqs.push(req);
                self.reqs.len() - 1
            }
        }
    }

    fn visit(&mut self, key: Key, seen: &mut std::collections::HashSet<Key>) {
        if !seen.insert(key) {
            return;
        }
        let block = &self.ctx.graph.nodes[key.0].block;
        if !fusable(block) {
            self.input_of.insert(key, self.inputs.len());
            self.inputs.push(key);
            return;
        }
        let req = child_req(block, &self.ctx.metas[key.0], &self.reqs[key.1]);
        let ri = self.intern(req);
        for c in block.inputs() {
            self.edges.insert((key, c), (c, ri));
            self.visit((c, ri), seen);
        }
    }
}

/// Evaluates the elementwise block `node` (a `vals` request) with the
/// elementwise blocks below it as one fused region.
pub(crate) fn eval(ctx: &Ctx, node: usize, req: &Req) -> Result<Option<Data>, GraphError> {
    let region = Region::discover(ctx, node, req);
    let nodes: Vec<usize> = region.inputs.iter().map(|k| k.0).collect();
    let reqs: Vec<Req> = region.inputs.iter().map(|k| region.reqs[k.1]).collect();
    let mut answers = Vec::with_capacity(nodes.len());
    for a in ctx.eval_inputs(&nodes, &reqs)? {
        match a {
            Some(i) if !i.complete() => {
                return Err(GraphError::Request(
                    "an input answered a partial grid".into(),
                ));
            }
            a => answers.push(a),
        }
    }
    let shapes: Vec<Option<Shape>> = answers
        .iter()
        .map(|a| a.as_ref().map(Input::shape))
        .collect();
    let mut sh = Shapes::new(&region, &shapes);
    let root = (node, 0);
    let Some(out) = sh.get(root)? else {
        return Ok(None);
    };
    let frames: Vec<Frames> = answers
        .iter()
        .map(|a| a.as_ref().map_or(Frames::F64(&[]), Input::frames))
        .collect();
    let len = out.width as usize * out.height as usize;
    let mut bands = Vec::with_capacity(out.bands);
    for t in 0..out.bands {
        let prog = plan::compile(&mut sh, root, t)?;
        let band = if len >= PARALLEL_CELLS {
            let mut band = vec![0.0; len];
            band.par_chunks_mut(PIECE)
                .enumerate()
                .try_for_each(|(i, piece)| {
                    exec::run_until(&prog, &frames, i * PIECE, piece, ctx.cancel)
                })?;
            band
        } else {
            exec::collect_until(&prog, &frames, len, ctx.cancel)?
        };
        bands.push(band);
    }
    Ok(Some(Data::Vals(Raster {
        dtype: out.dtype,
        nodata: out.nodata,
        width: out.width,
        height: out.height,
        bands,
    })))
}

/// A `time` request through an elementwise block: math answers its first
/// raster input's answer, FillNoData its first input that answers, the
/// others their input's.
pub(crate) fn time(ctx: &Ctx, node: usize, req: &Req) -> Result<Option<Data>, GraphError> {
    let block = &ctx.graph.nodes[node].block;
    let sub = child_req(block, &ctx.metas[node], req);
    let ins = block.inputs();
    let answers = ctx.eval_many(&ins, &vec![sub; ins.len()])?;
    Ok(match block {
        Block::FillNoData(_) => answers.into_iter().flatten().next(),
        _ => answers.into_iter().next().flatten(),
    })
}
