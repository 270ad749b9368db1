//! The TIME dimension of a WMS request resolved against a layer's frames
//! (WMS 1.3.0 Annex C): which frame renders, and the `Warning` header that
//! says when the default or a nearest value was used instead of the request.
//!
//! Parsing TIME is `protocol::time`; choosing among frames is
//! `catalogue::RasterSource::frame_for_spans`. Nothing here renders.

use crate::catalogue::RasterSource;
use crate::model::{TimeEdge, TimeSel};
use crate::protocol::time::{TimeParam, format_instant};
use crate::protocol::wms::{OgcCode, OgcError, WmsVersion};
use chrono::{DateTime, Utc};

/// The time a layer renders at, and the warning to send with the map.
#[derive(Clone, Debug, PartialEq)]
pub struct ResolvedTime {
    pub time: TimeSel,
    /// `99 Default value used: …` or `99 Nearest value used: …`, when either happened.
    pub warning: Option<String>,
    /// The request left the choice to the data (no TIME or `current`): the map
    /// changes when new frames arrive.
    pub moving: bool,
    /// The one interval TIME named (`start/end`, ends resolved), when it
    /// holds data: what a computation aggregates over.
    pub span: Option<(DateTime<Utc>, DateTime<Utc>)>,
}

/// Resolves `time` for a layer reading `source`. Non-temporal sources ignore
/// TIME. A temporal source without frames has no default: no TIME →
/// `MissingDimensionValue`, any TIME → `InvalidDimensionValue`. No TIME → the
/// last frame (the declared default) with a "Default value used" warning; a TIME
/// that holds no frame → the nearest frame with a "Nearest value used" warning.
pub fn resolve(
    version: WmsVersion,
    source: &RasterSource,
    time: Option<&TimeParam>,
) -> Result<ResolvedTime, OgcError> {
    if !source.temporal {
        return Ok(ResolvedTime::default());
    }
    let Some(param) = time else {
        let at = source
            .frames
            .last()
            .and_then(|f| f.timestamp)
            .ok_or_else(|| {
                OgcError::with_code(
                    version,
                    OgcCode::MissingDimensionValue,
                    Some("TIME"),
                    "the layer has no data yet, so TIME has no default; send a TIME value",
                )
            })?;
        return Ok(ResolvedTime {
            time: TimeSel::Nearest(at),
            warning: Some(warning("Default", &format_instant(&at))),
            moving: true,
            span: None,
        });
    };
    let spans = param
        .to_spans()
        .map_err(|e| OgcError::from_time(version, &e))?;
    let picked = source
        .frame_for_spans(&spans)
        .and_then(|m| m.frame.timestamp.map(|t| (t, m.exact)))
        .ok_or_else(|| {
            OgcError::with_code(
                version,
                OgcCode::InvalidDimensionValue,
                Some("TIME"),
                "the layer has no data yet, so no TIME value is valid",
            )
        })?;
    let (at, exact) = picked;
    let last = source.frames.last().and_then(|f| f.timestamp);
    let edge = |e: TimeEdge| match e {
        TimeEdge::At(t) => Some(t),
        TimeEdge::Latest => last,
    };
    let span = match spans.as_slice() {
        [one] if exact && one.step.is_none() => {
            edge(one.start).zip(edge(one.end)).filter(|(a, b)| a < b)
        }
        _ => None,
    };
    Ok(ResolvedTime {
        time: TimeSel::Nearest(at),
        warning: (!exact).then(|| warning("Nearest", &format_instant(&at))),
        moving: spans.iter().any(|s| s.end == TimeEdge::Latest),
        span,
    })
}

/// `99 <kind> value used: time=<value> ISO8601` (WMS 1.3.0 C.4.2/C.4.3).
fn warning(kind: &str, value: &str) -> String {
    format!("99 {kind} value used: time={value} ISO8601")
}

impl Default for ResolvedTime {
    /// The latest frame, nothing to warn about.
    fn default() -> ResolvedTime {
        ResolvedTime {
            time: TimeSel::Latest,
            warning: None,
            moving: false,
            span: None,
        }
    }
}
