//! The instructions of a fused elementwise program and their per-cell rules.
//!
//! Every instruction writes one register (a chunk of f64 cells) from others;
//! constants live in registers filled once. Each rule is written once, as a
//! per-cell `#[inline(always)]` function (`lane` methods); the chunk kernels in
//! `exec` loop them over registers, and the per-cell reference in `exec`
//! calls them one cell at a time, so the two agree by construction and the
//! tests compare them bit for bit.
//!
//! Cells are f64 rounded to each block's dtype after every block (see
//! `raster.rs`): exactly NumPy's per-dtype arithmetic for + − × ÷.

use super::super::blocks::{MathOp, UnaryOp};
use super::super::dtype::{self, Dt};

/// A register index.
pub type Reg = u16;

/// How a block decides that a cell of its input holds data
/// (dask-geomodeling's `get_index`: exact for integers, `isclose` for floats).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum HasData {
    /// No nodata value (or a bool input): every cell holds data.
    Always,
    /// Exact comparison.
    NotEqual(f64),
    /// `isclose` with the difference taken in float32 (float32 inputs).
    Close32 { nd: f64, tol: f64 },
    /// `isclose` in float64.
    Close64 { nd: f64, tol: f64 },
}

impl HasData {
    /// The rule of `combine::has_data_fn` for an input of `dt` with `nodata`.
    pub fn of(dt: Dt, nodata: Option<f64>) -> HasData {
        match nodata {
            None => HasData::Always,
            Some(_) if dt == Dt::Bool => HasData::Always,
            Some(nd) if !dt.is_float() || !nd.is_finite() => HasData::NotEqual(nd),
            Some(nd) if matches!(dt, Dt::F32 | Dt::F16) => HasData::Close32 {
                nd: f64::from(nd as f32),
                tol: f64::from((1e-8 + 1e-5 * nd.abs()) as f32),
            },
            Some(nd) => HasData::Close64 {
                nd,
                tol: 1e-8 + 1e-5 * nd.abs(),
            },
        }
    }

    #[inline(always)]
    pub fn lane(self, v: f64) -> bool {
        match self {
            HasData::Always => true,
            HasData::NotEqual(nd) => v != nd,
            HasData::Close32 { nd, tol } => f64::from((v - nd) as f32).abs() > tol,
            HasData::Close64 { nd, tol } => (v - nd).abs() > tol,
        }
    }
}

/// The rounding an arithmetic block applies to its result.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Round {
    /// float64 and comparison/logic results.
    None,
    /// float32 (and float16, rounded as float32 by the arithmetic blocks).
    F32,
    I32,
    /// Any other dtype, through `dtype::cast`.
    Cast(Dt),
}

impl Round {
    pub fn of(dt: Dt) -> Round {
        match dt {
            Dt::F64 | Dt::Bool => Round::None,
            Dt::F32 | Dt::F16 => Round::F32,
            Dt::I32 => Round::I32,
            d => Round::Cast(d),
        }
    }
}

/// One instruction. Nodata values are NaN where an input has none (NaN
/// never compares equal).
#[derive(Clone, Debug, PartialEq)]
pub enum Op {
    /// Band `band` of region input `input`, converted to f64.
    Load {
        input: usize,
        band: usize,
    },
    /// Elementwise math, comparison and logic (`math` blocks).
    Binary {
        op: MathOp,
        round: Round,
        /// Non-finite results become the fill (float outputs).
        float: bool,
        fill: f64,
        a: Reg,
        na: f64,
        b: Reg,
        nb: f64,
    },
    Invert(Reg),
    /// IsData (`want` = true) and IsNoData, exact test against `nodata`.
    IsData {
        src: Reg,
        nodata: f64,
        want: bool,
    },
    /// Exp, Log, Log10.
    Transcend {
        op: UnaryOp,
        src: Reg,
        nodata: f64,
        dt: Dt,
        fill: f64,
    },
    /// FillNoData: copies the data cells of `src` over the destination
    /// register's current content (a `Fill` with the block's fill value,
    /// then the pastes of its inputs in order).
    Paste {
        src: Reg,
        has: HasData,
        /// `None` when the input's dtype promotes into the output's.
        cast: Option<Dt>,
    },
    /// Every cell the same value.
    Fill(f64),
    Mask {
        src: Reg,
        has: HasData,
        value: f64,
        fill: f64,
    },
    MaskBelow {
        src: Reg,
        below: f64,
        nodata: f64,
    },
    Step {
        src: Reg,
        nodata: f64,
        at_value: f64,
        left: f64,
        at: f64,
        right: f64,
    },
    Classify {
        src: Reg,
        bins: Vec<f64>,
        right: bool,
        nodata: f64,
        fill: f64,
    },
    Reclassify {
        src: Reg,
        from: Vec<f64>,
        /// Already rounded to `dt`.
        to: Vec<f64>,
        dt: Dt,
        /// Unlisted cells become the fill (select), else keep their value.
        select: bool,
        /// Nodata cells not listed in `from` become the fill.
        nodata: f64,
        fill: f64,
    },
}

#[inline(always)]
pub fn b2f(b: bool) -> f64 {
    f64::from(u8::from(b))
}

#[inline(always)]
pub fn round(r: Round, v: f64) -> f64 {
    match r {
        Round::None => v,
        Round::F32 => f64::from(v as f32),
        Round::I32 => f64::from(v as i64 as i32),
        Round::Cast(d) => dtype::cast(d, v),
    }
}

/// The value of `op` before rounding.
#[inline(always)]
pub fn math(op: MathOp, x: f64, y: f64) -> f64 {
    use MathOp::*;
    match op {
        Add => x + y,
        Subtract => x - y,
        Multiply => x * y,
        Divide => x / y,
        Power => x.powf(y),
        Equal => b2f(x == y),
        NotEqual => b2f(x != y),
        Greater => b2f(x > y),
        GreaterEqual => b2f(x >= y),
        Less => b2f(x < y),
        LessEqual => b2f(x <= y),
        And => b2f(x != 0.0 && y != 0.0),
        Or => b2f(x != 0.0 || y != 0.0),
        Xor => b2f((x != 0.0) != (y != 0.0)),
    }
}

/// One cell of a `Binary` instruction.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub fn binary_lane(
    op: MathOp,
    r: Round,
    float: bool,
    fill: f64,
    x: f64,
    nx: f64,
    y: f64,
    ny: f64,
) -> f64 {
    let v = round(r, math(op, x, y));
    let bad = x == nx || y == ny || (float && !v.is_finite());
    if bad { fill } else { v }
}

#[inline(always)]
pub fn transcend_lane(op: UnaryOp, dt: Dt, nodata: f64, fill: f64, v: f64) -> f64 {
    let y = match op {
        UnaryOp::Exp => v.exp(),
        UnaryOp::Log => v.ln(),
        _ => v.log10(),
    };
    let y = dtype::cast(dt, y);
    if v == nodata || !y.is_finite() {
        fill
    } else {
        y
    }
}

#[inline(always)]
pub fn paste_lane(has: HasData, cast: Option<Dt>, v: f64, o: f64) -> f64 {
    if has.lane(v) {
        match cast {
            None => v,
            Some(d) => dtype::cast(d, v),
        }
    } else {
        o
    }
}

#[inline(always)]
pub fn step_lane(nodata: f64, loc: f64, left: f64, at: f64, right: f64, x: f64) -> f64 {
    if x == nodata {
        x
    } else if x < loc {
        left
    } else if x == loc {
        at
    } else if x > loc {
        right
    } else {
        x
    }
}

/// `numpy.digitize(v, bins, right)`, nodata (exact) → fill (the chunk
/// kernel counts one edge per pass instead).
#[cfg(test)]
#[inline(always)]
pub fn classify_lane(bins: &[f64], right: bool, nodata: f64, fill: f64, v: f64) -> f64 {
    let k: u32 = if right {
        bins.iter().map(|b| u32::from(*b < v)).sum()
    } else {
        bins.iter().map(|b| u32::from(*b <= v)).sum()
    };
    if v == nodata { fill } else { f64::from(k) }
}

#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub fn reclassify_lane(
    from: &[f64],
    to: &[f64],
    dt: Dt,
    select: bool,
    nodata: f64,
    fill: f64,
    v: f64,
) -> f64 {
    if let Some(i) = from.iter().position(|f| *f == v) {
        to[i]
    } else if select || v == nodata {
        fill
    } else {
        dtype::cast(dt, v)
    }
}
