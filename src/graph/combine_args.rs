//! The blocks `combine` evaluates (LizardRasterGroup, Group, Max) built from
//! their arguments.

use super::args::uuid_arg;
use super::blocks::Block;
use super::cursor::Args;
use super::error::GraphError;
use uuid::Uuid;

/// LizardRasterGroup(uuid, …): one or more raster sources or layers.
pub(crate) fn lizard_group(a: &mut Args) -> Result<Block, GraphError> {
    let ids: Option<Vec<Uuid>> = a.rest().iter().map(uuid_arg).collect();
    match ids {
        Some(ids) if !ids.is_empty() => Ok(Block::LizardGroup(ids)),
        _ => Err(a.err("LizardRasterGroup expects one or more uuids")),
    }
}

pub(crate) fn group(a: &mut Args) -> Result<Block, GraphError> {
    Ok(Block::Group(a.rest_rasters(1)?))
}

pub(crate) fn max(a: &mut Args) -> Result<Block, GraphError> {
    Ok(Block::Max(a.rest_rasters(1)?))
}
