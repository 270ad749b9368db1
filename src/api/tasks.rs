//! `/api/v4/tasks/`: background jobs (uploads) as Lizard's clients poll them:
//! `{url, uuid, status, result, error, created, started, finished, object}`
//! with Celery's status names. A task is visible to the user who started it
//! and to superusers only (others: 404); anonymous callers get 401.

use super::error::ApiError;
use super::fields::timestamp;
use super::query::{self, Fields, FilterSpec, Kind, Schema, Value as Field};
use super::request::ApiRequest;
use super::response::ApiResponse;
use crate::catalogue::{Caller, Repo, Task};
use serde_json::{Value, json};
use std::borrow::Cow;
use uuid::Uuid;

const SCHEMA: Schema = Schema {
    filters: &[
        FilterSpec {
            param: "uuid",
            field: "uuid",
            kind: Kind::Uuid,
        },
        FilterSpec {
            param: "status",
            field: "status",
            kind: Kind::Text,
        },
        FilterSpec {
            param: "created",
            field: "created",
            kind: Kind::Time,
        },
    ],
    ordering: &["created", "status"],
    default_ordering: &["-created"],
};

impl Fields for Task {
    fn field(&self, name: &str) -> Field<'_> {
        match name {
            "uuid" => Field::Uuid(Some(self.id)),
            "status" => Field::Text(Some(Cow::Borrowed(self.status.name()))),
            "created" => Field::Time(Some(self.created)),
            _ => Field::Text(None),
        }
    }
}

fn visible(task: &Task, caller: &Caller) -> bool {
    caller.is_superuser() || (task.user.is_some() && task.user == caller.user_id())
}

/// The task as the API shows it.
pub fn serialize(req: &ApiRequest, task: &Task) -> Value {
    json!({
        "url": req.url(&format!("tasks/{}/", task.id)),
        "uuid": task.id.to_string(),
        "status": task.status.name(),
        "result": task.result,
        "error": task.error,
        "created": timestamp(task.created),
        "started": task.started.map(timestamp),
        "finished": task.finished.map(timestamp),
        "object": task.object.map(|o| req.url(&format!("rastersources/{o}/"))),
    })
}

pub fn handle(repo: &Repo, req: &ApiRequest) -> Result<ApiResponse, ApiError> {
    let _ = repo;
    if !req.method.is_read() {
        return Err(ApiError::MethodNotAllowed(req.method.name().into()));
    }
    if !req.caller.is_authenticated() {
        return Err(ApiError::NotAuthenticated);
    }
    match req.segments.get(1) {
        None => list(req),
        Some(id) if req.segments.len() == 2 => detail(req, id),
        Some(_) => Err(ApiError::NotFound),
    }
}

/// The caller's own tasks, newest first.
fn list(req: &ApiRequest) -> Result<ApiResponse, ApiError> {
    let me = req.caller.user_id();
    let rows: Vec<&Task> = req
        .snapshot
        .data()
        .tasks
        .iter()
        .filter(|t| t.user.is_some() && t.user == me)
        .collect();
    let (page, info) = query::list(rows, &SCHEMA, &req.params, &req.collection_url())?;
    let results = page.into_iter().map(|t| serialize(req, t)).collect();
    Ok(ApiResponse::ok(query::envelope(&info, results)))
}

fn detail(req: &ApiRequest, id: &str) -> Result<ApiResponse, ApiError> {
    let id = Uuid::try_parse(id).map_err(|_| ApiError::NotFound)?;
    let task = req
        .snapshot
        .task(id)
        .filter(|t| visible(t, &req.caller))
        .ok_or(ApiError::NotFound)?;
    Ok(ApiResponse::ok(serialize(req, task)))
}
