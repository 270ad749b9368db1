//! pandas-style time bins for the temporal blocks, restricted to fixed
//! frequencies that divide a day (`"h"`, `"3h"`, `"15min"`, `"D"`, …) in UTC:
//! then pandas' default origin (midnight of the first day) coincides with the
//! epoch and every bin edge is a multiple of the frequency. Calendar offsets
//! (weeks, months, years) and other time zones are refused at parse time.

const DAY: i64 = 86_400_000;

/// A frequency in ms, or an error message for unsupported aliases.
pub fn parse(alias: &str) -> Result<i64, String> {
    let a = alias.trim();
    let split = a.find(|c: char| !c.is_ascii_digit()).unwrap_or(a.len());
    let (num, unit) = a.split_at(split);
    let n: i64 = if num.is_empty() {
        1
    } else {
        num.parse()
            .map_err(|_| format!("bad frequency '{alias}'"))?
    };
    let unit_ms = match unit {
        "ms" | "L" => 1,
        "s" | "S" => 1000,
        "min" | "T" => 60_000,
        "h" | "H" => 3_600_000,
        "D" => DAY,
        _ => {
            return Err(format!(
                "frequency '{alias}' is not supported (only fixed frequencies that divide a day)"
            ));
        }
    };
    let f = n * unit_ms;
    if f <= 0 || DAY % f != 0 {
        return Err(format!(
            "frequency '{alias}' is not supported (it must divide one day)"
        ));
    }
    Ok(f)
}

/// The label of the bin holding `t`.
pub fn label(t: i64, f: i64, closed_right: bool, label_right: bool) -> i64 {
    let k = if closed_right {
        (t + f - 1).div_euclid(f) - 1
    } else {
        t.div_euclid(f)
    };
    (k + i64::from(label_right)) * f
}

/// The left edge of the bin holding `t`.
pub fn bin_start(t: i64, f: i64, closed_right: bool) -> i64 {
    label(t, f, closed_right, false)
}

/// `_get_closest_label`: the nearest label to `t` (`side` -1: at or before,
/// +1: at or after, 0: either; ties to the earlier).
pub fn closest(t: i64, f: i64, side: i8) -> i64 {
    let c = t.div_euclid(f) * f;
    let mut best: Option<i64> = None;
    for cand in [c - f, c, c + f] {
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

/// `_snap_to_resampled_labels`: request start/stop to labels inside `period`.
pub fn snap_labels(
    period: Option<(i64, i64)>,
    start: Option<i64>,
    stop: Option<i64>,
    f: Option<i64>,
) -> Option<(i64, Option<i64>)> {
    let (p0, p1) = period?;
    let start = start.unwrap_or(p1);
    let near = |t: i64, side: i8| f.map_or(t, |f| closest(t, f, side));
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

/// Labels from `start` to `stop` (inclusive) every `f`.
pub fn range(start: i64, stop: Option<i64>, f: i64) -> Vec<i64> {
    let stop = stop.unwrap_or(start);
    let mut out = vec![];
    let mut t = start;
    while t <= stop {
        out.push(t);
        t += f;
    }
    out
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
    fn fixed_frequencies_only() {
        assert_eq!(parse("h"), Ok(3_600_000));
        assert_eq!(parse("3h"), Ok(10_800_000));
        assert_eq!(parse("15min"), Ok(900_000));
        assert!(parse("ME").is_err());
        assert!(parse("7h").is_err());
    }

    #[test]
    fn labels_and_closest() {
        let h = 3_600_000;
        assert_eq!(label(h, 3 * h, false, false), 0);
        assert_eq!(label(3 * h, 3 * h, true, true), 3 * h);
        assert_eq!(label(3 * h + 1, 3 * h, true, true), 6 * h);
        assert_eq!(closest(h + h / 2, h, 0), h);
        assert_eq!(closest(h + h / 2, h, 1), 2 * h);
        assert_eq!(neighbours(&[0, 10, 20], &[5, 6, 25], 0), vec![0, 1, 2]);
    }
}
