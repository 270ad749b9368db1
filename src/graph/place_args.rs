//! Place, which `place` evaluates, built from its arguments.

use super::args::parse_projection;
use super::blocks::{Arg, Block, Stat};
use super::cursor::Args;
use super::error::GraphError;

const COORDINATES: &str = "Expected a list of lists of 2 numbers in the 'coordinates' parameter";

/// Place(store, place_projection, anchor, coordinates, statistic="last").
pub(crate) fn place(a: &mut Args) -> Result<Block, GraphError> {
    a.takes(4, 5)?;
    let store = a.slot();
    let crs = match a.next_arg() {
        Some(Arg::Str(p)) => parse_projection(p)
            .ok_or_else(|| a.err(format!("'{p}' is not a valid projection string")))?,
        _ => return Err(a.err("place_projection must be a string")),
    };
    let anchor = a
        .next_arg()
        .and_then(pair)
        .ok_or_else(|| a.err("Expected 2 numbers in the 'anchor' parameter"))?;
    let coords = match a.next_arg() {
        Some(Arg::Null) => vec![],
        Some(Arg::List(items)) => items
            .iter()
            .map(|x| pair(x).ok_or_else(|| a.err(COORDINATES)))
            .collect::<Result<Vec<_>, _>>()?,
        _ => return Err(a.err(COORDINATES)),
    };
    let stat = match a.next_arg() {
        None => Stat::Last,
        Some(Arg::Str(s)) => match s.as_str() {
            "last" => Stat::Last,
            "first" => Stat::First,
            "count" => Stat::Count,
            "sum" => Stat::Sum,
            "mean" => Stat::Mean,
            "min" => Stat::Min,
            "max" => Stat::Max,
            other => {
                return Err(a.err(format!("statistic '{other}' is not supported by Place")));
            }
        },
        _ => return Err(a.err("statistic must be a string")),
    };
    Ok(Block::Place {
        store: a.raster(store)?,
        crs,
        anchor,
        coords,
        stat,
    })
}

/// `[x, y]`, two numbers.
fn pair(a: &Arg) -> Option<(f64, f64)> {
    let Arg::List(v) = a else { return None };
    let num = |a: &Arg| match a {
        Arg::Int(i) => Some(*i as f64),
        Arg::Float(f) => Some(*f),
        _ => None,
    };
    match v.as_slice() {
        [x, y] => Some((num(x)?, num(y)?)),
        _ => None,
    }
}
