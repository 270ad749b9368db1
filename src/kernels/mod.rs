//! Pure numeric kernels over slices: warping (resampling a source window onto a
//! target grid). No I/O, no knowledge of CRSs or files: callers hand in the
//! source pixel coordinate of every target pixel and a source window.

pub mod warp;

pub use warp::{
    NO_CELL, RowCoords, WarpWindow, gather_bilinear, gather_nearest, gather_nearest_separable,
    gather_offsets, nearest_offsets, window_for,
};
