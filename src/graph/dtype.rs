//! NumPy dtype emulation: the dtypes graph blocks produce and NumPy 1.x type
//! promotion (`promote_types`, value-based `result_type` with Python scalars).
//!
//! dask-geomodeling computes block dtypes with `numpy.result_type(*args)` where
//! rasters contribute their dtype and JSON numbers their Python value. The golden
//! cases are generated with NumPy 1.26, whose value-based casting rules are
//! reproduced here: a scalar is reduced to its minimal dtype unless its kind
//! (bool < integer < float) is higher than the kind of every raster.

use crate::model::DataType;

/// A NumPy dtype a block can produce.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Dt {
    Bool,
    U8,
    U16,
    U32,
    U64,
    I8,
    I16,
    I32,
    I64,
    F16,
    F32,
    F64,
}

/// A JSON scalar argument, typed as Python would type it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Scalar {
    Bool(bool),
    Int(i64),
    Float(f64),
}

impl Scalar {
    pub fn value(self) -> f64 {
        match self {
            Scalar::Bool(b) => f64::from(u8::from(b)),
            Scalar::Int(i) => i as f64,
            Scalar::Float(f) => f,
        }
    }

    fn kind(self) -> u8 {
        match self {
            Scalar::Bool(_) => 0,
            Scalar::Int(_) => 1,
            Scalar::Float(_) => 2,
        }
    }

    /// The dtype NumPy gives a Python scalar on its own (`numpy.asarray(x).dtype`).
    pub fn default_dtype(self) -> Dt {
        match self {
            Scalar::Bool(_) => Dt::Bool,
            Scalar::Int(_) => Dt::I64,
            Scalar::Float(_) => Dt::F64,
        }
    }

    /// `numpy.min_scalar_type`.
    pub fn min_dtype(self) -> Dt {
        match self {
            Scalar::Bool(_) => Dt::Bool,
            Scalar::Int(v) if v >= 0 => {
                if v <= i64::from(u8::MAX) {
                    Dt::U8
                } else if v <= i64::from(u16::MAX) {
                    Dt::U16
                } else if v <= i64::from(u32::MAX) {
                    Dt::U32
                } else {
                    Dt::U64
                }
            }
            Scalar::Int(v) => {
                if v >= i64::from(i8::MIN) {
                    Dt::I8
                } else if v >= i64::from(i16::MIN) {
                    Dt::I16
                } else if v >= i64::from(i32::MIN) {
                    Dt::I32
                } else {
                    Dt::I64
                }
            }
            Scalar::Float(f) => {
                if !f.is_finite() || f.abs() <= 65504.0 {
                    Dt::F16
                } else if f.abs() <= f64::from(f32::MAX) {
                    Dt::F32
                } else {
                    Dt::F64
                }
            }
        }
    }
}

/// One argument of `result_type`: a raster's dtype or a scalar.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Operand {
    Raster(Dt),
    Scalar(Scalar),
}

impl Dt {
    pub fn name(self) -> &'static str {
        match self {
            Dt::Bool => "bool",
            Dt::U8 => "uint8",
            Dt::U16 => "uint16",
            Dt::U32 => "uint32",
            Dt::U64 => "uint64",
            Dt::I8 => "int8",
            Dt::I16 => "int16",
            Dt::I32 => "int32",
            Dt::I64 => "int64",
            Dt::F16 => "float16",
            Dt::F32 => "float32",
            Dt::F64 => "float64",
        }
    }

    pub fn from_name(name: &str) -> Option<Dt> {
        ALL.iter().copied().find(|d| d.name() == name)
    }

    pub fn from_data_type(d: DataType) -> Dt {
        match d {
            DataType::U8 => Dt::U8,
            DataType::I8 => Dt::I8,
            DataType::U16 => Dt::U16,
            DataType::I16 => Dt::I16,
            DataType::U32 => Dt::U32,
            DataType::I32 => Dt::I32,
            DataType::F32 => Dt::F32,
            DataType::F64 => Dt::F64,
        }
    }

    /// 0 bool, 1 integer, 2 float (NumPy's casting categories).
    pub fn kind(self) -> u8 {
        match self {
            Dt::Bool => 0,
            Dt::F16 | Dt::F32 | Dt::F64 => 2,
            _ => 1,
        }
    }

    pub fn is_float(self) -> bool {
        self.kind() == 2
    }

    pub fn is_int(self) -> bool {
        self.kind() == 1
    }

    fn is_unsigned(self) -> bool {
        matches!(self, Dt::U8 | Dt::U16 | Dt::U32 | Dt::U64)
    }

    fn bits(self) -> u32 {
        match self {
            Dt::Bool | Dt::U8 | Dt::I8 => 8,
            Dt::U16 | Dt::I16 | Dt::F16 => 16,
            Dt::U32 | Dt::I32 | Dt::F32 => 32,
            Dt::U64 | Dt::I64 | Dt::F64 => 64,
        }
    }

    fn signed(bits: u32) -> Dt {
        match bits {
            8 => Dt::I8,
            16 => Dt::I16,
            32 => Dt::I32,
            _ => Dt::I64,
        }
    }

    fn float(bits: u32) -> Dt {
        match bits {
            16 => Dt::F16,
            32 => Dt::F32,
            _ => Dt::F64,
        }
    }

    /// `numpy.promote_types(self, other)`.
    pub fn promote(self, other: Dt) -> Dt {
        use Dt::*;
        if self == other {
            return self;
        }
        match (self, other) {
            (Bool, x) | (x, Bool) => x,
            (a, b) if a.is_float() && b.is_float() => Dt::float(a.bits().max(b.bits())),
            (f, i) | (i, f) if f.is_float() => {
                // The smallest float holding every value of the integer type.
                let need = match i.bits() {
                    8 => 16,
                    16 => 32,
                    _ => 64,
                };
                Dt::float(f.bits().max(need))
            }
            (a, b) if a.is_unsigned() == b.is_unsigned() => {
                if a.bits() >= b.bits() {
                    a
                } else {
                    b
                }
            }
            (u, i) | (i, u) if u.is_unsigned() => {
                if i.bits() > u.bits() {
                    i
                } else if u.bits() == 64 {
                    F64
                } else {
                    Dt::signed(u.bits() * 2)
                }
            }
            _ => F64,
        }
    }

    /// The maximum value (dask-geomodeling's `get_dtype_max`); `None` for bool.
    pub fn max(self) -> Option<f64> {
        Some(match self {
            Dt::Bool => return None,
            Dt::U8 => f64::from(u8::MAX),
            Dt::U16 => f64::from(u16::MAX),
            Dt::U32 => f64::from(u32::MAX),
            Dt::U64 => u64::MAX as f64,
            Dt::I8 => f64::from(i8::MAX),
            Dt::I16 => f64::from(i16::MAX),
            Dt::I32 => f64::from(i32::MAX),
            Dt::I64 => i64::MAX as f64,
            Dt::F16 => 65504.0,
            Dt::F32 => f64::from(f32::MAX),
            Dt::F64 => f64::MAX,
        })
    }

    /// The minimum value (`get_dtype_min`); 0 for bool.
    pub fn min(self) -> f64 {
        match self {
            Dt::Bool | Dt::U8 | Dt::U16 | Dt::U32 | Dt::U64 => 0.0,
            Dt::I8 => f64::from(i8::MIN),
            Dt::I16 => f64::from(i16::MIN),
            Dt::I32 => f64::from(i32::MIN),
            Dt::I64 => i64::MIN as f64,
            Dt::F16 => -65504.0,
            Dt::F32 => f64::from(f32::MIN),
            Dt::F64 => f64::MIN,
        }
    }

    /// At least int32 for integers and bool, at least float32 for floats.
    pub fn at_least_32(self) -> Dt {
        if self.is_float() {
            self.promote(Dt::F32)
        } else {
            self.promote(Dt::I32)
        }
    }

    /// The storage type tegel outputs for this dtype (`None` for bool and the
    /// 64-bit integers, which have no `DataType`).
    pub fn data_type(self) -> Option<DataType> {
        Some(match self {
            Dt::U8 => DataType::U8,
            Dt::I8 => DataType::I8,
            Dt::U16 => DataType::U16,
            Dt::I16 => DataType::I16,
            Dt::U32 => DataType::U32,
            Dt::I32 => DataType::I32,
            Dt::F16 | Dt::F32 => DataType::F32,
            Dt::F64 => DataType::F64,
            Dt::Bool | Dt::U64 | Dt::I64 => return None,
        })
    }
}

const ALL: [Dt; 12] = [
    Dt::Bool,
    Dt::U8,
    Dt::U16,
    Dt::U32,
    Dt::U64,
    Dt::I8,
    Dt::I16,
    Dt::I32,
    Dt::I64,
    Dt::F16,
    Dt::F32,
    Dt::F64,
];

/// NumPy 1.x `result_type` over rasters and Python scalars (value-based casting).
pub fn result_type(args: &[Operand]) -> Dt {
    let array_kind = args
        .iter()
        .filter_map(|a| match a {
            Operand::Raster(d) => Some(d.kind()),
            Operand::Scalar(_) => None,
        })
        .max();
    let scalar_kind = args
        .iter()
        .filter_map(|a| match a {
            Operand::Scalar(s) => Some(s.kind()),
            Operand::Raster(_) => None,
        })
        .max();
    let use_min = match (array_kind, scalar_kind) {
        (Some(a), Some(s)) => a >= s,
        _ => false,
    };
    // NumPy 1 marks a non-negative integer scalar that fits the signed type of
    // its minimal width as "small unsigned": next to signed types it counts as
    // that signed type (int16 + 100000 -> int32, not int64).
    let any_signed = args
        .iter()
        .any(|a| matches!(a, Operand::Raster(Dt::I8 | Dt::I16 | Dt::I32 | Dt::I64)));
    let mut out: Option<Dt> = None;
    for a in args {
        let d = match a {
            Operand::Raster(d) => *d,
            Operand::Scalar(s @ Scalar::Int(v)) if use_min && any_signed && *v >= 0 => {
                small_signed(s.min_dtype(), *v)
            }
            Operand::Scalar(s) if use_min => s.min_dtype(),
            Operand::Scalar(s) => s.default_dtype(),
        };
        out = Some(out.map_or(d, |o| o.promote(d)));
    }
    out.unwrap_or(Dt::F64)
}

fn small_signed(unsigned: Dt, v: i64) -> Dt {
    let signed = Dt::signed(unsigned.bits());
    if (v as f64) <= signed.max().unwrap_or(0.0) {
        signed
    } else {
        unsigned
    }
}

/// Rounds `v` to what a NumPy array of `dt` stores when assigned `v` (floats
/// rounded to the dtype's precision, integers truncated towards zero and
/// wrapped to the dtype's width as C casts do).
#[inline(always)]
pub fn cast(dt: Dt, v: f64) -> f64 {
    match dt {
        Dt::Bool => f64::from(u8::from(v != 0.0)),
        Dt::F64 => v,
        Dt::F32 => f64::from(v as f32),
        Dt::F16 => round_f16(v),
        Dt::U8 => f64::from(wrap(v) as u8),
        Dt::U16 => f64::from(wrap(v) as u16),
        Dt::U32 => f64::from(wrap(v) as u32),
        Dt::I8 => f64::from(wrap(v) as i8),
        Dt::I16 => f64::from(wrap(v) as i16),
        Dt::I32 => f64::from(wrap(v) as i32),
        Dt::U64 | Dt::I64 => wrap(v) as f64,
    }
}

/// Rounds to the nearest IEEE half-precision value (ties to even; overflow
/// to ±inf; subnormals kept).
fn round_f16(v: f64) -> f64 {
    if v == 0.0 || !v.is_finite() {
        return v;
    }
    let e = v.abs().log2().floor().max(-14.0);
    let q = (e - 10.0).exp2();
    let r = (v / q).round_ties_even() * q;
    if r.abs() > 65504.0 {
        r.signum() * f64::INFINITY
    } else {
        r
    }
}

#[inline(always)]
fn wrap(v: f64) -> i64 {
    if v.is_finite() { v as i64 } else { 0 }
}

#[cfg(test)]
#[path = "dtype_tests.rs"]
mod tests;
