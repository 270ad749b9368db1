//! Metadata of the blocks `temporal` evaluates (Snap, Shift,
//! TemporalAggregate, Cumulative, Resample; TemporalSum keeps its store's):
//! the period, timedelta and temporal flag the frequency gives.

use super::blocks::Stat;
use super::freq::Freq;
use super::meta::Meta;
use super::meta_rules::{resample_period, single, stat_dtype};

/// Snap of the store `st` to the frames of `ix`.
pub(crate) fn snap(st: &Meta, ix: &Meta) -> Meta {
    Meta {
        period: st.period.and(ix.period),
        timedelta: ix.timedelta,
        temporal: ix.temporal,
        ..st.clone()
    }
}

/// Shift of `x` by `ms`.
pub(crate) fn shift(x: &Meta, ms: i64) -> Meta {
    Meta {
        period: x.period.map(|(a, b)| (a + ms, b + ms)),
        ..x.clone()
    }
}

/// TemporalAggregate of `x`: labels of the first and last bin.
pub(crate) fn temporal_aggregate(
    x: &Meta,
    freq: Option<Freq>,
    stat: Stat,
    closed_right: bool,
    label_right: bool,
) -> Meta {
    let dt = stat_dtype(x.dtype, stat);
    Meta {
        dtype: dt,
        fillvalue: dt.max(),
        period: x.period.map(|(a, b)| match freq {
            None => (b, b),
            Some(f) => (
                f.label(a, closed_right, label_right),
                f.label(b, closed_right, label_right),
            ),
        }),
        timedelta: freq.and_then(Freq::fixed_ms),
        temporal: freq.is_some(),
        ..x.clone()
    }
}

/// Cumulative of `x`.
pub(crate) fn cumulative(x: &Meta, stat: Stat) -> Meta {
    let dt = stat_dtype(x.dtype, stat);
    single(x, dt, dt.max())
}

/// Resample of `x` to `f`.
pub(crate) fn resample(x: &Meta, f: Freq, direction: i8) -> Meta {
    Meta {
        period: x.period.map(|p| resample_period(p, f, direction)),
        timedelta: f.fixed_ms(),
        ..x.clone()
    }
}
