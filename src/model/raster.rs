//! `RasterBuf`: a typed, row-major block of pixels with its nodata value.

use super::{DataType, Pixel};

/// The samples of a raster block, one variant per pixel type.
#[derive(Clone, Debug, PartialEq)]
pub enum RasterData {
    U8(Vec<u8>),
    I8(Vec<i8>),
    U16(Vec<u16>),
    I16(Vec<i16>),
    U32(Vec<u32>),
    I32(Vec<i32>),
    F32(Vec<f32>),
    F64(Vec<f64>),
}

/// Run `$body` with `$v` bound to the typed `Vec` inside a `RasterData`
/// (by reference or mutable reference, following the expression given).
#[macro_export]
macro_rules! with_raster_data {
    ($data:expr, $v:ident => $body:expr) => {
        match $data {
            $crate::model::RasterData::U8($v) => $body,
            $crate::model::RasterData::I8($v) => $body,
            $crate::model::RasterData::U16($v) => $body,
            $crate::model::RasterData::I16($v) => $body,
            $crate::model::RasterData::U32($v) => $body,
            $crate::model::RasterData::I32($v) => $body,
            $crate::model::RasterData::F32($v) => $body,
            $crate::model::RasterData::F64($v) => $body,
        }
    };
}

impl RasterData {
    /// `len` samples of `dtype`, all set to `fill` (converted as `Pixel::from_f64`).
    pub fn filled(dtype: DataType, len: usize, fill: f64) -> RasterData {
        fn v<T: Pixel>(len: usize, fill: f64) -> Vec<T> {
            vec![T::from_f64(fill); len]
        }
        match dtype {
            DataType::U8 => RasterData::U8(v(len, fill)),
            DataType::I8 => RasterData::I8(v(len, fill)),
            DataType::U16 => RasterData::U16(v(len, fill)),
            DataType::I16 => RasterData::I16(v(len, fill)),
            DataType::U32 => RasterData::U32(v(len, fill)),
            DataType::I32 => RasterData::I32(v(len, fill)),
            DataType::F32 => RasterData::F32(v(len, fill)),
            DataType::F64 => RasterData::F64(v(len, fill)),
        }
    }

    pub fn dtype(&self) -> DataType {
        match self {
            RasterData::U8(_) => DataType::U8,
            RasterData::I8(_) => DataType::I8,
            RasterData::U16(_) => DataType::U16,
            RasterData::I16(_) => DataType::I16,
            RasterData::U32(_) => DataType::U32,
            RasterData::I32(_) => DataType::I32,
            RasterData::F32(_) => DataType::F32,
            RasterData::F64(_) => DataType::F64,
        }
    }

    pub fn len(&self) -> usize {
        with_raster_data!(self, v => v.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The samples as little-endian bytes (the host order on every supported target).
    pub fn as_bytes(&self) -> &[u8] {
        with_raster_data!(self, v => bytemuck::cast_slice(v.as_slice()))
    }

    pub fn as_bytes_mut(&mut self) -> &mut [u8] {
        with_raster_data!(self, v => bytemuck::cast_slice_mut(v.as_mut_slice()))
    }

    /// Sample `i` widened to f64.
    pub fn get_f64(&self, i: usize) -> f64 {
        with_raster_data!(self, v => v[i].to_f64())
    }
}

/// A `width`×`height` row-major raster block and the value that marks "no data".
#[derive(Clone, Debug, PartialEq)]
pub struct RasterBuf {
    pub width: u32,
    pub height: u32,
    pub data: RasterData,
    pub nodata: Option<f64>,
}

impl RasterBuf {
    /// A block filled with `nodata` (or zero when there is none).
    pub fn new(dtype: DataType, width: u32, height: u32, nodata: Option<f64>) -> RasterBuf {
        let len = width as usize * height as usize;
        RasterBuf { width, height, data: RasterData::filled(dtype, len, nodata.unwrap_or(0.0)), nodata }
    }

    pub fn dtype(&self) -> DataType {
        self.data.dtype()
    }
}
