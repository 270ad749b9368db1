//! `GeoTiffReader`: the pixels of an input GeoTIFF, band of rows by band of
//! rows, decoding one row of strips or tiles (chunks) at a time.
//!
//! Memory: the rows asked for plus the rest of the last chunk row decoded
//! (at most one chunk height × width), and one chunk being decoded. A chunk
//! decompresses within the `tiff` crate's limits (`Limits::to_tiff`), so a
//! compression bomb is refused chunk by chunk. The `tiff` crate (0.10.3) can
//! panic on some corrupt compressed streams (an assertion in its LZW reader)
//! and on some inconsistent chunk layouts; every call into it runs under
//! `catch_unwind`, so such a file is a `Corrupt` error like any other.

use super::{InputError, InputHeader, Limits, into_raster_data, read_header};
use crate::model::{RasterBuf, RasterData};
use std::io::{Read, Seek};
use tiff::decoder::{ChunkType, Decoder};

/// An open input GeoTIFF: its header and a cursor over its rows.
pub struct GeoTiffReader<R: Read + Seek> {
    pub header: InputHeader,
    decoder: Decoder<R>,
    chunk_w: u32,
    chunk_h: u32,
    tiled: bool,
    /// First row held in `held`.
    held_y0: u32,
    /// Rows decoded but not yet handed out, full width, row-major bytes.
    held: Vec<u8>,
    /// The next chunk row to decode.
    next_chunk_row: u32,
}

impl<R: Read + Seek> std::fmt::Debug for GeoTiffReader<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GeoTiffReader")
            .field("header", &self.header)
            .field("chunk", &(self.chunk_w, self.chunk_h))
            .finish_non_exhaustive()
    }
}

fn guarded<T>(f: impl FnOnce() -> Result<T, InputError>) -> Result<T, InputError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_else(|_| {
        Err(InputError::Corrupt(
            "the compressed data could not be decoded".into(),
        ))
    })
}

impl<R: Read + Seek> GeoTiffReader<R> {
    /// Reads the header of the first image (see `open_geotiff` for the errors).
    /// One row of strips or tiles, the most held at once, must be within
    /// `max_decoded_bytes`.
    pub fn new(reader: R, limits: &Limits) -> Result<GeoTiffReader<R>, InputError> {
        GeoTiffReader::open(reader, limits, false)
    }

    /// `whole`: the caller reads the whole raster at once (its size is checked).
    pub(super) fn open(
        reader: R,
        limits: &Limits,
        whole: bool,
    ) -> Result<GeoTiffReader<R>, InputError> {
        guarded(|| {
            let mut decoder = Decoder::new(reader)?.with_limits(limits.to_tiff());
            let header = read_header(&mut decoder, limits, whole)?;
            let tiled = decoder.get_chunk_type() == ChunkType::Tile;
            let (chunk_w, chunk_h) = decoder.chunk_dimensions();
            if chunk_w == 0 || chunk_h == 0 {
                return Err(InputError::Corrupt("zero strip or tile size".into()));
            }
            if !tiled && chunk_w != header.width {
                return Err(InputError::Corrupt("strips narrower than the image".into()));
            }
            let row_bytes = u64::from(chunk_h.min(header.height))
                * u64::from(header.width)
                * header.dtype.size() as u64;
            if row_bytes > limits.max_decoded_bytes {
                return Err(InputError::TooLarge {
                    width: header.width,
                    height: header.height,
                    what: "one row of strips or tiles (decoded bytes)",
                    limit: limits.max_decoded_bytes,
                });
            }
            Ok(GeoTiffReader {
                header,
                decoder,
                chunk_w,
                chunk_h,
                tiled,
                held_y0: 0,
                held: Vec::new(),
                next_chunk_row: 0,
            })
        })
    }

    /// Rows `y0 .. y0 + rows` at full width, with the header's nodata.
    ///
    /// Bands must be asked for top to bottom, each row once (rows above the
    /// last band asked for are gone). Errors: `Truncated`/`Corrupt` for
    /// damaged data, `LimitExceeded` when a chunk is larger than the limits.
    pub fn read_band(&mut self, y0: u32, rows: u32) -> Result<RasterBuf, InputError> {
        let h = self.header;
        let end = y0
            .checked_add(rows)
            .filter(|&e| e <= h.height && y0 >= self.held_y0)
            .ok_or_else(|| InputError::Corrupt(format!("rows {y0}+{rows} read out of order")))?;
        let row_bytes = h.width as usize * h.dtype.size();
        while (self.held_y0 as usize + self.held.len() / row_bytes) < end as usize {
            guarded(|| self.decode_chunk_row())?;
        }
        let skip = (y0 - self.held_y0) as usize * row_bytes;
        let take = rows as usize * row_bytes;
        let mut band = RasterBuf::new(h.dtype, h.width, rows, h.nodata);
        let src = self
            .held
            .get(skip..skip + take)
            .ok_or_else(|| InputError::Corrupt("decoded rows missing".into()))?;
        band.data.as_bytes_mut().copy_from_slice(src);
        self.held.drain(..skip + take);
        self.held_y0 = end;
        Ok(band)
    }

    /// Decodes the next row of chunks and appends its rows to `held`.
    fn decode_chunk_row(&mut self) -> Result<(), InputError> {
        let h = self.header;
        let k = self.next_chunk_row;
        let top = u64::from(k) * u64::from(self.chunk_h);
        if top >= u64::from(h.height) {
            return Err(InputError::Corrupt(
                "more rows asked than the image has".into(),
            ));
        }
        let rows = (u64::from(h.height) - top).min(u64::from(self.chunk_h)) as usize;
        let size = h.dtype.size();
        let width = h.width as usize;
        let across = if self.tiled {
            h.width.div_ceil(self.chunk_w)
        } else {
            1
        };
        let start = self.held.len();
        self.held.resize(start + rows * width * size, 0);
        for c in 0..across {
            let index = k
                .checked_mul(across)
                .and_then(|i| i.checked_add(c))
                .ok_or(InputError::LimitExceeded)?;
            let x0 = (c * self.chunk_w) as usize;
            let cols = (width - x0).min(self.chunk_w as usize);
            let data: RasterData = into_raster_data(self.decoder.read_chunk(index)?, h.dtype)?;
            if data.len() != cols * rows {
                return Err(InputError::Corrupt(
                    "decoded sample count does not match the image size".into(),
                ));
            }
            let src = data.as_bytes();
            for r in 0..rows {
                let d = start + (r * width + x0) * size;
                let s = r * cols * size;
                if let (Some(dst), Some(from)) = (
                    self.held.get_mut(d..d + cols * size),
                    src.get(s..s + cols * size),
                ) {
                    dst.copy_from_slice(from);
                }
            }
        }
        self.next_chunk_row += 1;
        Ok(())
    }
}
