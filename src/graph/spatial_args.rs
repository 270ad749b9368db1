//! The blocks `spatial` evaluates (Dilate, MovingMax, Smooth, HillShade)
//! built from their arguments.

use super::blocks::{Arg, Block};
use super::cursor::Args;
use super::error::GraphError;

/// Dilate(store, values): a list of numbers (booleans count as 0 and 1).
pub(crate) fn dilate(a: &mut Args) -> Result<Block, GraphError> {
    a.takes(2, 2)?;
    let store = a.slot();
    let values = match a.next_arg() {
        Some(Arg::List(items)) => items
            .iter()
            .map(|x| match x {
                Arg::Int(v) => Ok(*v as f64),
                Arg::Float(v) => Ok(*v),
                Arg::Bool(b) => Ok(f64::from(u8::from(*b))),
                _ => Err(a.err("Dilate values must be numbers")),
            })
            .collect::<Result<Vec<f64>, _>>()?,
        _ => return Err(a.err("Dilate takes a list of values")),
    };
    Ok(Block::Dilate(a.raster(store)?, values))
}

/// MovingMax(store, size): the size made odd as dask-geomodeling does.
pub(crate) fn moving_max(a: &mut Args) -> Result<Block, GraphError> {
    a.takes(2, 2)?;
    let store = a.slot();
    let size = a.next_number()?.value();
    // int(2 * round((size - 1) / 2) + 1), Python's round.
    let half = (size - 1.0) / 2.0;
    let r = half.round();
    let r = if (half - half.trunc()).abs() == 0.5 {
        2.0 * (half / 2.0).round()
    } else {
        r
    };
    let size = 2.0 * r + 1.0;
    if !(3.0..=1001.0).contains(&size) {
        return Err(a.err("The size should be odd and larger than 1 (at most 1001)"));
    }
    Ok(Block::MovingMax(a.raster(store)?, size as u32))
}

/// Smooth(store, size, fill=0).
pub(crate) fn smooth(a: &mut Args) -> Result<Block, GraphError> {
    a.takes(2, 3)?;
    let store = a.slot();
    let size = a.next_number()?.value();
    let fill = a.maybe_number()?.map_or(0.0, |s| s.value());
    if !(size.is_finite() && size >= 0.0) {
        return Err(a.err("size must be a non-negative number"));
    }
    Ok(Block::Smooth {
        store: a.raster(store)?,
        size,
        fill,
    })
}

/// HillShade(store, altitude=45, azimuth=315, fill=0).
pub(crate) fn hillshade(a: &mut Args) -> Result<Block, GraphError> {
    a.takes(1, 4)?;
    let store = a.next_raster()?;
    let mut get = |d: f64| a.maybe_number().map(|s| s.map_or(d, |s| s.value()));
    Ok(Block::HillShade {
        store,
        altitude: get(45.0)?,
        azimuth: get(315.0)?,
        fill: get(0.0)?,
    })
}
