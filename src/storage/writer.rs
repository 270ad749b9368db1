//! `write_frame`: a raster → a tegel store file (DESIGN §3), in bounded memory.
//!
//! Layout: little-endian TIFF (BigTIFF past 4 GiB); header, then every IFD (level
//! 0 first, overviews with NewSubfileType=1), then tile data from the coarsest
//! level to level 0 (COG order). Tiles are 256×256, uncompressed, padded with
//! nodata (or 0) at the right/bottom edges; tile data starts on a 4096-byte
//! boundary and every tile is a multiple of 4096 bytes long, so each tile is a
//! page-aligned slice of the map. Written to a temporary file in the same folder,
//! fsynced, then renamed. Level 0 arrives in bands of 256 rows (`BandSource`);
//! each band's tiles are written at their planned offsets and its 2× reduction
//! feeds the next level, so no level is ever held whole. Does not read store
//! files; `frame` does.

use crate::encode::tiff::{
    Format, Ifd, Value, georef_entries, header, is_geographic_epsg, nodata_entry, sample_entries,
    tag,
};
use crate::model::{RasterBuf, RasterData};
use crate::storage::StoreError;
use crate::storage::input::{DecodedRaster, InputHeader};
use crate::storage::overview::{level_sizes, reduce_level};
use std::fs::File;
use std::io::{BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// Tile width and height of store files.
pub const TILE_SIZE: u32 = 256;
/// Alignment of the first tile (every tile is a multiple of it long).
pub(crate) const DATA_ALIGN: u64 = 4096;

/// Level-0 pixels handed to the writer one band of rows at a time, top to bottom.
pub trait BandSource {
    /// Rows `y0 .. y0 + rows` at full width. Called with increasing `y0`, each
    /// row once; the writer fixes the band's nodata to the frame's.
    fn read_band(&mut self, y0: u32, rows: u32) -> Result<RasterBuf, StoreError>;
}

/// Bands sliced from a raster held in memory.
struct InMemory<'a>(&'a RasterBuf);

impl BandSource for InMemory<'_> {
    fn read_band(&mut self, y0: u32, rows: u32) -> Result<RasterBuf, StoreError> {
        let src = self.0;
        let row_bytes = src.width as usize * src.dtype().size();
        let from = y0 as usize * row_bytes;
        let to = from + rows as usize * row_bytes;
        let mut band = RasterBuf::new(src.dtype(), src.width, rows, src.nodata);
        let bytes = src
            .data
            .as_bytes()
            .get(from..to)
            .ok_or_else(|| StoreError::InvalidRaster(format!("no rows {y0}+{rows}")))?;
        band.data.as_bytes_mut().copy_from_slice(bytes);
        Ok(band)
    }
}

/// Writes `raster` as a store file at `path` (replacing any file there atomically).
///
/// `progress(done, total)` is called after each tile with counts of tiles.
/// Errors: `InvalidRaster` when the buffer disagrees with its size, `Io` for
/// file system failures (the temporary file is removed). Cost: see
/// [`write_frame_from`]; the raster is read band by band.
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
    let spec = InputHeader {
        crs: raster.crs,
        transform: raster.transform,
        nodata: raster.nodata,
        dtype: base.dtype(),
        width: base.width,
        height: base.height,
    };
    write_stream(path, &spec, &mut InMemory(base), progress, force_big)
}

/// Writes a store file at `path` from level-0 bands read from `source`.
///
/// Memory stays bounded by a few bands whatever the raster's height: one
/// 256-row band of level 0 is read at a time, its tiles written at their place
/// in the file, and its 2× reduction (`reduce_level`, so overviews are the same
/// as reducing whole levels) fed to the next level, which keeps at most one
/// tile row (256 rows) of its own — about 2 × 256 rows × width in all.
/// Errors as [`write_frame`], plus whatever `source` returns. Cost: one pass
/// over the input, one write of ≈ 1.33× the raster.
pub fn write_frame_from(
    path: &Path,
    spec: &InputHeader,
    source: &mut dyn BandSource,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<(), StoreError> {
    write_stream(path, spec, source, progress, false)
}

fn write_stream(
    path: &Path,
    spec: &InputHeader,
    source: &mut dyn BandSource,
    progress: &mut dyn FnMut(u64, u64),
    force_big: bool,
) -> Result<(), StoreError> {
    if spec.width == 0 || spec.height == 0 {
        return Err(StoreError::InvalidRaster(format!(
            "{}x{}",
            spec.width, spec.height
        )));
    }
    let sizes = level_sizes(spec.width, spec.height);
    let plan = Plan::new(&sizes, spec, force_big)?;

    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("frame");
    let tmp = dir.join(format!(".{name}.{}.tmp", uuid::Uuid::new_v4().simple()));
    let result = write_file(&tmp, &plan, spec, source, progress).and_then(|()| {
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
    /// Level sizes, level 0 first.
    sizes: Vec<(u32, u32)>,
    /// Offset of each level's first tile.
    level_at: Vec<u64>,
}

fn tiles(w: u32, h: u32) -> (u64, u64) {
    (
        u64::from(w.div_ceil(TILE_SIZE)),
        u64::from(h.div_ceil(TILE_SIZE)),
    )
}

impl Plan {
    fn new(sizes: &[(u32, u32)], spec: &InputHeader, force_big: bool) -> Result<Plan, StoreError> {
        let dtype = spec.dtype;
        let tile_len = u64::from(TILE_SIZE * TILE_SIZE) * dtype.size() as u64;
        let mut last_err = None;
        let formats: &[Format] = if force_big {
            &[Format::Big]
        } else {
            &[Format::Classic, Format::Big]
        };
        for &format in formats {
            let mut ifds: Vec<Ifd> = sizes
                .iter()
                .enumerate()
                .map(|(k, &(w, h))| level_ifd(k, w, h, spec))
                .collect();
            // Placeholder offsets of the final type and count: the sizes are exact.
            for (ifd, &(w, h)) in ifds.iter_mut().zip(sizes) {
                let (tx, ty) = tiles(w, h);
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
            let mut offsets = vec![Vec::new(); sizes.len()];
            let mut level_at = vec![0; sizes.len()];
            for (k, &(w, h)) in sizes.iter().enumerate().rev() {
                let (tx, ty) = tiles(w, h);
                level_at[k] = at;
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
                        sizes: sizes.to_vec(),
                        level_at,
                    });
                }
                Err(e) => last_err = Some(e),
            }
        }
        Err(last_err.unwrap_or_else(|| StoreError::InvalidRaster("no layout".into())))
    }
}

/// The tags of one level, without tile offsets.
fn level_ifd(k: usize, width: u32, height: u32, spec: &InputHeader) -> Ifd {
    let mut ifd = Ifd::new();
    if k > 0 {
        ifd.set(tag::NEW_SUBFILE_TYPE, Value::Long(vec![1]));
    }
    ifd.set(tag::IMAGE_WIDTH, Value::Long(vec![width]));
    ifd.set(tag::IMAGE_LENGTH, Value::Long(vec![height]));
    ifd.set(tag::COMPRESSION, Value::Short(vec![1]));
    ifd.set(tag::PHOTOMETRIC, Value::Short(vec![1]));
    ifd.set(tag::SAMPLES_PER_PIXEL, Value::Short(vec![1]));
    ifd.set(tag::PLANAR_CONFIGURATION, Value::Short(vec![1]));
    ifd.set(tag::TILE_WIDTH, Value::Short(vec![TILE_SIZE as u16]));
    ifd.set(tag::TILE_LENGTH, Value::Short(vec![TILE_SIZE as u16]));
    ifd.extend(sample_entries(spec.dtype));
    if k == 0 {
        let epsg = spec.crs.epsg();
        let geographic =
            crate::geo::crs::lookup(epsg).map_or(is_geographic_epsg(epsg), |i| i.geographic);
        ifd.extend(georef_entries(epsg, geographic, &spec.transform));
    }
    if let Some(nd) = spec.nodata {
        ifd.extend([nodata_entry(nd)]);
    }
    ifd
}

/// Rows of one overview level waiting to fill a tile row.
struct Pending {
    /// Rows of this level received so far (emitted or waiting).
    received: u32,
    /// Rows emitted (written) so far.
    emitted: u32,
    /// The waiting rows, full width, row-major bytes.
    bytes: Vec<u8>,
}

fn write_file(
    tmp: &Path,
    plan: &Plan,
    spec: &InputHeader,
    source: &mut dyn BandSource,
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

    let total: u64 = plan
        .sizes
        .iter()
        .map(|&(lw, lh)| {
            let (x, y) = tiles(lw, lh);
            x * y
        })
        .sum();
    let mut out = TileOut {
        w,
        plan,
        spec,
        tile: vec![0u8; plan.tile_len as usize],
        done: 0,
        total,
        progress,
    };
    let mut pending: Vec<Pending> = plan
        .sizes
        .iter()
        .map(|_| Pending {
            received: 0,
            emitted: 0,
            bytes: Vec::new(),
        })
        .collect();
    let height = spec.height;
    let mut y0 = 0;
    while y0 < height {
        let rows = TILE_SIZE.min(height - y0);
        let mut band = source.read_band(y0, rows)?;
        let want = spec.width as usize * rows as usize;
        if band.width != spec.width || band.height != rows || band.data.len() != want {
            return Err(StoreError::InvalidRaster(format!(
                "band of {}x{} with {} samples for rows {y0}+{rows}",
                band.width,
                band.height,
                band.data.len()
            )));
        }
        if band.dtype() != spec.dtype {
            return Err(StoreError::InvalidRaster(format!(
                "{} band for a {} frame",
                band.dtype(),
                spec.dtype
            )));
        }
        band.nodata = spec.nodata;
        out.level_band(0, &band, &mut pending)?;
        y0 += rows;
    }
    let file = out.w.inner.into_inner().map_err(|e| err(e.into_error()))?;
    file.sync_all().map_err(StoreError::io(tmp))?;
    Ok(())
}

/// The tile writer of one file: writes tile rows where the plan puts them.
struct TileOut<'a, 'p> {
    w: Counted,
    plan: &'a Plan,
    spec: &'a InputHeader,
    tile: Vec<u8>,
    done: u64,
    total: u64,
    progress: &'p mut dyn FnMut(u64, u64),
}

impl TileOut<'_, '_> {
    /// Writes `band`, the next tile row of level `k`, and feeds its reduction
    /// to level `k + 1` (writing that level's tile rows as they fill).
    fn level_band(
        &mut self,
        k: usize,
        band: &RasterBuf,
        pending: &mut [Pending],
    ) -> Result<(), StoreError> {
        let Some(state) = pending.get_mut(k) else {
            return Ok(());
        };
        let row = state.emitted / TILE_SIZE;
        state.emitted += band.height;
        if k == 0 {
            state.received += band.height;
        }
        self.write_tile_row(k, row, band)?;
        let Some(&(nw, nh)) = self.plan.sizes.get(k + 1) else {
            return Ok(());
        };
        let reduced = reduce_level(band)?;
        let next = &mut pending[k + 1];
        next.received += reduced.height;
        next.bytes.extend_from_slice(reduced.data.as_bytes());
        drop(reduced);
        let row_bytes = nw as usize * self.spec.dtype.size();
        loop {
            let next = &mut pending[k + 1];
            let waiting = next.received - next.emitted;
            let complete = next.received >= nh;
            if waiting == 0 || (waiting < TILE_SIZE && !complete) {
                return Ok(());
            }
            let rows = waiting.min(TILE_SIZE);
            let take = rows as usize * row_bytes;
            let mut data = RasterData::filled(self.spec.dtype, nw as usize * rows as usize, 0.0);
            let bytes = next.bytes.get(..take).ok_or_else(|| {
                StoreError::InvalidRaster(format!("level {} short of rows", k + 1))
            })?;
            data.as_bytes_mut().copy_from_slice(bytes);
            next.bytes.drain(..take);
            let band = RasterBuf {
                width: nw,
                height: rows,
                data,
                nodata: self.spec.nodata,
            };
            self.level_band(k + 1, &band, pending)?;
        }
    }

    fn write_tile_row(&mut self, k: usize, row: u32, band: &RasterBuf) -> Result<(), StoreError> {
        let (lw, _) = self.plan.sizes[k];
        let (tx, _) = tiles(lw, TILE_SIZE);
        let at = self.plan.level_at[k] + u64::from(row) * tx * self.plan.tile_len;
        self.w.seek_to(at)?;
        let padding = RasterData::filled(
            band.dtype(),
            (TILE_SIZE * TILE_SIZE) as usize,
            band.nodata.unwrap_or(0.0),
        );
        for col in 0..tx {
            fill_tile(&mut self.tile, band, padding.as_bytes(), col as u32, 0);
            self.w.write(&self.tile)?;
            self.done += 1;
            (self.progress)(self.done, self.total);
        }
        Ok(())
    }
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

    /// Moves the write position to `at` (the file grows sparsely until filled).
    fn seek_to(&mut self, at: u64) -> Result<(), StoreError> {
        if at != self.pos {
            self.inner
                .seek(SeekFrom::Start(at))
                .map_err(StoreError::io(&self.path))?;
            self.pos = at;
        }
        Ok(())
    }
}
