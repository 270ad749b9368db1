//! OGC conformance checklist items (WMS 1.3.0 / 1.1.1, common KVP handling),
//! one test per item ID, each named after it.

mod kvp;
mod wms111;
mod wms_capabilities;
mod xml_tree;
