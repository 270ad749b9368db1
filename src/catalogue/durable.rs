//! `Catalogue`: the durable catalogue file plus the current in-memory snapshot.
//!
//! Persistence is one JSON document (`catalogue.json` in the data dir) replaced
//! atomically (write temp, fsync, rename, fsync dir), so a crash leaves either the
//! old or the new catalogue. Readers take `snapshot()` (an `Arc`, lock-free);
//! writers serialise on a mutex, apply a change to a copy, persist, then swap.
//! Another process (`tegel ingest`) may write the same file: `reload_if_changed`
//! picks that up, and writers hold a lock file (`catalogue.json.lock`) while
//! they re-read, change and replace the file.

use super::error::CatalogueError;
use super::snapshot::{CatalogueData, Snapshot};
use arc_swap::ArcSwap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

const FILE_NAME: &str = "catalogue.json";
/// The current file format; older formats are migrated on load.
pub const FORMAT: u32 = 1;

pub struct Catalogue {
    path: PathBuf,
    current: ArcSwap<Snapshot>,
    /// Serialises writers; holds the file's modification time as last seen.
    writer: Mutex<Option<SystemTime>>,
}

impl Catalogue {
    /// Opens (or starts) the catalogue in `data_dir`, creating the folder.
    pub fn open(data_dir: &Path) -> Result<Catalogue, CatalogueError> {
        fs::create_dir_all(data_dir).map_err(|e| io_err(data_dir, e))?;
        let path = data_dir.join(FILE_NAME);
        let (data, mtime) = read_file(&path)?;
        Ok(Catalogue {
            path,
            current: ArcSwap::from_pointee(Snapshot::new(data)),
            writer: Mutex::new(mtime),
        })
    }

    /// The current state; cheap, never blocks.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.current.load_full()
    }

    /// Re-reads the file when another process changed it. Returns whether it did.
    ///
    /// Two writes closer together than the file system's time resolution leave
    /// the modification time unchanged, so while the file is younger than
    /// [`RECENT`] it is read and its revision compared. Cost: a `stat`, plus a
    /// read and parse of the file while it is recent or changed.
    pub fn reload_if_changed(&self) -> Result<bool, CatalogueError> {
        let mut seen = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        let mtime = modified(&self.path);
        // A modification time in the future (clock skew) counts as recent.
        let recent = mtime.is_some_and(|t| t.elapsed().map_or(true, |age| age < RECENT));
        if mtime == *seen && !recent {
            return Ok(false);
        }
        let (data, mtime) = read_file(&self.path)?;
        let changed = mtime != *seen || data.revision != self.current.load().data().revision;
        if changed {
            self.current.store(Arc::new(Snapshot::new(data)));
        }
        *seen = mtime;
        Ok(changed)
    }

    /// Applies `change` to a copy of the newest state, bumps the revision,
    /// persists atomically and publishes the new snapshot. `change` receives the
    /// new revision number to stamp on what it modifies.
    ///
    /// Writers in other processes are excluded by a lock file next to the
    /// catalogue, and the change starts from the file as it is under that lock,
    /// so concurrent `tegel ingest` runs never lose each other's updates.
    pub fn update<T>(
        &self,
        change: impl FnOnce(&mut CatalogueData, u64) -> Result<T, CatalogueError>,
    ) -> Result<T, CatalogueError> {
        let mut seen = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        let _lock = FileLock::acquire(&self.path.with_extension("json.lock"))?;
        // Always from the file: another process may have written it within the
        // resolution of the modification time.
        let mut data = read_file(&self.path)?.0;
        data.revision += 1;
        data.format = FORMAT;
        let revision = data.revision;
        let out = change(&mut data, revision)?;
        write_atomically(&self.path, &data)?;
        *seen = modified(&self.path);
        self.current.store(Arc::new(Snapshot::new(data)));
        Ok(out)
    }
}

/// Age below which a catalogue file is re-read even with an unchanged
/// modification time (coarser than any common file system's resolution).
pub const RECENT: Duration = Duration::from_secs(3);

/// How long a writer waits for another process's lock before giving up.
const LOCK_WAIT: Duration = Duration::from_secs(60);
/// A lock file older than this was left by a process that died holding it
/// (an update takes milliseconds) and is taken over.
const LOCK_STALE: Duration = Duration::from_secs(30);

/// An exclusive lock across processes: a file created with `create_new`
/// (O_EXCL), removed when dropped.
struct FileLock {
    path: PathBuf,
}

impl FileLock {
    fn acquire(path: &Path) -> Result<FileLock, CatalogueError> {
        let started = Instant::now();
        loop {
            match fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(path)
            {
                Ok(mut f) => {
                    let _ = writeln!(f, "{}", std::process::id());
                    return Ok(FileLock {
                        path: path.to_owned(),
                    });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let age = fs::metadata(path)
                        .and_then(|m| m.modified())
                        .ok()
                        .and_then(|t| t.elapsed().ok());
                    if age.is_some_and(|a| a > LOCK_STALE) {
                        tracing::warn!(path = %path.display(), "taking over a stale catalogue lock");
                        let _ = fs::remove_file(path);
                        continue;
                    }
                    if started.elapsed() > LOCK_WAIT {
                        return Err(CatalogueError::Conflict(format!(
                            "the catalogue is locked by another process ({} exists)",
                            path.display()
                        )));
                    }
                    std::thread::sleep(Duration::from_millis(5));
                }
                Err(e) => return Err(io_err(path, e)),
            }
        }
    }
}

impl Drop for FileLock {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.path);
    }
}

fn modified(path: &Path) -> Option<SystemTime> {
    fs::metadata(path).and_then(|m| m.modified()).ok()
}

fn read_file(path: &Path) -> Result<(CatalogueData, Option<SystemTime>), CatalogueError> {
    let mtime = modified(path);
    let bytes = match fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok((
                CatalogueData {
                    format: FORMAT,
                    ..Default::default()
                },
                None,
            ));
        }
        Err(e) => return Err(io_err(path, e)),
    };
    let data: CatalogueData =
        serde_json::from_slice(&bytes).map_err(|e| CatalogueError::Corrupt {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
    if data.format > FORMAT {
        return Err(CatalogueError::Corrupt {
            path: path.display().to_string(),
            message: format!(
                "format {} is newer than this tegel understands ({FORMAT})",
                data.format
            ),
        });
    }
    Ok((data, mtime))
}

fn write_atomically(path: &Path, data: &CatalogueData) -> Result<(), CatalogueError> {
    let bytes = serde_json::to_vec_pretty(data).map_err(|e| CatalogueError::Corrupt {
        path: path.display().to_string(),
        message: e.to_string(),
    })?;
    let tmp = path.with_extension(format!("json.tmp-{}", std::process::id()));
    let write = || -> std::io::Result<()> {
        let mut f = fs::File::create(&tmp)?;
        f.write_all(&bytes)?;
        f.sync_all()?;
        fs::rename(&tmp, path)?;
        if let Some(dir) = path.parent() {
            fs::File::open(dir)?.sync_all()?;
        }
        Ok(())
    };
    write().map_err(|e| {
        let _ = fs::remove_file(&tmp);
        io_err(path, e)
    })
}

fn io_err(path: &Path, source: std::io::Error) -> CatalogueError {
    CatalogueError::Io {
        path: path.display().to_string(),
        source,
    }
}
