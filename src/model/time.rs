//! `TimeSel`: which frame of a temporal raster a render wants, and `TimeSpan`:
//! one item of a time request (instant or interval) in catalogue terms.

use chrono::{DateTime, TimeDelta, Utc};

/// The time selection of a render request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TimeSel {
    /// No time given: the last frame (dask-geomodeling's default).
    Latest,
    /// The frame nearest to this instant, clamped to the first/last frame.
    Nearest(DateTime<Utc>),
    /// The closed interval `[start, end]`: an image of a stored source shows
    /// its latest frame inside (else the nearest); a graph evaluates the
    /// whole interval (aggregating blocks sum or average over it).
    Span(DateTime<Utc>, DateTime<Utc>),
}

/// One end of a requested time span.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TimeEdge {
    At(DateTime<Utc>),
    /// The most recent data (the request keyword `current`).
    Latest,
}

/// One item of a time request: an instant (`start == end`) or a closed
/// interval, optionally sampled every `step` from `start`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TimeSpan {
    pub start: TimeEdge,
    pub end: TimeEdge,
    /// A fixed sampling step (`start/end/period`); `None` = every instant.
    pub step: Option<TimeDelta>,
}

impl TimeSpan {
    /// The span of one instant.
    pub fn instant(at: TimeEdge) -> TimeSpan {
        TimeSpan {
            start: at,
            end: at,
            step: None,
        }
    }
}
