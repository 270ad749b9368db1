//! OGC conformance checklist items (`/work/shared/spec/ogc-conformance.md`), one
//! test per item ID, each named after it.

mod kvp;
mod wms111;
mod wms_capabilities;
