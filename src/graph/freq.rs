//! pandas-style time bins for the temporal blocks: a frequency (`Freq`)
//! names a lattice of instants, and a bin runs from one lattice instant to the
//! next. The rules are those of a one-element `Series.resample`, which is how
//! dask-geomodeling labels every instant:
//!
//! * fixed frequencies that divide a day (`"h"`, `"3h"`, `"15min"`, `"D"`):
//!   the lattice is every multiple of the frequency since midnight (pandas'
//!   origin);
//! * calendar offsets, once (`"W"`/`"W-MON"`…, `"MS"`, `"ME"`/`"M"`,
//!   `"QS"`/`"QS-FEB"`…, `"QE"`/`"Q"`…, `"YS"`/`"AS"`…, `"YE"`/`"Y"`/`"A"`…):
//!   the lattice is midnight of every day on the offset. For the end-of-period
//!   offsets closed on the right, pandas moves each bin edge to the end of its
//!   day (`_adjust_bin_edges`), so a whole last day belongs to its period.
//!
//! Bins follow a time zone's wall clock (`zone`, UTC by default): days and
//! calendar offsets step on the wall clock, shorter frequencies in absolute
//! time from local midnight.
//!
//! Multiples of calendar offsets (`"2MS"`) and fixed frequencies that do not
//! divide a day are refused, as are (outside UTC) frequencies below a day that
//! do not divide an hour: pandas anchors those at the first instant it sees,
//! so dask-geomodeling's labels for one frame and for a series of frames
//! disagree.

use super::zone::Zone;
use chrono::{Datelike, NaiveDate};

const DAY: i64 = 86_400_000;

/// A resampling frequency: a lattice of instants in a zone's wall clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Freq {
    unit: Unit,
    zone: Zone,
}

/// The lattice, in wall-clock ms.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Unit {
    /// A fixed length in ms that divides a day.
    Fixed(i64),
    /// Weekly on a weekday (0 = Monday); pandas' `W` is `W-SUN`.
    Week(u32),
    /// Month starts or ends every `step` months (1, 3 or 12), in the months
    /// `m` (0-based) with `m % step == anchor`.
    Months { step: u32, anchor: u32, end: bool },
}

const WEEKDAYS: [&str; 7] = ["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"];
const MONTHS: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];

impl Unit {
    /// Parses a pandas offset alias, with the aliases dask-geomodeling
    /// translates for pandas 3 (`M`, `Q`, `A`/`Y`, `AS`, `H`, `T`, `S`, `L`).
    fn parse(alias: &str) -> Result<Unit, String> {
        let a = alias.trim();
        let split = a.find(|c: char| !c.is_ascii_digit()).unwrap_or(a.len());
        let (num, code) = a.split_at(split);
        let n: i64 = if num.is_empty() {
            1
        } else {
            num.parse()
                .map_err(|_| format!("bad frequency '{alias}'"))?
        };
        let (base, suffix) = match code.split_once('-') {
            Some((b, s)) => (b, Some(s)),
            None => (code, None),
        };
        let unit_ms = match (base, suffix) {
            ("ms" | "L", None) => Some(1),
            ("s" | "S", None) => Some(1000),
            ("min" | "T", None) => Some(60_000),
            ("h" | "H", None) => Some(3_600_000),
            ("D", None) => Some(DAY),
            _ => None,
        };
        if let Some(unit_ms) = unit_ms {
            let f = n.checked_mul(unit_ms).unwrap_or(0);
            if f <= 0 || DAY % f != 0 {
                return Err(format!(
                    "frequency '{alias}' is not supported: a fixed frequency must divide one day"
                ));
            }
            return Ok(Unit::Fixed(f));
        }
        let month = |default: u32| -> Result<u32, String> {
            match suffix {
                None => Ok(default),
                Some(s) => MONTHS
                    .iter()
                    .position(|m| *m == s)
                    .map(|i| i as u32)
                    .ok_or_else(|| format!("bad frequency '{alias}'")),
            }
        };
        let calendar = match base {
            "W" => Unit::Week(match suffix {
                None => 6,
                Some(s) => WEEKDAYS
                    .iter()
                    .position(|d| *d == s)
                    .ok_or_else(|| format!("bad frequency '{alias}'"))?
                    as u32,
            }),
            "MS" | "ME" | "M" if suffix.is_none() => Unit::Months {
                step: 1,
                anchor: 0,
                end: base != "MS",
            },
            "QS" | "QE" | "Q" => Unit::Months {
                step: 3,
                anchor: month(if base == "QS" { 0 } else { 11 })? % 3,
                end: base != "QS",
            },
            "YS" | "AS" | "YE" | "Y" | "A" => Unit::Months {
                step: 12,
                anchor: month(if matches!(base, "YS" | "AS") { 0 } else { 11 })?,
                end: !matches!(base, "YS" | "AS"),
            },
            _ => {
                return Err(format!(
                    "frequency '{alias}' is not supported (fixed frequencies that divide a \
                     day, and W, MS, ME, QS, QE, YS and YE)"
                ));
            }
        };
        if n != 1 {
            return Err(format!(
                "frequency '{alias}' is not supported: calendar offsets are taken once \
                 (pandas would anchor multiples at the first frame)"
            ));
        }
        Ok(calendar)
    }

    /// The fixed length in ms (a block's `timedelta`); `None` for calendar
    /// offsets, whose periods differ in length.
    fn fixed_ms(self) -> Option<i64> {
        match self {
            Unit::Fixed(f) => Some(f),
            _ => None,
        }
    }

    /// Whether bins close and are labelled on the right by default
    /// (`_default_closed_label`: the end-of-period offsets and weeks).
    fn end_type(self) -> bool {
        match self {
            Unit::Fixed(_) => false,
            Unit::Week(_) => true,
            Unit::Months { end, .. } => end,
        }
    }

    /// The last lattice time at or before `t`.
    fn floor(self, t: i64) -> i64 {
        match self {
            Unit::Fixed(f) => t.div_euclid(f) * f,
            Unit::Week(wd) => {
                let day = t.div_euclid(DAY);
                // 1970-01-01 was a Thursday (weekday 3).
                let back = (day + 3 - i64::from(wd)).rem_euclid(7);
                (day - back) * DAY
            }
            Unit::Months { step, anchor, end } => {
                let date = date_of(t);
                let index = month_index(date);
                let mut m = index - (index - i64::from(anchor)).rem_euclid(i64::from(step));
                let mut at = month_day(m, end);
                if at > t {
                    m -= i64::from(step);
                    at = month_day(m, end);
                }
                at
            }
        }
    }

    /// The lattice time `k` steps from lattice time `l`.
    fn step(self, l: i64, k: i64) -> i64 {
        match self {
            Unit::Fixed(f) => l + k * f,
            Unit::Week(_) => l + k * 7 * DAY,
            Unit::Months { step, end, .. } => {
                month_day(month_index(date_of(l)) + k * i64::from(step), end)
            }
        }
    }
}

impl Freq {
    /// Parses a pandas offset alias, with the aliases dask-geomodeling
    /// translates for pandas 3 (`M`, `Q`, `A`/`Y`, `AS`, `H`, `T`, `S`, `L`),
    /// binned in UTC.
    pub fn parse(alias: &str) -> Result<Freq, String> {
        Ok(Freq {
            unit: Unit::parse(alias)?,
            zone: Zone::UTC,
        })
    }

    /// The same bins in `zone`'s wall clock. Days and calendar offsets
    /// follow the wall clock (a day may last 23 or 25 hours); shorter fixed
    /// frequencies must divide an hour, so that clock changes keep their
    /// lattice (pandas anchors it at the first frame's local midnight).
    pub fn in_zone(self, zone: Zone) -> Result<Freq, String> {
        if let Unit::Fixed(f) = self.unit
            && f < DAY
            && 3_600_000 % f != 0
            && !zone.is_utc()
        {
            return Err(
                "in a time zone other than UTC, a frequency shorter than a day must divide one hour"
                    .into(),
            );
        }
        Ok(Freq { zone, ..self })
    }

    /// The fixed length in ms (a block's `timedelta`); `None` for calendar
    /// offsets, whose periods differ in length.
    pub fn fixed_ms(self) -> Option<i64> {
        self.unit.fixed_ms()
    }

    /// Whether bins close and are labelled on the right by default
    /// (`_default_closed_label`: the end-of-period offsets and weeks).
    pub fn end_type(self) -> bool {
        self.unit.end_type()
    }

    /// Whether the lattice steps in absolute time (pandas' `Tick`s) rather
    /// than on the wall clock.
    fn absolute(self) -> bool {
        self.zone.is_utc() || matches!(self.unit, Unit::Fixed(f) if f < DAY)
    }

    /// The last lattice instant at or before `t`.
    fn floor(self, t: i64) -> i64 {
        if self.absolute() {
            // The wall clock's multiples of `f`, as pandas' lattice from
            // local midnight; `f` divides an hour, so clock changes keep it.
            let w = self.zone.wall_of(t);
            t - (w - self.unit.floor(w))
        } else {
            self.zone
                .instant_of_wall(self.unit.floor(self.zone.wall_of(t)))
        }
    }

    /// The lattice instant `k` steps from lattice instant `l` (pandas'
    /// `l + k * offset`).
    pub fn step(self, l: i64, k: i64) -> i64 {
        if self.absolute() {
            self.unit.step(l, k)
        } else {
            self.zone
                .instant_of_wall(self.unit.step(self.zone.wall_of(l), k))
        }
    }

    /// `_get_bin_label`: the label of the bin holding `t`.
    pub fn label(self, t: i64, closed_right: bool, label_right: bool) -> i64 {
        let right = if closed_right {
            // The first edge at or after `t`; end-of-period edges sit at the
            // end of their day (pandas moves them by one day less 1 ns).
            if self.end_type() {
                let w = self.zone.wall_of(t) - DAY;
                self.zone
                    .instant_of_wall(self.unit.step(self.unit.floor(w), 1))
            } else {
                let f = self.floor(t);
                if f == t { t } else { self.step(f, 1) }
            }
        } else {
            self.step(self.floor(t), 1)
        };
        if label_right {
            right
        } else {
            self.step(right, -1)
        }
    }

    /// `_get_bin_start` (label left): the left label of the bin holding `t`.
    pub fn bin_start(self, t: i64, closed_right: bool) -> i64 {
        self.label(t, closed_right, false)
    }

    /// `_get_closest_label`: the nearest label to `t` (`side` -1: at or
    /// before, +1: at or after, 0: either; ties to the earlier).
    pub fn closest(self, t: i64, side: i8) -> i64 {
        let c = self.floor(t);
        let mut best: Option<i64> = None;
        for cand in [self.step(c, -1), c, self.step(c, 1)] {
            let d = cand - t;
            if (side > 0 && d < 0) || (side < 0 && d > 0) {
                continue;
            }
            if best.is_none_or(|b| d.abs() < (b - t).abs()) {
                best = Some(cand);
            }
        }
        best.unwrap_or(c)
    }

    /// `_shift_datetime` for lattice instant `l`: whole steps as offsets,
    /// fractions as that part of the enclosing step's length.
    pub fn shift(self, l: i64, n: f64) -> i64 {
        let whole = n.floor();
        let a = self.step(l, whole as i64);
        if whole == n {
            return a;
        }
        let b = self.step(l, whole as i64 + 1);
        // Python: `n % 1.0` for n > 0, `-(n % 1.0)` otherwise, applied to
        // (b - a) from `l`.
        let frac = n - whole;
        let frac = if n > 0.0 { frac } else { -frac };
        l + ((b - a) as f64 * frac) as i64
    }

    /// Labels from `start` to `stop` (inclusive; `None`: just `start`), or
    /// `None` when there would be more than `max`.
    pub fn range(self, start: i64, stop: Option<i64>, max: usize) -> Option<Vec<i64>> {
        let stop = stop.unwrap_or(start);
        if let Some(f) = self.unit.fixed_ms().filter(|_| self.absolute()) {
            let n = (stop.saturating_sub(start) / f).saturating_add(1);
            if usize::try_from(n).is_ok_and(|n| n > max) {
                return None;
            }
        }
        let mut out = vec![];
        let mut t = start;
        while t <= stop {
            if out.len() == max {
                return None;
            }
            out.push(t);
            let next = self.step(t, 1);
            if next <= t {
                // Beyond the calendar's range: no later label exists.
                break;
            }
            t = next;
        }
        Some(out)
    }
}

/// The UTC date of `t` (ms since the epoch).
fn date_of(t: i64) -> NaiveDate {
    NaiveDate::from_num_days_from_ce_opt(
        (t.div_euclid(DAY) + i64::from(EPOCH_CE_DAYS)).clamp(1, i64::from(i32::MAX)) as i32,
    )
    .unwrap_or(NaiveDate::MIN)
}

/// `NaiveDate::from_ymd(1970, 1, 1).num_days_from_ce()`.
const EPOCH_CE_DAYS: i32 = 719_163;

/// Months since year 0 (0 = January of year 0).
fn month_index(d: NaiveDate) -> i64 {
    i64::from(d.year()) * 12 + i64::from(d.month0())
}

/// Midnight (ms) of the first (`end` false) or last day of month `m`.
fn month_day(m: i64, end: bool) -> i64 {
    let first = |m: i64| {
        NaiveDate::from_ymd_opt(m.div_euclid(12) as i32, m.rem_euclid(12) as u32 + 1, 1)
            .unwrap_or(NaiveDate::MIN)
    };
    let day = if end {
        first(m + 1).pred_opt().unwrap_or(NaiveDate::MIN)
    } else {
        first(m)
    };
    (i64::from(day.num_days_from_ce()) - i64::from(EPOCH_CE_DAYS)) * DAY
}

/// `_snap_to_resampled_labels`: request start/stop to labels inside `period`.
pub fn snap_labels(
    period: Option<(i64, i64)>,
    start: Option<i64>,
    stop: Option<i64>,
    f: Option<Freq>,
) -> Option<(i64, Option<i64>)> {
    let (p0, p1) = period?;
    let start = start.unwrap_or(p1);
    let near = |t: i64, side: i8| f.map_or(t, |f| f.closest(t, side));
    match stop {
        None => Some((
            if start <= p0 {
                p0
            } else if start >= p1 {
                p1
            } else {
                near(start, 0)
            },
            None,
        )),
        Some(stop) => {
            let s = if start <= p0 {
                p0
            } else if start > p1 {
                return None;
            } else {
                near(start, 1)
            };
            let e = if stop >= p1 {
                p1
            } else if stop < p0 {
                return None;
            } else {
                near(stop, -1)
            };
            (s <= e).then_some((s, Some(e)))
        }
    }
}

/// `find_neigbours`: for each value the index into sorted `array` (nearest:
/// ties to the earlier; forward: first at/after; backward: last at/before),
/// clipped into range.
pub fn neighbours(array: &[i64], values: &[i64], direction: i8) -> Vec<usize> {
    let n = array.len();
    if n <= 1 {
        return vec![0; values.len()];
    }
    values
        .iter()
        .map(|v| {
            let i = match direction {
                0 => {
                    // searchsorted(midpoints, v, side='left')
                    let mids = array
                        .windows(2)
                        .map(|w| w[0] as f64 + (w[1] - w[0]) as f64 / 2.0);
                    mids.filter(|m| *m < *v as f64).count() as i64
                }
                1 => array.partition_point(|a| a < v) as i64,
                _ => array.partition_point(|a| a <= v) as i64 - 1,
            };
            i.clamp(0, n as i64 - 1) as usize
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parsing() {
        let ms = |a: &str| Freq::parse(a).map(Freq::fixed_ms);
        assert_eq!(ms("h"), Ok(Some(3_600_000)));
        assert_eq!(ms("3h"), Ok(Some(10_800_000)));
        assert_eq!(ms("15min"), Ok(Some(900_000)));
        assert_eq!(ms("ME"), Ok(None));
        assert_eq!(
            Freq::parse("QE-MAR"),
            Freq::parse("Q"),
            "quarters ending in March end in December too"
        );
        for refused in [
            "7h", "2D", "2MS", "0h", "BME", "SME", "W-XYZ", "ME-JAN", "", "h3",
        ] {
            assert!(Freq::parse(refused).is_err(), "{refused}");
        }
    }

    #[test]
    fn neighbours_nearest_ties_to_the_earlier() {
        assert_eq!(neighbours(&[0, 10, 20], &[5, 6, 25], 0), vec![0, 1, 2]);
        assert_eq!(neighbours(&[0, 10, 20], &[5, 25], 1), vec![1, 2]);
        assert_eq!(neighbours(&[0, 10, 20], &[5, -5], -1), vec![0, 0]);
    }

    /// Every helper against dask-geomodeling's, over instants at and around
    /// period edges (`tests/golden/graph/freq.json`, from `make_goldens.py`).
    #[test]
    fn helpers_equal_dask_geomodeling() {
        let table: serde_json::Value =
            serde_json::from_str(include_str!("../../tests/golden/graph/freq.json"))
                .expect("freq.json");
        for (alias, name) in table["synonyms"].as_object().expect("synonyms") {
            let name = name.as_str().expect("name");
            assert_eq!(Freq::parse(alias), Freq::parse(name), "{alias} = {name}");
        }
        let ms = |v: &serde_json::Value| v.as_i64().expect("ms");
        let mut checked = 0;
        for fr in table["freqs"].as_array().expect("freqs") {
            let alias = fr["alias"].as_str().expect("alias");
            let zone = fr["zone"].as_str().expect("zone");
            let zone = Zone::parse(zone).unwrap_or_else(|e| panic!("{zone}: {e}"));
            let f = Freq::parse(alias)
                .and_then(|f| f.in_zone(zone))
                .unwrap_or_else(|e| panic!("{alias}: {e}"));
            let named =
                Freq::parse(fr["name"].as_str().expect("name")).and_then(|f| f.in_zone(zone));
            assert_eq!(named, Ok(f));
            assert_eq!(f.end_type(), fr["closed_right"].as_bool().expect("closed"));
            assert_eq!(f.end_type(), fr["label_right"].as_bool().expect("label"));
            assert_eq!(
                f.fixed_ms(),
                fr["timedelta_ms"].as_i64(),
                "{alias} timedelta"
            );
            for row in fr["rows"].as_array().expect("rows") {
                let row: Vec<i64> = row.as_array().expect("row").iter().map(ms).collect();
                let t = row[0];
                let row: Vec<i64> = std::iter::once(t)
                    .chain(row[1..].iter().map(|d| t + d))
                    .collect();
                let at = |what: &str| format!("{alias} in {zone:?} at {t} ({what})");
                for (k, (closed, label)) in
                    [(false, false), (false, true), (true, false), (true, true)]
                        .into_iter()
                        .enumerate()
                {
                    assert_eq!(
                        f.label(t, closed, label),
                        row[1 + k],
                        "{}",
                        at(&format!("label closed_right={closed} label_right={label}"))
                    );
                }
                for (k, side) in [-1, 0, 1].into_iter().enumerate() {
                    assert_eq!(
                        f.closest(t, side),
                        row[5 + k],
                        "{}",
                        at(&format!("closest {side}"))
                    );
                }
                let l = row[1];
                for (k, n) in [-1.0, -0.5, 0.5, 1.0].into_iter().enumerate() {
                    assert_eq!(f.shift(l, n), row[8 + k], "{}", at(&format!("shift {n}")));
                }
                assert_eq!(
                    f.range(l, Some(f.step(l, 3)), 4).as_deref(),
                    Some(&row[12..]),
                    "{}",
                    at("range")
                );
                assert_eq!(
                    f.range(l, Some(f.step(l, 3)), 3),
                    None,
                    "{}",
                    at("range limit")
                );
                checked += 1;
            }
        }
        assert!(checked > 2000, "{checked} rows");
    }
}
