//! tegel's integration tests: one binary, a module per area, real servers on
//! `127.0.0.1:0` spoken to over HTTP.

mod reprojection;
mod support;
mod wms;
mod xyz;
