//! Creating, changing and deleting raster sources.
//!
//! Rules (lizard-api.md §2.1, §2.3, §4):
//! * POST needs `name` and `organisation` (a uuid, or the object read back)
//!   where the caller may create; `access_modifier` defaults to `Private`
//!   (as Lizard's management UI creates sources), `temporal` to false.
//! * `interval` (ISO 8601 like `PT5M`, or Django's `HH:MM:SS`) is required
//!   and positive for temporal sources, as Lizard's form requires; a
//!   non-temporal source has none (null or empty is accepted).
//! * `temporal` and `interval` cannot change once the source holds data.
//! * `supplier` names a user; it defaults to the creating user, so a
//!   supplier can edit what they create.
//! * The organisation must be one where the caller may create (else 403),
//!   and cannot change while layers of another organisation use it.
//! * DELETE is 412 while layers use the source, unless the body says
//!   `{"force": true}`.
//!
//! Unknown and read-only keys are ignored, as DRF does. `?dry-run`
//! validates and answers without saving.

use super::read::{guard, serialize};
use crate::api::error::ApiError;
use crate::api::fields::{parse_access, parse_duration, parse_uuid_ref};
use crate::api::request::{ApiBody, ApiRequest, Method};
use crate::api::response::ApiResponse;
use crate::catalogue::{AccessModifier, CatalogueError, RasterSource, Repo, Snapshot};
use chrono::Utc;
use serde_json::{Map, Value};
use uuid::Uuid;

/// POST: a new, empty source.
pub fn create(repo: &Repo, req: &ApiRequest) -> Result<ApiResponse, ApiError> {
    if !req.caller.is_authenticated() {
        return Err(ApiError::NotAuthenticated);
    }
    let body = req.write_object(crate::api::rules::RASTER_SOURCE)?;
    let now = Utc::now();
    let blank = RasterSource {
        uuid: Uuid::new_v4(),
        name: String::new(),
        description: String::new(),
        organisation: Uuid::nil(),
        access_modifier: AccessModifier::Private,
        supplier: req.caller.username().map(String::from),
        supplier_code: None,
        temporal: false,
        interval_ms: None,
        grid: None,
        frames: Vec::new(),
        created: now,
        last_modified: now,
        revision: 0,
    };
    let src = apply(&req.snapshot, body, blank, true, true)?;
    if !req.caller.may_create_in(src.organisation) {
        return Err(ApiError::permission_denied());
    }
    if req.dry_run() {
        return Ok(ApiResponse::created(serialize(req, &req.snapshot, &src)));
    }
    let id = src.uuid;
    repo.catalogue.update(|data, rev| {
        if !data
            .organisations
            .iter()
            .any(|o| o.uuid == src.organisation)
        {
            return Err(CatalogueError::Invalid(
                "The organisation was deleted.".into(),
            ));
        }
        let mut src = src;
        src.revision = rev;
        data.sources.push(src);
        Ok(())
    })?;
    let snap = repo.catalogue.snapshot();
    let stored = snap.source(id).ok_or(ApiError::NotFound)?;
    Ok(ApiResponse::created(serialize(req, &snap, stored)))
}

/// PUT and PATCH: PUT needs `name` like POST, PATCH changes what it names.
pub fn change(repo: &Repo, req: &ApiRequest, id: Uuid) -> Result<ApiResponse, ApiError> {
    let current = writable(req, id)?;
    let body = req.write_object(crate::api::rules::RASTER_SOURCE)?;
    let full = req.method == Method::Put;
    let src = apply(&req.snapshot, body, current.clone(), false, full)?;
    if src.organisation != current.organisation && !req.caller.may_create_in(src.organisation) {
        return Err(ApiError::permission_denied());
    }
    if req.dry_run() {
        return Ok(ApiResponse::ok(serialize(req, &req.snapshot, &src)));
    }
    repo.catalogue.update(|data, rev| {
        let stored = data
            .sources
            .iter_mut()
            .find(|s| s.uuid == id)
            .ok_or_else(|| CatalogueError::NotFound(format!("raster source {id}")))?;
        // Data may have arrived since the request's snapshot.
        if !stored.frames.is_empty()
            && (stored.temporal != src.temporal || stored.interval_ms != src.interval_ms)
        {
            return Err(CatalogueError::Invalid(
                "The source received data meanwhile: temporal and interval can no longer change."
                    .into(),
            ));
        }
        stored.name = src.name;
        stored.description = src.description;
        stored.organisation = src.organisation;
        stored.access_modifier = src.access_modifier;
        stored.supplier = src.supplier;
        stored.supplier_code = src.supplier_code;
        stored.temporal = src.temporal;
        stored.interval_ms = src.interval_ms;
        stored.last_modified = Utc::now();
        stored.revision = rev;
        Ok(())
    })?;
    let snap = repo.catalogue.snapshot();
    let stored = snap.source(id).ok_or(ApiError::NotFound)?;
    Ok(ApiResponse::ok(serialize(req, &snap, stored)))
}

/// DELETE: 204; 412 while layers use the source unless `{"force": true}`.
pub fn delete(repo: &Repo, req: &ApiRequest, id: Uuid) -> Result<ApiResponse, ApiError> {
    let src = writable(req, id)?;
    let force = match &req.body {
        ApiBody::Json(Value::Object(m)) => match m.get("force") {
            None | Some(Value::Null) => false,
            Some(v) => {
                parse_flag(v).ok_or_else(|| ApiError::field("force", "Must be a valid boolean."))?
            }
        },
        ApiBody::Empty => false,
        _ => {
            return Err(ApiError::field(
                "non_field_errors",
                "Expected {\"force\": true} or no body.",
            ));
        }
    };
    let users = req.snapshot.dependants(src.uuid).count();
    if users > 0 && !force {
        return Err(in_use(users));
    }
    if req.dry_run() {
        return Ok(ApiResponse::no_content());
    }
    match repo.delete_source(id, force) {
        Ok(_) => Ok(ApiResponse::no_content()),
        Err(CatalogueError::Conflict(m)) => Err(ApiError::PreconditionFailed(m)),
        Err(e) => Err(e.into()),
    }
}

fn in_use(users: usize) -> ApiError {
    ApiError::PreconditionFailed(format!(
        "Precondition failed: the raster source is used by {users} raster layer(s). Send {{\"force\": true}} to delete it anyway; those layers then break."
    ))
}

fn parse_flag(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::String(s) => crate::api::query::parse::parse_bool(s).ok(),
        Value::Number(n) => n.as_i64().filter(|i| *i == 0 || *i == 1).map(|i| i == 1),
        _ => None,
    }
}

/// The source for a write: 401 anonymous, 404 unreadable, 403 read-only.
pub fn writable(req: &ApiRequest, id: Uuid) -> Result<RasterSource, ApiError> {
    if !req.caller.is_authenticated() {
        return Err(ApiError::NotAuthenticated);
    }
    let src = req
        .snapshot
        .source(id)
        .filter(|s| guard(s).can_read(&req.caller))
        .ok_or(ApiError::NotFound)?;
    if !guard(src).can_write(&req.caller) {
        return Err(ApiError::permission_denied());
    }
    Ok(src.clone())
}

/// Applies the body's fields to `src`, collecting every field's error.
/// `creating`: POST, where `organisation` is required; `full`: POST/PUT,
/// where `name` is required.
fn apply(
    snap: &Snapshot,
    body: &Map<String, Value>,
    mut src: RasterSource,
    creating: bool,
    full: bool,
) -> Result<RasterSource, ApiError> {
    let mut errors: Vec<(&str, String)> = Vec::new();
    let text = |v: &Value| match v {
        Value::String(s) => Some(s.trim().to_string()),
        _ => None,
    };
    let opt_text = |v: &Value| match v {
        Value::Null => Some(None),
        Value::String(s) if s.trim().is_empty() => Some(None),
        Value::String(s) => Some(Some(s.trim().to_string())),
        _ => None,
    };
    match body.get("name") {
        Some(v) => match text(v) {
            Some(n) if !n.is_empty() && n.chars().count() <= 255 => src.name = n,
            Some(n) if !n.is_empty() => errors.push((
                "name",
                "Ensure this field has no more than 255 characters.".into(),
            )),
            _ => errors.push(("name", "This field may not be blank.".into())),
        },
        None if full => errors.push(("name", "This field is required.".into())),
        None => {}
    }
    if let Some(v) = body.get("description") {
        match opt_text(v) {
            Some(d) => src.description = d.unwrap_or_default(),
            None => errors.push(("description", "Not a valid string.".into())),
        }
    }
    match body.get("organisation") {
        Some(v) => match parse_uuid_ref(v) {
            Ok(org) if snap.organisation(org).is_none() => errors.push((
                "organisation",
                format!("Invalid pk \"{org}\" - object does not exist."),
            )),
            Ok(org) if org != src.organisation => {
                // Whether the caller may put sources there is checked by
                // the caller of `apply` (403, not a validation error).
                if snap.dependants(src.uuid).any(|l| l.organisation != org) {
                    errors.push((
                        "organisation",
                        "Raster layers of another organisation use this source: it must keep their organisation.".into(),
                    ));
                } else {
                    src.organisation = org;
                }
            }
            Ok(_) => {}
            Err(m) => errors.push(("organisation", m)),
        },
        None if creating => errors.push(("organisation", "This field is required.".into())),
        None => {}
    }
    if let Some(v) = body.get("access_modifier") {
        match parse_access(v) {
            Ok(a) => src.access_modifier = a,
            Err(m) => errors.push(("access_modifier", m)),
        }
    }
    if let Some(v) = body.get("supplier") {
        match opt_text(v) {
            Some(None) => src.supplier = None,
            Some(Some(name)) => match snap.user_by_name(&name) {
                Some(u) => src.supplier = Some(u.username.clone()),
                None => errors.push((
                    "supplier",
                    format!("Object with username={name} does not exist."),
                )),
            },
            None => errors.push(("supplier", "Not a valid string.".into())),
        }
    }
    if let Some(v) = body.get("supplier_code") {
        match opt_text(v) {
            Some(c) => src.supplier_code = c,
            None => errors.push(("supplier_code", "Not a valid string.".into())),
        }
    }
    let has_data = !src.frames.is_empty();
    if let Some(v) = body.get("temporal") {
        match parse_flag(v) {
            Some(t) if t != src.temporal && has_data => errors.push((
                "temporal",
                "The source holds data: flush it before changing temporal.".into(),
            )),
            Some(t) => src.temporal = t,
            None => errors.push(("temporal", "Must be a valid boolean.".into())),
        }
    }
    if let Some(v) = body.get("interval") {
        let parsed = match v {
            Value::Null => Ok(None),
            Value::String(s) if s.trim().is_empty() => Ok(None),
            Value::String(s) => parse_duration(s).map(Some),
            Value::Number(n) => n
                .as_f64()
                .map(|secs| Some((secs * 1000.0).round() as i64))
                .ok_or_else(|| "A valid duration is required.".to_string()),
            _ => Err("A valid duration is required.".to_string()),
        };
        match parsed {
            Ok(ms) if ms != src.interval_ms && has_data => errors.push((
                "interval",
                "The source holds data: flush it before changing the interval.".into(),
            )),
            Ok(ms) => src.interval_ms = ms,
            Err(m) => errors.push(("interval", m)),
        }
    }
    if !body.contains_key("interval") && !src.temporal && !has_data {
        src.interval_ms = None;
    }
    if errors.is_empty() {
        match (src.temporal, src.interval_ms) {
            (true, None) if !has_data => errors.push((
                "interval",
                "A temporal raster source needs an interval, e.g. \"PT5M\" or \"00:05:00\".".into(),
            )),
            (true, Some(ms)) if ms <= 0 => {
                errors.push(("interval", "The interval must be longer than zero.".into()))
            }
            (false, Some(_)) if !has_data => errors.push((
                "interval",
                "Only temporal raster sources have an interval.".into(),
            )),
            _ => {}
        }
    }
    if errors.is_empty() {
        return Ok(src);
    }
    Err(errors
        .into_iter()
        .fold(ApiError::Validation(Map::new()), |e, (name, msg)| {
            e.with_field(name, msg)
        }))
}
