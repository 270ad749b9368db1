//! Unit tests for the index kernel and the palette: the fast path against the
//! scalar reference on random and edge values, nodata rules, palette slots.

use super::*;
use crate::model::{Pixel, Rgb};

/// xorshift64*: deterministic test data without a dependency.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

const STYLES: [&str; 6] = [
    "RdBu_r:-4.6:-1.17",
    "viridis",
    "Accent:0:7",
    "jet_r:1e-3:5e2",
    "Blues:3:3",
    "twilight:-1:1e3",
];

fn values_f64(lut: &StyleLut, rng: &mut Rng, n: usize) -> Vec<f64> {
    let (lo, hi) = lut.limits();
    let span = (hi - lo).max(1.0);
    let len = lut.len() as f64;
    (0..n)
        .map(|i| match i % 9 {
            // Exactly on a bin edge, and just around it.
            0 => lo + (rng.next() % (lut.len() as u64 + 1)) as f64 / len * (hi - lo),
            1 => lo - span * rng.unit(),
            2 => hi + span * rng.unit(),
            3 => [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, -9999.0, lo, hi][i / 9 % 6],
            _ => lo + (hi - lo) * rng.unit(),
        })
        .collect()
}

fn compare<T: Pixel>(lut: &StyleLut, values: &[T], nodata: Option<f64>, valid: Option<&[u8]>) {
    let n = values.len();
    let (mut a, mut b) = (vec![0u16; n], vec![0u16; n]);
    let (mut ma, mut mb) = (vec![0u8; n], vec![0u8; n]);
    let ra = indices_into(lut, values, nodata, valid, &mut a, &mut ma).unwrap();
    let rb = indices_scalar_into(lut, values, nodata, valid, &mut b, &mut mb).unwrap();
    assert_eq!(ra, rb);
    assert_eq!(ma, mb);
    for i in 0..n {
        if ma[i] == 0 {
            assert_eq!(a[i], b[i], "{:?} at {i}", values[i].to_f64());
            assert!(usize::from(a[i]) < lut.len());
        }
    }
    if lut.fits_u8() {
        let mut c = vec![0u8; n];
        let mut mc = vec![0u8; n];
        assert_eq!(
            indices_into(lut, values, nodata, valid, &mut c, &mut mc).unwrap(),
            ra
        );
        assert_eq!(mc, ma);
        for i in 0..n {
            if ma[i] == 0 {
                assert_eq!(u16::from(c[i]), a[i]);
            }
        }
    }
}

#[test]
fn fast_path_equals_reference_for_every_type() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for s in STYLES {
        let lut = Style::parse(s).unwrap().lut();
        let v = values_f64(&lut, &mut rng, 5000);
        let valid: Vec<u8> = (0..v.len()).map(|i| u8::from(i % 13 != 0)).collect();
        let f32s: Vec<f32> = v.iter().map(|&x| x as f32).collect();
        for (nd, va) in [(None, None), (Some(-9999.0), Some(&valid[..]))] {
            compare(&lut, &v, nd, va);
            compare(&lut, &f32s, nd, va);
            compare(
                &lut,
                &v.iter().map(|&x| x as u8).collect::<Vec<_>>(),
                nd,
                va,
            );
            compare(
                &lut,
                &v.iter().map(|&x| x as i8).collect::<Vec<_>>(),
                nd,
                va,
            );
            compare(
                &lut,
                &v.iter().map(|&x| x as u16).collect::<Vec<_>>(),
                nd,
                va,
            );
            compare(
                &lut,
                &v.iter().map(|&x| x as i16).collect::<Vec<_>>(),
                nd,
                va,
            );
            compare(
                &lut,
                &v.iter().map(|&x| x as u32).collect::<Vec<_>>(),
                nd,
                va,
            );
            compare(
                &lut,
                &v.iter().map(|&x| x as i32).collect::<Vec<_>>(),
                nd,
                va,
            );
        }
    }
}

#[test]
fn nodata_rules() {
    let lut = Style::parse("Accent:0:8").unwrap().lut();
    let v = [f32::NAN, -9999.0, 3.5, 0.0, 8.0, 100.0, -1.0, 3.5];
    let valid = [1, 1, 1, 1, 1, 1, 1, 0];
    let (mut idx, mut mask) = ([9u8; 8], [9u8; 8]);
    assert!(indices_into(&lut, &v, Some(-9999.0), Some(&valid), &mut idx, &mut mask).unwrap());
    assert_eq!(mask, [1, 1, 0, 0, 0, 0, 0, 1]);
    assert_eq!(&idx[2..7], &[3, 0, 7, 7, 0]);
    // No nodata value: -9999 is just below the domain.
    assert!(indices_into(&lut, &v, None, None, &mut idx, &mut mask).unwrap());
    assert_eq!(mask, [1, 0, 0, 0, 0, 0, 0, 0]);
    assert_eq!(idx[1], 0);
    // Exact equality only: a near value is data.
    let w = [1.000_000_1f64, 1.0];
    let (mut i2, mut m2) = ([0u8; 2], [0u8; 2]);
    indices_into(&lut, &w, Some(1.0), None, &mut i2, &mut m2).unwrap();
    assert_eq!(m2, [0, 1]);
    // Clean tile reports no nodata.
    assert!(!indices_into(&lut, &[1.0f32, 2.0], None, None, &mut i2, &mut m2).unwrap());
}

#[test]
fn buffer_errors() {
    let lut = Style::parse("viridis").unwrap().lut();
    let (mut i, mut m) = ([0u8; 2], [0u8; 2]);
    let e = indices_into(&lut, &[0.5f32; 3], None, None, &mut i, &mut m).unwrap_err();
    assert_eq!(e.class(), crate::model::ErrorClass::Internal);
    assert!(indices_into(&lut, &[0.5f32; 2], None, Some(&[1]), &mut i, &mut m).is_err());
    let big = Style::parse("twilight").unwrap().lut();
    assert!(!big.fits_u8());
    assert!(indices_into(&big, &[0.5f32; 2], None, None, &mut i, &mut m).is_err());
    let fill = Fill {
        transparent: true,
        bgcolor: Rgb::WHITE,
    };
    assert!(palette(&big, &mut i, &m, false, fill).is_err());
    assert!(palette(&lut, &mut i, &[0], false, fill).is_err());
    assert!(rgba_into(&lut, &i, &m, fill, &mut [0; 7]).is_err());
}

fn fill(transparent: bool) -> Fill {
    Fill {
        transparent,
        bgcolor: Rgb([10, 20, 30]),
    }
}

#[test]
fn palette_without_nodata_is_the_lut() {
    let lut = Style::parse("viridis").unwrap().lut();
    let mut idx = vec![0u8, 255, 17];
    let pal = palette(&lut, &mut idx, &[0, 0, 0], false, fill(true))
        .unwrap()
        .unwrap();
    assert_eq!(pal, lut.colors());
    assert_eq!(idx, [0, 255, 17]);
}

#[test]
fn palette_small_lut_appends_nodata() {
    let lut = Style::parse("Accent:0:7").unwrap().lut();
    let mut idx = vec![0u8, 3, 5];
    let pal = palette(&lut, &mut idx, &[0, 1, 0], true, fill(true))
        .unwrap()
        .unwrap();
    assert_eq!(pal.len(), 9);
    assert_eq!(pal[8], [0, 0, 0, 0]);
    assert_eq!(&pal[..8], lut.colors());
    assert_eq!(idx, [0, 8, 5]);
    let mut idx = vec![0u8, 3, 5];
    let pal = palette(&lut, &mut idx, &[0, 1, 0], true, fill(false))
        .unwrap()
        .unwrap();
    assert_eq!(pal[8], [10, 20, 30, 255]);
}

#[test]
fn palette_full_lut_reuses_a_free_slot_or_falls_back() {
    let lut = Style::parse("viridis").unwrap().lut();
    // Every index but 77 used by data; nodata pixels carry index 77 and 3.
    let mut idx: Vec<u8> = (0..=255u8).filter(|&i| i != 77).collect();
    let mut mask = vec![0u8; idx.len()];
    idx.extend([77, 3]);
    mask.extend([1, 1]);
    let pal = palette(&lut, &mut idx, &mask, true, fill(true))
        .unwrap()
        .unwrap();
    assert_eq!(pal.len(), 256);
    assert_eq!(pal[77], [0, 0, 0, 0]);
    for (i, c) in pal.iter().enumerate().filter(|&(i, _)| i != 77) {
        assert_eq!(*c, lut.colors()[i]);
    }
    assert_eq!(&idx[255..], &[77, 77]);
    // All 256 used by data → RGBA fallback, indices untouched.
    let mut idx: Vec<u8> = (0..=255u8).chain([5]).collect();
    let mut mask = vec![0u8; 257];
    mask[256] = 1;
    assert_eq!(
        palette(&lut, &mut idx, &mask, true, fill(false)).unwrap(),
        None
    );
    assert_eq!(idx[256], 5);
    let mut rgba = vec![0u8; 257 * 4];
    rgba_into(&lut, &idx, &mask, fill(false), &mut rgba).unwrap();
    assert_eq!(&rgba[..4], &lut.colors()[0]);
    assert_eq!(&rgba[256 * 4..], &[10, 20, 30, 255]);
}

#[test]
fn palette_reuses_an_equal_entry() {
    // Greys ends in pure black; an opaque black background reuses that entry.
    let lut = Style::parse("Greys").unwrap().lut();
    let black = Fill {
        transparent: false,
        bgcolor: Rgb([0, 0, 0]),
    };
    let last = lut
        .colors()
        .iter()
        .position(|&c| c == [0, 0, 0, 255])
        .unwrap();
    let mut idx: Vec<u8> = (0..=255u8).chain([9]).collect();
    let mut mask = vec![0u8; 257];
    mask[256] = 1;
    let pal = palette(&lut, &mut idx, &mask, true, black)
        .unwrap()
        .unwrap();
    assert_eq!(pal, lut.colors());
    assert_eq!(usize::from(idx[256]), last);
}

#[test]
fn transparent_style_is_all_clear() {
    let lut = Style::parse("transparent").unwrap().lut();
    assert_eq!(lut.len(), 1);
    let v = [1.0f32, f32::NAN, 1e9];
    let (mut idx, mut mask) = ([7u8; 3], [0u8; 3]);
    let any = indices_into(&lut, &v, None, None, &mut idx, &mut mask).unwrap();
    let pal = palette(&lut, &mut idx, &mask, any, fill(false))
        .unwrap()
        .unwrap();
    assert_eq!(pal, [[0, 0, 0, 0]]);
    assert_eq!(idx, [0, 0, 0]);
    let mut rgba = [1u8; 12];
    rgba_into(&lut, &idx, &mask, fill(false), &mut rgba).unwrap();
    assert_eq!(rgba, [0; 12]);
}

#[test]
fn twilight_rgba_path() {
    let lut = Style::parse("twilight:0:510").unwrap().lut();
    let v: Vec<f64> = (0..600).map(|i| i as f64 - 40.5).collect();
    let (mut idx, mut mask) = (vec![0u16; 600], vec![0u8; 600]);
    assert!(!indices_into(&lut, &v, None, None, &mut idx, &mut mask).unwrap());
    assert_eq!(idx[40], 0);
    assert_eq!(idx[41], 0); // 0.5 → bin 0
    assert_eq!(idx[42], 1);
    assert_eq!(idx[550], 509);
    assert_eq!(idx[599], 509);
    let mut rgba = vec![0u8; 2400];
    rgba_into(&lut, &idx, &mask, fill(true), &mut rgba).unwrap();
    assert_eq!(&rgba[42 * 4..43 * 4], &lut.colors()[1]);
}

#[test]
fn palette_full_lut_prefers_an_unused_end() {
    let lut = Style::parse("viridis").unwrap().lut();
    // Data use 3..=200: slot 0 is free, so tRNS stays one byte long.
    let mut idx: Vec<u8> = (3..=200u8).chain([0, 250]).collect();
    let mut mask = vec![0u8; idx.len()];
    mask[idx.len() - 2..].fill(1);
    let pal = palette(&lut, &mut idx, &mask, true, fill(true))
        .unwrap()
        .unwrap();
    assert_eq!(pal[0], [0, 0, 0, 0]);
    assert_eq!(&pal[1..], &lut.colors()[1..]);
    assert_eq!(&idx[idx.len() - 2..], &[0, 0]);
    assert_eq!(idx[0], 3);
    // Data use 0..=250 (nodata pixels' own indices do not count): slot 251.
    let mut idx: Vec<u8> = (0..=250u8).chain([255, 251]).collect();
    let mut mask = vec![0u8; idx.len()];
    mask[idx.len() - 2..].fill(1);
    let pal = palette(&lut, &mut idx, &mask, true, fill(false))
        .unwrap()
        .unwrap();
    assert_eq!(pal[251], [10, 20, 30, 255]);
    assert_eq!(&pal[..251], &lut.colors()[..251]);
    assert_eq!(&pal[252..], &lut.colors()[252..]);
    assert_eq!(&idx[idx.len() - 2..], &[251, 251]);
    // Long images exercise the chunked passes and their tails.
    let mut idx: Vec<u8> = (0..10_007u32).map(|i| (i % 200 + 20) as u8).collect();
    let mut mask: Vec<u8> = (0..10_007u32).map(|i| u8::from(i % 17 == 0)).collect();
    idx[10_006] = 255;
    mask[10_006] = 0;
    let pal = palette(&lut, &mut idx, &mask, true, fill(true))
        .unwrap()
        .unwrap();
    assert_eq!(pal[0], [0, 0, 0, 0]);
    for (i, (&x, &m)) in idx.iter().zip(&mask).enumerate() {
        if m != 0 {
            assert_eq!(x, 0, "{i}");
        } else {
            assert!(x >= 20, "{i}");
        }
    }
}
