//! `/api/v4/rasters/`: the rasterlayer endpoint — list, detail, and writes
//! (POST, PUT, PATCH, DELETE; `?dry-run` on each), and the data
//! sub-endpoints (`timesteps/`).
//!
//! Reads: layers the caller may not read do not exist (404, absent from
//! lists). Writes: anonymous → 401, readable but not writable → 403.
//! Dry runs run the same validation on a copy of the catalogue and answer
//! what the write would: the would-be object (200 for POST and PATCH/PUT),
//! or 204 for DELETE; nothing is stored.
//!
//! `DELETE` keeps the layer's sources. A layer that other layers nest (name
//! in their graph) is not deleted (412) unless the body says
//! `{"force": true}`; the nesting layers then list its uuid in
//! `source.deleted_sources`.

mod derived;
mod graph;
mod schema;
mod serialize;
mod timesteps;
mod write;

use derived::derive;

use super::error::ApiError;
use super::query;
use super::request::{ApiBody, ApiRequest, Method};
use super::response::ApiResponse;
use crate::catalogue::{CatalogueData, CatalogueError, RasterLayer, Repo, Snapshot};
use schema::{Row, SCHEMA};
use serde_json::Value;
use serialize::{guard, serialize, writable};
use uuid::Uuid;

pub fn handle(repo: &Repo, req: &ApiRequest) -> Result<ApiResponse, ApiError> {
    match (req.segments.get(1), req.segments.len(), req.method) {
        (None, _, m) if m.is_read() => list(req),
        (None, _, Method::Post) => create(repo, req),
        (Some(id), 2, m) if m.is_read() => detail(req, id),
        (Some(id), 2, Method::Put) => change(repo, req, id, false),
        (Some(id), 2, Method::Patch) => change(repo, req, id, true),
        (Some(id), 2, Method::Delete) => delete(repo, req, id),
        (Some(id), 3, m) if req.segments[2] == "timesteps" => match m.is_read() {
            true => timesteps::timesteps(req, id),
            false => Err(ApiError::MethodNotAllowed(m.name().into())),
        },
        (Some(_), 2, _) | (None, _, _) => Err(ApiError::MethodNotAllowed(req.method.name().into())),
        _ => Err(ApiError::NotFound),
    }
}

fn list(req: &ApiRequest) -> Result<ApiResponse, ApiError> {
    let snap = &req.snapshot;
    let rows: Vec<Row> = snap
        .layers()
        .iter()
        .filter(|l| guard(l).can_read(&req.caller))
        .map(|layer| Row {
            layer,
            snap,
            derived: derive(snap, layer),
            writable: writable(req, layer),
        })
        .collect();
    let (page, info) = query::list(rows, &SCHEMA, &req.params, &req.collection_url())?;
    let results = page
        .iter()
        .map(|r| serialize(req, snap, r.layer, &r.derived))
        .collect();
    Ok(ApiResponse::ok(query::envelope(&info, results)))
}

/// A layer the caller may read, by the uuid in the path.
fn readable<'s>(
    req: &ApiRequest,
    snap: &'s Snapshot,
    id: &str,
) -> Result<&'s RasterLayer, ApiError> {
    let uuid = Uuid::try_parse(id).map_err(|_| ApiError::NotFound)?;
    snap.layer(uuid)
        .filter(|l| guard(l).can_read(&req.caller))
        .ok_or(ApiError::NotFound)
}

fn detail(req: &ApiRequest, id: &str) -> Result<ApiResponse, ApiError> {
    let snap = &req.snapshot;
    let layer = readable(req, snap, id)?;
    Ok(ApiResponse::ok(serialize(
        req,
        snap,
        layer,
        &derive(snap, layer),
    )))
}

fn create(repo: &Repo, req: &ApiRequest) -> Result<ApiResponse, ApiError> {
    if !req.caller.is_authenticated() {
        return Err(ApiError::NotAuthenticated);
    }
    let body = req.write_object(crate::api::rules::RASTER)?;
    let uuid = Uuid::new_v4();
    let apply = |data: &mut CatalogueData, rev: u64| write::create(data, rev, req, body, uuid);
    let (snap, uuid) = commit(repo, req, apply)?;
    let layer = snap.layer(uuid).ok_or_else(|| lost(uuid))?;
    let value = serialize(req, &snap, layer, &derive(&snap, layer));
    Ok(if req.dry_run() {
        ApiResponse::ok(value)
    } else {
        ApiResponse::created(value)
    })
}

fn change(repo: &Repo, req: &ApiRequest, id: &str, partial: bool) -> Result<ApiResponse, ApiError> {
    let uuid = writable_target(req, id)?;
    let body = req.write_object(crate::api::rules::RASTER)?;
    let apply = |data: &mut CatalogueData, rev: u64| {
        write::update(data, rev, req, body, uuid, partial).map(|()| uuid)
    };
    let (snap, uuid) = commit(repo, req, apply)?;
    let layer = snap.layer(uuid).ok_or_else(|| lost(uuid))?;
    Ok(ApiResponse::ok(serialize(
        req,
        &snap,
        layer,
        &derive(&snap, layer),
    )))
}

fn delete(repo: &Repo, req: &ApiRequest, id: &str) -> Result<ApiResponse, ApiError> {
    let uuid = writable_target(req, id)?;
    let force = match &req.body {
        ApiBody::Json(Value::Object(m)) => m.get("force").is_some_and(|v| {
            v.as_bool() == Some(true) || v.as_str().is_some_and(|s| s.eq_ignore_ascii_case("true"))
        }),
        _ => false,
    };
    let apply = |data: &mut CatalogueData, rev: u64| write::delete(data, rev, uuid, force);
    commit(repo, req, apply)?;
    Ok(ApiResponse::no_content())
}

/// The uuid of a layer the caller may change: 401 for anonymous callers,
/// 404 when unreadable, 403 when read-only to them.
fn writable_target(req: &ApiRequest, id: &str) -> Result<Uuid, ApiError> {
    if !req.caller.is_authenticated() {
        return Err(ApiError::NotAuthenticated);
    }
    let layer = readable(req, &req.snapshot, id)?;
    if !writable(req, layer) {
        return Err(ApiError::permission_denied());
    }
    Ok(layer.uuid)
}

/// Runs `apply` in one catalogue transaction (or, for a dry run, on a copy
/// of the request's snapshot) and returns the state after it. An API error
/// from `apply` rolls the transaction back and is returned as is.
fn commit<T>(
    repo: &Repo,
    req: &ApiRequest,
    apply: impl FnOnce(&mut CatalogueData, u64) -> Result<T, ApiError>,
) -> Result<(std::sync::Arc<Snapshot>, T), ApiError> {
    if req.dry_run() {
        let mut data = req.snapshot.data().clone();
        let rev = data.revision + 1;
        let out = apply(&mut data, rev)?;
        let limits = req.snapshot.graph_limits();
        let after = Snapshot::with_graph_limits(data, limits);
        return Ok((std::sync::Arc::new(after), out));
    }
    let mut refusal = None;
    let result = repo.catalogue.update(|data, rev| {
        apply(data, rev).map_err(|e| {
            refusal = Some(e);
            CatalogueError::Invalid("refused".into())
        })
    });
    match (result, refusal) {
        (_, Some(e)) => Err(e),
        (Ok(out), None) => Ok((repo.catalogue.snapshot(), out)),
        (Err(e), None) => Err(e.into()),
    }
}

fn lost(uuid: Uuid) -> ApiError {
    ApiError::Internal(format!("raster layer {uuid} missing after its write"))
}
