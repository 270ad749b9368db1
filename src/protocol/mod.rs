//! Protocols: pure parsing and serialising of what clients send and receive.
//!
//! * `kvp`  — query string → raw key-value pairs (case-insensitive names).
//! * `multipart` — `multipart/form-data` bodies as a push parser (uploads).
//! * `time` — the TIME parameter and ISO 8601 time extents.
//! * `wms`  — WMS 1.3.0/1.1.1 requests, exception reports, capabilities.
//! * `wmts` — WMTS 1.0.0 KVP and RESTful requests, capabilities, OWS exception reports.
//! * `xyz`  — `/tiles/{layer}/{z}/{x}/{y}.png` paths.
//! * `xml`  — the small escaping XML writer the documents use.
//!
//! No I/O and no catalogue access: the service layer (`serve`) looks layers
//! up and turns the typed requests into `model::RenderRequest`s. Uses
//! `model`, `geo` and `style` only.

pub mod kvp;
pub mod multipart;
pub mod time;
pub mod wms;
pub mod wmts;
pub mod xml;
pub mod xyz;

#[cfg(test)]
pub(crate) mod testutil;
