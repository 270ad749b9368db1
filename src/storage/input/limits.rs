//! `Limits`: how large an uploaded GeoTIFF may be, checked before allocating.

/// Resource limits for decoding an input GeoTIFF.
///
/// Checked against the declared size before any pixel buffer is allocated, and
/// passed on to the `tiff` crate's own limits (buffer and IFD value sizes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest accepted width in pixels.
    pub max_width: u32,
    /// Largest accepted height in pixels.
    pub max_height: u32,
    /// Largest accepted width × height.
    pub max_pixels: u64,
    /// Largest decoded raster held at once, in bytes: the whole raster for
    /// `decode_geotiff`, one row of strips or tiles for streaming ingest.
    pub max_decoded_bytes: u64,
    /// Largest single tag value (e.g. the strip/tile offset arrays) in bytes.
    pub max_ifd_value_bytes: u64,
}

impl Default for Limits {
    /// 100 000 px a side, 1 G pixels and 2 GiB decoded: large national rasters fit;
    /// a malicious header cannot make the server allocate more.
    fn default() -> Limits {
        Limits {
            max_width: 100_000,
            max_height: 100_000,
            max_pixels: 1 << 30,
            max_decoded_bytes: 2 << 30,
            max_ifd_value_bytes: 64 << 20,
        }
    }
}

impl Limits {
    /// The `tiff` crate's limits matching these.
    pub(crate) fn to_tiff(self) -> tiff::decoder::Limits {
        let mut l = tiff::decoder::Limits::default();
        let cap = |v: u64| usize::try_from(v).unwrap_or(usize::MAX);
        l.decoding_buffer_size = cap(self.max_decoded_bytes);
        l.intermediate_buffer_size = cap(self.max_decoded_bytes.min(256 << 20));
        l.ifd_value_size = cap(self.max_ifd_value_bytes);
        l
    }
}
