//! The hot kernel: data values → colormap indices plus a nodata mask, exactly
//! as matplotlib's `Normalize(vmin, vmax)` followed by `cmap(x)`.
//!
//! Pure slice code on caller buffers: no allocation, no I/O, no colours here
//! (those are `palette`'s job). A scalar reference that follows matplotlib
//! step by step is kept beside the fast path and tested equal to it.
//!
//! Precision (matplotlib 3.11 with NumPy 2, NEP 50 promotion):
//! * float32 input, and (u)int8/(u)int16 (which `Normalize.process_value`
//!   turns into float32): `x -= vmin` and `x /= (vmax - vmin)` are each
//!   computed in float64 (vmin is a NumPy float64 scalar) and rounded back into
//!   the float32 array; then `x *= N` in float32.
//! * float64 input and (u)int32: everything in float64.
//!
//! Then `i = trunc(x)`, with `x == N` → N − 1; below the domain → entry 0 and
//! above it → entry N − 1 (tegel paints the end colours, not matplotlib's
//! under/over); `vmin == vmax` → entry 0.

use multiversion::multiversion;

use super::error::StyleError;
use super::lookup::lookup_into;
use super::lut::{Mode, StyleLut};
use crate::model::{DataType, Pixel};

mod sealed {
    pub trait Sealed {}
    impl Sealed for u8 {}
    impl Sealed for u16 {}
}

/// The type of a colormap index: `u8` for LUTs of ≤ 256 entries (the PNG
/// palette path), `u16` for larger ones (`twilight`, 510 entries).
pub trait LutIndex: bytemuck::Pod + Default + Send + Sync + sealed::Sealed {
    /// The largest LUT this index type can address.
    const MAX_ENTRIES: usize;
    #[doc(hidden)]
    fn from_u32(i: u32) -> Self;
    /// The index as a `usize`.
    fn to_usize(self) -> usize;
}

impl LutIndex for u8 {
    const MAX_ENTRIES: usize = 256;
    #[inline(always)]
    fn from_u32(i: u32) -> Self {
        i as u8
    }
    #[inline(always)]
    fn to_usize(self) -> usize {
        self as usize
    }
}

impl LutIndex for u16 {
    const MAX_ENTRIES: usize = 65536;
    #[inline(always)]
    fn from_u32(i: u32) -> Self {
        i as u16
    }
    #[inline(always)]
    fn to_usize(self) -> usize {
        self as usize
    }
}

/// Per-call constants, computed once.
#[derive(Clone, Copy)]
struct Consts {
    vmin: f64,
    range: f64,
    n32: f32,
    last32: f32,
    n64: f64,
    last64: f64,
    /// The nodata value, NaN when there is none (NaN never compares equal).
    nodata: f64,
}

/// A pixel type and the precision matplotlib normalises it in.
trait Src: Pixel {
    /// The clamped index of `self` (NaN gives 0; the mask marks it).
    fn index(self, k: &Consts) -> u32;
    /// matplotlib's literal steps, for the reference (None = NaN).
    fn reference(self, k: &Consts) -> Option<u32>;
    fn is_nan(self) -> bool;
}

#[inline(always)]
fn clamp32(t: f32, last: f32) -> u32 {
    // Comparisons (not f32::max) so NaN falls to 0 and this vectorises to
    // max/min; then truncate and read the integer out of the mantissa (exact
    // below 2^23), which vectorises where a saturating `as` cast does not.
    let t = if t > 0.0 { t } else { 0.0 };
    let t = if t < last { t } else { last };
    (t.trunc() + 8_388_608.0).to_bits() & 0x7f_ffff
}

#[inline(always)]
fn clamp64(t: f64, last: f64) -> u32 {
    let t = if t > 0.0 { t } else { 0.0 };
    let t = if t < last { t } else { last };
    ((t.trunc() + 4_503_599_627_370_496.0).to_bits() & 0x7f_ffff) as u32
}

#[inline(always)]
fn norm32(v: f32, k: &Consts) -> f32 {
    let a = (v as f64 - k.vmin) as f32;
    let b = (a as f64 / k.range) as f32;
    b * k.n32
}

#[inline(always)]
fn norm64(v: f64, k: &Consts) -> f64 {
    (v - k.vmin) / k.range * k.n64
}

/// matplotlib's `_get_rgba_and_mask` after normalisation, with end colours
/// for under/over.
fn reference_steps(x: f64, n: f64) -> Option<u32> {
    if x.is_nan() {
        return None;
    }
    let x = if x == n { n - 1.0 } else { x };
    if x < 0.0 {
        Some(0)
    } else if x >= n {
        Some(n as u32 - 1)
    } else {
        Some(x.trunc() as u32)
    }
}

macro_rules! src32 {
    ($($t:ty),*) => {$(
        impl Src for $t {
            #[inline(always)]
            fn index(self, k: &Consts) -> u32 {
                clamp32(norm32(self as f32, k), k.last32)
            }
            fn reference(self, k: &Consts) -> Option<u32> {
                // Normalize: float32 array, float64 scalars, in-place ops.
                let mut x = self as f32;
                x = (x as f64 - k.vmin) as f32;
                x = (x as f64 / k.range) as f32;
                x *= k.n32;
                reference_steps(x as f64, k.n64)
            }
            #[allow(clippy::cast_lossless, clippy::unnecessary_cast)]
            #[inline(always)]
            fn is_nan(self) -> bool {
                (self as f32).is_nan()
            }
        }
    )*};
}
macro_rules! src64 {
    ($($t:ty),*) => {$(
        impl Src for $t {
            #[inline(always)]
            fn index(self, k: &Consts) -> u32 {
                clamp64(norm64(self as f64, k), k.last64)
            }
            fn reference(self, k: &Consts) -> Option<u32> {
                let mut x = self as f64;
                x -= k.vmin;
                x /= k.range;
                x *= k.n64;
                reference_steps(x, k.n64)
            }
            #[allow(clippy::unnecessary_cast)]
            #[inline(always)]
            fn is_nan(self) -> bool {
                (self as f64).is_nan()
            }
        }
    )*};
}
src32!(f32, u8, i8, u16, i16);
src64!(f64, u32, i32);

/// Pixels per block: fixed-size arrays the compiler unrolls and vectorises.
const BLOCK: usize = 16;

/// One block: indices, mask, and whether any pixel is nodata (as 0/1).
/// `OK` says whether `ok` (the warp's validity) is consulted. Fixed-size
/// arrays so the loop has no bounds checks and vectorises.
#[inline(always)]
fn block<S: Src, I: LutIndex, const OK: bool>(
    k: &Consts,
    v: &[S; BLOCK],
    ok: &[u8; BLOCK],
    out: &mut [I; BLOCK],
    mask: &mut [u8; BLOCK],
) -> u8 {
    let mut any = 0u8;
    for j in 0..BLOCK {
        let x = v[j];
        let bad = x.is_nan() | (x.to_f64() == k.nodata) | (OK && ok[j] == 0);
        out[j] = I::from_u32(x.index(k));
        mask[j] = u8::from(bad);
        any |= u8::from(bad);
    }
    any
}

/// The tail shorter than a block, through a padded copy of one block.
#[inline(always)]
fn tail<S: Src, I: LutIndex>(
    k: &Consts,
    v: &[S],
    ok: Option<&[u8]>,
    out: &mut [I],
    mask: &mut [u8],
) -> u8 {
    let mut vb = [S::default(); BLOCK];
    let mut okb = [1u8; BLOCK];
    let (mut ob, mut mb) = ([I::default(); BLOCK], [0u8; BLOCK]);
    for (d, s) in vb.iter_mut().zip(v) {
        *d = *s;
    }
    if let Some(ok) = ok {
        for (d, s) in okb.iter_mut().zip(ok) {
            *d = *s;
        }
    }
    block::<S, I, true>(k, &vb, &okb, &mut ob, &mut mb);
    let mut any = 0u8;
    for ((o, m), (&ob, &mb)) in out.iter_mut().zip(mask.iter_mut()).zip(ob.iter().zip(&mb)) {
        *o = ob;
        *m = mb;
        any |= mb;
    }
    any
}

/// The loop shared by every specialisation; `inline(always)` so it is
/// compiled with the caller's target features. Lengths are checked by the
/// caller.
#[inline(always)]
fn run<S: Src, I: LutIndex>(
    k: &Consts,
    values: &[S],
    valid: Option<&[u8]>,
    out: &mut [I],
    mask: &mut [u8],
) -> bool {
    const ALL_OK: [u8; BLOCK] = [1; BLOCK];
    let mut any = 0u8;
    let vc = values.chunks_exact(BLOCK);
    let (vt, n) = (vc.remainder(), values.len() - vc.remainder().len());
    let (oh, ot) = out.split_at_mut(n.min(out.len()));
    let (mh, mt) = mask.split_at_mut(n.min(mask.len()));
    let blocks = vc
        .zip(oh.chunks_exact_mut(BLOCK))
        .zip(mh.chunks_exact_mut(BLOCK));
    match valid {
        Some(valid) => {
            let (ah, at) = valid.split_at(n.min(valid.len()));
            for (((v, o), m), a) in blocks.zip(ah.chunks_exact(BLOCK)) {
                if let (Ok(v), Ok(o), Ok(m), Ok(a)) = (
                    <&[S; BLOCK]>::try_from(v),
                    <&mut [I; BLOCK]>::try_from(o),
                    <&mut [u8; BLOCK]>::try_from(m),
                    <&[u8; BLOCK]>::try_from(a),
                ) {
                    any |= block::<S, I, true>(k, v, a, o, m);
                }
            }
            any |= tail::<S, I>(k, vt, Some(at), ot, mt);
        }
        None => {
            for ((v, o), m) in blocks {
                if let (Ok(v), Ok(o), Ok(m)) = (
                    <&[S; BLOCK]>::try_from(v),
                    <&mut [I; BLOCK]>::try_from(o),
                    <&mut [u8; BLOCK]>::try_from(m),
                ) {
                    any |= block::<S, I, false>(k, v, &ALL_OK, o, m);
                }
            }
            any |= tail::<S, I>(k, vt, None, ot, mt);
        }
    }
    any != 0
}

macro_rules! fast_u8 {
    ($($name:ident: $t:ty),*) => {$(
        #[multiversion(targets(
            "x86_64+avx512f+avx512bw+avx512vl+avx512dq+avx2+fma",
            "x86_64+avx2+fma",
            "x86_64+sse4.1",
            "aarch64+neon"
        ))]
        fn $name(
            k: &Consts,
            values: &[$t],
            valid: Option<&[u8]>,
            out: &mut [u8],
            mask: &mut [u8],
        ) -> bool {
            run::<$t, u8>(k, values, valid, out, mask)
        }
    )*};
}
fast_u8!(fast_f32: f32, fast_f64: f64, fast_u8v: u8, fast_i8: i8, fast_u16: u16,
    fast_i16: i16, fast_u32: u32, fast_i32: i32);

fn consts(lut: &StyleLut, nodata: Option<f64>) -> Consts {
    let n = lut.ramp_len();
    Consts {
        vmin: lut.vmin,
        // vmin == vmax: matplotlib fills with 0. Dividing by +inf gives 0 (or
        // NaN for infinite values, which the clamp also turns into 0) without
        // a branch in the loop.
        range: if lut.degenerate {
            f64::INFINITY
        } else {
            lut.range
        },
        n32: n as f32,
        last32: n.saturating_sub(1) as f32,
        n64: n as f64,
        last64: n.saturating_sub(1) as f64,
        nodata: nodata.unwrap_or(f64::NAN),
    }
}

fn check<I: LutIndex>(
    lut: &StyleLut,
    n: usize,
    valid: Option<&[u8]>,
    out: &[I],
    mask: &[u8],
) -> Result<(), StyleError> {
    if lut.len() > I::MAX_ENTRIES {
        return Err(StyleError::Buffers("LUT larger than the index type"));
    }
    if out.len() != n || mask.len() != n || valid.is_some_and(|v| v.len() != n) {
        return Err(StyleError::Buffers(
            "values, valid, out and mask lengths differ",
        ));
    }
    Ok(())
}

fn cast<T: Pixel, S: bytemuck::Pod>(values: &[T]) -> Result<&[S], StyleError> {
    bytemuck::try_cast_slice(values).map_err(|_| StyleError::Buffers("pixel type"))
}

/// Map `values` to colormap indices of `lut` into `out`, and mark nodata in
/// `mask` (1 = nodata, 0 = data). Returns whether any pixel is nodata.
///
/// A pixel is nodata when it is NaN, when it equals `nodata` exactly (compared
/// in f64, which is exact for every pixel type), or when `valid` (1 = inside
/// the source, from the warp) is 0. A nodata pixel's index is unspecified:
/// [`palette`](super::palette) / [`rgba_into`](super::rgba_into) colour it.
/// Other pixels get matplotlib's index (see the module doc), with values
/// outside [vmin, vmax] (±inf included) taking the end entries.
///
/// `I = u8` needs `lut.len() <= 256` and runs a vectorised path chosen at run
/// time (AVX-512, AVX2, SSE4.1 or NEON); `I = u16` is for larger LUTs
/// (compile-time vectorisation only). Log and discrete LUTs (Lizard maps)
/// take the plain loop of `lookup` instead. Cost: one pass; a 256² f32 tile takes
/// ~16–23 µs (f64 ~12 µs) with AVX-512 and ~38 µs (f64 ~33 µs) with AVX2 on
/// one core; the scalar reference ~350–450 µs.
///
/// Errors: `Buffers` when lengths differ or the LUT does not fit `I`.
pub fn indices_into<T: Pixel, I: LutIndex>(
    lut: &StyleLut,
    values: &[T],
    nodata: Option<f64>,
    valid: Option<&[u8]>,
    out: &mut [I],
    mask: &mut [u8],
) -> Result<bool, StyleError> {
    check(lut, values.len(), valid, out, mask)?;
    if lut.mode != Mode::Linear {
        return Ok(lookup_into(lut, values, nodata, valid, out, mask));
    }
    let k = consts(lut, nodata);
    if let Some(out) = as_u8(out) {
        return Ok(match T::DTYPE {
            DataType::F32 => fast_f32(&k, cast(values)?, valid, out, mask),
            DataType::F64 => fast_f64(&k, cast(values)?, valid, out, mask),
            DataType::U8 => fast_u8v(&k, cast(values)?, valid, out, mask),
            DataType::I8 => fast_i8(&k, cast(values)?, valid, out, mask),
            DataType::U16 => fast_u16(&k, cast(values)?, valid, out, mask),
            DataType::I16 => fast_i16(&k, cast(values)?, valid, out, mask),
            DataType::U32 => fast_u32(&k, cast(values)?, valid, out, mask),
            DataType::I32 => fast_i32(&k, cast(values)?, valid, out, mask),
        });
    }
    Ok(match T::DTYPE {
        DataType::F32 => run::<f32, I>(&k, cast(values)?, valid, out, mask),
        DataType::F64 => run::<f64, I>(&k, cast(values)?, valid, out, mask),
        DataType::U8 => run::<u8, I>(&k, cast(values)?, valid, out, mask),
        DataType::I8 => run::<i8, I>(&k, cast(values)?, valid, out, mask),
        DataType::U16 => run::<u16, I>(&k, cast(values)?, valid, out, mask),
        DataType::I16 => run::<i16, I>(&k, cast(values)?, valid, out, mask),
        DataType::U32 => run::<u32, I>(&k, cast(values)?, valid, out, mask),
        DataType::I32 => run::<i32, I>(&k, cast(values)?, valid, out, mask),
    })
}

/// `Some` when `I` is `u8` (the index types are sealed: u8 or u16).
fn as_u8<I: LutIndex>(out: &mut [I]) -> Option<&mut [u8]> {
    if std::mem::size_of::<I>() == 1 {
        bytemuck::try_cast_slice_mut(out).ok()
    } else {
        None
    }
}

/// The scalar reference: matplotlib's steps one value at a time (branches
/// for NaN, `x == N`, under and over), same contract as [`indices_into`].
/// Slow; kept to test the fast path against.
pub fn indices_scalar_into<T: Pixel, I: LutIndex>(
    lut: &StyleLut,
    values: &[T],
    nodata: Option<f64>,
    valid: Option<&[u8]>,
    out: &mut [I],
    mask: &mut [u8],
) -> Result<bool, StyleError> {
    check(lut, values.len(), valid, out, mask)?;
    if lut.mode != Mode::Linear {
        return Ok(lookup_into(lut, values, nodata, valid, out, mask));
    }
    let k = consts(lut, nodata);
    Ok(match T::DTYPE {
        DataType::F32 => reference::<f32, I>(lut, &k, cast(values)?, valid, out, mask),
        DataType::F64 => reference::<f64, I>(lut, &k, cast(values)?, valid, out, mask),
        DataType::U8 => reference::<u8, I>(lut, &k, cast(values)?, valid, out, mask),
        DataType::I8 => reference::<i8, I>(lut, &k, cast(values)?, valid, out, mask),
        DataType::U16 => reference::<u16, I>(lut, &k, cast(values)?, valid, out, mask),
        DataType::I16 => reference::<i16, I>(lut, &k, cast(values)?, valid, out, mask),
        DataType::U32 => reference::<u32, I>(lut, &k, cast(values)?, valid, out, mask),
        DataType::I32 => reference::<i32, I>(lut, &k, cast(values)?, valid, out, mask),
    })
}

fn reference<S: Src, I: LutIndex>(
    lut: &StyleLut,
    k: &Consts,
    values: &[S],
    valid: Option<&[u8]>,
    out: &mut [I],
    mask: &mut [u8],
) -> bool {
    let mut any = false;
    for (i, &v) in values.iter().enumerate() {
        let outside = valid.and_then(|m| m.get(i)).is_some_and(|&ok| ok == 0);
        let idx = if lut.degenerate {
            Some(0)
        } else {
            v.reference(k)
        };
        let bad = outside || v.is_nan() || v.to_f64() == k.nodata || idx.is_none();
        if let (Some(o), Some(m)) = (out.get_mut(i), mask.get_mut(i)) {
            *o = I::from_u32(idx.unwrap_or(0));
            *m = u8::from(bad);
        }
        any |= bad;
    }
    any
}
