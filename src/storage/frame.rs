//! `StoredFrame`: one memory-mapped store file as a `RasterSource`.
//!
//! Opening parses the IFDs tegel wrote (through the `tiff` crate's directory
//! reader, which guards against IFD loops) and checks every tile against the file
//! length, so later reads are plain offset arithmetic with no decoding: a tile is
//! a slice of the map, a window read is one memcpy per tile row. A damaged or
//! foreign file is a `StoreError::Corrupt`, never a panic. Does not write files.

use crate::model::{
    DataType, LevelInfo, PyramidInfo, RasterBuf, RasterSource, SourceError, Window,
};
use crate::storage::StoreError;
use crate::storage::georef::{parse_geokeys, parse_transform};
use crate::storage::input::sample_type_of;
use crate::storage::mmap::FileBytes;
use crate::storage::writer::TILE_SIZE;
use std::io::Cursor;
use std::path::{Path, PathBuf};
use tiff::decoder::Decoder;
use tiff::tags::Tag;

/// Most levels a store file may have (2^31 px a side is far beyond any limit).
const MAX_LEVELS: usize = 32;
/// Tile offsets must be at least this aligned (the writer uses 4096).
const MIN_ALIGN: u64 = 64;

/// A store file opened for reading; cheap to share (`Arc`) between threads.
#[derive(Debug)]
pub struct StoredFrame {
    path: PathBuf,
    bytes: FileBytes,
    info: PyramidInfo,
    levels: Vec<LevelTiles>,
    tile_len: usize,
}

/// Tile grid and tile offsets of one level.
#[derive(Debug)]
struct LevelTiles {
    tiles_x: u32,
    offsets: Vec<usize>,
}

impl StoredFrame {
    /// Maps `path` and validates its layout.
    ///
    /// Errors: `Io` when the file cannot be read, `Corrupt` when it is not a store
    /// file (bad header, IFD loop, unexpected compression/tiling, level sizes that
    /// do not halve, tiles past the end of the file, missing georeferencing).
    /// Cost: one pass over the IFDs; the pixels are not touched.
    pub fn open(path: &Path) -> Result<StoredFrame, StoreError> {
        let bytes = FileBytes::open(path).map_err(StoreError::io(path))?;
        let corrupt = |reason: String| StoreError::Corrupt {
            path: path.to_path_buf(),
            reason,
        };
        // The directory reader is not expected to panic; if it ever does, a bad file
        // must still be an error and not take a request thread down.
        let parsed = std::panic::catch_unwind(|| parse(bytes.as_bytes()))
            .unwrap_or_else(|_| Err("unreadable directory".to_string()));
        let (info, levels, tile_len) = parsed.map_err(corrupt)?;
        Ok(StoredFrame {
            path: path.to_path_buf(),
            bytes,
            info,
            levels,
            tile_len,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The raw little-endian bytes of tile (`tx`, `ty`) of `level`: 256×256 samples,
    /// row-major, padded with nodata (or 0) beyond the level's edge. Zero-copy;
    /// `None` when the level or tile does not exist.
    pub fn tile_bytes(&self, level: usize, tx: u32, ty: u32) -> Option<&[u8]> {
        let l = self.levels.get(level)?;
        if tx >= l.tiles_x {
            return None;
        }
        let index = ty as usize * l.tiles_x as usize + tx as usize;
        let start = *l.offsets.get(index)?;
        self.bytes.as_bytes().get(start..start + self.tile_len)
    }
}

impl RasterSource for StoredFrame {
    fn info(&self) -> &PyramidInfo {
        &self.info
    }

    /// Copies the part of `window` inside `level` into `out`, one memcpy per tile
    /// row; pixels of `out` outside the level are left untouched. No allocation.
    fn read_window(
        &self,
        level: usize,
        window: Window,
        out: &mut RasterBuf,
    ) -> Result<(), SourceError> {
        let li = *self
            .info
            .levels
            .get(level)
            .ok_or(SourceError::NoSuchLevel(level))?;
        let dtype = self.info.dtype;
        if out.width != window.width || out.height != window.height || out.dtype() != dtype {
            return Err(SourceError::BufferMismatch {
                want: (window.width, window.height, dtype),
                got: (out.width, out.height, out.dtype()),
            });
        }
        if out.data.len() != out.width as usize * out.height as usize {
            return Err(SourceError::BufferMismatch {
                want: (window.width, window.height, dtype),
                got: (0, 0, dtype),
            });
        }
        // Intersection with the level, in level pixels.
        let x0 = window.col.max(0);
        let y0 = window.row.max(0);
        let x1 = window
            .col
            .saturating_add(i64::from(window.width))
            .min(i64::from(li.width));
        let y1 = window
            .row
            .saturating_add(i64::from(window.height))
            .min(i64::from(li.height));
        if x0 >= x1 || y0 >= y1 {
            return Ok(());
        }
        let size = dtype.size();
        let ts = i64::from(TILE_SIZE);
        let out_bytes = out.data.as_bytes_mut();
        let broken = || SourceError::Io(format!("tile outside {}", self.path.display()));
        for ty in y0 / ts..=(y1 - 1) / ts {
            for tx in x0 / ts..=(x1 - 1) / ts {
                let tile = self
                    .tile_bytes(level, tx as u32, ty as u32)
                    .ok_or_else(broken)?;
                let cx0 = x0.max(tx * ts);
                let cx1 = x1.min((tx + 1) * ts);
                let len = (cx1 - cx0) as usize * size;
                for y in y0.max(ty * ts)..y1.min((ty + 1) * ts) {
                    let src = (((y - ty * ts) * ts + (cx0 - tx * ts)) as usize) * size;
                    let dst = (((y - window.row) * i64::from(window.width) + (cx0 - window.col))
                        as usize)
                        * size;
                    let from = tile.get(src..src + len).ok_or_else(broken)?;
                    out_bytes
                        .get_mut(dst..dst + len)
                        .ok_or_else(broken)?
                        .copy_from_slice(from);
                }
            }
        }
        Ok(())
    }
}

type Parsed = (PyramidInfo, Vec<LevelTiles>, usize);

/// Reads and checks every IFD of a store file.
fn parse(bytes: &[u8]) -> Result<Parsed, String> {
    let file_len = bytes.len() as u64;
    let mut limits = tiff::decoder::Limits::default();
    // No tag value can be longer than the file: a lying count cannot allocate more.
    limits.ifd_value_size = bytes.len().min(256 << 20);
    let mut d = Decoder::new(Cursor::new(bytes))
        .map_err(|e| e.to_string())?
        .with_limits(limits);
    let mut levels = Vec::new();
    let mut infos: Vec<LevelInfo> = Vec::new();
    let mut first: Option<(DataType, PyramidInfo)> = None;
    loop {
        let (w, h) = d.dimensions().map_err(|e| e.to_string())?;
        let level = infos.len();
        let expected = match infos.last() {
            None => (w, h),
            Some(prev) => (prev.width.div_ceil(2), prev.height.div_ceil(2)),
        };
        if (w, h) != expected || w == 0 || h == 0 {
            return Err(format!(
                "level {level} is {w}x{h}, expected {}x{}",
                expected.0, expected.1
            ));
        }
        for (tag, want) in [
            (Tag::Compression, 1),
            (Tag::SamplesPerPixel, 1),
            (Tag::TileWidth, 256),
            (Tag::TileLength, 256),
        ] {
            let got = d.find_tag_unsigned::<u64>(tag).map_err(|e| e.to_string())?;
            if got != Some(want) {
                return Err(format!(
                    "level {level}: {tag:?} is {got:?}, expected {want}"
                ));
            }
        }
        let bits = d
            .find_tag_unsigned::<u64>(Tag::BitsPerSample)
            .map_err(|e| e.to_string())?
            .unwrap_or(1);
        let format = d
            .find_tag_unsigned::<u64>(Tag::SampleFormat)
            .map_err(|e| e.to_string())?
            .unwrap_or(1);
        let dtype = sample_type_of(bits, format)
            .ok_or_else(|| format!("unsupported sample type {bits}/{format}"))?;
        if level == 0 {
            first = Some((dtype, georef(&mut d, dtype)?));
        }
        let (dtype0, _) = first.as_ref().ok_or("no first level")?;
        if dtype != *dtype0 {
            return Err(format!("level {level} is {dtype}, level 0 {dtype0}"));
        }
        let tile_len = (TILE_SIZE * TILE_SIZE) as u64 * dtype.size() as u64;
        let offsets = d
            .get_tag_u64_vec(Tag::TileOffsets)
            .map_err(|e| e.to_string())?;
        let counts = d
            .get_tag_u64_vec(Tag::TileByteCounts)
            .map_err(|e| e.to_string())?;
        let (tiles_x, tiles_y) = (w.div_ceil(TILE_SIZE), h.div_ceil(TILE_SIZE));
        let n = tiles_x as usize * tiles_y as usize;
        if offsets.len() != n || counts.len() != n {
            return Err(format!(
                "level {level}: {} tile offsets for {n} tiles",
                offsets.len()
            ));
        }
        for (&off, &count) in offsets.iter().zip(&counts) {
            let end = off.checked_add(tile_len);
            if count != tile_len || off % MIN_ALIGN != 0 || end.is_none_or(|e| e > file_len) {
                return Err(format!(
                    "level {level}: tile at {off} ({count} bytes) is misplaced in a {file_len}-byte file"
                ));
            }
        }
        // Every offset is below the file length, which fits in memory: no truncation.
        let offsets = offsets.into_iter().map(|o| o as usize).collect();
        levels.push(LevelTiles { tiles_x, offsets });
        infos.push(LevelInfo {
            width: w,
            height: h,
            factor: 1 << level,
        });
        if !d.more_images() {
            break;
        }
        if infos.len() >= MAX_LEVELS {
            return Err("too many levels".into());
        }
        d.next_image().map_err(|e| e.to_string())?;
    }
    let (dtype, mut info) = first.ok_or("no image")?;
    info.levels = infos;
    let tile_len = (TILE_SIZE * TILE_SIZE) as usize * dtype.size();
    Ok((info, levels, tile_len))
}

/// CRS, transform and nodata of level 0.
fn georef(d: &mut Decoder<Cursor<&[u8]>>, dtype: DataType) -> Result<PyramidInfo, String> {
    let mut f64s = |t: u16| -> Result<Option<Vec<f64>>, String> {
        match d
            .find_tag(Tag::from_u16_exhaustive(t))
            .map_err(|e| e.to_string())?
        {
            Some(v) => v.into_f64_vec().map(Some).map_err(|e| e.to_string()),
            None => Ok(None),
        }
    };
    let scale = f64s(33550)?;
    let tiepoint = f64s(33922)?;
    let matrix = f64s(34264)?;
    let keys = d
        .get_tag_u16_vec(Tag::GeoKeyDirectoryTag)
        .map_err(|e| e.to_string())?;
    let keys = parse_geokeys(&keys).map_err(|e| e.to_string())?;
    let transform = parse_transform(
        scale.as_deref(),
        tiepoint.as_deref(),
        matrix.as_deref(),
        keys.pixel_is_point,
    )
    .map_err(|e| e.to_string())?;
    let nodata = match d.find_tag(Tag::GdalNodata).map_err(|e| e.to_string())? {
        Some(v) => {
            let text = v.into_string().map_err(|e| e.to_string())?;
            let t = text.trim_matches(|c: char| c == '\0' || c.is_whitespace());
            Some(
                t.parse::<f64>()
                    .map_err(|_| format!("bad GDAL_NODATA {t:?}"))?,
            )
        }
        None => None,
    };
    Ok(PyramidInfo {
        crs: keys.crs,
        dtype,
        nodata,
        transform,
        levels: Vec::new(),
    })
}
