//! `/api/v4/rastersources/`: the data containers behind raster layers. List
//! and detail (`read`), create/change/delete (`write`), upload and flush of
//! data (`data`). Reads show only what the caller may read; the rules are
//! `catalogue::access`.

mod data;
mod read;
mod write;

use super::error::ApiError;
use super::query;
use super::request::ApiRequest;
use super::response::ApiResponse;
use crate::api::request::Method;
use crate::catalogue::Repo;
use read::{Row, SCHEMA, guard, serialize};
use uuid::Uuid;

pub fn handle(repo: &Repo, req: &ApiRequest) -> Result<ApiResponse, ApiError> {
    let segs = &req.segments;
    let id = |s: &String| Uuid::try_parse(s).map_err(|_| ApiError::NotFound);
    match (segs.len(), req.method) {
        (1, m) if m.is_read() => list(req),
        (1, Method::Post) => write::create(repo, req),
        (1, m) => Err(ApiError::MethodNotAllowed(m.name().into())),
        (2, m) if m.is_read() => detail(req, id(&segs[1])?),
        (2, Method::Put | Method::Patch) => write::change(repo, req, id(&segs[1])?),
        (2, Method::Delete) => write::delete(repo, req, id(&segs[1])?),
        (2, m) => Err(ApiError::MethodNotAllowed(m.name().into())),
        (3, _) if segs[2] == "data" => data::handle(repo, req, id(&segs[1])?),
        _ => Err(ApiError::NotFound),
    }
}

/// Whether the caller may upload to the path of `req` (a POST to
/// `rastersources/<uuid>/data/`): checked before the body is streamed to
/// disk, so no one else can fill it. Multipart bodies elsewhere are 415.
pub fn may_upload(req: &ApiRequest) -> Result<(), ApiError> {
    match (req.segments.as_slice(), req.method) {
        ([_, id, data], Method::Post) if data == "data" => {
            let id = Uuid::try_parse(id).map_err(|_| ApiError::NotFound)?;
            write::writable(req, id).map(|_| ())
        }
        _ => Err(ApiError::UnsupportedMediaType("multipart/form-data".into())),
    }
}

fn list(req: &ApiRequest) -> Result<ApiResponse, ApiError> {
    let snap = &req.snapshot;
    let rows: Vec<Row> = snap
        .sources()
        .iter()
        .filter(|s| guard(s).can_read(&req.caller))
        .map(|s| Row::new(snap, &req.caller, s))
        .collect();
    let (page, info) = query::list(rows, &SCHEMA, &req.params, &req.collection_url())?;
    let results = page
        .into_iter()
        .map(|r| serialize(req, snap, r.src))
        .collect();
    Ok(ApiResponse::ok(query::envelope(&info, results)))
}

fn detail(req: &ApiRequest, id: Uuid) -> Result<ApiResponse, ApiError> {
    let src = req
        .snapshot
        .source(id)
        .filter(|s| guard(s).can_read(&req.caller))
        .ok_or(ApiError::NotFound)?;
    Ok(ApiResponse::ok(serialize(req, &req.snapshot, src)))
}
