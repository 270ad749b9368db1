//! The elementwise blocks this module runs (Math, Unary, FillNoData, Mask,
//! MaskBelow, Step, Classify, Reclassify) built from their arguments, with
//! the checks dask-geomodeling's constructors make on argument count and JSON
//! types (ints vs floats matter). Checks needing input dtypes live in `meta`.

use crate::graph::args::describe;
use crate::graph::blocks::{Arg, Block, MathOp, Operand, UnaryOp};
use crate::graph::cursor::Args;
use crate::graph::dtype::Scalar;
use crate::graph::error::GraphError;

/// Add … Xor: two operands, at least one a raster.
pub(crate) fn math(a: &mut Args, op: MathOp) -> Result<Block, GraphError> {
    a.takes(2, 2)?;
    let x = a.next_operand(op.is_logic())?;
    let mut y = a.next_operand(op.is_logic())?;
    if !matches!(x, Operand::Node(_)) && !matches!(y, Operand::Node(_)) {
        return Err(a.err(format!("{} needs at least one raster input", a.class())));
    }
    // Power: a negative integer exponent is made a float (dask-geomodeling).
    if let (MathOp::Power, Operand::Scalar(Scalar::Int(v))) = (op, y) {
        if v < 0 {
            y = Operand::Scalar(Scalar::Float(v as f64));
        }
    }
    Ok(Block::Math(op, x, y))
}

/// Exp … IsNoData: one raster.
pub(crate) fn unary(a: &mut Args, op: UnaryOp) -> Result<Block, GraphError> {
    a.takes(1, 1)?;
    Ok(Block::Unary(op, a.next_raster()?))
}

pub(crate) fn fill_no_data(a: &mut Args) -> Result<Block, GraphError> {
    Ok(Block::FillNoData(a.rest_rasters(1)?))
}

pub(crate) fn mask(a: &mut Args) -> Result<Block, GraphError> {
    a.takes(2, 2)?;
    Ok(Block::Mask(a.next_raster()?, a.next_number()?))
}

pub(crate) fn mask_below(a: &mut Args) -> Result<Block, GraphError> {
    a.takes(2, 2)?;
    Ok(Block::MaskBelow(a.next_raster()?, a.next_number()?))
}

/// Step(store, left=0, right=1, value=0, at=None).
pub(crate) fn step(a: &mut Args) -> Result<Block, GraphError> {
    a.takes(1, 5)?;
    let store = a.slot();
    let left = a.maybe_number()?.unwrap_or(Scalar::Int(0));
    let right = a.maybe_number()?.unwrap_or(Scalar::Int(1));
    let value = a.maybe_number()?.unwrap_or(Scalar::Int(0));
    // at = (left + right) / 2: Python true division gives a float.
    let at = a
        .maybe_number_or_null()?
        .unwrap_or(Scalar::Float((left.value() + right.value()) / 2.0));
    Ok(Block::Step {
        store: a.raster(store)?,
        left,
        right,
        value,
        at,
    })
}

/// Classify(store, bins, right=False).
pub(crate) fn classify(a: &mut Args) -> Result<Block, GraphError> {
    a.takes(2, 3)?;
    let store = a.slot();
    let bins = match a.next_arg() {
        Some(Arg::List(items)) => items
            .iter()
            .map(|x| match x {
                Arg::Int(v) => Ok(*v as f64),
                Arg::Float(v) => Ok(*v),
                _ => Err(a.err("'bins' should be numeric")),
            })
            .collect::<Result<Vec<f64>, _>>()?,
        _ => return Err(a.err("'bins' must be a list of numbers")),
    };
    // dask-geomodeling's check: increasing; a decreasing list passes
    // `not all(diff > 0) or all(diff < 0)` only when increasing.
    if bins.windows(2).any(|w| w[1] <= w[0]) {
        return Err(a.err("'bins' should be monotonic"));
    }
    let right = match a.next_arg() {
        None => false,
        Some(Arg::Bool(b)) => *b,
        Some(Arg::Int(v)) => *v != 0,
        Some(other) => {
            return Err(a.err(format!(
                "'right' must be a boolean, got {}",
                describe(Some(other))
            )));
        }
    };
    Ok(Block::Classify {
        store: a.raster(store)?,
        bins,
        right,
    })
}

/// Reclassify(store, data, select=False): `data` a list of [from, to] pairs.
pub(crate) fn reclassify(a: &mut Args) -> Result<Block, GraphError> {
    const PAIRS: &str = "Please supply a list of [from, to] values";
    a.takes(2, 3)?;
    let store = a.slot();
    let pairs = match a.next_arg() {
        Some(Arg::List(items)) if !items.is_empty() => items,
        _ => return Err(a.err(PAIRS)),
    };
    let (mut from, mut to, mut to_float) = (vec![], vec![], false);
    for p in pairs {
        let Arg::List(pair) = p else {
            return Err(a.err(PAIRS));
        };
        let [f, t] = pair.as_slice() else {
            return Err(a.err(PAIRS));
        };
        from.push(match f {
            Arg::Int(v) => *v,
            Arg::Bool(b) => i64::from(*b),
            _ => return Err(a.err("Cannot reclassify from a non-integer value")),
        });
        to.push(match t {
            Arg::Int(v) => *v as f64,
            Arg::Float(v) => {
                to_float = true;
                *v
            }
            _ => return Err(a.err("Cannot reclassify to a non-numeric value")),
        });
    }
    let mut sorted = from.clone();
    sorted.sort_unstable();
    sorted.dedup();
    if sorted.len() != from.len() {
        return Err(a.err("There are duplicates in the reclassify values"));
    }
    let select = match a.next_arg() {
        None => false,
        Some(Arg::Bool(b)) => *b,
        Some(other) => {
            return Err(a.err(format!(
                "'{}' object is not allowed as 'select'",
                describe(Some(other))
            )));
        }
    };
    Ok(Block::Reclassify {
        store: a.raster(store)?,
        from,
        to,
        to_float,
        select,
    })
}
