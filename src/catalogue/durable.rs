//! `Catalogue`: the database plus the current in-memory snapshot.
//!
//! Readers take `snapshot()` (an `Arc`, lock-free). Writers go through
//! `update`, which runs their change in a database transaction and swaps in
//! the new snapshot after the commit. Other processes (`tegel ingest`,
//! `tegel admin`) write the same database; `reload_if_changed`, polled by the
//! server, picks their writes up.
//!
//! Every snapshot a `Catalogue` publishes carries the graph limits it was
//! opened with, so the API, metadata and rendering read one set of limits.

use super::db::{self, Db};
use super::error::CatalogueError;
use super::legacy;
use super::snapshot::{CatalogueData, Snapshot};
use crate::graph::GraphLimits;
use arc_swap::ArcSwap;
use std::fs;
use std::path::Path;
use std::sync::{Arc, Mutex};

pub struct Catalogue {
    db: Mutex<Db>,
    current: ArcSwap<Snapshot>,
    graph_limits: GraphLimits,
}

impl Catalogue {
    /// Opens (or starts) the catalogue in `data_dir`, creating the folder and
    /// importing a catalogue file of an earlier version once. Its snapshots
    /// carry the engine's default graph limits.
    pub fn open(data_dir: &Path) -> Result<Catalogue, CatalogueError> {
        Catalogue::open_with_graph_limits(data_dir, GraphLimits::default())
    }

    /// [`Catalogue::open`], with every snapshot it publishes (at open, after
    /// each write and each reload) carrying `limits`.
    pub fn open_with_graph_limits(
        data_dir: &Path,
        limits: GraphLimits,
    ) -> Result<Catalogue, CatalogueError> {
        fs::create_dir_all(data_dir).map_err(|source| CatalogueError::Io {
            path: data_dir.display().to_string(),
            source,
        })?;
        let mut db = Db::open(&data_dir.join(db::FILE_NAME))?;
        let mut data = db.load()?;
        if let Some(old) = legacy::read(data_dir, |source, file| {
            let path = data_dir
                .join("sources")
                .join(source.to_string())
                .join(format!("{file}.tif"));
            fs::metadata(path).map_or(0, |m| m.len())
        })? {
            let (after, imported) = db.write(&data, |d, rev| {
                if !d.organisations.is_empty() || !d.sources.is_empty() || !d.layers.is_empty() {
                    // Another process imported it first.
                    return Ok(false);
                }
                let revision = rev.max(old.revision + 1);
                *d = CatalogueData { revision, ..old };
                Ok(true)
            })?;
            if imported {
                tracing::info!(dir = %data_dir.display(), "imported catalogue.json into the database");
            }
            data = after;
            legacy::retire(data_dir)?;
        }
        Ok(Catalogue {
            db: Mutex::new(db),
            current: ArcSwap::from_pointee(Snapshot::with_graph_limits(data, limits)),
            graph_limits: limits,
        })
    }

    /// The graph limits of this catalogue's snapshots.
    pub fn graph_limits(&self) -> GraphLimits {
        self.graph_limits
    }

    fn publish(&self, data: CatalogueData) {
        let snapshot = Snapshot::with_graph_limits(data, self.graph_limits);
        self.current.store(Arc::new(snapshot));
    }

    /// The current state; cheap, never blocks.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.current.load_full()
    }

    /// Re-reads the database when another process committed a write since
    /// the current snapshot. Returns whether it did. Cost: one indexed read,
    /// plus a full load when something changed.
    pub fn reload_if_changed(&self) -> Result<bool, CatalogueError> {
        let db = self.db.lock().unwrap_or_else(|p| p.into_inner());
        if db.revision()? == self.current.load().revision() {
            return Ok(false);
        }
        let data = db.load()?;
        self.publish(data);
        Ok(true)
    }

    /// Applies `change` to the newest committed state in one transaction,
    /// then publishes the new snapshot. `change` receives the new revision
    /// number to stamp on what it modifies; when it fails nothing changes.
    pub fn update<T>(
        &self,
        change: impl FnOnce(&mut CatalogueData, u64) -> Result<T, CatalogueError>,
    ) -> Result<T, CatalogueError> {
        let mut db = self.db.lock().unwrap_or_else(|p| p.into_inner());
        let current = self.current.load_full();
        let (data, out) = db.write(current.data(), change)?;
        self.publish(data);
        Ok(out)
    }
}
