//! Argument helpers for block constructors: frequencies, statistics, time
//! zones, projections, uuids, and naming JSON types in error messages.

use super::blocks::{Arg, Stat};
use super::freq::Freq;
use super::zone::Zone;
use crate::model::Crs;
use uuid::Uuid;

pub(crate) fn opt_freq(a: Option<&Arg>) -> Result<Option<Freq>, String> {
    match a {
        None | Some(Arg::Null) => Ok(None),
        Some(Arg::Str(s)) => Freq::parse(s).map(Some),
        Some(other) => Err(format!(
            "'{}' object is not allowed as frequency",
            describe(Some(other))
        )),
    }
}

pub(crate) fn stat_arg(a: Option<&Arg>, allowed: &[&str]) -> Result<Stat, String> {
    let s = match a {
        None => "sum",
        Some(Arg::Str(s)) => s.as_str(),
        Some(other) => {
            return Err(format!(
                "'{}' object is not allowed as statistic",
                describe(Some(other))
            ));
        }
    };
    let stat = Stat::parse(s).ok_or_else(|| format!("Unknown statistic '{s}'"))?;
    let named = allowed.contains(&s.to_ascii_lowercase().as_str());
    let percentile_ok = allowed.len() > 2 && matches!(stat, Stat::Percentile(_));
    if named || percentile_ok {
        Ok(stat)
    } else {
        Err(format!("Unknown statistic '{s}'"))
    }
}

/// A frequency binned in a time zone (absent: UTC). As in
/// dask-geomodeling, the zone must be a string only when there is a
/// frequency.
pub(crate) fn zoned_freq(freq: Option<&Arg>, zone: Option<&Arg>) -> Result<Option<Freq>, String> {
    let Some(freq) = opt_freq(freq)? else {
        return Ok(None);
    };
    let zone = match zone {
        None => Zone::UTC,
        Some(Arg::Str(s)) => Zone::parse(s)?,
        Some(other) => {
            return Err(format!(
                "'{}' object is not allowed as time zone",
                describe(Some(other))
            ));
        }
    };
    freq.in_zone(zone).map(Some)
}

/// `EPSG:n` (any case) to a `Crs`.
pub fn parse_projection(s: &str) -> Option<Crs> {
    let code = s.trim();
    let code = code
        .strip_prefix("EPSG:")
        .or_else(|| code.strip_prefix("epsg:"))?;
    code.parse().ok().map(Crs)
}

pub(crate) fn uuid_arg(a: &Arg) -> Option<Uuid> {
    match a {
        Arg::Str(s) => Uuid::parse_str(s).ok(),
        _ => None,
    }
}

pub(crate) fn describe(a: Option<&Arg>) -> &'static str {
    match a {
        None => "nothing",
        Some(Arg::Ref(_)) => "a block",
        Some(Arg::Null) => "null",
        Some(Arg::Bool(_)) => "a boolean",
        Some(Arg::Int(_)) => "an integer",
        Some(Arg::Float(_)) => "a float",
        Some(Arg::Str(_)) => "a string",
        Some(Arg::List(_)) => "a list",
        Some(Arg::Other) => "an object",
    }
}
