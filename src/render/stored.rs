//! A layer that shows one stored source: the frame a time selection picks,
//! warped from the pyramid level that fits the request, or the one level-0
//! cell under a point.

use super::engine::Engine;
use super::error::RenderError;
use super::layer::Evaluate;
use super::point::{PointValue, read_cell};
use super::warp::{Warped, warp};
use crate::catalogue::{RasterSource, Snapshot};
use crate::model::{Crs, GridSpec, RasterSource as _, Resampling, TimeSel};
use std::sync::Arc;
use uuid::Uuid;

/// The stored source `source` of one snapshot.
pub(super) struct Stored {
    snap: Arc<Snapshot>,
    source: Uuid,
}

impl Stored {
    pub(super) fn new(snap: Arc<Snapshot>, source: Uuid) -> Stored {
        Stored { snap, source }
    }

    fn source(&self) -> Result<&RasterSource, RenderError> {
        // Resolved from this very snapshot, so it is there; a miss would be
        // a bug, answered as one.
        self.snap
            .source(self.source)
            .ok_or_else(|| RenderError::Internal(format!("source {} vanished", self.source)))
    }
}

impl Evaluate for Stored {
    fn values_on(
        &self,
        engine: &Engine,
        grid: &GridSpec,
        time: TimeSel,
        resampling: Resampling,
    ) -> Result<Warped, RenderError> {
        let source = self.source()?;
        let Some(frame) = source.frame_for(time) else {
            return Ok(Warped::nothing(grid, source.grid.as_ref().map(|g| g.dtype)));
        };
        let frame = engine.store().open_frame(source.uuid, &frame.file)?;
        warp(&*frame, grid, engine.transforms(), resampling)
    }

    fn value_at(
        &self,
        engine: &Engine,
        crs: Crs,
        (x, y): (f64, f64),
        time: TimeSel,
    ) -> Result<PointValue, RenderError> {
        let source = self.source()?;
        let dtype = source.grid.as_ref().map(|g| g.dtype);
        let Some(frame) = source.frame_for(time) else {
            return Ok(PointValue {
                value: None,
                dtype,
                time: None,
            });
        };
        let stamp = frame.timestamp.filter(|_| source.temporal);
        let frame = engine.store().open_frame(source.uuid, &frame.file)?;
        let value = read_cell(&*frame, engine.transforms(), crs, x, y)?;
        Ok(PointValue {
            value,
            dtype: Some(frame.info().dtype),
            time: stamp,
        })
    }

    fn aggregates_spans(&self) -> bool {
        false
    }

    fn share_key(&self) -> String {
        format!("source:{}", self.source)
    }
}
