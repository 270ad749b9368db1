//! Little-endian TIFF and BigTIFF writing primitives.
//!
//! * `ifd`: tag values, entries and image file directories, serialised at a known
//!   file offset (out-of-line values follow the directory);
//! * `geokeys`: the GeoTIFF tags for an EPSG code and a north-up transform;
//! * `sample`: BitsPerSample/SampleFormat per `DataType`, GDAL_NODATA text.
//!
//! Callers lay files out themselves; this module only produces bytes and sizes.
//! It never does I/O and uses nothing but `model`.

mod geokeys;
mod ifd;
mod sample;

pub use geokeys::{RasterType, geokey_directory, georef_entries, is_geographic_epsg};
pub use ifd::{Entry, Format, Ifd, TiffWriteError, Value, header};
pub use sample::{gdal_nodata_text, nodata_entry, sample_entries};

/// Tag numbers used by tegel's writers (TIFF 6.0, GeoTIFF 1.1, GDAL).
pub mod tag {
    pub const NEW_SUBFILE_TYPE: u16 = 254;
    pub const IMAGE_WIDTH: u16 = 256;
    pub const IMAGE_LENGTH: u16 = 257;
    pub const BITS_PER_SAMPLE: u16 = 258;
    pub const COMPRESSION: u16 = 259;
    pub const PHOTOMETRIC: u16 = 262;
    pub const STRIP_OFFSETS: u16 = 273;
    pub const SAMPLES_PER_PIXEL: u16 = 277;
    pub const ROWS_PER_STRIP: u16 = 278;
    pub const STRIP_BYTE_COUNTS: u16 = 279;
    pub const PLANAR_CONFIGURATION: u16 = 284;
    pub const TILE_WIDTH: u16 = 322;
    pub const TILE_LENGTH: u16 = 323;
    pub const TILE_OFFSETS: u16 = 324;
    pub const TILE_BYTE_COUNTS: u16 = 325;
    pub const SAMPLE_FORMAT: u16 = 339;
    pub const MODEL_PIXEL_SCALE: u16 = 33550;
    pub const MODEL_TIEPOINT: u16 = 33922;
    pub const MODEL_TRANSFORMATION: u16 = 34264;
    pub const GEO_KEY_DIRECTORY: u16 = 34735;
    pub const GEO_DOUBLE_PARAMS: u16 = 34736;
    pub const GEO_ASCII_PARAMS: u16 = 34737;
    pub const GDAL_NODATA: u16 = 42113;
}

#[cfg(test)]
mod tests;
