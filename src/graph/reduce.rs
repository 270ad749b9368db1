//! Reductions over frames, cell by cell (TemporalAggregate's statistics).
//! NaN is nodata and is skipped; running sums round to the calculation dtype
//! after every step, as NumPy's reductions along the first axis do.
//!
//! Sum, count, min, max and mean run plane by plane (frames outer, cells
//! inner: vectorised loops); the order statistics collect each cell's values.
//! `reference` is the one-cell-at-a-time definition the plane loops are
//! tested against.

use super::blocks::Stat;
use super::dtype::{self, Dt};

/// Each cell's `stat` over `frames` (each `len` long); NaN where it has none
/// (sum and count: 0).
pub(crate) fn reduce(stat: Stat, calc: Dt, frames: &[&[f64]], len: usize) -> Vec<f64> {
    if calc == Dt::F32 {
        planes::<true>(stat, calc, frames, len)
    } else {
        planes::<false>(stat, calc, frames, len)
    }
}

/// `v` rounded to the calculation dtype: float32 when `F32`, else f64.
fn round<const F32: bool>(v: f64) -> f64 {
    if F32 { f64::from(v as f32) } else { v }
}

/// A running sum after value `v` (NaN: skipped). The sum is formed before
/// the choice, so the loops stay branch-free and vectorise.
fn sum_step<const F32: bool>(a: f64, v: f64) -> f64 {
    let added = round::<F32>(a + v);
    if v.is_nan() { a } else { added }
}

/// A running count after value `v` (NaN: not counted).
fn count_step(a: f64, v: f64) -> f64 {
    a + f64::from(u8::from(!v.is_nan()))
}

fn planes<const F32: bool>(stat: Stat, calc: Dt, frames: &[&[f64]], len: usize) -> Vec<f64> {
    match stat {
        Stat::Sum => fold(frames, len, 0.0, sum_step::<F32>),
        Stat::Count => fold(frames, len, 0.0, count_step),
        Stat::Min => fold(frames, len, f64::NAN, |a, v| {
            if !v.is_nan() && (a.is_nan() || v < a) {
                v
            } else {
                a
            }
        }),
        Stat::Max => fold(frames, len, f64::NAN, |a, v| {
            if !v.is_nan() && (a.is_nan() || v > a) {
                v
            } else {
                a
            }
        }),
        Stat::Mean => {
            // Sums and counts in one pass over the frames.
            let (mut s, mut n) = (vec![0.0; len], vec![0.0; len]);
            for f in frames {
                mean_step::<F32>(&mut s, &mut n, f);
            }
            s.iter()
                .zip(&n)
                .map(|(s, n)| {
                    if *n == 0.0 {
                        f64::NAN
                    } else {
                        round::<F32>(s / n)
                    }
                })
                .collect()
        }
        _ => (0..len).map(|i| reference(stat, calc, frames, i)).collect(),
    }
}

/// `step` folded over the frames, every cell from `init`.
fn fold(frames: &[&[f64]], len: usize, init: f64, step: impl Fn(f64, f64) -> f64) -> Vec<f64> {
    let mut acc = vec![init; len];
    for f in frames {
        apply(&mut acc, f, &step);
    }
    acc
}

/// One frame into every cell's accumulator, vectorised for the CPU found at
/// run time.
#[multiversion::multiversion(targets(
    "x86_64+avx512f+avx512vl+avx512dq+avx2+fma",
    "x86_64+avx2+fma",
    "x86_64+sse4.1"
))]
fn apply(acc: &mut [f64], frame: &[f64], step: impl Fn(f64, f64) -> f64) {
    for (a, v) in acc.iter_mut().zip(frame) {
        *a = step(*a, *v);
    }
}

#[multiversion::multiversion(targets(
    "x86_64+avx512f+avx512vl+avx512dq+avx2+fma",
    "x86_64+avx2+fma",
    "x86_64+sse4.1"
))]
fn mean_step<const F32: bool>(sum: &mut [f64], count: &mut [f64], frame: &[f64]) {
    for ((s, n), v) in sum.iter_mut().zip(count.iter_mut()).zip(frame) {
        *s = sum_step::<F32>(*s, *v);
        *n = count_step(*n, *v);
    }
}

/// Adds one frame to running sums or counts (Cumulative), with `reduce`'s
/// rounding (`calc` is float32 or float64, as `result_type(float32, …)`).
pub(crate) fn accumulate(stat: Stat, calc: Dt, acc: &mut [f64], frame: &[f64]) {
    match (stat, calc) {
        (Stat::Count, _) => apply(acc, frame, count_step),
        (_, Dt::F32) => apply(acc, frame, sum_step::<true>),
        _ => apply(acc, frame, sum_step::<false>),
    }
}

/// Cell `i`'s `stat` over `frames`, in `calc` precision.
pub(crate) fn reference(stat: Stat, calc: Dt, frames: &[&[f64]], i: usize) -> f64 {
    let vals = frames.iter().map(|f| f[i]).filter(|v| !v.is_nan());
    let round = |v: f64| dtype::cast(calc, v);
    match stat {
        Stat::Sum => vals.fold(0.0, |a, v| round(a + v)),
        Stat::Count => vals.count() as f64,
        Stat::Min => vals.fold(f64::NAN, |a, v| if a.is_nan() || v < a { v } else { a }),
        Stat::Max => vals.fold(f64::NAN, |a, v| if a.is_nan() || v > a { v } else { a }),
        // Not offered by the temporal blocks (parse refuses them).
        Stat::Last => vals.into_iter().next_back().unwrap_or(f64::NAN),
        Stat::First => vals.into_iter().next().unwrap_or(f64::NAN),
        Stat::Mean => {
            let (mut s, mut n) = (0.0, 0usize);
            for v in vals {
                s = round(s + v);
                n += 1;
            }
            if n == 0 {
                f64::NAN
            } else {
                round(s / n as f64)
            }
        }
        Stat::Median => percentile(vals.collect(), 50.0),
        Stat::Percentile(q) => percentile(vals.collect(), q),
        Stat::Std | Stat::Var => {
            let v: Vec<f64> = vals.collect();
            if v.is_empty() {
                return f64::NAN;
            }
            let mean = v.iter().sum::<f64>() / v.len() as f64;
            let var = v.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / v.len() as f64;
            round(if stat == Stat::Std { var.sqrt() } else { var })
        }
    }
}

/// NumPy's default (linear) percentile.
fn percentile(mut v: Vec<f64>, q: f64) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let pos = q / 100.0 * (v.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    v[lo] + (v[hi] - v[lo]) * (pos - lo as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The plane loops equal the per-cell definition bit for bit, with NaN,
    /// infinities, float32 rounding and cells without any value.
    #[test]
    fn planes_equal_the_reference() {
        let len = 37;
        let frames: Vec<Vec<f64>> = (0..5)
            .map(|f| {
                (0..len)
                    .map(|i| match (i * 7 + f * 3) % 11 {
                        0 => f64::NAN,
                        1 if i % 5 == 0 => f64::INFINITY,
                        2 if i % 7 == 0 => f64::NEG_INFINITY,
                        k => f64::from((k as f32) * 0.1 + (i as f32) * 1e5),
                    })
                    .collect()
            })
            .chain(std::iter::once(vec![f64::NAN; len]))
            .collect();
        let planes: Vec<&[f64]> = frames.iter().map(Vec::as_slice).collect();
        for calc in [Dt::F32, Dt::F64] {
            for stat in [
                Stat::Sum,
                Stat::Count,
                Stat::Min,
                Stat::Max,
                Stat::Mean,
                Stat::Median,
                Stat::Std,
                Stat::Percentile(90.0),
            ] {
                for take in [0, 1, 3, planes.len()] {
                    let got = reduce(stat, calc, &planes[..take], len);
                    for (i, g) in got.iter().enumerate() {
                        let want = reference(stat, calc, &planes[..take], i);
                        assert!(
                            g.to_bits() == want.to_bits() || (g.is_nan() && want.is_nan()),
                            "{stat:?} {calc:?} {take} frames, cell {i}: {g} vs {want}"
                        );
                    }
                }
            }
        }
    }
}
