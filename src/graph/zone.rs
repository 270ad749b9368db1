//! Time zones for the temporal blocks' bins: UTC, or an IANA zone (the names
//! pytz takes) whose wall clock the bins follow. Instants stay UTC ms; a
//! zone converts them to wall-clock ms and back.

use chrono::{DateTime, LocalResult, Offset, TimeZone};
use chrono_tz::Tz;

/// UTC, or a zone with a wall clock of its own.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Zone(Option<Tz>);

impl Zone {
    pub const UTC: Zone = Zone(None);

    /// A zone by its IANA name (`"UTC"`, `"Europe/Amsterdam"`, `"Etc/GMT-1"`).
    pub fn parse(name: &str) -> Result<Zone, String> {
        let tz: Tz = name
            .parse()
            .map_err(|_| format!("unknown time zone '{name}'"))?;
        Ok(if tz == Tz::UTC {
            Zone::UTC
        } else {
            Zone(Some(tz))
        })
    }

    pub fn is_utc(self) -> bool {
        self.0.is_none()
    }

    /// The wall-clock time (as ms since the local epoch) at instant `t`.
    pub fn wall_of(self, t: i64) -> i64 {
        match self.0 {
            None => t,
            Some(tz) => t + offset_ms(tz, t),
        }
    }

    /// The instant at which the wall clock shows `w`. A time shown twice (the
    /// hour a clock is set back) is its first instant; a time never shown
    /// (the hour a clock skips) is the first instant after the gap.
    pub fn instant_of_wall(self, w: i64) -> i64 {
        let Some(tz) = self.0 else {
            return w;
        };
        let Some(naive) = DateTime::from_timestamp_millis(w).map(|d| d.naive_utc()) else {
            return w;
        };
        match tz.from_local_datetime(&naive) {
            LocalResult::Single(x) | LocalResult::Ambiguous(x, _) => x.timestamp_millis(),
            LocalResult::None => {
                // The clock jumps from `before` to `after` somewhere in
                // (w - after, w - before]: find the first instant on `after`.
                const DAY: i64 = 86_400_000;
                let (before, after) = (offset_ms(tz, w - DAY), offset_ms(tz, w + DAY));
                let (mut lo, mut hi) = (w - after, w - before);
                while hi - lo > 1 {
                    let mid = lo + (hi - lo) / 2;
                    if offset_ms(tz, mid) == after {
                        hi = mid;
                    } else {
                        lo = mid;
                    }
                }
                hi
            }
        }
    }
}

/// The zone's offset from UTC at instant `t`, in ms.
fn offset_ms(tz: Tz, t: i64) -> i64 {
    DateTime::from_timestamp_millis(t).map_or(0, |d| {
        i64::from(
            tz.offset_from_utc_datetime(&d.naive_utc())
                .fix()
                .local_minus_utc(),
        ) * 1000
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(s: &str) -> i64 {
        DateTime::parse_from_rfc3339(s)
            .expect("time")
            .timestamp_millis()
    }

    #[test]
    fn wall_clock_round_trips_and_dst_edges() {
        let ams = Zone::parse("Europe/Amsterdam").expect("zone");
        assert_eq!(Zone::parse("UTC"), Ok(Zone::UTC));
        assert!(Zone::parse("Mars/Olympus").is_err());
        let t = ms("2020-01-15T10:00:00Z");
        assert_eq!(ams.wall_of(t), ms("2020-01-15T11:00:00Z"));
        assert_eq!(ams.instant_of_wall(ams.wall_of(t)), t);
        // 2020-03-29 02:00-03:00 never happened in Amsterdam.
        assert_eq!(
            ams.instant_of_wall(ms("2020-03-29T02:30:00Z")),
            ms("2020-03-29T01:00:00Z")
        );
        // 2020-10-25 02:30 happened twice; the first is 00:30 UTC.
        assert_eq!(
            ams.instant_of_wall(ms("2020-10-25T02:30:00Z")),
            ms("2020-10-25T00:30:00Z")
        );
        let utc = Zone::UTC;
        assert_eq!((utc.wall_of(t), utc.instant_of_wall(t)), (t, t));
    }
}
