//! Ingest input: read a real-world single-band GeoTIFF band by band
//! (`open_geotiff` → `GeoTiffReader`, see `bands`) or whole (`decode_geotiff`).
//!
//! Reads striped and tiled files of u8…f64 with any compression and predictor the
//! `tiff` crate decodes (none, deflate, LZW, PackBits, zstd; predictors 2 and 3),
//! GDAL_NODATA and GeoTIFF georeferencing (see `georef`). Refuses multi-band,
//! rotated, CRS-less and oversized inputs with an `InputError` naming the cause;
//! sizes are checked against `Limits` before any pixel buffer is allocated, and
//! absurd georeferencing (non-finite, beyond ±1e15, zero pixel size) is refused.
//! Writes nothing; knows nothing of the store layout.

mod bands;
mod error;
mod limits;

pub use bands::GeoTiffReader;

pub use error::InputError;
pub use limits::Limits;

use crate::model::{Crs, DataType, GeoTransform, RasterBuf, RasterData};
use crate::storage::georef::{parse_geokeys, parse_transform};
use std::fs::File;
use std::io::{BufReader, Read, Seek};
use std::path::Path;
use tiff::decoder::{Decoder, DecodingResult};
use tiff::tags::Tag;

/// A decoded single-band raster with its georeferencing.
#[derive(Clone, Debug, PartialEq)]
pub struct DecodedRaster {
    pub crs: Crs,
    /// North-up, outer top-left corner (PixelIsPoint already shifted).
    pub transform: GeoTransform,
    /// From GDAL_NODATA (rounded to f32 for f32 data, as GDAL reports it);
    /// also stored in `data.nodata`.
    pub nodata: Option<f64>,
    pub data: RasterBuf,
}

const TAG_PIXEL_SCALE: u16 = 33550;
const TAG_TIEPOINT: u16 = 33922;
const TAG_TRANSFORMATION: u16 = 34264;
const TAG_GEOKEYS: u16 = 34735;
const TAG_NODATA: u16 = 42113;

/// What an input GeoTIFF says about its raster, read before any pixel; also
/// what the store writer puts in a frame file besides the pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct InputHeader {
    pub crs: Crs,
    /// North-up, outer top-left corner (PixelIsPoint already shifted).
    pub transform: GeoTransform,
    /// From GDAL_NODATA (rounded to f32 for f32 data, as GDAL reports it; any
    /// NaN spelling becomes the one canonical NaN).
    pub nodata: Option<f64>,
    pub dtype: DataType,
    pub width: u32,
    pub height: u32,
}

/// Opens the GeoTIFF at `path` and reads its header; pixels are then read
/// band by band with [`GeoTiffReader::read_band`].
///
/// Errors: `MultiBand` (SamplesPerPixel > 1), `Georef(..)` for missing,
/// user-defined, unsupported, rotated or absurd georeferencing,
/// `UnsupportedSampleType`, `Truncated`/`Corrupt` for damaged files,
/// `TooLarge`/`LimitExceeded` for limits. Never panics on any input.
pub fn open_geotiff(
    path: &Path,
    limits: &Limits,
) -> Result<GeoTiffReader<BufReader<File>>, InputError> {
    let file = File::open(path).map_err(InputError::Io)?;
    let len = file.metadata().map_err(InputError::Io)?.len();
    // No tag value can be longer than the file: a lying count cannot allocate more.
    let limits = Limits {
        max_ifd_value_bytes: limits.max_ifd_value_bytes.min(len),
        ..*limits
    };
    GeoTiffReader::new(BufReader::new(file), &limits)
}

/// Decodes the first image of the GeoTIFF at `path` whole.
///
/// Errors as [`open_geotiff`]. Cost: one full decode; memory ≈ twice the
/// decoded raster. Ingest streams instead (`open_geotiff`).
pub fn decode_geotiff(path: &Path, limits: &Limits) -> Result<DecodedRaster, InputError> {
    let file = File::open(path).map_err(InputError::Io)?;
    let len = file.metadata().map_err(InputError::Io)?.len();
    let limits = Limits {
        max_ifd_value_bytes: limits.max_ifd_value_bytes.min(len),
        ..*limits
    };
    decode_reader(BufReader::new(file), &limits)
}

/// `decode_geotiff` over any seekable reader (used by tests on in-memory bytes).
pub fn decode_reader<R: Read + Seek>(
    reader: R,
    limits: &Limits,
) -> Result<DecodedRaster, InputError> {
    let mut r = GeoTiffReader::open(reader, limits, true)?;
    let h = r.header;
    let data = r.read_band(0, h.height)?;
    Ok(DecodedRaster {
        crs: h.crs,
        transform: h.transform,
        nodata: h.nodata,
        data,
    })
}

/// Reads the header of the first image; every check that needs no pixel.
/// `whole`: the raster will be decoded at once, so its decoded size must be
/// within `max_decoded_bytes` (streaming checks one row of chunks instead).
pub(crate) fn read_header<R: Read + Seek>(
    d: &mut Decoder<R>,
    limits: &Limits,
    whole: bool,
) -> Result<InputHeader, InputError> {
    let samples: u64 = first_u64(d, Tag::SamplesPerPixel)?.unwrap_or(1);
    if samples != 1 {
        return Err(InputError::MultiBand(samples));
    }
    let (width, height) = d.dimensions()?;
    check_size(width, height, limits)?;
    let dtype = sample_type(d)?;
    let bytes = u64::from(width) * u64::from(height) * dtype.size() as u64;
    if whole && bytes > limits.max_decoded_bytes {
        return Err(InputError::TooLarge {
            width,
            height,
            what: "decoded bytes",
            limit: limits.max_decoded_bytes,
        });
    }

    let geokeys = match tag_value(d, TAG_GEOKEYS)? {
        Some(v) => parse_geokeys(&v.into_u16_vec()?)?,
        None => return Err(crate::storage::georef::GeorefError::NoCrs.into()),
    };
    let scale = tag_f64s(d, TAG_PIXEL_SCALE)?;
    let tiepoint = tag_f64s(d, TAG_TIEPOINT)?;
    let matrix = tag_f64s(d, TAG_TRANSFORMATION)?;
    let transform = parse_transform(
        scale.as_deref(),
        tiepoint.as_deref(),
        matrix.as_deref(),
        geokeys.pixel_is_point,
    )?;
    check_extent(&transform, width, height)?;
    let nodata = match tag_value(d, TAG_NODATA)? {
        // GDAL reads a float32 band's nodata as a float32 value (0.1 → 0.10000000149011612).
        Some(v) => Some(parse_nodata(&v.into_string()?)?).map(|n| {
            if n.is_nan() {
                f64::NAN
            } else if dtype == DataType::F32 {
                f64::from(n as f32)
            } else {
                n
            }
        }),
        None => None,
    };
    Ok(InputHeader {
        crs: geokeys.crs,
        transform,
        nodata,
        dtype,
        width,
        height,
    })
}

fn check_size(width: u32, height: u32, limits: &Limits) -> Result<(), InputError> {
    if width == 0 || height == 0 {
        return Err(InputError::Empty);
    }
    let too = |what, limit| {
        Err(InputError::TooLarge {
            width,
            height,
            what,
            limit,
        })
    };
    if width > limits.max_width {
        return too("width", u64::from(limits.max_width));
    }
    if height > limits.max_height {
        return too("height", u64::from(limits.max_height));
    }
    if u64::from(width) * u64::from(height) > limits.max_pixels {
        return too("the pixel count", limits.max_pixels);
    }
    Ok(())
}

/// The `DataType` from BitsPerSample and SampleFormat (default 1 = unsigned).
fn sample_type<R: Read + Seek>(d: &mut Decoder<R>) -> Result<DataType, InputError> {
    let bits = first_u64(d, Tag::BitsPerSample)?.unwrap_or(1);
    let format = first_u64(d, Tag::SampleFormat)?.unwrap_or(1);
    sample_type_of(bits, format).ok_or_else(|| {
        let clamp = |v: u64| u16::try_from(v).unwrap_or(u16::MAX);
        InputError::UnsupportedSampleType {
            bits: clamp(bits),
            format: clamp(format),
        }
    })
}

/// BitsPerSample + SampleFormat (1 unsigned, 2 signed, 3 float) → `DataType`.
pub(crate) fn sample_type_of(bits: u64, format: u64) -> Option<DataType> {
    Some(match (bits, format) {
        (8, 1) => DataType::U8,
        (8, 2) => DataType::I8,
        (16, 1) => DataType::U16,
        (16, 2) => DataType::I16,
        (32, 1) => DataType::U32,
        (32, 2) => DataType::I32,
        (32, 3) => DataType::F32,
        (64, 3) => DataType::F64,
        _ => return None,
    })
}

pub(super) fn into_raster_data(
    result: DecodingResult,
    dtype: DataType,
) -> Result<RasterData, InputError> {
    let data = match result {
        DecodingResult::U8(v) => RasterData::U8(v),
        DecodingResult::I8(v) => RasterData::I8(v),
        DecodingResult::U16(v) => RasterData::U16(v),
        DecodingResult::I16(v) => RasterData::I16(v),
        DecodingResult::U32(v) => RasterData::U32(v),
        DecodingResult::I32(v) => RasterData::I32(v),
        DecodingResult::F32(v) => RasterData::F32(v),
        DecodingResult::F64(v) => RasterData::F64(v),
        _ => {
            return Err(InputError::Unsupported(
                "64-bit integer or 16-bit float samples".into(),
            ));
        }
    };
    if data.dtype() != dtype {
        return Err(InputError::Corrupt(format!(
            "decoded {} samples for a {} image",
            data.dtype(),
            dtype
        )));
    }
    Ok(data)
}

/// GDAL_NODATA text → value (`nan`, `NaN`, `-nan`, `inf`, `-9999`, `1e+20`,
/// trailing NUL/blanks ignored). Every NaN spelling is the one canonical NaN.
pub(crate) fn parse_nodata(text: &str) -> Result<f64, InputError> {
    let t = text.trim_matches(|c: char| c == '\0' || c.is_whitespace());
    let unsigned = t.strip_prefix(['-', '+']).unwrap_or(t);
    if unsigned.eq_ignore_ascii_case("nan") {
        return Ok(f64::NAN);
    }
    t.parse::<f64>()
        .map_err(|_| InputError::BadNodata(t.chars().take(40).collect()))
}

/// The largest accepted magnitude of an origin, a pixel size or the far
/// corner: beyond it a transform is nonsense for any CRS tegel knows.
const MAX_COORDINATE: f64 = 1e15;

/// Refuses absurd georeferencing: non-finite or beyond ±1e15 origins and
/// pixel sizes, zero pixel sizes, and far corners (origin + size × pixel)
/// that are not finite or beyond the same bound.
pub(crate) fn check_extent(
    t: &GeoTransform,
    width: u32,
    height: u32,
) -> Result<(), crate::storage::georef::GeorefError> {
    use crate::storage::georef::GeorefError::BadTransform;
    let ok = |v: f64| v.is_finite() && v.abs() <= MAX_COORDINATE;
    if !(ok(t.origin_x) && ok(t.origin_y)) {
        return Err(BadTransform("the origin is not finite or beyond ±1e15"));
    }
    if !(ok(t.pixel_x) && ok(t.pixel_y)) {
        return Err(BadTransform("the pixel size is not finite or beyond ±1e15"));
    }
    if t.pixel_x == 0.0 || t.pixel_y == 0.0 {
        return Err(BadTransform("zero pixel size"));
    }
    let far_x = t.origin_x + f64::from(width) * t.pixel_x;
    let far_y = t.origin_y + f64::from(height) * t.pixel_y;
    if !(ok(far_x) && ok(far_y)) {
        return Err(BadTransform(
            "the far corner (origin + size × pixel size) is not finite or beyond ±1e15",
        ));
    }
    Ok(())
}

fn tag_value<R: Read + Seek>(
    d: &mut Decoder<R>,
    tag: u16,
) -> Result<Option<tiff::decoder::ifd::Value>, InputError> {
    Ok(d.find_tag(Tag::from_u16_exhaustive(tag))?)
}

fn tag_f64s<R: Read + Seek>(d: &mut Decoder<R>, tag: u16) -> Result<Option<Vec<f64>>, InputError> {
    Ok(tag_value(d, tag)?.map(|v| v.into_f64_vec()).transpose()?)
}

/// The first value of an unsigned tag that may hold one value per sample.
fn first_u64<R: Read + Seek>(d: &mut Decoder<R>, tag: Tag) -> Result<Option<u64>, InputError> {
    let Some(v) = d.find_tag(tag)? else {
        return Ok(None);
    };
    let values = v.into_u64_vec()?;
    Ok(values.first().copied())
}

#[cfg(test)]
pub(crate) mod tests;
