//! Running a fused program: the frame is cut into chunks of `CHUNK` cells;
//! for each chunk every instruction runs as one tight loop over registers of
//! `CHUNK` f64 that stay in the L1/L2 cache, so no intermediate result of the
//! chain is ever materialised at frame size.
//!
//! The chunk loop is compiled for AVX-512, AVX2 and SSE4.1 and chosen at run
//! time (`multiversion`); `reference` evaluates the same program one cell at
//! a time with the per-cell rules of `ops` and is what the tests hold the
//! vectorised path to, bit for bit.

use super::ops::{self, HasData, Op, Reg, Round};
use crate::graph::GraphError;
use crate::graph::blocks::MathOp;
use crate::graph::cancel::Cancel;
use crate::model::{Pixel, RasterBuf};

/// Cells per chunk: 8 live registers of 512 f64 fill 32 KiB.
pub const CHUNK: usize = 512;

/// Binds `$ok` to the data test of `$has` specialised per rule (the rule's
/// variant is a constant inside each arm), so loops over it do not dispatch.
macro_rules! per_has {
    ($has:expr, $ok:ident => $body:expr) => {
        match $has {
            HasData::Always => {
                let $ok = |v: f64| HasData::Always.lane(v);
                $body
            }
            HasData::NotEqual(nd) => {
                let $ok = |v: f64| HasData::NotEqual(nd).lane(v);
                $body
            }
            HasData::Close32 { nd, tol } => {
                let $ok = |v: f64| HasData::Close32 { nd, tol }.lane(v);
                $body
            }
            HasData::Close64 { nd, tol } => {
                let $ok = |v: f64| HasData::Close64 { nd, tol }.lane(v);
                $body
            }
        }
    };
}

/// A compiled program: `steps` write registers in order; `out` holds the
/// answer. Constant registers are filled once before the first chunk.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Program {
    pub regs: usize,
    pub consts: Vec<(Reg, f64)>,
    pub steps: Vec<(Reg, Op)>,
    pub out: Reg,
}

/// The frames of one region input.
#[derive(Clone, Copy, Debug)]
pub enum Frames<'a> {
    /// Answers of blocks (f64 cells).
    F64(&'a [Vec<f64>]),
    /// Frames as read from a source, in their stored type.
    Typed(&'a [RasterBuf]),
}

/// Runs `prog` over cells `start .. start + out.len()` of the inputs.
#[cfg(test)]
pub fn run(prog: &Program, inputs: &[Frames], start: usize, out: &mut [f64]) {
    let _ = run_until(prog, inputs, start, out, &Cancel::never());
}

/// [`run`], polling `cancel` once per chunk of `CHUNK` cells.
pub fn run_until(
    prog: &Program,
    inputs: &[Frames],
    start: usize,
    out: &mut [f64],
    cancel: &Cancel,
) -> Result<(), GraphError> {
    let mut regs = registers(prog);
    for (i, dst) in out.chunks_mut(CHUNK).enumerate() {
        cancel.check()?;
        let at = start + i * CHUNK;
        chunk(prog, inputs, &mut regs, at, dst.len());
        dst.copy_from_slice(&regs[usize::from(prog.out)][..dst.len()]);
    }
    Ok(())
}

/// Runs `prog` over all `len` cells into a new frame (appended chunk by
/// chunk: no zeroing pass).
#[cfg(test)]
pub fn collect(prog: &Program, inputs: &[Frames], len: usize) -> Vec<f64> {
    collect_until(prog, inputs, len, &Cancel::never()).unwrap_or_default()
}

/// [`collect`], polling `cancel` once per chunk of `CHUNK` cells.
pub fn collect_until(
    prog: &Program,
    inputs: &[Frames],
    len: usize,
    cancel: &Cancel,
) -> Result<Vec<f64>, GraphError> {
    let mut regs = registers(prog);
    let mut out = Vec::with_capacity(len);
    for at in (0..len).step_by(CHUNK) {
        cancel.check()?;
        let n = CHUNK.min(len - at);
        chunk(prog, inputs, &mut regs, at, n);
        out.extend_from_slice(&regs[usize::from(prog.out)][..n]);
    }
    Ok(out)
}

fn registers(prog: &Program) -> Vec<Vec<f64>> {
    let mut regs = vec![vec![0.0; CHUNK]; prog.regs];
    for (r, v) in &prog.consts {
        regs[usize::from(*r)].fill(*v);
    }
    regs
}

/// One chunk of `n` cells starting at cell `at`.
#[multiversion::multiversion(targets(
    "x86_64+avx512f+avx512vl+avx512dq+avx2+fma",
    "x86_64+avx2+fma",
    "x86_64+sse4.1"
))]
fn chunk(prog: &Program, inputs: &[Frames], regs: &mut [Vec<f64>], at: usize, n: usize) {
    for (dst, op) in &prog.steps {
        let dst = usize::from(*dst);
        // Instructions never read their own destination (it is a fresh
        // register per block and frame), so it can be taken out while the
        // sources are read.
        let mut d = std::mem::take(&mut regs[dst]);
        step(op, &mut d[..n], regs, inputs, at);
        regs[dst] = d;
    }
}

#[inline(always)]
fn reg(regs: &[Vec<f64>], r: Reg, n: usize) -> &[f64] {
    &regs[usize::from(r)][..n]
}

#[inline(always)]
fn step(op: &Op, d: &mut [f64], regs: &[Vec<f64>], inputs: &[Frames], at: usize) {
    let n = d.len();
    match op {
        Op::Load { input, band } => load(d, inputs[*input], *band, at),
        Op::Binary {
            op,
            round,
            float,
            fill,
            a,
            na,
            b,
            nb,
        } => {
            let (x, y) = (reg(regs, *a, n), reg(regs, *b, n));
            binary(*op, *round, *float, *fill, x, *na, y, *nb, d)
        }
        Op::Invert(s) => {
            for (o, v) in d.iter_mut().zip(reg(regs, *s, n)) {
                *o = ops::b2f(*v == 0.0);
            }
        }
        Op::IsData { src, nodata, want } => {
            for (o, v) in d.iter_mut().zip(reg(regs, *src, n)) {
                *o = ops::b2f((*v == *nodata) != *want);
            }
        }
        Op::Transcend {
            op,
            src,
            nodata,
            dt,
            fill,
        } => {
            for (o, v) in d.iter_mut().zip(reg(regs, *src, n)) {
                *o = ops::transcend_lane(*op, *dt, *nodata, *fill, *v);
            }
        }
        Op::Fill(v) => d.fill(*v),
        Op::Paste { src, has, cast } => paste(*has, *cast, reg(regs, *src, n), d),
        Op::Mask {
            src,
            has,
            value,
            fill,
        } => per_has!(*has, ok => {
            for (o, v) in d.iter_mut().zip(reg(regs, *src, n)) {
                *o = if ok(*v) { *value } else { *fill };
            }
        }),
        Op::MaskBelow { src, below, nodata } => {
            for (o, v) in d.iter_mut().zip(reg(regs, *src, n)) {
                *o = if *v < *below { *nodata } else { *v };
            }
        }
        Op::Step {
            src,
            nodata,
            at_value,
            left,
            at,
            right,
        } => {
            for (o, v) in d.iter_mut().zip(reg(regs, *src, n)) {
                *o = ops::step_lane(*nodata, *at_value, *left, *at, *right, *v);
            }
        }
        Op::Classify {
            src,
            bins,
            right,
            nodata,
            fill,
        } => classify(bins, *right, *nodata, *fill, reg(regs, *src, n), d),
        Op::Reclassify {
            src,
            from,
            to,
            dt,
            select,
            nodata,
            fill,
        } => {
            for (o, v) in d.iter_mut().zip(reg(regs, *src, n)) {
                *o = ops::reclassify_lane(from, to, *dt, *select, *nodata, *fill, *v);
            }
        }
    }
}

#[inline(always)]
fn load(d: &mut [f64], frames: Frames, band: usize, at: usize) {
    let n = d.len();
    match frames {
        Frames::F64(bands) => d.copy_from_slice(&bands[band][at..at + n]),
        Frames::Typed(bufs) => crate::with_raster_data!(&bufs[band].data, v => {
            for (o, x) in d.iter_mut().zip(&v[at..at + n]) {
                *o = Pixel::to_f64(*x);
            }
        }),
    }
}

#[inline(always)]
fn paste(has: HasData, cast: Option<crate::graph::Dt>, s: &[f64], d: &mut [f64]) {
    match cast {
        None => per_has!(has, ok => {
            for (o, v) in d.iter_mut().zip(s) {
                *o = if ok(*v) { *v } else { *o };
            }
        }),
        Some(_) => {
            for (o, v) in d.iter_mut().zip(s) {
                *o = ops::paste_lane(has, cast, *v, *o);
            }
        }
    }
}

/// digitize, one pass per edge so every pass is a plain vector loop.
#[inline(always)]
fn classify(bins: &[f64], right: bool, nodata: f64, fill: f64, s: &[f64], d: &mut [f64]) {
    d.fill(0.0);
    for b in bins {
        if right {
            for (o, v) in d.iter_mut().zip(s) {
                *o += ops::b2f(*b < *v);
            }
        } else {
            for (o, v) in d.iter_mut().zip(s) {
                *o += ops::b2f(*b <= *v);
            }
        }
    }
    for (o, v) in d.iter_mut().zip(s) {
        *o = if *v == nodata { fill } else { *o };
    }
}

/// The elementwise loop, specialised per operation and rounding.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn binary(
    op: MathOp,
    round: Round,
    float: bool,
    fill: f64,
    x: &[f64],
    nx: f64,
    y: &[f64],
    ny: f64,
    d: &mut [f64],
) {
    macro_rules! body {
        ($op:expr, $r:expr) => {
            for ((o, a), b) in d.iter_mut().zip(x).zip(y) {
                *o = ops::binary_lane($op, $r, float, fill, *a, nx, *b, ny);
            }
        };
    }
    macro_rules! per_round {
        ($op:expr) => {
            match round {
                Round::None => body!($op, Round::None),
                Round::F32 => body!($op, Round::F32),
                Round::I32 => body!($op, Round::I32),
                r @ Round::Cast(_) => body!($op, r),
            }
        };
    }
    use MathOp::*;
    match op {
        Add => per_round!(Add),
        Subtract => per_round!(Subtract),
        Multiply => per_round!(Multiply),
        Divide => per_round!(Divide),
        Power => per_round!(Power),
        Equal => per_round!(Equal),
        NotEqual => per_round!(NotEqual),
        Greater => per_round!(Greater),
        GreaterEqual => per_round!(GreaterEqual),
        Less => per_round!(Less),
        LessEqual => per_round!(LessEqual),
        And => per_round!(And),
        Or => per_round!(Or),
        Xor => per_round!(Xor),
    }
}

/// The same program evaluated one cell at a time with the per-cell rules:
/// the scalar reference of `run`.
#[cfg(test)]
pub fn reference(prog: &Program, inputs: &[Frames], len: usize) -> Vec<f64> {
    let mut regs = vec![0.0; prog.regs];
    for (r, v) in &prog.consts {
        regs[usize::from(*r)] = *v;
    }
    (0..len)
        .map(|i| {
            for (dst, op) in &prog.steps {
                let g = |r: &Reg| regs[usize::from(*r)];
                let old = regs[usize::from(*dst)];
                regs[usize::from(*dst)] = match op {
                    Op::Load { input, band } => {
                        let mut one = [0.0];
                        load(&mut one, inputs[*input], *band, i);
                        one[0]
                    }
                    Op::Binary {
                        op,
                        round,
                        float,
                        fill,
                        a,
                        na,
                        b,
                        nb,
                    } => ops::binary_lane(*op, *round, *float, *fill, g(a), *na, g(b), *nb),
                    Op::Invert(s) => ops::b2f(g(s) == 0.0),
                    Op::IsData { src, nodata, want } => ops::b2f((g(src) == *nodata) != *want),
                    Op::Transcend {
                        op,
                        src,
                        nodata,
                        dt,
                        fill,
                    } => ops::transcend_lane(*op, *dt, *nodata, *fill, g(src)),
                    Op::Fill(v) => *v,
                    Op::Paste { src, has, cast } => ops::paste_lane(*has, *cast, g(src), old),
                    Op::Mask {
                        src,
                        has,
                        value,
                        fill,
                    } => {
                        if has.lane(g(src)) {
                            *value
                        } else {
                            *fill
                        }
                    }
                    Op::MaskBelow { src, below, nodata } => {
                        let v = g(src);
                        if v < *below { *nodata } else { v }
                    }
                    Op::Step {
                        src,
                        nodata,
                        at_value,
                        left,
                        at,
                        right,
                    } => ops::step_lane(*nodata, *at_value, *left, *at, *right, g(src)),
                    Op::Classify {
                        src,
                        bins,
                        right,
                        nodata,
                        fill,
                    } => ops::classify_lane(bins, *right, *nodata, *fill, g(src)),
                    Op::Reclassify {
                        src,
                        from,
                        to,
                        dt,
                        select,
                        nodata,
                        fill,
                    } => ops::reclassify_lane(from, to, *dt, *select, *nodata, *fill, g(src)),
                };
            }
            regs[usize::from(prog.out)]
        })
        .collect()
}
