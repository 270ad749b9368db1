//! The `/api/v4/` catalogue API: JSON shapes, filters, ordering, paging, auth
//! (DESIGN §2). Pure: handlers take a catalogue snapshot and a caller and
//! return an `ApiResponse`; `http` adapts it.

pub mod error;
pub mod format;
pub mod query;
