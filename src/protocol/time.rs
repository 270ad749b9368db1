//! The TIME parameter: ISO 8601 instants, intervals and lists as clients send them,
//! and the ISO 8601 text tegel writes for time extents in capabilities.
//!
//! Shared by WMS and XYZ. Pure text ↔ value conversion; knows nothing of layers
//! or which frames exist (that is `render`'s job through `model::TimeSel`).

use crate::model::{ErrorClass, TimeEdge, TimeSel, TimeSpan};
use chrono::{DateTime, NaiveDate, SecondsFormat, TimeDelta, Utc};
use std::fmt;

/// At most this many comma-separated items in one TIME value.
pub const MAX_TIME_ITEMS: usize = 100;

/// One end of a time value: an instant or the keyword `current`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TimePoint {
    At(DateTime<Utc>),
    /// `current`: the most recent data.
    Current,
}

/// An ISO 8601 duration `PnYnMnWnDTnHnMnS` (the period of `start/end/period`).
/// Kept as written, component by component (a month is not a fixed length).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct IsoDuration {
    pub years: u32,
    pub months: u32,
    pub weeks: u32,
    pub days: u32,
    pub hours: u32,
    pub minutes: u32,
    pub seconds: u32,
    /// Fraction of a second in nanoseconds (`PT0.5S` → 500_000_000).
    pub nanos: u32,
}

/// A parsed TIME value.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum TimeParam {
    /// `2020-01-01T00:00:00Z` or `current`.
    Instant(TimePoint),
    /// `start/end` or `start/end/period`; `start ≤ end` when both are instants.
    Interval {
        start: TimePoint,
        end: TimePoint,
        period: Option<IsoDuration>,
    },
    /// Two or more comma-separated items, each an `Instant` or an `Interval`.
    List(Vec<TimeParam>),
}

/// Why a TIME value was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TimeError {
    #[error(
        "TIME value '{0}' is not an ISO 8601 instant, interval or list (e.g. 2020-01-01T00:00:00Z)"
    )]
    Malformed(String),
    #[error("TIME interval '{0}' ends before it starts")]
    Reversed(String),
    #[error("TIME has more than {MAX_TIME_ITEMS} items")]
    TooManyItems,
    /// Well-formed, but tegel renders single instants only for now.
    #[error("TIME {0} are not supported yet; send a single instant such as 2020-01-01T00:00:00Z")]
    NotAnInstant(&'static str),
    /// A period of length zero (`P0D`, `PT0S`): no step at all.
    #[error("TIME period '{0}' is zero; a period must be positive, such as PT5M or P1D")]
    ZeroPeriod(String),
    /// A request period in years or months (no fixed length).
    #[error(
        "TIME period '{0}' has years or months; use a fixed period such as PT5M or P1D in requests"
    )]
    CalendarPeriod(String),
}

impl TimeError {
    pub fn class(&self) -> ErrorClass {
        match self {
            TimeError::NotAnInstant(_) | TimeError::CalendarPeriod(_) => ErrorClass::Unsupported,
            _ => ErrorClass::BadRequest,
        }
    }
}

impl TimeParam {
    /// Parses a TIME value. Instants: `2020-01-01T00:00:00Z`, `…00.000Z`, no zone
    /// (= UTC), an offset (`+01:00`, `+0100`, `-05`, or a space where an unencoded
    /// `+` became one), reduced precision (`2020-01-01`, `2020-01`, `2020`, `…T10`,
    /// `…T10:30`), `T` or a space between date and time, any letter case;
    /// `current` (or `now`), any case. Intervals `a/b` and `a/b/PnDTnHnMnS`; lists `a,b/c`.
    /// Reduced precision means the start of that period. Cost: linear in the text.
    pub fn parse(value: &str) -> Result<TimeParam, TimeError> {
        let bad = || TimeError::Malformed(super::kvp::clip(value));
        // Bounded before anything is collected: a million items cost nothing.
        let items: Vec<&str> = value.split(',').take(MAX_TIME_ITEMS + 1).collect();
        if items.len() > MAX_TIME_ITEMS {
            return Err(TimeError::TooManyItems);
        }
        let mut parsed = Vec::with_capacity(items.len());
        for item in &items {
            parsed.push(parse_item(item.trim()).ok_or_else(bad)??);
        }
        match parsed.len() {
            1 => parsed.pop().ok_or_else(bad),
            _ => Ok(TimeParam::List(parsed)),
        }
    }

    /// The render selection: an instant → nearest frame, `current` → the latest
    /// frame. Intervals and lists → [`TimeError::NotAnInstant`] for now.
    pub fn to_time_sel(&self) -> Result<TimeSel, TimeError> {
        match self {
            TimeParam::Instant(TimePoint::At(t)) => Ok(TimeSel::Nearest(*t)),
            TimeParam::Instant(TimePoint::Current) => Ok(TimeSel::Latest),
            TimeParam::Interval { .. } => Err(TimeError::NotAnInstant("intervals")),
            TimeParam::List(_) => Err(TimeError::NotAnInstant("lists")),
        }
    }
}

impl TimeParam {
    /// The spans this value asks for, in request order: an instant is a span of
    /// one instant, `current` is [`TimeEdge::Latest`], `start/end/period` keeps
    /// the period as a fixed step; lists are flattened. A period in years or
    /// months → [`TimeError::CalendarPeriod`].
    pub fn to_spans(&self) -> Result<Vec<TimeSpan>, TimeError> {
        let edge = |p: &TimePoint| match p {
            TimePoint::At(t) => TimeEdge::At(*t),
            TimePoint::Current => TimeEdge::Latest,
        };
        match self {
            TimeParam::Instant(p) => Ok(vec![TimeSpan::instant(edge(p))]),
            TimeParam::Interval { start, end, period } => {
                let step = match period {
                    None => None,
                    Some(d) if d.years > 0 || d.months > 0 => {
                        return Err(TimeError::CalendarPeriod(d.to_string()));
                    }
                    Some(d) => Some(d.fixed_length()),
                };
                Ok(vec![TimeSpan {
                    start: edge(start),
                    end: edge(end),
                    step,
                }])
            }
            TimeParam::List(items) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    out.extend(item.to_spans()?);
                }
                Ok(out)
            }
        }
    }
}

impl IsoDuration {
    /// True when every component is zero (`P0D`, `PT0S`, `P0Y0M`).
    pub fn is_zero(&self) -> bool {
        *self == IsoDuration::default()
    }

    /// The length of the weeks, days, hours, minutes and seconds (years and
    /// months, which have no fixed length, are left out).
    pub fn fixed_length(&self) -> TimeDelta {
        let secs = i64::from(self.weeks) * 7 * 86_400
            + i64::from(self.days) * 86_400
            + i64::from(self.hours) * 3600
            + i64::from(self.minutes) * 60
            + i64::from(self.seconds);
        TimeDelta::new(secs, self.nanos).unwrap_or(TimeDelta::MAX)
    }
}

/// `None` when the item is not well-formed; `Some(Err)` for a reversed interval.
fn parse_item(item: &str) -> Option<Result<TimeParam, TimeError>> {
    let parts: Vec<&str> = item.split('/').collect();
    match parts.as_slice() {
        [one] => Some(Ok(TimeParam::Instant(parse_point(one)?))),
        [a, b] | [a, b, _] => {
            let start = parse_point(a)?;
            let end = parse_point(b)?;
            let period = match parts.get(2) {
                Some(p) => Some(parse_duration(p.trim())?),
                None => None,
            };
            if let Some(d) = period.filter(IsoDuration::is_zero) {
                return Some(Err(TimeError::ZeroPeriod(super::kvp::clip(&d.to_string()))));
            }
            if let (TimePoint::At(s), TimePoint::At(e)) = (start, end) {
                if s > e {
                    return Some(Err(TimeError::Reversed(super::kvp::clip(item))));
                }
            }
            Some(Ok(TimeParam::Interval { start, end, period }))
        }
        _ => None,
    }
}

fn parse_point(s: &str) -> Option<TimePoint> {
    let s = s.trim();
    if s.eq_ignore_ascii_case("current") || s.eq_ignore_ascii_case("now") {
        return Some(TimePoint::Current);
    }
    parse_instant(s).map(TimePoint::At)
}

/// A small cursor over ASCII text.
struct Cur<'a> {
    b: &'a [u8],
    i: usize,
}

impl Cur<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }
    fn eat(&mut self, c: u8) -> bool {
        let hit = self.peek() == Some(c);
        if hit {
            self.i += 1;
        }
        hit
    }
    /// Exactly `n` digits as a number.
    fn digits(&mut self, n: usize) -> Option<u32> {
        let mut v = 0u32;
        for _ in 0..n {
            let d = self.peek().filter(u8::is_ascii_digit)?;
            v = v * 10 + u32::from(d - b'0');
            self.i += 1;
        }
        Some(v)
    }
    fn done(&self) -> bool {
        self.i >= self.b.len()
    }
}

/// Parses one ISO 8601 instant (forms listed on [`TimeParam::parse`]) to UTC.
pub fn parse_instant(s: &str) -> Option<DateTime<Utc>> {
    let mut c = Cur {
        b: s.trim().as_bytes(),
        i: 0,
    };
    let year = c.digits(4)?;
    let (mut month, mut day) = (1, 1);
    if c.eat(b'-') {
        month = c.digits(2)?;
        if c.eat(b'-') {
            day = c.digits(2)?;
        }
    }
    let date = NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)?;
    let (mut h, mut m, mut sec, mut nanos) = (0, 0, 0, 0);
    if c.eat(b'T') || c.eat(b't') || c.eat(b' ') {
        h = c.digits(2)?;
        if c.eat(b':') {
            m = c.digits(2)?;
            if c.eat(b':') {
                sec = c.digits(2)?;
                if c.eat(b'.') || c.eat(b',') {
                    let start = c.i;
                    while c.peek().is_some_and(|d| d.is_ascii_digit()) {
                        c.i += 1;
                    }
                    let frac = c.b.get(start..c.i)?;
                    if frac.is_empty() || frac.len() > 9 {
                        return None;
                    }
                    nanos = frac.iter().fold(0u32, |v, d| v * 10 + u32::from(d - b'0'))
                        * 10u32.pow(9 - frac.len() as u32);
                }
            }
        }
    }
    let offset_secs: i64 = match c.peek() {
        None => 0,
        Some(b'Z' | b'z') => {
            c.i += 1;
            0
        }
        // A space here is an unencoded `+` that query decoding turned into a space.
        Some(sign @ (b'+' | b'-' | b' ')) => {
            c.i += 1;
            let oh = c.digits(2)?;
            c.eat(b':');
            let om = if c.done() { 0 } else { c.digits(2)? };
            if oh > 23 || om > 59 {
                return None;
            }
            let v = i64::from(oh * 3600 + om * 60);
            if sign == b'-' { -v } else { v }
        }
        Some(_) => return None,
    };
    if !c.done() || h > 23 || m > 59 || sec > 59 {
        return None;
    }
    let local = date.and_hms_nano_opt(h, m, sec, nanos)?;
    let utc = local.checked_sub_signed(TimeDelta::try_seconds(offset_secs)?)?;
    Some(utc.and_utc())
}

/// Parses `PnYnMnWnDTnHnMnS` (upper case designators, at least one component,
/// a fraction on seconds only). `None` when malformed.
pub fn parse_duration(s: &str) -> Option<IsoDuration> {
    let rest = s.strip_prefix('P').or_else(|| s.strip_prefix('p'))?;
    let mut d = IsoDuration::default();
    let mut in_time = false;
    let mut any = false;
    let mut num = String::new();
    let mut after_t_any = true;
    for ch in rest.chars() {
        match ch.to_ascii_uppercase() {
            '0'..='9' | '.' => num.push(ch),
            'T' if !in_time && num.is_empty() => {
                in_time = true;
                after_t_any = false;
            }
            unit => {
                if num.is_empty() {
                    return None;
                }
                let (whole, frac) = match num.split_once('.') {
                    Some((w, f)) if unit == 'S' && in_time && !f.is_empty() && f.len() <= 9 => {
                        (w, Some(f))
                    }
                    Some(_) => return None,
                    None => (num.as_str(), None),
                };
                if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                let v: u32 = whole.parse().ok()?;
                let slot = match (in_time, unit) {
                    (false, 'Y') => &mut d.years,
                    (false, 'M') => &mut d.months,
                    (false, 'W') => &mut d.weeks,
                    (false, 'D') => &mut d.days,
                    (true, 'H') => &mut d.hours,
                    (true, 'M') => &mut d.minutes,
                    (true, 'S') => &mut d.seconds,
                    _ => return None,
                };
                *slot = v;
                if let Some(f) = frac {
                    if !f.bytes().all(|b| b.is_ascii_digit()) {
                        return None;
                    }
                    d.nanos = f.parse::<u32>().ok()? * 10u32.pow(9 - f.len() as u32);
                }
                num.clear();
                any = true;
                after_t_any |= in_time;
            }
        }
    }
    (any && num.is_empty() && after_t_any).then_some(d)
}

impl fmt::Display for IsoDuration {
    /// The canonical form: zero components left out, `PT0S` for zero.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("P")?;
        for (v, u) in [
            (self.years, 'Y'),
            (self.months, 'M'),
            (self.weeks, 'W'),
            (self.days, 'D'),
        ] {
            if v > 0 {
                write!(f, "{v}{u}")?;
            }
        }
        let has_time = self.hours > 0 || self.minutes > 0 || self.seconds > 0 || self.nanos > 0;
        let date_empty = self.years == 0 && self.months == 0 && self.weeks == 0 && self.days == 0;
        if !has_time {
            return if date_empty {
                f.write_str("T0S")
            } else {
                Ok(())
            };
        }
        f.write_str("T")?;
        if self.hours > 0 {
            write!(f, "{}H", self.hours)?;
        }
        if self.minutes > 0 {
            write!(f, "{}M", self.minutes)?;
        }
        if self.seconds > 0 || self.nanos > 0 {
            write!(f, "{}", self.seconds)?;
            if self.nanos > 0 {
                let frac = format!("{:09}", self.nanos);
                write!(f, ".{}", frac.trim_end_matches('0'))?;
            }
            f.write_str("S")?;
        }
        Ok(())
    }
}

/// A fixed step as an ISO 8601 duration in days, hours, minutes and seconds
/// (`300 s` → `PT5M`, `1 day` → `P1D`, `0.5 s` → `PT0.5S`). `None` for a
/// negative step or one beyond `u32::MAX` days.
pub fn duration_of(step: TimeDelta) -> Option<IsoDuration> {
    if step < TimeDelta::zero() {
        return None;
    }
    let secs = step.num_seconds();
    let nanos = u32::try_from(step.subsec_nanos()).ok()?;
    let days = u32::try_from(secs / 86_400).ok()?;
    let rem = secs % 86_400;
    // `rem` < 86 400, so the casts below cannot truncate.
    Some(IsoDuration {
        days,
        hours: (rem / 3600) as u32,
        minutes: (rem % 3600 / 60) as u32,
        seconds: (rem % 60) as u32,
        nanos,
        ..IsoDuration::default()
    })
}

/// An instant as ISO 8601 UTC with a `Z`: whole seconds when there is no
/// fraction (`2020-01-01T00:00:00Z`), else milli/micro/nanoseconds as needed.
pub fn format_instant(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// The text of a time extent: `start/end/period` when there are ≥ 3 distinct
/// instants equally spaced, else a comma list (ascending, duplicates dropped).
/// Empty input gives an empty string. Cost: a sort of a copy of `values`.
pub fn time_extent(values: &[DateTime<Utc>]) -> String {
    let mut v = values.to_vec();
    v.sort_unstable();
    v.dedup();
    if let [first, second, .., last] = v.as_slice() {
        let step = *second - *first;
        if v.windows(2).all(|w| matches!(w, [a, b] if *b - *a == step)) {
            if let Some(d) = duration_of(step) {
                return format!("{}/{}/{}", format_instant(first), format_instant(last), d);
            }
        }
    }
    v.iter().map(format_instant).collect::<Vec<_>>().join(",")
}

#[cfg(test)]
#[path = "time_tests.rs"]
mod tests;
