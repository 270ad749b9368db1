//! The blocks `temporal` evaluates (Snap, Shift, TemporalSum,
//! TemporalAggregate, Cumulative, Resample) built from their arguments.
//! Frequencies, statistics and time zones are checked here, when the graph
//! is parsed (`args`).

use super::args::{describe, stat_arg, zoned_freq};
use super::blocks::{Arg, Block};
use super::cursor::Args;
use super::error::GraphError;

/// Snap(store, index).
pub(crate) fn snap(a: &mut Args) -> Result<Block, GraphError> {
    a.takes(2, 2)?;
    Ok(Block::Snap(a.next_raster()?, a.next_raster()?))
}

/// Shift(store, time): integer milliseconds.
pub(crate) fn shift(a: &mut Args) -> Result<Block, GraphError> {
    a.takes(2, 2)?;
    let store = a.slot();
    match a.next_arg() {
        Some(Arg::Int(ms)) => Ok(Block::Shift(a.raster(store)?, *ms)),
        other => Err(a.err(format!(
            "'{}' object is not allowed: Shift takes integer milliseconds",
            describe(other)
        ))),
    }
}

/// TemporalSum(store).
pub(crate) fn temporal_sum(a: &mut Args) -> Result<Block, GraphError> {
    a.takes(1, 1)?;
    Ok(Block::TemporalSum(a.next_raster()?))
}

/// TemporalAggregate(source, frequency, statistic="sum", closed=None,
/// label=None, timezone="UTC").
pub(crate) fn temporal_aggregate(a: &mut Args) -> Result<Block, GraphError> {
    a.takes(2, 6)?;
    let source = a.slot();
    let (freq, stat, closed, label, zone) = (
        a.next_arg(),
        a.next_arg(),
        a.next_arg(),
        a.next_arg(),
        a.next_arg(),
    );
    let freq = zoned_freq(freq, zone).map_err(|m| a.err(m))?;
    let stat = stat_arg(
        stat,
        &["sum", "count", "min", "max", "mean", "median", "std", "var"],
    )
    .map_err(|m| a.err(m))?;
    let side = |x: Option<&Arg>| match x {
        None | Some(Arg::Null) => Ok(None),
        Some(Arg::Str(s)) if s == "left" => Ok(Some(false)),
        Some(Arg::Str(s)) if s == "right" => Ok(Some(true)),
        _ => Err(a.err("closed and label must be null, 'left' or 'right'")),
    };
    let (closed, label) = (side(closed)?, side(label)?);
    // `_default_closed_label`: end-of-period offsets and null
    // default to right/right, the others to left/left.
    let default = freq.is_none_or(|f| f.end_type());
    Ok(Block::TemporalAggregate {
        source: a.raster(source)?,
        freq,
        stat,
        closed_right: if freq.is_some() {
            closed.unwrap_or(default)
        } else {
            true
        },
        label_right: if freq.is_some() {
            label.unwrap_or(default)
        } else {
            true
        },
    })
}

/// Cumulative(source, statistic="sum", frequency=None, timezone="UTC").
pub(crate) fn cumulative(a: &mut Args) -> Result<Block, GraphError> {
    a.takes(1, 4)?;
    let source = a.slot();
    let (stat, freq, zone) = (a.next_arg(), a.next_arg(), a.next_arg());
    let stat = stat_arg(stat, &["sum", "count"]).map_err(|m| a.err(m))?;
    let freq = zoned_freq(freq, zone).map_err(|m| a.err(m))?;
    Ok(Block::Cumulative {
        source: a.raster(source)?,
        stat,
        freq,
    })
}

/// Resample(source, frequency, direction="nearest", timezone="UTC").
pub(crate) fn resample(a: &mut Args) -> Result<Block, GraphError> {
    a.takes(2, 4)?;
    let source = a.slot();
    let (freq, direction, zone) = (a.next_arg(), a.next_arg(), a.next_arg());
    let freq = zoned_freq(freq, zone)
        .map_err(|m| a.err(m))?
        .ok_or_else(|| a.err("Resample needs a frequency"))?;
    let direction = match direction {
        None => 0,
        Some(Arg::Str(s)) if s == "nearest" => 0,
        Some(Arg::Str(s)) if s == "forward" => 1,
        Some(Arg::Str(s)) if s == "backward" => -1,
        _ => {
            return Err(a.err("direction must be one of 'nearest', 'backward', or 'forward'."));
        }
    };
    Ok(Block::Resample {
        source: a.raster(source)?,
        freq,
        direction,
    })
}
