//! Metadata of the elementwise blocks this module runs (Math, Unary,
//! FillNoData, Mask, Classify, Reclassify; MaskBelow and Step keep their
//! store's), with the constructor checks that need input dtypes.

use crate::graph::blocks::{MathOp, UnaryOp};
use crate::graph::dtype::{self, Dt, Scalar};
use crate::graph::error::GraphError;
use crate::graph::meta::Meta;
use crate::graph::meta_rules::{check_elementwise, elementwise, mask_dtype, single, uint_dtype};

/// Add … Xor over the raster inputs `ins`; `ops` are both operands.
pub(crate) fn math(
    key: &str,
    op: MathOp,
    ins: &[&Meta],
    ops: [dtype::Operand; 2],
) -> Result<Meta, GraphError> {
    check_elementwise(key, ins)?;
    let dt = if op.is_comparison() || op.is_logic() {
        if op.is_logic() && ins.iter().any(|x| x.dtype != Dt::Bool) {
            return Err(GraphError::node(key, "inputs must have boolean dtypes"));
        }
        Dt::Bool
    } else if op == MathOp::Divide {
        let mut v = vec![dtype::Operand::Raster(Dt::F32)];
        v.extend(ops);
        dtype::result_type(&v)
    } else {
        dtype::result_type(&ops).at_least_32()
    };
    Ok(elementwise(ins, dt))
}

/// Exp … IsNoData of the store `x`.
pub(crate) fn unary(key: &str, op: UnaryOp, x: &Meta) -> Result<Meta, GraphError> {
    let err = |s: &str| GraphError::node(key, s);
    let is_bool = x.dtype == Dt::Bool;
    Ok(match op {
        UnaryOp::Invert if !is_bool => {
            return Err(err("input block must have boolean dtype"));
        }
        UnaryOp::Invert => single(x, Dt::Bool, None),
        _ if is_bool => return Err(err("input block must not have boolean dtype")),
        UnaryOp::IsData | UnaryOp::IsNoData => single(x, Dt::Bool, None),
        UnaryOp::Exp | UnaryOp::Log | UnaryOp::Log10 => {
            let dt = dtype::result_type(&[
                dtype::Operand::Raster(Dt::F32),
                dtype::Operand::Raster(x.dtype),
            ]);
            single(x, dt, dt.max())
        }
    })
}

pub(crate) fn fill_no_data(key: &str, ins: &[&Meta]) -> Result<Meta, GraphError> {
    check_elementwise(key, ins)?;
    let ops: Vec<_> = ins
        .iter()
        .map(|x| dtype::Operand::Raster(x.dtype))
        .collect();
    Ok(elementwise(ins, dtype::result_type(&ops).at_least_32()))
}

/// Mask of the store `x` with the value `v`.
pub(crate) fn mask(key: &str, x: &Meta, v: Scalar) -> Result<Meta, GraphError> {
    let dt = mask_dtype(v)
        .ok_or_else(|| GraphError::node(key, "Value does not fit in an integer dtype"))?;
    Ok(single(
        x,
        dt,
        Some(if v.value() == 0.0 { 1.0 } else { 0.0 }),
    ))
}

/// Classify of the store `x` into `bins` bins.
pub(crate) fn classify(x: &Meta, bins: usize) -> Meta {
    let dt = uint_dtype(bins as u64 + 2);
    single(x, dt, dt.max())
}

/// Reclassify of the store `x`.
pub(crate) fn reclassify(key: &str, x: &Meta, to_float: bool) -> Result<Meta, GraphError> {
    if x.dtype.is_float() {
        return Err(GraphError::node(
            key,
            "The store must be of boolean or integer datatype",
        ));
    }
    let dt = if to_float { Dt::F64 } else { Dt::I64 };
    Ok(single(x, dt, dt.max()))
}
