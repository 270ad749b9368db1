//! The `/api/v4/` catalogue API: JSON shapes, filters, ordering, paging, auth
//! (DESIGN §2). Handlers take an `ApiRequest` (caller, snapshot, decoded
//! query and body) and the `Repo` to write through, and return an
//! `ApiResponse` or an `ApiError`; `http` adapts both to HTTP.
//!
//! May use model, catalogue, graph (validating layer graphs) and style
//! (validating styles); never render, serve or http.

pub mod error;
pub mod fields;
pub mod format;
pub mod layercollections;
pub mod observationtypes;
mod organisations;
mod personalapikeys;
pub mod query;
mod rasters;
mod rastersources;
mod request;
mod response;
mod roles;
mod routes;
pub mod rules;
mod tasks;
mod users;

pub use error::ApiError;
pub use format::Format;
pub use request::{ApiBody, ApiRequest, Method, Upload};
pub use response::ApiResponse;
pub use routes::{allow, handle, may_upload};
