//! Metadata of the blocks `combine` evaluates: Group and Max
//! (LizardRasterGroup's inputs are leaves: see `meta`).

use super::dtype;
use super::error::GraphError;
use super::meta::Meta;
use super::meta_rules::{check_elementwise, combine, elementwise};

pub(crate) fn group(ins: &[&Meta]) -> Meta {
    combine(ins)
}

/// Max: BaseElementwise metadata with the extent and geometry of the union.
pub(crate) fn max(key: &str, ins: &[&Meta]) -> Result<Meta, GraphError> {
    check_elementwise(key, ins)?;
    let ops: Vec<_> = ins
        .iter()
        .map(|x| dtype::Operand::Raster(x.dtype))
        .collect();
    let mut out = elementwise(ins, dtype::result_type(&ops));
    let union = combine(ins);
    out.extent = union.extent;
    out.geometry = union.geometry;
    Ok(out)
}
