//! OGC conformance: one test per checklist item of
//! `spec/ogc-conformance.md`, named after its ID, checked as the OGC test
//! suite (CITE) checks it.

mod wms_getmap;
