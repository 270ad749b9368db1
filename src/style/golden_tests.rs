//! Golden test: tegel's colours equal matplotlib's for every value in
//! `tests/golden/style/values.tsv` (made by `make_golden.py` beside it),
//! through the fast kernel, the scalar reference and the RGBA painter.

use super::*;
use crate::model::{Pixel, Rgb};

const GOLDEN: &str = include_str!("../../tests/golden/style/values.tsv");

struct Row {
    style: String,
    dtype: String,
    value: String,
    want: [u8; 4],
    /// matplotlib's own colour (its under/over/bad where they apply).
    raw: [u8; 4],
    is_nan: bool,
}

fn rows() -> Vec<Row> {
    GOLDEN
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            assert_eq!(f.len(), 6, "{l}");
            let c: Vec<u8> = f[3].split(' ').map(|x| x.parse().unwrap()).collect();
            let r: Vec<u8> = f[4].split(' ').map(|x| x.parse().unwrap()).collect();
            Row {
                style: f[0].to_string(),
                dtype: f[1].to_string(),
                value: f[2].to_string(),
                want: [c[0], c[1], c[2], c[3]],
                raw: [r[0], r[1], r[2], r[3]],
                is_nan: f[5] == "1",
            }
        })
        .collect()
}

/// Run one group (same style and dtype) through every path and compare.
fn check_group<T: Pixel>(style: &str, values: &[T], rows: &[&Row]) {
    let lut = Style::parse(style).unwrap().lut();
    let n = values.len();
    let (mut fast, mut slow) = (vec![0u8; n], vec![0u8; n]);
    let (mut m1, mut m2) = (vec![0u8; n], vec![0u8; n]);
    let any = indices_into(&lut, values, None, None, &mut fast, &mut m1).unwrap();
    let any2 = indices_scalar_into(&lut, values, None, None, &mut slow, &mut m2).unwrap();
    let mut wide = vec![0u16; n];
    let mut m3 = vec![0u8; n];
    indices_into(&lut, values, None, None, &mut wide, &mut m3).unwrap();
    assert_eq!(any, any2);
    assert_eq!(m1, m2);
    assert_eq!(m1, m3);
    let fill = Fill {
        transparent: true,
        bgcolor: Rgb::WHITE,
    };
    let mut rgba = vec![0u8; 4 * n];
    rgba_into(&lut, &fast, &m1, fill, &mut rgba).unwrap();
    for (i, r) in rows.iter().enumerate() {
        let ctx = format!("{} {} {}", r.style, r.dtype, r.value);
        assert_eq!(m1[i] == 1, r.is_nan, "{ctx}");
        let cmap = Style::parse(style).unwrap().colormap().unwrap();
        if r.is_nan {
            assert_eq!(&rgba[4 * i..4 * i + 4], &[0, 0, 0, 0], "{ctx}");
            if lut.limits().0 != lut.limits().1 {
                assert_eq!(r.raw, cmap.bad(), "{ctx}");
            }
            continue;
        }
        // Where matplotlib differs it painted its under/over colour, which
        // tegel replaces by the end entry; the tables must agree on those.
        if r.raw != r.want {
            let (first, last) = (lut.colors()[0], lut.colors()[lut.len() - 1]);
            assert!(
                (r.raw == cmap.under() && r.want == first)
                    || (r.raw == cmap.over() && r.want == last),
                "{ctx}"
            );
        }
        assert_eq!(fast[i], slow[i], "{ctx}");
        assert_eq!(u16::from(fast[i]), wide[i], "{ctx}");
        assert_eq!(lut.colors()[usize::from(fast[i])], r.want, "{ctx}");
        assert_eq!(&rgba[4 * i..4 * i + 4], &r.want, "{ctx}");
    }
}

#[test]
fn matches_matplotlib() {
    let rows = rows();
    assert!(rows.len() > 1500);
    let mut groups: Vec<(String, String)> = rows
        .iter()
        .map(|r| (r.style.clone(), r.dtype.clone()))
        .collect();
    groups.dedup();
    assert_eq!(groups.len(), 7 * 4);
    for (style, dtype) in groups {
        let g: Vec<&Row> = rows
            .iter()
            .filter(|r| r.style == style && r.dtype == dtype)
            .collect();
        match dtype.as_str() {
            "float32" => {
                let v: Vec<f32> = g
                    .iter()
                    .map(|r| f32::from_bits(u32::from_str_radix(&r.value, 16).unwrap()))
                    .collect();
                check_group(&style, &v, &g);
            }
            "float64" => {
                let v: Vec<f64> = g
                    .iter()
                    .map(|r| f64::from_bits(u64::from_str_radix(&r.value, 16).unwrap()))
                    .collect();
                check_group(&style, &v, &g);
            }
            "int16" => {
                let v: Vec<i16> = g.iter().map(|r| r.value.parse().unwrap()).collect();
                check_group(&style, &v, &g);
            }
            "int32" => {
                let v: Vec<i32> = g.iter().map(|r| r.value.parse().unwrap()).collect();
                check_group(&style, &v, &g);
            }
            other => panic!("dtype {other}"),
        }
    }
}
