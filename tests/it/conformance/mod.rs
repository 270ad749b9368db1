//! OGC conformance: one test per checklist item of the OGC conformance
//! checklist (WMS 1.3.0 / 1.1.1, common KVP handling), named after its ID and
//! checked as the OGC test suite (CITE) checks it.

mod kvp;
mod wms111;
mod wms_capabilities;
mod wms_getmap;
mod xml_tree;
