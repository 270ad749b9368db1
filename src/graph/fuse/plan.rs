//! Compiling a region of elementwise blocks into one program per output frame.
//!
//! A region is a set of (block, request) pairs joined by elementwise edges;
//! its inputs are the answers of the other blocks it reads. `shape` follows
//! each block's rules for what its answer is (dtype, nodata, frames, size, or
//! nothing), exactly as the blocks do when run one by one; `emit` then turns
//! one output frame into instructions, sharing every (block, request, frame)
//! once.

use super::exec::Program;
use super::ops::{HasData, Op, Reg, Round};
use crate::graph::blocks::{Block, MathOp, Operand, UnaryOp};
use crate::graph::dtype::{self, Dt};
use crate::graph::error::GraphError;
use crate::graph::meta::Meta;
use crate::graph::misc::scalar_in;
use std::collections::HashMap;

/// What a block answers: its dtype, nodata (`None` for none), frames and size.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Shape {
    pub dtype: Dt,
    pub nodata: Option<f64>,
    pub bands: usize,
    pub width: u32,
    pub height: u32,
}

/// A member of a region: a block node under one of the region's requests.
pub type Key = (usize, usize);

/// Where a member's inputs come from.
pub trait Members {
    fn block(&self, node: usize) -> &Block;
    fn meta(&self, node: usize) -> &Meta;
    /// The member an input `child` of `at` is, under the request `at`'s block
    /// gives it.
    fn child(&self, at: Key, child: usize) -> Key;
    /// The region input index of `key`, if it is an input (not a member).
    fn input(&self, key: Key) -> Option<usize>;
}

/// Answers' shapes, per member, memoised.
pub struct Shapes<'a, M: Members> {
    pub members: &'a M,
    /// Shapes of the region inputs (`None`: no answer).
    pub inputs: &'a [Option<Shape>],
    memo: HashMap<Key, Option<Shape>>,
}

fn mismatch() -> GraphError {
    GraphError::Request("inputs answered different numbers of frames".into())
}

fn nan_or(v: Option<f64>) -> f64 {
    v.unwrap_or(f64::NAN)
}

impl<'a, M: Members> Shapes<'a, M> {
    pub fn new(members: &'a M, inputs: &'a [Option<Shape>]) -> Self {
        Shapes {
            members,
            inputs,
            memo: HashMap::new(),
        }
    }

    pub fn get(&mut self, key: Key) -> Result<Option<Shape>, GraphError> {
        if let Some(i) = self.members.input(key) {
            return Ok(self.inputs[i]);
        }
        if let Some(s) = self.memo.get(&key) {
            return Ok(*s);
        }
        let s = self.compute(key)?;
        self.memo.insert(key, s);
        Ok(s)
    }

    fn of(&mut self, at: Key, child: usize) -> Result<Option<Shape>, GraphError> {
        let k = self.members.child(at, child);
        self.get(k)
    }

    fn compute(&mut self, key: Key) -> Result<Option<Shape>, GraphError> {
        let m = self.members.meta(key.0);
        let fill = m.fillvalue.unwrap_or(0.0);
        let filled = |s: Shape| Shape {
            dtype: m.dtype,
            nodata: Some(fill),
            ..s
        };
        Ok(match self.members.block(key.0).clone() {
            Block::Math(_, a, b) => {
                let mut rasters = vec![];
                for o in [a, b] {
                    if let Operand::Node(n) = o {
                        match self.of(key, n)? {
                            None => return Ok(None),
                            Some(s) => rasters.push(s),
                        }
                    }
                }
                let Some(first) = rasters.first().copied() else {
                    return Ok(None);
                };
                let bands = rasters.iter().map(|s| s.bands).max().unwrap_or(0);
                if rasters.iter().any(|s| s.bands != bands && s.bands != 1) {
                    return Err(mismatch());
                }
                same_size(&rasters)?;
                let nodata = (m.dtype != Dt::Bool).then_some(fill);
                Some(Shape {
                    dtype: m.dtype,
                    nodata,
                    bands,
                    ..first
                })
            }
            Block::Unary(op, s) => self.of(key, s)?.map(|s| match op {
                UnaryOp::Invert => Shape { nodata: None, ..s },
                UnaryOp::IsData | UnaryOp::IsNoData => Shape {
                    dtype: Dt::Bool,
                    nodata: None,
                    ..s
                },
                _ => filled(s),
            }),
            Block::FillNoData(ins) => {
                let mut present = vec![];
                for n in ins {
                    present.extend(self.of(key, n)?);
                }
                same_size(&present)?;
                present.first().map(|s| filled(*s))
            }
            Block::Mask(s, _)
            | Block::Classify { store: s, .. }
            | Block::Reclassify { store: s, .. } => self.of(key, s)?.map(filled),
            Block::MaskBelow(s, _) | Block::Step { store: s, .. } => self.of(key, s)?,
            _ => return Err(GraphError::Request("not an elementwise block".into())),
        })
    }
}

fn same_size(shapes: &[Shape]) -> Result<(), GraphError> {
    match shapes.first() {
        Some(f)
            if shapes
                .iter()
                .any(|s| (s.width, s.height) != (f.width, f.height)) =>
        {
            Err(GraphError::Request(
                "inputs answered different grid sizes".into(),
            ))
        }
        _ => Ok(()),
    }
}

/// Builds the program of output frame `t` of member `root`.
pub fn compile<M: Members>(
    shapes: &mut Shapes<'_, M>,
    root: Key,
    t: usize,
) -> Result<Program, GraphError> {
    let mut e = Emitter {
        prog: Program::default(),
        regs: HashMap::new(),
        consts: HashMap::new(),
    };
    let out = e.emit(shapes, root, t)?;
    e.prog.out = out;
    Ok(e.prog)
}

struct Emitter {
    prog: Program,
    regs: HashMap<(Key, usize), Reg>,
    consts: HashMap<u64, Reg>,
}

impl Emitter {
    fn fresh(&mut self) -> Result<Reg, GraphError> {
        let r = Reg::try_from(self.prog.regs)
            .map_err(|_| GraphError::Request("graph too large to evaluate".into()))?;
        self.prog.regs += 1;
        Ok(r)
    }

    fn constant(&mut self, v: f64) -> Result<Reg, GraphError> {
        if let Some(r) = self.consts.get(&v.to_bits()) {
            return Ok(*r);
        }
        let r = self.fresh()?;
        self.prog.consts.push((r, v));
        self.consts.insert(v.to_bits(), r);
        Ok(r)
    }

    fn push(&mut self, op: Op) -> Result<Reg, GraphError> {
        let r = self.fresh()?;
        self.prog.steps.push((r, op));
        Ok(r)
    }

    /// Frame `t` of `key`, emitted once.
    fn emit<M: Members>(
        &mut self,
        sh: &mut Shapes<'_, M>,
        key: Key,
        t: usize,
    ) -> Result<Reg, GraphError> {
        if let Some(r) = self.regs.get(&(key, t)) {
            return Ok(*r);
        }
        let r = match sh.members.input(key) {
            Some(input) => self.push(Op::Load { input, band: t })?,
            None => self.block(sh, key, t)?,
        };
        self.regs.insert((key, t), r);
        Ok(r)
    }

    /// Frame `t` of input `child` of `at` with its shape (present by the
    /// caller's shape check).
    fn input<M: Members>(
        &mut self,
        sh: &mut Shapes<'_, M>,
        at: Key,
        child: usize,
        t: usize,
    ) -> Result<(Reg, Shape), GraphError> {
        let k = sh.members.child(at, child);
        let s = sh
            .get(k)?
            .ok_or_else(|| GraphError::Request("an input answered nothing".into()))?;
        Ok((self.emit(sh, k, t)?, s))
    }

    fn block<M: Members>(
        &mut self,
        sh: &mut Shapes<'_, M>,
        key: Key,
        t: usize,
    ) -> Result<Reg, GraphError> {
        let members = sh.members;
        let m = members.meta(key.0);
        let fill = m.fillvalue.unwrap_or(0.0);
        match members.block(key.0) {
            Block::Math(op, a, b) => self.math(sh, key, *op, [a, b], t),
            Block::Unary(op, s) => {
                let (src, s) = self.input(sh, key, *s, t)?;
                self.push(match op {
                    UnaryOp::Invert => Op::Invert(src),
                    UnaryOp::IsData | UnaryOp::IsNoData => Op::IsData {
                        src,
                        nodata: nan_or(s.nodata),
                        want: *op == UnaryOp::IsData,
                    },
                    op => Op::Transcend {
                        op: *op,
                        src,
                        nodata: nan_or(s.nodata),
                        dt: m.dtype,
                        fill,
                    },
                })
            }
            Block::FillNoData(ins) => {
                let mut pastes = vec![];
                for n in ins {
                    let k = members.child(key, *n);
                    match sh.get(k)? {
                        Some(s) if t < s.bands => {
                            let src = self.emit(sh, k, t)?;
                            let exact = s.dtype.promote(m.dtype) == m.dtype;
                            pastes.push(Op::Paste {
                                src,
                                has: HasData::of(s.dtype, s.nodata),
                                cast: (!exact).then_some(m.dtype),
                            });
                        }
                        _ => {}
                    }
                }
                let dst = self.push(Op::Fill(fill))?;
                // Pastes overwrite their destination in place.
                for op in pastes {
                    self.prog.steps.push((dst, op));
                }
                Ok(dst)
            }
            Block::Mask(s, v) => {
                let (src, s) = self.input(sh, key, *s, t)?;
                self.push(Op::Mask {
                    src,
                    has: HasData::of(s.dtype, s.nodata),
                    value: dtype::cast(m.dtype, v.value()),
                    fill,
                })
            }
            Block::MaskBelow(s, v) => {
                let (src, s) = self.input(sh, key, *s, t)?;
                self.push(Op::MaskBelow {
                    src,
                    below: scalar_in(s.dtype, *v),
                    nodata: s.nodata.unwrap_or(0.0),
                })
            }
            Block::Step {
                store,
                left,
                right,
                value,
                at,
            } => {
                let (src, s) = self.input(sh, key, *store, t)?;
                let c = |x: dtype::Scalar| dtype::cast(s.dtype, x.value());
                self.push(Op::Step {
                    src,
                    nodata: nan_or(s.nodata),
                    at_value: scalar_in(s.dtype, *value),
                    left: c(*left),
                    at: c(*at),
                    right: c(*right),
                })
            }
            Block::Classify { store, bins, right } => {
                let (src, s) = self.input(sh, key, *store, t)?;
                self.push(Op::Classify {
                    src,
                    bins: bins.clone(),
                    right: *right,
                    nodata: nan_or(s.nodata),
                    fill,
                })
            }
            Block::Reclassify {
                store,
                from,
                to,
                select,
                ..
            } => {
                let (src, s) = self.input(sh, key, *store, t)?;
                self.push(Op::Reclassify {
                    src,
                    from: from.iter().map(|f| *f as f64).collect(),
                    to: to.iter().map(|v| dtype::cast(m.dtype, *v)).collect(),
                    dt: m.dtype,
                    select: *select,
                    // A listed nodata value is caught by `from` first.
                    nodata: nan_or(s.nodata),
                    fill,
                })
            }
            _ => Err(GraphError::Request("not an elementwise block".into())),
        }
    }

    /// Elementwise math: comparisons run in the inputs' common dtype
    /// (scalars rounded to it), arithmetic in the block's dtype; a
    /// one-frame raster is broadcast over the other's frames.
    fn math<M: Members>(
        &mut self,
        sh: &mut Shapes<'_, M>,
        key: Key,
        op: MathOp,
        operands: [&Operand; 2],
        t: usize,
    ) -> Result<Reg, GraphError> {
        let m = sh.members.meta(key.0);
        let mut sides = vec![];
        for o in operands {
            sides.push(match o {
                Operand::Node(n) => {
                    let k = sh.members.child(key, *n);
                    let s = sh
                        .get(k)?
                        .ok_or_else(|| GraphError::Request("an input answered nothing".into()))?;
                    let frame = if s.bands == 1 { 0 } else { t };
                    Side::Raster(self.emit(sh, k, frame)?, s)
                }
                Operand::Scalar(s) => Side::Scalar(*s),
            });
        }
        let cmp_dt = if op.is_comparison() {
            let d = |x: &Side| match x {
                Side::Raster(_, s) => dtype::Operand::Raster(s.dtype),
                Side::Scalar(s) => dtype::Operand::Scalar(*s),
            };
            dtype::result_type(&[d(&sides[0]), d(&sides[1])])
        } else {
            m.dtype
        };
        let mut regs = vec![];
        for s in &sides {
            regs.push(match s {
                // NaN never compares equal: "no nodata" (bool rasters have none).
                Side::Raster(r, s) if s.dtype == Dt::Bool => (*r, f64::NAN),
                Side::Raster(r, s) => (*r, nan_or(s.nodata)),
                Side::Scalar(v) => (self.constant(dtype::cast(cmp_dt, v.value()))?, f64::NAN),
            });
        }
        let out = m.dtype;
        let fill = if out == Dt::Bool {
            super::ops::b2f(op == MathOp::NotEqual)
        } else {
            m.fillvalue.unwrap_or(0.0)
        };
        // Bool, comparison and logic results are 0/1: no rounding, no
        // non-finite test.
        let (round, float) = if out == Dt::Bool || op.is_comparison() || op.is_logic() {
            (Round::None, false)
        } else {
            match out {
                Dt::F64 => (Round::None, true),
                Dt::F32 | Dt::F16 => (Round::F32, true),
                d => (Round::of(d), false),
            }
        };
        self.push(Op::Binary {
            op,
            round,
            float,
            fill,
            a: regs[0].0,
            na: regs[0].1,
            b: regs[1].0,
            nb: regs[1].1,
        })
    }
}

enum Side {
    Raster(Reg, Shape),
    Scalar(dtype::Scalar),
}
