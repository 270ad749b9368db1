//! `write_frame`: a decoded raster → a tegel store file (DESIGN §3).
//!
//! Layout: little-endian TIFF (BigTIFF past 4 GiB); header, then every IFD (level
//! 0 first, overviews with NewSubfileType=1), then tile data from the coarsest
//! level to level 0 (COG order). Tiles are 256×256, uncompressed, padded with
//! nodata (or 0) at the right/bottom edges; tile data starts on a 4096-byte
//! boundary and every tile is a multiple of 4096 bytes long, so each tile is a
//! page-aligned slice of the map. Written to a temporary file in the same folder,
//! fsynced, then renamed. Does not read store files; `frame` does.

use crate::encode::tiff::{
    Format, Ifd, Value, georef_entries, header, is_geographic_epsg, nodata_entry, sample_entries,
    tag,
};
use crate::model::{DataType, RasterBuf, RasterData};
use crate::storage::StoreError;
use crate::storage::input::DecodedRaster;
use crate::storage::overview::{level_sizes, reduce_level};
use std::borrow::Cow;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// Tile width and height of store files.
pub const TILE_SIZE: u32 = 256;
/// Alignment of the first tile (every tile is a multiple of it long).
pub(crate) const DATA_ALIGN: u64 = 4096;

/// Writes `raster` as a store file at `path` (replacing any file there atomically).
///
/// `progress(done, total)` is called after each tile with counts of tiles.
/// Overviews are built first (≈ ⅓ of the raster's size in extra memory), each from
/// the previous level (see `overview`). Errors: `InvalidRaster` when the buffer
/// disagrees with its size, `Io` for file system failures (the temporary file is
/// removed). Cost: one pass per level plus writing the file once.
pub fn write_frame(
    path: &Path,
    raster: &DecodedRaster,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<(), StoreError> {
    write_frame_as(path, raster, progress, false)
}

/// `write_frame`, optionally forcing BigTIFF (to test that layout on small rasters).
pub(crate) fn write_frame_as(
    path: &Path,
    raster: &DecodedRaster,
    progress: &mut dyn FnMut(u64, u64),
    force_big: bool,
) -> Result<(), StoreError> {
    let base = &raster.data;
    let n = base.width as usize * base.height as usize;
    if base.width == 0 || base.height == 0 || base.data.len() != n {
        return Err(StoreError::InvalidRaster(format!(
            "{}x{} with {} samples",
            base.width,
            base.height,
            base.data.len()
        )));
    }
    // `raster.nodata` is the truth; copy level 0 only in the odd case that its buffer disagrees.
    let fixed;
    let base = if base.nodata.map(f64::to_bits) == raster.nodata.map(f64::to_bits) {
        base
    } else {
        fixed = RasterBuf {
            nodata: raster.nodata,
            ..base.clone()
        };
        &fixed
    };
    let mut levels: Vec<Cow<'_, RasterBuf>> = vec![Cow::Borrowed(base)];
    for _ in 1..level_sizes(base.width, base.height).len() {
        let next = match levels.last() {
            Some(prev) => reduce_level(prev)?,
            None => break,
        };
        levels.push(Cow::Owned(next));
    }
    let plan = Plan::new(&levels, raster, force_big)?;

    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("frame");
    let tmp = dir.join(format!(".{name}.{}.tmp", uuid::Uuid::new_v4().simple()));
    let result = write_file(&tmp, &plan, &levels, progress).and_then(|()| {
        std::fs::rename(&tmp, path).map_err(StoreError::io(path))?;
        // Make the rename durable; not all platforms can open a directory for syncing.
        if let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    });
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Where everything goes in the file.
struct Plan {
    format: Format,
    ifds: Vec<Ifd>,
    ifd_at: Vec<u64>,
    data_at: u64,
    tile_len: u64,
}

fn tiles(w: u32, h: u32) -> (u64, u64) {
    (
        u64::from(w.div_ceil(TILE_SIZE)),
        u64::from(h.div_ceil(TILE_SIZE)),
    )
}

impl Plan {
    fn new(
        levels: &[Cow<'_, RasterBuf>],
        raster: &DecodedRaster,
        force_big: bool,
    ) -> Result<Plan, StoreError> {
        let dtype = raster.data.dtype();
        let tile_len = u64::from(TILE_SIZE * TILE_SIZE) * dtype.size() as u64;
        let mut last_err = None;
        let formats: &[Format] = if force_big {
            &[Format::Big]
        } else {
            &[Format::Classic, Format::Big]
        };
        for &format in formats {
            let mut ifds: Vec<Ifd> = levels
                .iter()
                .enumerate()
                .map(|(k, l)| level_ifd(k, l, raster, dtype))
                .collect();
            // Placeholder offsets of the final type and count: the sizes are exact.
            for (ifd, level) in ifds.iter_mut().zip(levels) {
                let (tx, ty) = tiles(level.width, level.height);
                let placeholder = format.offsets(vec![0; (tx * ty) as usize])?;
                ifd.set(tag::TILE_OFFSETS, placeholder.clone());
                ifd.set(tag::TILE_BYTE_COUNTS, placeholder);
            }
            let mut pos = format.header_len();
            let mut ifd_at = Vec::with_capacity(ifds.len());
            for ifd in &ifds {
                ifd_at.push(pos);
                pos += ifd.encoded_len(format);
                pos += pos & 1;
            }
            let data_at = pos.div_ceil(DATA_ALIGN) * DATA_ALIGN;
            let mut at = data_at;
            let mut offsets = vec![Vec::new(); levels.len()];
            for (k, level) in levels.iter().enumerate().rev() {
                let (tx, ty) = tiles(level.width, level.height);
                offsets[k] = (0..tx * ty).map(|i| at + i * tile_len).collect();
                at += tx * ty * tile_len;
            }
            let built: Result<(), StoreError> =
                ifds.iter_mut().zip(offsets).try_for_each(|(ifd, offs)| {
                    let counts = vec![tile_len; offs.len()];
                    ifd.set(tag::TILE_OFFSETS, format.offsets(offs)?);
                    ifd.set(tag::TILE_BYTE_COUNTS, format.offsets(counts)?);
                    Ok(())
                });
            match built {
                Ok(()) => {
                    return Ok(Plan {
                        format,
                        ifds,
                        ifd_at,
                        data_at,
                        tile_len,
                    });
                }
                Err(e) => last_err = Some(e),
            }
        }
        Err(last_err.unwrap_or_else(|| StoreError::InvalidRaster("no layout".into())))
    }
}

/// The tags of one level, without tile offsets.
fn level_ifd(k: usize, level: &RasterBuf, raster: &DecodedRaster, dtype: DataType) -> Ifd {
    let mut ifd = Ifd::new();
    if k > 0 {
        ifd.set(tag::NEW_SUBFILE_TYPE, Value::Long(vec![1]));
    }
    ifd.set(tag::IMAGE_WIDTH, Value::Long(vec![level.width]));
    ifd.set(tag::IMAGE_LENGTH, Value::Long(vec![level.height]));
    ifd.set(tag::COMPRESSION, Value::Short(vec![1]));
    ifd.set(tag::PHOTOMETRIC, Value::Short(vec![1]));
    ifd.set(tag::SAMPLES_PER_PIXEL, Value::Short(vec![1]));
    ifd.set(tag::PLANAR_CONFIGURATION, Value::Short(vec![1]));
    ifd.set(tag::TILE_WIDTH, Value::Short(vec![TILE_SIZE as u16]));
    ifd.set(tag::TILE_LENGTH, Value::Short(vec![TILE_SIZE as u16]));
    ifd.extend(sample_entries(dtype));
    if k == 0 {
        let epsg = raster.crs.epsg();
        let geographic =
            crate::geo::crs::lookup(epsg).map_or(is_geographic_epsg(epsg), |i| i.geographic);
        ifd.extend(georef_entries(epsg, geographic, &raster.transform));
    }
    if let Some(nd) = raster.nodata {
        ifd.extend([nodata_entry(nd)]);
    }
    ifd
}

fn write_file(
    tmp: &Path,
    plan: &Plan,
    levels: &[Cow<'_, RasterBuf>],
    progress: &mut dyn FnMut(u64, u64),
) -> Result<(), StoreError> {
    let err = StoreError::io(tmp);
    let file = File::create(tmp).map_err(StoreError::io(tmp))?;
    let mut w = Counted {
        inner: BufWriter::with_capacity(1 << 20, file),
        pos: 0,
        path: tmp.to_path_buf(),
    };
    let first = plan.ifd_at.first().copied().unwrap_or(0);
    w.write(&header(plan.format, first)?)?;
    for (k, ifd) in plan.ifds.iter().enumerate() {
        let next = plan.ifd_at.get(k + 1).copied().unwrap_or(0);
        w.pad_to(plan.ifd_at[k])?;
        w.write(&ifd.encode(plan.format, plan.ifd_at[k], next)?)?;
    }
    w.pad_to(plan.data_at)?;

    let total: u64 = levels
        .iter()
        .map(|l| {
            let (x, y) = tiles(l.width, l.height);
            x * y
        })
        .sum();
    let mut done = 0;
    let mut tile = vec![0u8; plan.tile_len as usize];
    for level in levels.iter().rev() {
        let padding = RasterData::filled(
            level.dtype(),
            (TILE_SIZE * TILE_SIZE) as usize,
            level.nodata.unwrap_or(0.0),
        );
        let (tx, ty) = tiles(level.width, level.height);
        for row in 0..ty {
            for col in 0..tx {
                fill_tile(&mut tile, level, padding.as_bytes(), col as u32, row as u32);
                w.write(&tile)?;
                done += 1;
                progress(done, total);
            }
        }
    }
    let file = w.inner.into_inner().map_err(|e| err(e.into_error()))?;
    file.sync_all().map_err(StoreError::io(tmp))?;
    Ok(())
}

/// Copies tile (`col`, `row`) of `level` into `tile`, padding outside the level.
fn fill_tile(tile: &mut [u8], level: &RasterBuf, padding: &[u8], col: u32, row: u32) {
    let size = level.dtype().size();
    let ts = TILE_SIZE as usize;
    let (x0, y0) = (col as usize * ts, row as usize * ts);
    let (lw, lh) = (level.width as usize, level.height as usize);
    let cols = ts.min(lw.saturating_sub(x0));
    let rows = ts.min(lh.saturating_sub(y0));
    if cols < ts || rows < ts {
        tile.copy_from_slice(padding);
    }
    let src = level.data.as_bytes();
    for r in 0..rows {
        let s = ((y0 + r) * lw + x0) * size;
        let d = r * ts * size;
        if let (Some(dst), Some(from)) = (
            tile.get_mut(d..d + cols * size),
            src.get(s..s + cols * size),
        ) {
            dst.copy_from_slice(from);
        }
    }
}

/// A writer that knows its position, for padding to planned offsets.
struct Counted {
    inner: BufWriter<File>,
    pos: u64,
    path: PathBuf,
}

impl Counted {
    fn write(&mut self, bytes: &[u8]) -> Result<(), StoreError> {
        self.inner
            .write_all(bytes)
            .map_err(StoreError::io(&self.path))?;
        self.pos += bytes.len() as u64;
        Ok(())
    }

    fn pad_to(&mut self, at: u64) -> Result<(), StoreError> {
        if at < self.pos {
            return Err(StoreError::InvalidRaster(format!(
                "layout overlap at {at} (written {})",
                self.pos
            )));
        }
        let zeros = vec![0u8; (at - self.pos) as usize];
        self.write(&zeros)
    }
}
