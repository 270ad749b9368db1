//! `InputError`: why an uploaded GeoTIFF was refused, by cause.

use crate::model::ErrorClass;
use crate::storage::georef::GeorefError;

/// Why an input GeoTIFF could not be decoded. Messages name the problem and
/// are safe to show to the uploader.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("cannot read the input file: {0}")]
    Io(#[source] std::io::Error),
    #[error("the file is truncated")]
    Truncated,
    #[error("the file is not a valid TIFF: {0}")]
    Corrupt(String),
    #[error("the file has {0} bands; only single-band GeoTIFFs are supported")]
    MultiBand(u64),
    #[error("unsupported sample type: {bits} bits, SampleFormat {format}")]
    UnsupportedSampleType { bits: u16, format: u16 },
    #[error("unsupported TIFF feature: {0}")]
    Unsupported(String),
    #[error("the image is {width}x{height} pixels; {what} is limited to {limit}")]
    TooLarge {
        width: u32,
        height: u32,
        what: &'static str,
        limit: u64,
    },
    #[error("decoding the image would exceed a size limit")]
    LimitExceeded,
    #[error("the image has zero width or height")]
    Empty,
    #[error("GDAL_NODATA value {0:?} is not a number")]
    BadNodata(String),
    #[error(transparent)]
    Georef(#[from] GeorefError),
}

impl InputError {
    pub fn class(&self) -> ErrorClass {
        match self {
            InputError::Io(_) => ErrorClass::Internal,
            InputError::Truncated
            | InputError::Corrupt(_)
            | InputError::Empty
            | InputError::BadNodata(_) => ErrorClass::BadRequest,
            InputError::MultiBand(_)
            | InputError::UnsupportedSampleType { .. }
            | InputError::Unsupported(_) => ErrorClass::Unsupported,
            InputError::TooLarge { .. } | InputError::LimitExceeded => ErrorClass::TooLarge,
            InputError::Georef(e) => match e {
                GeorefError::UserDefinedCrs
                | GeorefError::UnsupportedCrs(_)
                | GeorefError::Rotated => ErrorClass::Unsupported,
                _ => ErrorClass::BadRequest,
            },
        }
    }
}

impl From<tiff::TiffError> for InputError {
    fn from(e: tiff::TiffError) -> InputError {
        use tiff::TiffError as T;
        match e {
            T::IoError(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => {
                InputError::Truncated
            }
            T::IoError(io) => InputError::Io(io),
            T::FormatError(f) => InputError::Corrupt(f.to_string()),
            T::UnsupportedError(u) => InputError::Unsupported(u.to_string()),
            T::LimitsExceeded | T::IntSizeError => InputError::LimitExceeded,
            T::UsageError(u) => InputError::Corrupt(u.to_string()),
        }
    }
}
