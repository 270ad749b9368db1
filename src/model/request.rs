//! `RenderRequest`: the single internal currency between protocols and the renderer.
//!
//! WMS GetMap, WMTS GetTile and XYZ tiles all become one of these; the renderer
//! knows nothing of the protocol that asked.

use super::{GridSpec, TimeSel};
use uuid::Uuid;

/// A layer and the version of everything it reads; the version changes whenever
/// the layer, its style or any source below it changes, so caches key on both.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LayerRef {
    pub id: Uuid,
    pub version: u64,
}

/// The encoding of a response.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OutputFormat {
    /// Styled image.
    Png,
    /// Raw values of the requested grid as a single-band GeoTIFF in the layer's dtype.
    GeoTiff,
}

impl OutputFormat {
    pub fn mime(self) -> &'static str {
        match self {
            OutputFormat::Png => "image/png",
            OutputFormat::GeoTiff => "image/tiff",
        }
    }
}

/// How source pixels are sampled onto the target grid.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Resampling {
    #[default]
    Nearest,
    Bilinear,
}

/// An opaque RGB colour (BGCOLOR).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Rgb(pub [u8; 3]);

impl Rgb {
    pub const WHITE: Rgb = Rgb([255, 255, 255]);
}

/// Everything the renderer needs to produce one response's bytes.
#[derive(Clone, Debug, PartialEq)]
pub struct RenderRequest {
    pub layer: LayerRef,
    pub grid: GridSpec,
    pub time: TimeSel,
    /// The STYLES string after defaulting (e.g. `RdBu_r:-4.6:-1.17`); already validated.
    pub style: String,
    pub format: OutputFormat,
    pub resampling: Resampling,
    /// Transparent where there is no data; otherwise `bgcolor` is painted there.
    pub transparent: bool,
    pub bgcolor: Rgb,
}
