//! `Store`: the data folder of frame files and a bounded LRU of open maps.
//!
//! Layout: `<data_dir>/sources/<source uuid>/<frame id>.tif`, one store file per
//! frame. Which frame belongs to which timestamp is the catalogue's business;
//! the store only creates, opens and removes files. One long-lived map per file:
//! `open_frame` hands out `Arc`s from the LRU, so an evicted map stays valid
//! for readers that still hold it.

use crate::model::RasterBuf;
use crate::model::{Crs, DataType, GeoTransform};
use crate::storage::StoreError;
use crate::storage::frame::StoredFrame;
use crate::storage::input::{GeoTiffReader, Limits, open_geotiff};
use crate::storage::overview::level_sizes;
use crate::storage::writer::{BandSource, write_frame_from};
use std::collections::HashMap;
use std::io::{Read, Seek};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use uuid::Uuid;

/// What ingest stored: the new frame's id and its grid.
#[derive(Clone, Debug, PartialEq)]
pub struct FrameMeta {
    /// The frame id (32 lowercase hex digits), for `open_frame`/`remove_frame`.
    pub frame: String,
    pub crs: Crs,
    pub transform: GeoTransform,
    pub dtype: DataType,
    pub nodata: Option<f64>,
    pub width: u32,
    pub height: u32,
    /// Pyramid levels written (level 0 included).
    pub levels: u32,
    /// Size of the written frame file.
    pub bytes: u64,
}

/// The frame store over one data folder; `Sync`, shared by all request threads.
#[derive(Debug)]
pub struct Store {
    root: PathBuf,
    maps: Mutex<Lru>,
}

type Key = (Uuid, String);

#[derive(Debug)]
struct Lru {
    capacity: usize,
    clock: u64,
    entries: HashMap<Key, (u64, Arc<StoredFrame>)>,
}

impl Lru {
    fn get(&mut self, key: &Key) -> Option<Arc<StoredFrame>> {
        self.clock += 1;
        let clock = self.clock;
        self.entries.get_mut(key).map(|(used, frame)| {
            *used = clock;
            Arc::clone(frame)
        })
    }

    fn insert(&mut self, key: Key, frame: Arc<StoredFrame>) {
        self.clock += 1;
        self.entries.insert(key, (self.clock, frame));
        // O(n) eviction: n is the configured number of maps, and misses are rare.
        while self.entries.len() > self.capacity {
            let oldest = self
                .entries
                .iter()
                .min_by_key(|(_, (used, _))| *used)
                .map(|(k, _)| k.clone());
            match oldest {
                Some(k) => self.entries.remove(&k),
                None => break,
            };
        }
    }
}

impl Store {
    /// Opens (creating if needed) the store under `data_dir`, keeping at most
    /// `max_open_maps` maps open (at least 1).
    pub fn open(data_dir: &Path, max_open_maps: usize) -> Result<Store, StoreError> {
        let sources = data_dir.join("sources");
        std::fs::create_dir_all(&sources).map_err(StoreError::io(&sources))?;
        let lru = Lru {
            capacity: max_open_maps.max(1),
            clock: 0,
            entries: HashMap::new(),
        };
        Ok(Store {
            root: data_dir.to_path_buf(),
            maps: Mutex::new(lru),
        })
    }

    /// `<data_dir>/sources/<source>/<frame>.tif`. The frame id is not checked here;
    /// the other methods refuse ids that are not `[A-Za-z0-9_-]{1,64}`.
    pub fn frame_path(&self, source: Uuid, frame: &str) -> PathBuf {
        self.root
            .join("sources")
            .join(source.to_string())
            .join(format!("{frame}.tif"))
    }

    /// Reads `input` band by band into a new frame of `source` and returns its metadata.
    ///
    /// `progress(done, total)` counts tiles written. Errors: `Input(..)` when the
    /// file is refused (its class tells why), `Io` on disk failures. Cost: one
    /// decode plus a write of ≈ 1.33× the raster (level 0 plus overviews), in
    /// memory of a few 256-row bands (see `writer::write_frame_from`).
    pub fn ingest(
        &self,
        source: Uuid,
        input: &Path,
        limits: &Limits,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<FrameMeta, StoreError> {
        let mut reader = open_geotiff(input, limits)?;
        let h = reader.header;
        let frame = Uuid::new_v4().simple().to_string();
        let path = self.frame_path(source, &frame);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(StoreError::io(dir))?;
        }
        write_frame_from(&path, &h, &mut Bands(&mut reader), progress)?;
        let bytes = std::fs::metadata(&path)
            .map_err(StoreError::io(&path))?
            .len();
        let (width, height) = (h.width, h.height);
        Ok(FrameMeta {
            frame,
            crs: h.crs,
            transform: h.transform,
            dtype: h.dtype,
            nodata: h.nodata,
            width,
            height,
            levels: level_sizes(width, height).len() as u32,
            bytes,
        })
    }

    /// The open frame, from the LRU or mapped now. `NotFound` when the file is absent,
    /// `Corrupt` when it is not a valid store file.
    pub fn open_frame(&self, source: Uuid, frame: &str) -> Result<Arc<StoredFrame>, StoreError> {
        check_frame_name(frame)?;
        let key = (source, frame.to_string());
        if let Some(f) = self.lock().get(&key) {
            return Ok(f);
        }
        // Map outside the lock; a concurrent opener of the same file wins harmlessly.
        let path = self.frame_path(source, frame);
        if !path.is_file() {
            return Err(StoreError::NotFound {
                source_id: source,
                frame: frame.to_string(),
            });
        }
        let opened = Arc::new(StoredFrame::open(&path)?);
        let mut lru = self.lock();
        if let Some(f) = lru.get(&key) {
            return Ok(f);
        }
        lru.insert(key, Arc::clone(&opened));
        Ok(opened)
    }

    /// Deletes a frame file (and forgets its map; readers holding it keep a valid map).
    /// `NotFound` when there is no such file.
    pub fn remove_frame(&self, source: Uuid, frame: &str) -> Result<(), StoreError> {
        check_frame_name(frame)?;
        self.lock().entries.remove(&(source, frame.to_string()));
        let path = self.frame_path(source, frame);
        match std::fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(StoreError::NotFound {
                source_id: source,
                frame: frame.to_string(),
            }),
            Err(e) => Err(StoreError::Io { path, source: e }),
        }
    }

    /// Number of maps currently held by the LRU.
    pub fn open_maps(&self) -> usize {
        self.lock().entries.len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Lru> {
        // A panic while holding the lock cannot leave the map inconsistent: recover it.
        self.maps
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// An input GeoTIFF as the writer's band source.
struct Bands<'a, R: Read + Seek>(&'a mut GeoTiffReader<R>);

impl<R: Read + Seek> BandSource for Bands<'_, R> {
    fn read_band(&mut self, y0: u32, rows: u32) -> Result<RasterBuf, StoreError> {
        Ok(self.0.read_band(y0, rows)?)
    }
}

fn check_frame_name(frame: &str) -> Result<(), StoreError> {
    let ok = !frame.is_empty()
        && frame.len() <= 64
        && frame
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(StoreError::BadFrameName(frame.chars().take(80).collect()))
    }
}
