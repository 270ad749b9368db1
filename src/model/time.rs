//! `TimeSel`: which instant(s) of a temporal raster a request wants.

use chrono::{DateTime, Utc};

/// The time selection of a render request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TimeSel {
    /// No time given: the last frame (dask-geomodeling's default).
    Latest,
    /// The frame nearest to this instant, clamped to the first/last frame.
    Nearest(DateTime<Utc>),
}
