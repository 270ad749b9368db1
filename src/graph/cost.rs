//! The cost model: what answering a request will take, estimated per block
//! from the request grid and time before anything is read or allocated, and
//! checked against `GraphLimits::max_cost`.
//!
//! A unit of cost is one step of a kernel's inner loop over one cell: a cell
//! read or computed by an elementwise block, one window cell of a
//! neighbourhood block (`MovingMax`: ≈ π/4·size² per cell, `Dilate`: 7 per
//! listed value, `HillShade`: 30, `Smooth`: the Gaussian taps of both
//! passes), one bin of `Classify`/`Reclassify`, one vertex per row of
//! `RasterizeWKT`, one coordinate of `Place`, one frame or label of the
//! temporal blocks. Requests are rewritten for inputs as evaluation does
//! (neighbourhood margins, shifted and re-binned time ranges), and shared
//! inputs count once per use, as they are evaluated once per use.
//!
//! The walk also holds every block's frame and label counts to
//! `max_steps` and `max_values` before the first read, temporal ones
//! included, so a fine frequency over a long time range is refused at once.
//!
//! `bounds` refuses parameters that no request could afford (checked when a
//! graph is parsed).

use super::blocks::{Block, Operand};
use super::error::GraphError;
use super::eval::Ctx;
use super::freq::{self, Freq};
use super::leaves::Leaf;
use super::raster::{Mode, Req};
use super::time;

/// Blocks one cost walk may visit (inputs count once per use; a graph that
/// shares inputs deeply can need exponentially many evaluations).
const MAX_VISITS: usize = 100_000;

/// `Shift` beyond ±10,000 years (in ms) is refused.
pub(crate) const MAX_SHIFT_MS: i64 = 10_000 * 366 * 86_400_000;
/// Vertices of one `RasterizeWKT` geometry.
pub(crate) const MAX_VERTICES: usize = 10_000;
/// Bins of `Classify`, pairs of `Reclassify`.
pub(crate) const MAX_BINS: usize = 10_000;
/// Values of one `Dilate`.
pub(crate) const MAX_DILATE_VALUES: usize = 1_000;
/// Diameter of a `MovingMax` window in cells.
pub(crate) const MAX_WINDOW: u32 = 1_001;
/// Coordinates of one `Place`.
pub(crate) const MAX_PLACES: usize = 10_000;

/// Refuses parameters beyond the hard bounds above, naming the node.
pub(crate) fn bounds(key: &str, block: &Block) -> Result<(), GraphError> {
    let over = |what: String| Err(GraphError::node(key, what));
    match block {
        Block::Shift(_, ms) if ms.checked_abs().is_none_or(|a| a > MAX_SHIFT_MS) => {
            over(format!("Shift by {ms} ms is beyond ±10000 years"))
        }
        Block::RasterizeWkt { polygons, .. } => {
            let n = vertices(polygons);
            if n > MAX_VERTICES {
                over(format!(
                    "RasterizeWKT of {n} vertices, at most {MAX_VERTICES} allowed"
                ))
            } else {
                Ok(())
            }
        }
        Block::Classify { bins, .. } if bins.len() > MAX_BINS => over(format!(
            "Classify into {} bins, at most {MAX_BINS} allowed",
            bins.len()
        )),
        Block::Reclassify { from, .. } if from.len() > MAX_BINS => over(format!(
            "Reclassify of {} pairs, at most {MAX_BINS} allowed",
            from.len()
        )),
        Block::Dilate(_, values) if values.len() > MAX_DILATE_VALUES => over(format!(
            "Dilate of {} values, at most {MAX_DILATE_VALUES} allowed",
            values.len()
        )),
        Block::MovingMax(_, size) if *size > MAX_WINDOW => over(format!(
            "MovingMax window of {size} cells, at most {MAX_WINDOW} allowed"
        )),
        Block::Place { coords, .. } if coords.len() > MAX_PLACES => over(format!(
            "Place at {} coordinates, at most {MAX_PLACES} allowed",
            coords.len()
        )),
        _ => Ok(()),
    }
}

fn vertices(polygons: &[super::wkt::Polygon]) -> usize {
    polygons.iter().flatten().map(Vec::len).sum()
}

/// The estimated cost of answering `req` for `node`; refused (naming the
/// most expensive block) when beyond `max_cost`, or when a block would
/// answer more steps or values than the limits allow.
pub(crate) fn check(ctx: &Ctx, node: usize, req: &Req) -> Result<f64, GraphError> {
    walk(ctx, node, req, true)
}

/// [`check`] of the cost alone: `max_values` depends on the request's size,
/// so a reference request does not hold a graph to it.
pub(crate) fn check_cost(ctx: &Ctx, node: usize, req: &Req) -> Result<f64, GraphError> {
    walk(ctx, node, req, false)
}

fn walk(ctx: &Ctx, node: usize, req: &Req, values: bool) -> Result<f64, GraphError> {
    let mut walk = Walk {
        total: 0.0,
        visits: 0,
        worst: None,
        check_values: values,
    };
    walk.visit(ctx, node, &Est::of(req), 1.0)?;
    let budget = ctx.graph.limits.max_cost as f64;
    if walk.total > budget {
        let what = walk
            .worst
            .map(|(_, what)| what)
            .unwrap_or_else(|| "the graph".to_string());
        return Err(GraphError::Limit(format!(
            "{what}; the request costs {} in all > budget {}; ask for a smaller map, \
             a shorter time range or smaller block parameters",
            sci(walk.total),
            sci(budget),
        )));
    }
    Ok(walk.total)
}

/// A number in short scientific notation.
fn sci(v: f64) -> String {
    if v < 1e6 {
        format!("{v:.0}")
    } else {
        format!("{v:.2e}")
    }
}

/// A request as the cost model sees it.
#[derive(Clone, Copy, Debug)]
struct Est {
    w: f64,
    h: f64,
    /// A `time` request: no cells are computed.
    time: bool,
    start: Option<i64>,
    stop: Option<i64>,
    /// Map units per cell (x, y); 0 for point requests.
    res: (f64, f64),
    point: bool,
}

impl Est {
    fn of(req: &Req) -> Est {
        let g = req.grid;
        let (w, h) = (f64::from(g.width), f64::from(g.height));
        Est {
            w,
            h,
            time: req.mode == Mode::Time,
            start: req.start,
            stop: req.stop,
            res: if w > 0.0 && h > 0.0 {
                (g.bbox.width() / w, g.bbox.height() / h)
            } else {
                (0.0, 0.0)
            },
            point: req.is_point(),
        }
    }

    fn cells(&self) -> f64 {
        if self.time { 0.0 } else { self.w * self.h }
    }

    /// The request grown by `margin` cells on every side (values only).
    fn grown(&self, margin: f64) -> Est {
        if self.time || self.point {
            return *self;
        }
        Est {
            w: self.w + 2.0 * margin,
            h: self.h + 2.0 * margin,
            ..*self
        }
    }

    fn with_time(&self, start: Option<i64>, stop: Option<i64>) -> Est {
        Est {
            start,
            stop,
            ..*self
        }
    }
}

struct Walk {
    /// Whether `max_values` applies (not on reference requests).
    check_values: bool,
    total: f64,
    visits: usize,
    /// The most expensive block so far: its cost and a description.
    worst: Option<(f64, String)>,
}

impl Walk {
    /// Adds `cost` (already weighted) of the block described by `what`.
    fn add(
        &mut self,
        ctx: &Ctx,
        cost: f64,
        what: impl FnOnce() -> String,
    ) -> Result<(), GraphError> {
        self.total += cost;
        if self.worst.as_ref().is_none_or(|(c, _)| cost > *c) {
            let budget = ctx.graph.limits.max_cost as f64;
            let text = format!("{} costs {}", what(), sci(cost));
            if cost > budget {
                return Err(GraphError::Limit(format!(
                    "{text} > budget {}; ask for a smaller map, a shorter time range \
                     or smaller block parameters",
                    sci(budget)
                )));
            }
            self.worst = Some((cost, text));
        }
        Ok(())
    }

    /// Visits `node` for `est`, the work weighted by `weight` (uses of this
    /// answer); returns the frames it answers.
    fn visit(&mut self, ctx: &Ctx, node: usize, est: &Est, weight: f64) -> Result<f64, GraphError> {
        self.visits += 1;
        if self.visits > MAX_VISITS {
            return Err(GraphError::Limit(format!(
                "evaluating the graph visits more than {MAX_VISITS} blocks"
            )));
        }
        let n = &ctx.graph.nodes[node];
        let key = n.key.as_str();
        let cells = est.cells();
        let size = || format!("{}×{} cells", est.w, est.h);
        let frames = match &n.block {
            Block::Source(id) => self.source(ctx, *id, est, weight)?,
            Block::LizardGroup(ids) => {
                let mut most: f64 = 0.0;
                for id in ids {
                    most = most.max(self.source(ctx, *id, est, weight)?);
                }
                most
            }
            Block::Math(_, a, b) => {
                let mut most: f64 = 0.0;
                for o in [a, b] {
                    if let Operand::Node(i) = o {
                        most = most.max(self.visit(ctx, *i, est, weight)?);
                    }
                }
                self.add(ctx, cells * most.max(1.0) * weight, || {
                    format!("node '{key}' over {}", size())
                })?;
                most
            }
            Block::Unary(_, s)
            | Block::Mask(s, _)
            | Block::MaskBelow(s, _)
            | Block::Step { store: s, .. } => {
                let f = self.visit(ctx, *s, est, weight)?;
                self.add(ctx, cells * f.max(1.0) * weight, || {
                    format!("node '{key}' over {}", size())
                })?;
                f
            }
            Block::Classify { store, bins, .. } => {
                let f = self.visit(ctx, *store, est, weight)?;
                let k = bins.len().max(1) as f64;
                self.add(ctx, cells * f.max(1.0) * k * weight, || {
                    format!(
                        "Classify (node '{key}'): {} bins over {}",
                        bins.len(),
                        size()
                    )
                })?;
                f
            }
            Block::Reclassify { store, from, .. } => {
                let f = self.visit(ctx, *store, est, weight)?;
                let k = from.len().max(1) as f64;
                self.add(ctx, cells * f.max(1.0) * k * weight, || {
                    format!(
                        "Reclassify (node '{key}'): {} pairs over {}",
                        from.len(),
                        size()
                    )
                })?;
                f
            }
            Block::FillNoData(ins) | Block::Group(ins) | Block::Max(ins) => {
                let mut most: f64 = 0.0;
                for i in ins {
                    most = most.max(self.visit(ctx, *i, est, weight)?);
                }
                let k = ins.len().max(1) as f64;
                self.add(ctx, cells * most.max(1.0) * k * weight, || {
                    format!("node '{key}' over {}", size())
                })?;
                most
            }
            Block::Clip(s, c) => {
                let f = self.visit(ctx, *s, est, weight)?;
                self.visit(ctx, *c, est, weight)?;
                self.add(ctx, cells * f.max(1.0) * weight, || {
                    format!("node '{key}' over {}", size())
                })?;
                f
            }
            Block::RasterizeWkt { polygons, .. } => {
                let v = vertices(polygons) as f64;
                let cost = if est.time { 1.0 } else { est.h * v + cells };
                self.add(ctx, cost * weight, || {
                    format!(
                        "RasterizeWKT (node '{key}'): {} vertices over {}",
                        v,
                        size()
                    )
                })?;
                1.0
            }
            Block::Snap(store, index) => {
                let f = self.visit(ctx, *index, est, weight)?;
                let store_est = est.with_time(est.start, est.stop.or(est.start));
                self.visit(ctx, *store, &store_est, weight)?;
                self.add(ctx, cells * f.max(1.0) * weight, || {
                    format!("Snap (node '{key}') over {}", size())
                })?;
                f
            }
            Block::Shift(store, ms) => {
                let moved = |t: Option<i64>| t.map(|t| t.saturating_sub(*ms));
                self.visit(
                    ctx,
                    *store,
                    &est.with_time(moved(est.start), moved(est.stop)),
                    weight,
                )?
            }
            Block::TemporalSum(store) => {
                let f = self.visit(ctx, *store, est, weight)?;
                self.add(ctx, cells * f.max(1.0) * weight, || {
                    format!("TemporalSum (node '{key}'): {f} frames over {}", size())
                })?;
                1.0
            }
            Block::TemporalAggregate { source, freq, .. } => {
                let (labels, window) = self.labels(ctx, node, est, *freq)?;
                let f = match window {
                    _ if est.time => 0.0,
                    None => 0.0,
                    Some((a, b)) => {
                        let input = match freq {
                            None => {
                                let p = ctx.metas[*source].period;
                                est.with_time(p.map(|p| p.0), p.map(|p| p.1))
                            }
                            Some(f) => est.with_time(Some(f.step(a, -1)), Some(f.step(b, 1))),
                        };
                        self.visit(ctx, *source, &input, weight)?
                    }
                };
                self.add(ctx, cells * (f + labels) * weight, || {
                    format!(
                        "TemporalAggregate (node '{key}'): {f} frames into {labels} labels over {}",
                        size()
                    )
                })?;
                labels
            }
            Block::Cumulative { source, .. } => {
                let f = self.visit(ctx, *source, est, weight)?;
                self.add(ctx, cells * f.max(1.0) * weight, || {
                    format!("Cumulative (node '{key}'): {f} frames over {}", size())
                })?;
                f
            }
            Block::Resample { source, freq, .. } => {
                let (labels, window) = self.labels(ctx, node, est, Some(*freq))?;
                if let (Some((a, b)), false) = (window, est.time) {
                    let input = est.with_time(Some(freq.step(a, -1)), Some(freq.step(b, 1)));
                    self.visit(ctx, *source, &input, weight)?;
                }
                self.add(ctx, cells * labels * weight, || {
                    format!("Resample (node '{key}'): {labels} labels over {}", size())
                })?;
                labels
            }
            Block::Dilate(store, values) => {
                let g = est.grown(1.0);
                let f = self.visit(ctx, *store, &g, weight)?;
                let k = 7.0 * values.len().max(1) as f64;
                self.add(ctx, g.cells() * f.max(1.0) * k * weight, || {
                    format!(
                        "Dilate (node '{key}'): {} values over {}",
                        values.len(),
                        size()
                    )
                })?;
                f
            }
            Block::MovingMax(store, d) => {
                let g = est.grown(f64::from(d / 2));
                let f = self.visit(ctx, *store, &g, weight)?;
                let window = (f64::from(*d) * f64::from(*d) * std::f64::consts::FRAC_PI_4).max(1.0);
                self.add(ctx, g.cells() * f.max(1.0) * window * weight, || {
                    format!("MovingMax (node '{key}'): window {d}×{d} over {}", size())
                })?;
                f
            }
            Block::Smooth { store, size: m, .. } => {
                let (g, taps) = smooth(est, *m);
                let f = self.visit(ctx, *store, &g, weight)?;
                self.add(ctx, g.cells() * f.max(1.0) * taps * weight, || {
                    format!("Smooth (node '{key}'): size {m} over {}", size())
                })?;
                f
            }
            Block::HillShade { store, .. } => {
                let g = est.grown(1.0);
                let f = self.visit(ctx, *store, &g, weight)?;
                self.add(ctx, g.cells() * f.max(1.0) * 30.0 * weight, || {
                    format!("HillShade (node '{key}') over {}", size())
                })?;
                f
            }
            Block::Place { store, coords, .. } => {
                let k = coords.len().max(1) as f64;
                let f = self.visit(ctx, *store, est, weight * k)?;
                self.add(ctx, cells * f.max(1.0) * k * weight, || {
                    format!(
                        "Place (node '{key}'): {} coordinates over {}",
                        coords.len(),
                        size()
                    )
                })?;
                f
            }
        };
        self.values(ctx, key, frames, est)?;
        Ok(frames)
    }

    /// `max_values` for one block's answer of `frames` frames.
    fn values(&self, ctx: &Ctx, key: &str, frames: f64, est: &Est) -> Result<(), GraphError> {
        let max = ctx.graph.limits.max_values as f64;
        if self.check_values && frames * est.cells() > max {
            return Err(GraphError::Limit(format!(
                "node '{key}' needs {frames} frames of {}x{} cells, more than {max} values; \
                 ask for a shorter time range or a smaller map",
                est.w, est.h
            )));
        }
        Ok(())
    }

    /// Frames a source (or nested layer) answers for `est`, with the read's
    /// cost.
    fn source(
        &mut self,
        ctx: &Ctx,
        id: uuid::Uuid,
        est: &Est,
        weight: f64,
    ) -> Result<f64, GraphError> {
        match ctx.leaves.resolve(id) {
            None => Err(GraphError::UnknownLeaf(id)),
            Some(Leaf::Source(sm)) => {
                let frames = time::select(&sm.times, sm.interval, est.start, est.stop)
                    .map_or(0, |f| f.len()) as f64;
                self.add(ctx, est.cells() * frames * weight, || {
                    format!("reading raster {id}")
                })?;
                Ok(frames)
            }
            Some(Leaf::Layer(g)) => {
                if ctx.nesting + 1 > ctx.graph.limits.max_nesting {
                    // `eval` refuses it with its own message.
                    return Ok(0.0);
                }
                self.visit(&ctx.nested(&g)?, g.endpoint(), est, weight)
            }
        }
    }

    /// Labels a temporal block answers (`None` freq: one) and the first
    /// and last, held to `max_steps`.
    fn labels(
        &self,
        ctx: &Ctx,
        node: usize,
        est: &Est,
        f: Option<Freq>,
    ) -> Result<(f64, Option<(i64, i64)>), GraphError> {
        let Some((a, b)) = freq::snap_labels(ctx.metas[node].period, est.start, est.stop, f) else {
            return Ok((0.0, None));
        };
        let n = match (f, b) {
            (None, _) | (_, None) => 1.0,
            (Some(f), Some(b)) => steps(f, a, b),
        };
        let max = ctx.graph.limits.max_steps;
        if n > max as f64 {
            return Err(GraphError::Limit(format!(
                "node '{}': the time range holds more than {max} steps of the frequency; \
                 ask for a shorter one",
                ctx.graph.nodes[node].key
            )));
        }
        Ok((n, Some((a, b.unwrap_or(a)))))
    }
}

/// Labels of `f` from `a` to `b` (inclusive), estimated from one step.
fn steps(f: Freq, a: i64, b: i64) -> f64 {
    if b < a {
        return 0.0;
    }
    let span = (i128::from(b) - i128::from(a)) as f64;
    let unit = match f.fixed_ms() {
        Some(ms) => ms as f64,
        None => (i128::from(f.step(a, 1)) - i128::from(a)) as f64,
    };
    if unit <= 0.0 {
        return 1.0;
    }
    (span / unit).floor() + 1.0
}

/// Smooth's input request and Gaussian taps per cell (both passes), as
/// `spatial::smooth` sizes them.
fn smooth(est: &Est, size_m: f64) -> (Est, f64) {
    if est.time || est.point || est.res.0 <= 0.0 || est.res.1 <= 0.0 {
        return (*est, 1.0);
    }
    let r = (size_m / est.res.0.abs()).max(size_m / est.res.1.abs());
    if !r.is_finite() {
        return (*est, f64::INFINITY);
    }
    let margin = r.round();
    let (g, sigma_px) = if r > 6.0 {
        // Zoomed: fetched at the request's size, the radius shrinks with it.
        let z = (est.h + 2.0 * margin) / est.h.max(1.0);
        (*est, r / z)
    } else {
        (est.grown(margin), r)
    };
    let taps = 2.0 * (2.0 * (4.0 * sigma_px / 3.0 + 0.5).floor() + 1.0);
    (g, taps.max(1.0))
}

#[cfg(test)]
#[path = "cost_tests.rs"]
mod tests;
