//! The leaves of a graph: what `LizardRasterSource` / `LizardRasterGroup` uuids
//! name. The caller (the catalogue) implements `Leaves`; the engine asks it for
//! metadata and for frames warped onto the request grid.

use super::error::GraphError;
use super::parse::Graph;
use crate::model::{Crs, DataType, GeoTransform, GridSpec, RasterBuf};
use uuid::Uuid;

/// Metadata of a stored raster source.
#[derive(Clone, Debug, PartialEq)]
pub struct SourceMeta {
    pub dtype: DataType,
    pub nodata: Option<f64>,
    pub crs: Crs,
    pub geo_transform: GeoTransform,
    pub width: u32,
    pub height: u32,
    /// Frame timestamps in ms since the Unix epoch (UTC), ascending. A
    /// non-temporal source has one frame, stamped 0 (1970-01-01) by convention.
    /// Empty: the source holds no data yet.
    pub times: Vec<i64>,
    /// The fixed step between frames in ms, if the frames are equidistant.
    pub interval: Option<i64>,
}

impl SourceMeta {
    /// Temporal ⇔ more than one frame (dask-geomodeling's sources).
    pub fn temporal(&self) -> bool {
        self.times.len() > 1
    }
}

/// What a uuid resolves to.
#[derive(Clone, Debug)]
pub enum Leaf {
    Source(SourceMeta),
    /// A raster layer: its whole graph is substituted (nested geoblocks).
    Layer(Box<Graph>),
}

/// Implemented by the caller: resolves uuids and reads source frames.
pub trait Leaves: Sync {
    fn resolve(&self, id: Uuid) -> Option<Leaf>;

    /// Reads frames `frames` (indices into `SourceMeta::times`) of source `id`
    /// warped onto `grid` (nearest neighbour at target cell centres; cells
    /// outside the source hold the source nodata). One buffer per frame, in the
    /// source dtype, `nodata` set.
    ///
    /// A point request arrives as a grid with `width == height == 1` and a
    /// degenerate bbox (`min_x == max_x`, `min_y == max_y`): answer the source
    /// cell containing the point (floor of the inverse geo-transform) or nodata.
    fn read(
        &self,
        id: Uuid,
        grid: &GridSpec,
        frames: &[usize],
    ) -> Result<Vec<RasterBuf>, GraphError>;
}
