//! tegel's integration tests: one binary, a module per area. Real servers on
//! `127.0.0.1:0` spoken to over HTTP, the `tegel` binary itself, and checks
//! over the source tree.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: helpers outside #[test] fns (support.rs and friends) fail loudly on purpose"
)]

mod support;

mod access;
mod api;
mod architecture;
mod cache;
mod cli;
mod colormaps;
mod config;
mod config_keys;
mod conformance;
mod connections;
mod extras;
mod fairness;
mod faults;
mod geoblocks;
mod getfeatureinfo;
mod graph;
mod graph_budget;
mod graph_limits;
mod hostile;
mod ingest_memory;
mod legend;
mod load;
mod reprojection;
mod serve;
mod time;
mod uploads;
mod wms;
mod wmts;
mod xyz;
