//! Dispatch on the first path segment after `/api/v4/`, and the API root.

use super::error::ApiError;
use super::request::ApiRequest;
use super::response::ApiResponse;
use crate::catalogue::Repo;
use serde_json::{Map, Value};

/// The resources listed at the API root, in Lizard's order.
const RESOURCES: &[&str] = &[
    "organisations",
    "observationtypes",
    "layercollections",
    "rasters",
    "rastersources",
    "tasks",
    "users",
    "roles",
    "personalapikeys",
    "colormaps",
];

/// Answers one API request. Blocking (database writes, file work): run it
/// off the async runtime.
pub fn handle(repo: &Repo, req: &ApiRequest) -> Result<ApiResponse, ApiError> {
    let Some(first) = req.segments.first() else {
        return root(req);
    };
    match first.as_str() {
        "organisations" => super::organisations::handle(repo, req),
        "rasters" => super::rasters::handle(repo, req),
        "rastersources" => super::rastersources::handle(repo, req),
        "tasks" => super::tasks::handle(repo, req),
        "observationtypes" => super::observationtypes::handle(repo, req),
        "layercollections" => super::layercollections::handle(repo, req),
        "users" => super::users::handle(repo, req),
        "roles" => super::roles::handle(repo, req),
        "personalapikeys" => super::personalapikeys::handle(repo, req),
        _ => Err(ApiError::NotFound),
    }
}

/// Whether a multipart upload to `req`'s path may be received at all (see
/// `rastersources::may_upload`); `req` carries no body yet.
pub fn may_upload(req: &ApiRequest) -> Result<(), ApiError> {
    match req.segments.first().map(String::as_str) {
        Some("rastersources") => super::rastersources::may_upload(req),
        _ => Err(ApiError::UnsupportedMediaType("multipart/form-data".into())),
    }
}

/// `GET /api/v4/`: a link per resource, as DRF's API root.
fn root(req: &ApiRequest) -> Result<ApiResponse, ApiError> {
    if !req.method.is_read() {
        return Err(ApiError::MethodNotAllowed(req.method.name().into()));
    }
    let links: Map<String, Value> = RESOURCES
        .iter()
        .map(|r| ((*r).to_string(), Value::String(req.url(&format!("{r}/")))))
        .collect();
    Ok(ApiResponse::ok(Value::Object(links)))
}

/// The `Allow` header for a path: collections take POST, objects PUT,
/// PATCH and DELETE.
pub fn allow(segments: &[String]) -> &'static str {
    match segments.len() {
        0 => "GET, HEAD, OPTIONS",
        1 => "GET, POST, HEAD, OPTIONS",
        // The read-only data sub-endpoints of a raster (`rasters/{uuid}/timesteps/`).
        3 if segments[0] == "rasters" && segments[2] == "timesteps" => "GET, HEAD, OPTIONS",
        _ => "GET, PUT, PATCH, DELETE, HEAD, OPTIONS",
    }
}
