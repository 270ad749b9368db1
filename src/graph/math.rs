//! Elementwise math, comparison and logic blocks (dask-geomodeling's
//! `wrap_math_process_func`): nodata where any raster input equals its nodata
//! (exact test), non-finite results become nodata, comparisons give bool with
//! nodata → False (NotEqual → True).
//!
//! Kernels run per frame over contiguous slices; the operation and the dtype
//! rounding are chosen outside the loop (monomorphised closures), so the inner
//! loop has no dispatch and vectorises.

use super::blocks::{MathOp, Operand, UnaryOp};
use super::dtype::{self, Dt};
use super::error::GraphError;
use super::meta::Meta;
use super::raster::{Data, Raster};

/// One operand after evaluation: a raster or a scalar.
enum In {
    R(Raster),
    S(f64),
}

/// Evaluates `op` over the operands `a`, `b`; `data` holds the answers of the
/// raster operands in order.
pub(crate) fn binary(
    op: MathOp,
    m: &Meta,
    ops: [&Operand; 2],
    data: Vec<Option<Data>>,
) -> Result<Option<Data>, GraphError> {
    let mut answers = data.into_iter();
    let mut ins: Vec<In> = Vec::with_capacity(2);
    for o in ops {
        match o {
            Operand::Scalar(s) => ins.push(In::S(s.value())),
            Operand::Node(_) => match answers.next().flatten() {
                None => return Ok(None),
                Some(Data::Time(t)) => return Ok(Some(Data::Time(t))),
                Some(Data::Vals(r)) => ins.push(In::R(r)),
            },
        }
    }
    let (a, b) = (ins.remove(0), ins.remove(0));
    let shape = match (&a, &b) {
        (In::R(r), _) | (_, In::R(r)) => (r.width, r.height, r.bands.len()),
        _ => return Ok(None),
    };
    // Comparisons run in the inputs' common dtype (scalars rounded to it).
    let cmp_dt = if op.is_comparison() {
        let d = |x: &In, o: &Operand| match (x, o) {
            (In::R(r), _) => dtype::Operand::Raster(r.dtype),
            (_, Operand::Scalar(s)) => dtype::Operand::Scalar(*s),
            _ => dtype::Operand::Raster(Dt::F64),
        };
        dtype::result_type(&[d(&a, ops[0]), d(&b, ops[1])])
    } else {
        m.dtype
    };
    let round_scalar = |x: In| match x {
        In::S(v) => In::S(dtype::cast(cmp_dt, v)),
        r => r,
    };
    let (a, b) = (round_scalar(a), round_scalar(b));
    let nb = shape.2.max(match (&a, &b) {
        (In::R(x), In::R(y)) => x.bands.len().max(y.bands.len()),
        _ => 0,
    });
    for x in [&a, &b] {
        if let In::R(r) = x {
            if r.bands.len() != nb && r.bands.len() != 1 {
                return Err(GraphError::Request(
                    "inputs answered different numbers of frames".into(),
                ));
            }
        }
    }
    let out_dt = m.dtype;
    let (fill, nodata) = if out_dt == Dt::Bool {
        (f64::from(u8::from(op == MathOp::NotEqual)), None)
    } else {
        let f = m.fillvalue.unwrap_or(0.0);
        (f, Some(f))
    };
    let len = shape.0 as usize * shape.1 as usize;
    let mut bands = Vec::with_capacity(nb);
    // The first operand's frames are overwritten in place when it owns one
    // frame per output frame (saves an allocation per block).
    let mut a = a;
    let mut owned: Option<(Vec<Vec<f64>>, f64)> = match &mut a {
        In::R(r) if r.bands.len() == nb => {
            let nd = if r.dtype == Dt::Bool {
                f64::NAN
            } else {
                r.nodata.unwrap_or(f64::NAN)
            };
            Some((std::mem::take(&mut r.bands), nd))
        }
        _ => None,
    };
    for t in 0..nb {
        fn slice(x: &In, t: usize) -> Side<'_> {
            match x {
                In::R(r) => Side::R(
                    &r.bands[if r.bands.len() == 1 { 0 } else { t }],
                    // NaN never compares equal: "no nodata".
                    if r.dtype == Dt::Bool {
                        f64::NAN
                    } else {
                        r.nodata.unwrap_or(f64::NAN)
                    },
                ),
                In::S(v) => Side::S(*v),
            }
        }
        let (mut out, sa) = match owned.as_mut() {
            Some((frames, nd)) => (std::mem::take(&mut frames[t]), Side::Out(*nd)),
            None => (vec![0.0; len], slice(&a, t)),
        };
        run(op, out_dt, fill, &sa, &slice(&b, t), &mut out);
        bands.push(out);
    }
    Ok(Some(Data::Vals(Raster {
        dtype: out_dt,
        nodata,
        width: shape.0,
        height: shape.1,
        bands,
    })))
}

/// A kernel operand: a frame with its nodata (NaN = none) or a scalar.
enum Side<'a> {
    R(&'a [f64], f64),
    S(f64),
    /// The output buffer itself holds this operand (nodata given).
    Out(f64),
}

/// One fused pass: `out = round(f(a, b))`, the fill where an input is nodata
/// (exact) or, for float outputs, where the result is not finite.
#[inline(always)]
fn apply<F, R>(a: &Side, b: &Side, out: &mut [f64], fill: f64, float: bool, f: F, round: R)
where
    F: Fn(f64, f64) -> f64,
    R: Fn(f64) -> f64,
{
    let lane = |x: f64, y: f64, nx: f64, ny: f64| {
        let v = round(f(x, y));
        let bad = x == nx || y == ny || (float && !v.is_finite());
        if bad { fill } else { v }
    };
    match (a, b) {
        (Side::R(x, nx), Side::R(y, ny)) => {
            for ((o, x), y) in out.iter_mut().zip(x.iter()).zip(y.iter()) {
                *o = lane(*x, *y, *nx, *ny);
            }
        }
        (Side::R(x, nx), Side::S(s)) => {
            for (o, x) in out.iter_mut().zip(x.iter()) {
                *o = lane(*x, *s, *nx, f64::NAN);
            }
        }
        (Side::S(s), Side::R(y, ny)) => {
            for (o, y) in out.iter_mut().zip(y.iter()) {
                *o = lane(*s, *y, f64::NAN, *ny);
            }
        }
        (Side::S(s), Side::S(t)) => out.fill(lane(*s, *t, f64::NAN, f64::NAN)),
        (Side::Out(nx), Side::R(y, ny)) => {
            for (o, y) in out.iter_mut().zip(y.iter()) {
                *o = lane(*o, *y, *nx, *ny);
            }
        }
        (Side::Out(nx), Side::S(s)) => {
            for o in out.iter_mut() {
                *o = lane(*o, *s, *nx, f64::NAN);
            }
        }
        // `Out` is only ever the first operand.
        (_, Side::Out(_)) => {}
    }
}

fn b2f(b: bool) -> f64 {
    f64::from(u8::from(b))
}

/// Dispatches once per frame on the dtype's rounding, then on the operation.
fn run(op: MathOp, dt: Dt, fill: f64, a: &Side, b: &Side, out: &mut [f64]) {
    match dt {
        Dt::F64 | Dt::Bool => run_op(op, fill, a, b, out, dt.is_float(), |v| v),
        Dt::F32 | Dt::F16 => run_op(op, fill, a, b, out, true, |v| f64::from(v as f32)),
        Dt::I32 => run_op(op, fill, a, b, out, false, |v| f64::from(v as i64 as i32)),
        d => run_op(op, fill, a, b, out, false, move |v| dtype::cast(d, v)),
    }
}

fn run_op<R: Fn(f64) -> f64 + Copy>(
    op: MathOp,
    fill: f64,
    a: &Side,
    b: &Side,
    out: &mut [f64],
    float: bool,
    r: R,
) {
    use MathOp::*;
    let id = |v: f64| v;
    match op {
        Add => apply(a, b, out, fill, float, |x, y| x + y, r),
        Subtract => apply(a, b, out, fill, float, |x, y| x - y, r),
        Multiply => apply(a, b, out, fill, float, |x, y| x * y, r),
        Divide => apply(a, b, out, fill, float, |x, y| x / y, r),
        Power => apply(a, b, out, fill, float, f64::powf, r),
        Equal => apply(a, b, out, fill, false, |x, y| b2f(x == y), id),
        NotEqual => apply(a, b, out, fill, false, |x, y| b2f(x != y), id),
        Greater => apply(a, b, out, fill, false, |x, y| b2f(x > y), id),
        GreaterEqual => apply(a, b, out, fill, false, |x, y| b2f(x >= y), id),
        Less => apply(a, b, out, fill, false, |x, y| b2f(x < y), id),
        LessEqual => apply(a, b, out, fill, false, |x, y| b2f(x <= y), id),
        And => apply(a, b, out, fill, false, |x, y| b2f(x != 0.0 && y != 0.0), id),
        Or => apply(a, b, out, fill, false, |x, y| b2f(x != 0.0 || y != 0.0), id),
        Xor => apply(
            a,
            b,
            out,
            fill,
            false,
            |x, y| b2f((x != 0.0) != (y != 0.0)),
            id,
        ),
    }
}

/// Exp, Log, Log10, Invert, IsData, IsNoData.
pub(crate) fn unary(op: UnaryOp, m: &Meta, d: Data) -> Result<Option<Data>, GraphError> {
    let Data::Vals(mut r) = d else {
        return Ok(Some(d));
    };
    let nodata = r.nodata;
    match op {
        UnaryOp::Invert => {
            r.bands
                .iter_mut()
                .flatten()
                .for_each(|v| *v = b2f(*v == 0.0));
            r.nodata = None;
        }
        UnaryOp::IsData | UnaryOp::IsNoData => {
            let want_data = op == UnaryOp::IsData;
            r.bands.iter_mut().flatten().for_each(|v| {
                let is_nd = Some(*v) == nodata;
                *v = b2f(is_nd != want_data);
            });
            r.dtype = Dt::Bool;
            r.nodata = None;
        }
        UnaryOp::Exp | UnaryOp::Log | UnaryOp::Log10 => {
            let fill = m.fillvalue.unwrap_or(0.0);
            let f: fn(f64) -> f64 = match op {
                UnaryOp::Exp => f64::exp,
                UnaryOp::Log => f64::ln,
                _ => f64::log10,
            };
            for band in r.bands.iter_mut() {
                for v in band.iter_mut() {
                    let is_nd = Some(*v) == nodata;
                    let y = dtype::cast(m.dtype, f(*v));
                    *v = if is_nd || !y.is_finite() { fill } else { y };
                }
            }
            r.dtype = m.dtype;
            r.nodata = Some(fill);
        }
    }
    Ok(Some(Data::Vals(r)))
}
