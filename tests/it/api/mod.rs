//! The `/api/v4/` catalogue API over HTTP.

pub mod client;
mod inputs;
mod people;
mod rasters;
mod rastersources;
mod root;
