//! The blocks `misc` evaluates (Clip, RasterizeWKT) built from their
//! arguments.

use super::args::parse_projection;
use super::blocks::{Arg, Block};
use super::cursor::Args;
use super::error::GraphError;
use super::wkt;

/// Clip(store, source).
pub(crate) fn clip(a: &mut Args) -> Result<Block, GraphError> {
    a.takes(2, 2)?;
    Ok(Block::Clip(a.next_raster()?, a.next_raster()?))
}

/// RasterizeWKT(wkt, projection).
pub(crate) fn rasterize_wkt(a: &mut Args) -> Result<Block, GraphError> {
    a.takes(2, 2)?;
    let (Some(Arg::Str(text)), Some(Arg::Str(proj))) = (a.next_arg(), a.next_arg()) else {
        return Err(a.err("RasterizeWKT takes a WKT string and a projection"));
    };
    let polygons = wkt::parse(text)
        .map_err(|m| a.err(format!("The provided geometry is not a valid WKT: {m}")))?;
    let crs =
        parse_projection(proj).ok_or_else(|| a.err(format!("unknown projection '{proj}'")))?;
    Ok(Block::RasterizeWkt { polygons, crs })
}
