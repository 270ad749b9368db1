//! Evaluation: answers a `Req` for one node by asking its inputs and running the
//! block's kernel. Mirrors dask-geomodeling's `get_sources_and_requests` (how a
//! block rewrites the request for its inputs) and `process` (how it combines
//! the answers). Independent inputs of large requests run on rayon.

use super::blocks::Block;
use super::cancel::Cancel;
use super::combine;
use super::error::GraphError;
use super::freq::Freq;
use super::fuse::{self, Input, Shape};
use super::leaves::{Leaf, Leaves};
use super::meta::{self, Meta};
use super::misc;
use super::parse::Graph;
use super::place;
use super::raster::{Data, Mode, Raster, Req};
use super::spatial;
use super::temporal;
use super::time;
use rayon::prelude::*;
use uuid::Uuid;

/// Requests with at least this many cells evaluate sibling inputs in parallel.
const PARALLEL_CELLS: usize = 256 * 1024;

pub(crate) struct Ctx<'a> {
    pub graph: &'a Graph,
    pub metas: Vec<Meta>,
    pub leaves: &'a dyn Leaves,
    pub nesting: usize,
    /// Set when the answer is no longer wanted; long kernels poll it.
    pub cancel: &'a Cancel,
}

impl<'a> Ctx<'a> {
    /// The context of layer graph `g` nested one level below this one:
    /// its metadata inferred, the same leaves and cancellation token.
    pub fn nested<'g>(&self, g: &'g Graph) -> Result<Ctx<'g>, GraphError>
    where
        'a: 'g,
    {
        Ok(Ctx {
            graph: g,
            metas: meta::infer_with(g, self.leaves, self.nesting + 1, false)?,
            leaves: self.leaves,
            nesting: self.nesting + 1,
            cancel: self.cancel,
        })
    }

    pub fn eval(&self, node: usize, req: &Req) -> Result<Option<Data>, GraphError> {
        self.cancel.check()?;
        let block = &self.graph.nodes[node].block;
        match block {
            Block::Source(id) => self.source(&self.graph.nodes[node].key, *id, req),
            Block::LizardGroup(ids) => combine::lizard_group(self, node, ids, req),
            Block::Math(..)
            | Block::Unary(..)
            | Block::FillNoData(_)
            | Block::Mask(..)
            | Block::MaskBelow(..)
            | Block::Step { .. }
            | Block::Classify { .. }
            | Block::Reclassify { .. } => match req.mode {
                Mode::Vals => fuse::eval(self, node, req),
                Mode::Time => fuse::time(self, node, req),
            },
            Block::Group(ins) => combine::group(self, node, ins, req),
            Block::Max(ins) => combine::max(self, node, ins, req),
            Block::Clip(s, c) => misc::clip(self, node, *s, *c, req),
            Block::RasterizeWkt { polygons, crs } => {
                misc::rasterize_wkt(polygons, *crs, req, self.cancel)
            }
            Block::Snap(store, index) => temporal::snap(self, *store, *index, req),
            Block::Shift(store, ms) => temporal::shift(self, *store, *ms, req),
            Block::TemporalSum(store) => temporal::temporal_sum(self, *store, req),
            Block::TemporalAggregate {
                source,
                freq,
                stat,
                closed_right,
                label_right,
            } => temporal::temporal_aggregate(
                self,
                node,
                *source,
                *freq,
                *stat,
                *closed_right,
                *label_right,
                req,
            ),
            Block::Cumulative { source, stat, freq } => {
                temporal::cumulative(self, node, *source, *stat, *freq, req)
            }
            Block::Resample {
                source,
                freq,
                direction,
            } => temporal::resample(self, node, *source, *freq, *direction, req),
            Block::Dilate(store, values) => spatial::dilate(self, *store, values, req),
            Block::MovingMax(store, size) => spatial::moving_max(self, *store, *size, req),
            Block::Smooth { store, size, fill } => spatial::smooth(self, *store, *size, *fill, req),
            Block::HillShade {
                store,
                altitude,
                azimuth,
                fill,
            } => spatial::hillshade(self, *store, *altitude, *azimuth, *fill, req),
            Block::Place {
                store,
                crs,
                anchor,
                coords,
                stat,
            } => place::place(self, node, *store, *crs, *anchor, coords, *stat, req),
        }
    }

    pub fn eval_many(
        &self,
        nodes: &[usize],
        reqs: &[Req],
    ) -> Result<Vec<Option<Data>>, GraphError> {
        if nodes.len() > 1 && req_cells(&reqs[0]) >= PARALLEL_CELLS {
            nodes
                .par_iter()
                .zip(reqs.par_iter())
                .map(|(n, r)| self.eval(*n, r))
                .collect()
        } else {
            nodes
                .iter()
                .zip(reqs)
                .map(|(n, r)| self.eval(*n, r))
                .collect()
        }
    }

    /// Answers of `nodes` under `reqs` as region inputs: source nodes give
    /// their frames in the stored type, other blocks their answers; in
    /// parallel for large requests.
    pub(crate) fn eval_inputs(
        &self,
        nodes: &[usize],
        reqs: &[Req],
    ) -> Result<Vec<Option<Input>>, GraphError> {
        let one = |n: usize, r: &Req| -> Result<Option<Input>, GraphError> {
            if let Block::Source(id) = &self.graph.nodes[n].block {
                if let Some(frames) = self.stored(*id, r)? {
                    return Ok(Some(frames));
                }
            }
            match self.eval(n, r)? {
                None => Ok(None),
                Some(Data::Vals(r)) => Ok(Some(Input::Vals(r))),
                // Only `time` requests are answered with times.
                Some(Data::Time(_)) => Err(GraphError::Request(
                    "a block answered times to a values request".into(),
                )),
            }
        };
        if nodes.len() > 1 && req_cells(&reqs[0]) >= PARALLEL_CELLS {
            nodes
                .par_iter()
                .zip(reqs.par_iter())
                .map(|(n, r)| one(*n, r))
                .collect()
        } else {
            nodes.iter().zip(reqs).map(|(n, r)| one(*n, r)).collect()
        }
    }

    /// Refuses an answer of `bands` frames of the request's grid beyond
    /// `max_values`, before anything is read or allocated.
    pub fn check_values(&self, bands: usize, req: &Req) -> Result<(), GraphError> {
        let max = self.graph.limits.max_values;
        if bands.saturating_mul(req_cells(req)) > max {
            return Err(GraphError::Limit(format!(
                "the request needs {bands} frames of {}x{} cells, more than {max} values; \
                 ask for a shorter time range or a smaller map",
                req.grid.width, req.grid.height
            )));
        }
        Ok(())
    }

    /// The labels of `f` from `start` to `stop`, refused beyond `max_steps`.
    pub fn labels(&self, f: Freq, start: i64, stop: Option<i64>) -> Result<Vec<i64>, GraphError> {
        let max = self.graph.limits.max_steps;
        f.range(start, stop, max).ok_or_else(|| {
            GraphError::Limit(format!(
                "the time range holds more than {max} steps of the frequency; ask for a shorter one"
            ))
        })
    }

    /// A raster source's frames for a `vals` request, as stored; `None`
    /// when the node is not a plain source read (a nested layer, a time
    /// request, no frames): `source` answers those.
    fn stored(&self, id: Uuid, req: &Req) -> Result<Option<Input>, GraphError> {
        if req.mode != Mode::Vals || req.grid.width == 0 || req.grid.height == 0 {
            return Ok(None);
        }
        let Some(Leaf::Source(sm)) = self.leaves.resolve(id) else {
            return Ok(None);
        };
        let Some(frames) = time::select(&sm.times, sm.interval, req.start, req.stop) else {
            return Ok(None);
        };
        if frames.is_empty() {
            return Ok(None);
        }
        let m = meta::source_meta_with(&sm, false);
        self.check_values(frames.len(), req)?;
        let bufs = self.leaves.read(id, &req.grid, &frames)?;
        Ok(Some(Input::Stored {
            shape: Shape {
                dtype: m.dtype,
                nodata: m.fillvalue,
                bands: bufs.len(),
                width: req.grid.width,
                height: req.grid.height,
            },
            frames: bufs,
        }))
    }

    fn source(&self, key: &str, id: Uuid, req: &Req) -> Result<Option<Data>, GraphError> {
        match self.leaves.resolve(id) {
            None => Err(GraphError::UnknownLeaf(id)),
            Some(Leaf::Layer(g)) => {
                if self.nesting + 1 > self.graph.limits.max_nesting {
                    return Err(GraphError::node(key, "layers nested too deeply"));
                }
                self.nested(&g)?.eval(g.endpoint(), req)
            }
            Some(Leaf::Source(sm)) => {
                let Some(frames) = time::select(&sm.times, sm.interval, req.start, req.stop) else {
                    return Ok(match req.mode {
                        Mode::Vals => None,
                        Mode::Time => Some(Data::Time(vec![])),
                    });
                };
                if req.mode == Mode::Time {
                    return Ok(Some(Data::Time(
                        frames.iter().map(|&i| sm.times[i]).collect(),
                    )));
                }
                let m = meta::source_meta_with(&sm, false);
                self.check_values(frames.len(), req)?;
                let (w, h) = (req.grid.width, req.grid.height);
                if w == 0 || h == 0 || frames.is_empty() {
                    return Ok(Some(Data::Vals(Raster::filled(
                        m.dtype,
                        m.fillvalue,
                        w,
                        h,
                        frames.len(),
                        0.0,
                    ))));
                }
                let bufs = self.leaves.read(id, &req.grid, &frames)?;
                let mut r = Raster::from_buf(m.dtype, m.fillvalue, &bufs);
                r.width = w;
                r.height = h;
                Ok(Some(Data::Vals(r)))
            }
        }
    }
}

fn req_cells(r: &Req) -> usize {
    r.grid.width as usize * r.grid.height as usize
}

/// BaseElementwise: with both start and stop, the window is clipped to the
/// block's period so that all inputs answer aligned frames.
pub(crate) fn clip_to_period(req: &Req, period: Option<(i64, i64)>) -> Req {
    let mut out = *req;
    if let (Some(s), Some(e), Some((a, b))) = (req.start, req.stop, period) {
        out.start = Some(s.max(a));
        out.stop = Some(e.min(b));
    }
    out
}

/// The dtype a frame of nodata should have for a meta.
pub(crate) fn empty_like(m: &Meta, req: &Req, n: usize) -> Raster {
    let fill = m.fillvalue.unwrap_or(0.0);
    Raster::filled(
        m.dtype,
        m.fillvalue,
        req.grid.width,
        req.grid.height,
        n,
        fill,
    )
}
