//! Styles: STYLES strings, matplotlib's colormaps, Lizard's colormap JSON
//! and built-in Lizard maps, and value → colour.
//!
//! The render path calls, in order: [`Style::parse`] → [`Style::lut`] →
//! [`indices_into`] → [`palette`] → `encode::png::encode_indexed`, or
//! [`rgba_into`] → `encode::png::encode_rgba` when the palette does not fit.
//! This module may use only `model`; it does no I/O and knows no protocol.

mod apply;
pub mod colormaps;
mod error;
mod legend;
pub mod lizard;
mod lookup;
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
pub use lut::{GRADIENT_ENTRIES, StyleLut};
pub use palette::{Fill, palette, rgba_into};
pub use parse::Style;
