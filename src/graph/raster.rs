//! The values flowing between blocks: `Raster` (frames of f64 cells tagged with
//! the NumPy dtype they represent) and the request/answer types.
//!
//! Cells are held as f64 and rounded to the block's dtype after every block
//! (`dtype::cast`), which reproduces NumPy's per-dtype arithmetic for + − × ÷
//! exactly (f64 holds every f32 and ≤ 2^53 integer; one f64 operation rounded
//! to f32 equals the f32 operation) and keeps each kernel one tight loop.

use super::dtype::Dt;
use crate::model::{DataType, GridSpec, RasterBuf, RasterData};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Vals,
    Time,
}

/// A request as blocks see it (start/stop in ms since the epoch, UTC).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Req {
    pub mode: Mode,
    pub grid: GridSpec,
    pub start: Option<i64>,
    pub stop: Option<i64>,
}

impl Req {
    pub fn is_point(&self) -> bool {
        self.grid.bbox.min_x == self.grid.bbox.max_x || self.grid.bbox.min_y == self.grid.bbox.max_y
    }
}

/// Frames of one block's answer: `bands[t][row * width + col]`, row 0 north.
#[derive(Clone, Debug, PartialEq)]
pub struct Raster {
    pub dtype: Dt,
    /// `None` for bool rasters (no nodata).
    pub nodata: Option<f64>,
    pub width: u32,
    pub height: u32,
    pub bands: Vec<Vec<f64>>,
}

impl Raster {
    pub fn filled(
        dtype: Dt,
        nodata: Option<f64>,
        width: u32,
        height: u32,
        n: usize,
        v: f64,
    ) -> Raster {
        let len = width as usize * height as usize;
        Raster {
            dtype,
            nodata,
            width,
            height,
            bands: vec![vec![v; len]; n],
        }
    }

    pub fn from_buf(dtype: Dt, nodata: Option<f64>, bufs: &[RasterBuf]) -> Raster {
        let (width, height) = bufs.first().map_or((0, 0), |b| (b.width, b.height));
        let bands = bufs
            .iter()
            .map(|b| crate::with_raster_data!(&b.data, v => v.iter().map(|x| crate::model::Pixel::to_f64(*x)).collect()))
            .collect();
        Raster {
            dtype,
            nodata,
            width,
            height,
            bands,
        }
    }

    /// The same dtype, nodata and size, without frames.
    pub fn clone_meta(&self) -> Raster {
        Raster {
            dtype: self.dtype,
            nodata: self.nodata,
            width: self.width,
            height: self.height,
            bands: vec![],
        }
    }

    /// Band `t` as a typed buffer (bool as u8 0/1; int64/uint64 as f64).
    pub fn to_buf(&self, t: usize) -> RasterBuf {
        let dt = match self.dtype {
            Dt::Bool => DataType::U8,
            d => d.data_type().unwrap_or(DataType::F64),
        };
        let band = &self.bands[t];
        let data = match dt {
            DataType::U8 => RasterData::U8(band.iter().map(|v| *v as u8).collect()),
            DataType::I8 => RasterData::I8(band.iter().map(|v| *v as i8).collect()),
            DataType::U16 => RasterData::U16(band.iter().map(|v| *v as u16).collect()),
            DataType::I16 => RasterData::I16(band.iter().map(|v| *v as i16).collect()),
            DataType::U32 => RasterData::U32(band.iter().map(|v| *v as u32).collect()),
            DataType::I32 => RasterData::I32(band.iter().map(|v| *v as i32).collect()),
            DataType::F32 => RasterData::F32(band.iter().map(|v| *v as f32).collect()),
            DataType::F64 => RasterData::F64(band.clone()),
        };
        RasterBuf {
            width: self.width,
            height: self.height,
            data,
            nodata: self.nodata,
        }
    }
}

/// One block's answer.
#[derive(Clone, Debug, PartialEq)]
pub enum Data {
    Vals(Raster),
    Time(Vec<i64>),
}
