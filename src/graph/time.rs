//! Frame selection for sources (dask-geomodeling's `snap_start_stop`): no start
//! → the last frame; start only → the nearest frame (clamped into the period,
//! ties to even as Python's `round`); start and stop → every frame in the closed
//! interval, nothing when it misses the period.

/// Indices into `times` (ascending) selected by `start`/`stop` (ms); `None` when
/// nothing is selected (empty source or an interval outside the period).
pub fn select(
    times: &[i64],
    interval: Option<i64>,
    start: Option<i64>,
    stop: Option<i64>,
) -> Option<Vec<usize>> {
    let n = times.len();
    if n == 0 {
        return None;
    }
    let (first, last) = (times[0], times[n - 1]);
    match (start, stop) {
        (None, _) => Some(vec![n - 1]),
        (Some(s), None) => {
            if s <= first {
                Some(vec![0])
            } else if s >= last {
                Some(vec![n - 1])
            } else if let Some(td) = interval.filter(|_| n > 1) {
                let k = round_half_even((s - first) as f64 / td as f64);
                Some(vec![(k.max(0.0) as usize).min(n - 1)])
            } else {
                // Irregular frames: the nearest one, ties to the earlier.
                let i = times.partition_point(|t| *t < s);
                let pick = if i > 0 && s - times[i - 1] <= times[i] - s {
                    i - 1
                } else {
                    i
                };
                Some(vec![pick])
            }
        }
        (Some(s), Some(e)) => {
            if s > last || e < first {
                None
            } else if n == 1 {
                Some(vec![0])
            } else {
                let v: Vec<usize> = (0..n).filter(|&i| times[i] >= s && times[i] <= e).collect();
                Some(v)
            }
        }
    }
}

fn round_half_even(x: f64) -> f64 {
    let r = x.round();
    if (x - x.trunc()).abs() == 0.5 {
        2.0 * (x / 2.0).round()
    } else {
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snap_start_stop_rules() {
        let t = [0, 10, 20, 30];
        assert_eq!(select(&t, Some(10), None, None), Some(vec![3]));
        assert_eq!(select(&t, Some(10), Some(-5), None), Some(vec![0]));
        assert_eq!(select(&t, Some(10), Some(99), None), Some(vec![3]));
        assert_eq!(select(&t, Some(10), Some(14), None), Some(vec![1]));
        // Python round: 1.5 → 2, 2.5 → 2.
        assert_eq!(select(&t, Some(10), Some(15), None), Some(vec![2]));
        assert_eq!(select(&t, Some(10), Some(25), None), Some(vec![2]));
        assert_eq!(select(&t, Some(10), Some(5), Some(21)), Some(vec![1, 2]));
        assert_eq!(select(&t, Some(10), Some(31), Some(40)), None);
        assert_eq!(select(&[0], None, Some(5), Some(6)), None);
        assert_eq!(select(&[0], None, Some(-5), Some(6)), Some(vec![0]));
        assert_eq!(select(&[], None, None, None), None);
    }
}
