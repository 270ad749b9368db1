//! Styles: STYLES strings, matplotlib's colormaps, and value → colour.
//!
//! The render path calls, in order: [`Style::parse`] → [`Style::lut`] →
//! [`indices_into`] → [`palette`] → `encode::png::encode_indexed`, or
//! [`rgba_into`] → `encode::png::encode_rgba` when the palette does not fit.
//! This module may use only `model`; it does no I/O and knows no protocol.

mod apply;
pub mod colormaps;
mod error;
mod legend;
mod lut;
mod palette;
mod parse;

#[cfg(test)]
mod golden_tests;
#[cfg(test)]
mod tests;

pub use apply::{LutIndex, indices_into, indices_scalar_into};
pub use colormaps::{Colormap, colormap, names};
pub use error::StyleError;
pub use legend::{LegendStep, hex_color, tick_label};
pub use lut::StyleLut;
pub use palette::{Fill, palette, rgba_into};
pub use parse::Style;
