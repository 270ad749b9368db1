//! The `RasterSource` contract: a pyramid of one frame, read by windows.
//!
//! `graph` and `render` see sources only through this trait; `storage`
//! implements it over memory-mapped files.

use super::{Crs, DataType, GeoTransform, RasterBuf};

/// Size of one pyramid level. Level 0 is full resolution; level k is
/// `factor = 2^k` times coarser, its transform is level 0's scaled by `factor`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LevelInfo {
    pub width: u32,
    pub height: u32,
    pub factor: u32,
}

/// What a source holds: CRS, grid, type and nodata of every level.
#[derive(Clone, Debug, PartialEq)]
pub struct PyramidInfo {
    pub crs: Crs,
    pub dtype: DataType,
    pub nodata: Option<f64>,
    /// Level 0's transform.
    pub transform: GeoTransform,
    pub levels: Vec<LevelInfo>,
}

impl PyramidInfo {
    pub fn width(&self) -> u32 {
        self.levels[0].width
    }

    pub fn height(&self) -> u32 {
        self.levels[0].height
    }

    pub fn level_transform(&self, level: usize) -> GeoTransform {
        self.transform.scaled(f64::from(self.levels[level].factor))
    }
}

/// A rectangle of pixels of one level; may reach outside the level.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    pub col: i64,
    pub row: i64,
    pub width: u32,
    pub height: u32,
}

/// Why a read failed.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("level {0} does not exist")]
    NoSuchLevel(usize),
    #[error("buffer of {got:?} does not fit a window of {want:?}")]
    BufferMismatch { want: (u32, u32, DataType), got: (u32, u32, DataType) },
    #[error("reading raster data failed: {0}")]
    Io(String),
}

/// One frame of raster data as a pyramid, readable by windows.
pub trait RasterSource: Send + Sync {
    fn info(&self) -> &PyramidInfo;

    /// Copy `window` of `level` into `out` (which must be `window.width`×`window.height`
    /// of the source's dtype). Parts of the window outside the level are left untouched.
    fn read_window(&self, level: usize, window: Window, out: &mut RasterBuf) -> Result<(), SourceError>;
}
