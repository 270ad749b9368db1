//! Tests of `geo` against independent references: PROJ goldens for transforms,
//! exact per-pixel transforms for the approximate mesh.

mod approx;
mod golden;
mod transform;
