//! `Repo`: what the API's handlers act on — the catalogue, the frame store,
//! the input limits and the upload worker of one data dir — and the writes
//! that also touch frame files (deleting a source, flushing its data): the
//! catalogue stops referencing the files in one update, and only after the
//! commit are the files removed.

use super::durable::Catalogue;
use super::error::CatalogueError;
use super::graphref;
use super::records::Task;
use super::source::Frame;
use super::worker::Worker;
use crate::storage::{Limits, Store};
use chrono::{DateTime, Utc};
use std::path::PathBuf;
use std::sync::Arc;
use uuid::Uuid;

pub struct Repo {
    pub catalogue: Arc<Catalogue>,
    pub store: Arc<Store>,
    /// Limits for decoding uploaded GeoTIFFs.
    pub limits: Limits,
    /// The data dir (uploads wait in its `uploads/` folder).
    pub data_dir: PathBuf,
    /// Ingests uploads in the background.
    pub worker: Worker,
}

impl Repo {
    /// Where uploads are streamed to before the worker takes them.
    pub fn uploads_dir(&self) -> PathBuf {
        self.data_dir.join("uploads")
    }

    /// Records a new task and wakes the worker.
    pub fn submit(&self, task: Task) -> Result<Task, CatalogueError> {
        let stored = self.catalogue.update(|data, _| {
            data.tasks.push(task.clone());
            Ok(task)
        })?;
        self.worker.wake();
        Ok(stored)
    }

    /// Deletes a raster source. Refused with `Conflict` while layers use it,
    /// unless `force`: then those layers keep naming the missing source
    /// (they are broken) and their revision is bumped so no cached
    /// rendering survives. Returns the number of such layers.
    pub fn delete_source(&self, id: Uuid, force: bool) -> Result<usize, CatalogueError> {
        let (frames, broken) = self.catalogue.update(|data, rev| {
            let pos = data
                .sources
                .iter()
                .position(|s| s.uuid == id)
                .ok_or_else(|| CatalogueError::NotFound(format!("raster source {id}")))?;
            let users: Vec<usize> = data
                .layers
                .iter()
                .enumerate()
                .filter(|(_, l)| graphref::references(&l.graph).contains(&id))
                .map(|(i, _)| i)
                .collect();
            if !users.is_empty() && !force {
                return Err(CatalogueError::Conflict(format!(
                    "The raster source is used by {} raster layer(s); delete with {{\"force\": true}} to break them.",
                    users.len()
                )));
            }
            for &i in &users {
                data.layers[i].revision = rev;
            }
            let source = data.sources.remove(pos);
            Ok((source.frames, users.len()))
        })?;
        self.remove_files(id, &frames);
        let dir = self.store.frame_path(id, "x");
        if let Some(dir) = dir.parent() {
            // Only succeeds when empty: never loses a file written meanwhile.
            let _ = std::fs::remove_dir(dir);
        }
        Ok(broken)
    }

    /// Removes a source's frames: all, or those whose instant lies in the
    /// closed range `[start, stop]`. Without frames left the grid resets.
    /// Returns the number of frames removed.
    pub fn flush_data(
        &self,
        id: Uuid,
        range: Option<(DateTime<Utc>, DateTime<Utc>)>,
    ) -> Result<usize, CatalogueError> {
        let frames = self.catalogue.update(|data, rev| {
            let source = data
                .sources
                .iter_mut()
                .find(|s| s.uuid == id)
                .ok_or_else(|| CatalogueError::NotFound(format!("raster source {id}")))?;
            let (gone, kept): (Vec<Frame>, Vec<Frame>) = std::mem::take(&mut source.frames)
                .into_iter()
                .partition(|f| match (range, f.timestamp) {
                    (None, _) => true,
                    (Some((a, b)), Some(t)) => a <= t && t <= b,
                    (Some(_), None) => false,
                });
            source.frames = kept;
            if source.frames.is_empty() {
                source.grid = None;
            }
            source.revision = rev;
            source.last_modified = Utc::now();
            Ok(gone)
        })?;
        self.remove_files(id, &frames);
        Ok(frames.len())
    }

    fn remove_files(&self, source: Uuid, frames: &[Frame]) {
        for f in frames {
            if let Err(e) = self.store.remove_frame(source, &f.file) {
                tracing::warn!(%source, frame = %f.file, error = %e, "could not remove a frame file");
            }
        }
    }
}
