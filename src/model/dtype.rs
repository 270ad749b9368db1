//! Pixel data types, named as numpy (and Lizard's `dtype` field) names them.

use std::fmt;

/// The sample types tegel stores and serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DataType {
    U8,
    I8,
    U16,
    I16,
    U32,
    I32,
    F32,
    F64,
}

impl DataType {
    /// The largest value of the type (dask-geomodeling's default fill value).
    pub fn max_value(self) -> f64 {
        match self {
            DataType::U8 => f64::from(u8::MAX),
            DataType::I8 => f64::from(i8::MAX),
            DataType::U16 => f64::from(u16::MAX),
            DataType::I16 => f64::from(i16::MAX),
            DataType::U32 => f64::from(u32::MAX),
            DataType::I32 => f64::from(i32::MAX),
            DataType::F32 => f64::from(f32::MAX),
            DataType::F64 => f64::MAX,
        }
    }

    pub fn size(self) -> usize {
        match self {
            DataType::U8 | DataType::I8 => 1,
            DataType::U16 | DataType::I16 => 2,
            DataType::U32 | DataType::I32 | DataType::F32 => 4,
            DataType::F64 => 8,
        }
    }

    pub fn is_float(self) -> bool {
        matches!(self, DataType::F32 | DataType::F64)
    }

    /// numpy's name: `uint8`, `int16`, `float32`, …
    pub fn numpy_name(self) -> &'static str {
        match self {
            DataType::U8 => "uint8",
            DataType::I8 => "int8",
            DataType::U16 => "uint16",
            DataType::I16 => "int16",
            DataType::U32 => "uint32",
            DataType::I32 => "int32",
            DataType::F32 => "float32",
            DataType::F64 => "float64",
        }
    }
}

impl fmt::Display for DataType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.numpy_name())
    }
}

/// A Rust type that is one of tegel's pixel types; lets kernels be generic
/// and monomorphised instead of dispatching per pixel.
pub trait Pixel: Copy + Default + PartialEq + Send + Sync + bytemuck::Pod + 'static {
    const DTYPE: DataType;
    fn to_f64(self) -> f64;
    /// Saturating, rounding-toward-zero conversion (as numpy's `astype` for in-range values).
    fn from_f64(v: f64) -> Self;
}

macro_rules! pixel {
    ($t:ty, $d:ident) => {
        impl Pixel for $t {
            const DTYPE: DataType = DataType::$d;
            #[inline(always)]
            fn to_f64(self) -> f64 {
                self as f64
            }
            #[inline(always)]
            fn from_f64(v: f64) -> Self {
                v as $t
            }
        }
    };
}
pixel!(u8, U8);
pixel!(i8, I8);
pixel!(u16, U16);
pixel!(i16, I16);
pixel!(u32, U32);
pixel!(i32, I32);
pixel!(f32, F32);
pixel!(f64, F64);
