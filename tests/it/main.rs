//! tegel's integration tests: one binary, a module per area. Real servers on
//! `127.0.0.1:0` spoken to over HTTP, the `tegel` binary itself, and checks
//! over the source tree.

mod support;

mod access;
mod api;
mod architecture;
mod cache;
mod cli;
mod colormaps;
mod config;
mod conformance;
mod extras;
mod geoblocks;
mod getfeatureinfo;
mod graph;
mod graph_limits;
mod hostile;
mod legend;
mod reprojection;
mod time;
mod wms;
mod wmts;
mod xyz;
