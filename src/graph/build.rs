//! `build`: one `Block` from a node's class and positional arguments. The
//! class name picks the parser of the block's family, which reads the
//! arguments with an `Args` cursor and makes the checks dask-geomodeling's
//! constructors make on argument count and JSON types; `finish` then refuses
//! arguments left unread. Checks needing input metadata live in `meta`.
//!
//! Each family's parser sits beside its evaluator: `fuse::args`
//! (elementwise), `combine_args`, `misc_args`, `temporal_args`,
//! `spatial_args`, `place_args`; LizardRasterSource, which `eval` reads
//! itself, is parsed here.

use super::args::uuid_arg;
use super::blocks::{Arg, Block, MathOp as M, UnaryOp as U};
use super::cursor::Args;
use super::error::GraphError;
use super::fuse::args as elementwise;
use super::{combine_args as combine, misc_args as misc, place_args as place};
use super::{spatial_args as spatial, temporal_args as temporal};

/// Builds the block of class `class` from its arguments.
pub fn build(key: &str, class: &str, args: &[Arg]) -> Result<Block, GraphError> {
    let a = &mut Args::new(key, class, args);
    let block = match class {
        "LizardRasterSource" => source(a),
        "LizardRasterGroup" => combine::lizard_group(a),
        "Add" => elementwise::math(a, M::Add),
        "Subtract" => elementwise::math(a, M::Subtract),
        "Multiply" => elementwise::math(a, M::Multiply),
        "Divide" => elementwise::math(a, M::Divide),
        "Power" => elementwise::math(a, M::Power),
        "Equal" => elementwise::math(a, M::Equal),
        "NotEqual" => elementwise::math(a, M::NotEqual),
        "Greater" => elementwise::math(a, M::Greater),
        "GreaterEqual" => elementwise::math(a, M::GreaterEqual),
        "Less" => elementwise::math(a, M::Less),
        "LessEqual" => elementwise::math(a, M::LessEqual),
        "And" => elementwise::math(a, M::And),
        "Or" => elementwise::math(a, M::Or),
        "Xor" => elementwise::math(a, M::Xor),
        "Exp" => elementwise::unary(a, U::Exp),
        "Log" => elementwise::unary(a, U::Log),
        "Log10" => elementwise::unary(a, U::Log10),
        "Invert" => elementwise::unary(a, U::Invert),
        "IsData" => elementwise::unary(a, U::IsData),
        "IsNoData" => elementwise::unary(a, U::IsNoData),
        "FillNoData" => elementwise::fill_no_data(a),
        "Mask" => elementwise::mask(a),
        "MaskBelow" => elementwise::mask_below(a),
        "Step" => elementwise::step(a),
        "Classify" => elementwise::classify(a),
        "Reclassify" => elementwise::reclassify(a),
        "Group" => combine::group(a),
        "Max" => combine::max(a),
        "Clip" => misc::clip(a),
        "RasterizeWKT" => misc::rasterize_wkt(a),
        "Snap" => temporal::snap(a),
        "Shift" => temporal::shift(a),
        "TemporalSum" => temporal::temporal_sum(a),
        "TemporalAggregate" => temporal::temporal_aggregate(a),
        "Cumulative" => temporal::cumulative(a),
        "Resample" => temporal::resample(a),
        "Dilate" => spatial::dilate(a),
        "MovingMax" => spatial::moving_max(a),
        "Smooth" => spatial::smooth(a),
        "HillShade" => spatial::hillshade(a),
        "Place" => place::place(a),
        other => Err(a.err(format!("unsupported block {other}"))),
    }?;
    a.finish()?;
    Ok(block)
}

/// LizardRasterSource(uuid): a raster source or a layer.
fn source(a: &mut Args) -> Result<Block, GraphError> {
    a.takes(1, 1)?;
    let id = a.next_arg().and_then(uuid_arg);
    Ok(Block::Source(id.ok_or_else(|| a.err("expects a uuid"))?))
}

#[cfg(test)]
#[path = "build_tests.rs"]
mod tests;
