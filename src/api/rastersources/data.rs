//! `/api/v4/rastersources/{uuid}/data/`: uploading a frame and flushing data
//! (lizard-api.md §2.2, §2.3).
//!
//! POST takes the multipart upload `http` already streamed to disk (`file`,
//! `timestamp` for temporal sources and refused for others, `file_id`
//! ignored), records a PENDING `raster_upload` task for the worker and
//! answers 200 `{"task_id", "url"}`; the client polls the task.
//!
//! DELETE with no body or `{}` removes all data; `{"start", "stop"}` removes
//! the frames in that closed range (temporal sources only). It answers 204,
//! as Lizard's clients expect no body. Without data left, the source's grid
//! resets (its native fields read null again).

use super::write::writable;
use crate::api::error::ApiError;
use crate::api::query::parse::parse_time;
use crate::api::request::{ApiBody, ApiRequest, Method, Upload};
use crate::api::response::ApiResponse;
use crate::catalogue::Repo;
use crate::catalogue::worker::{UploadParams, upload_task};
use serde_json::{Value, json};
use uuid::Uuid;

pub fn handle(repo: &Repo, req: &ApiRequest, id: Uuid) -> Result<ApiResponse, ApiError> {
    match req.method {
        Method::Post => upload(repo, req, id),
        Method::Delete => flush(repo, req, id),
        m => Err(ApiError::MethodNotAllowed(m.name().into())),
    }
}

fn upload(repo: &Repo, req: &ApiRequest, id: Uuid) -> Result<ApiResponse, ApiError> {
    let src = writable(req, id)?;
    let upload: &Upload = match &req.body {
        ApiBody::Upload(u) => u,
        _ => return Err(ApiError::field("file", "No file was submitted.")),
    };
    let given = upload
        .fields
        .iter()
        .rev()
        .find(|(k, _)| k == "timestamp")
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty());
    let timestamp = match (src.temporal, given) {
        (true, None) => {
            return Err(ApiError::field(
                "timestamp",
                "This field is required for a temporal raster source.",
            ));
        }
        (true, Some(t)) => Some(parse_time(t).map_err(|m| ApiError::field("timestamp", m))?),
        (false, Some(_)) => {
            return Err(ApiError::field(
                "timestamp",
                "A non-temporal raster source takes no timestamp.",
            ));
        }
        (false, None) => None,
    };
    if req.dry_run() {
        return Err(ApiError::field(
            "non_field_errors",
            "An upload cannot be a dry run.",
        ));
    }
    let params = UploadParams {
        file: upload.file.clone(),
        file_name: upload.file_name.clone(),
        timestamp,
    };
    let task = repo.submit(upload_task(req.caller.user_id(), id, &params))?;
    Ok(ApiResponse::ok(json!({
        "task_id": task.id.to_string(),
        "url": req.url(&format!("tasks/{}/", task.id)),
    })))
}

fn flush(repo: &Repo, req: &ApiRequest, id: Uuid) -> Result<ApiResponse, ApiError> {
    let src = writable(req, id)?;
    let body = match &req.body {
        ApiBody::Empty => serde_json::Map::new(),
        ApiBody::Json(Value::Object(m)) => m.clone(),
        _ => {
            return Err(ApiError::field(
                "non_field_errors",
                "Expected {} or {\"start\": …, \"stop\": …}.",
            ));
        }
    };
    let edge = |name: &str| -> Result<Option<chrono::DateTime<chrono::Utc>>, ApiError> {
        match body.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
            Some(Value::String(s)) => parse_time(s)
                .map(Some)
                .map_err(|m| ApiError::field(name, m)),
            Some(_) => Err(ApiError::field(name, "Expected an ISO 8601 timestamp.")),
        }
    };
    let range = match (edge("start")?, edge("stop")?) {
        (None, None) => None,
        (Some(a), Some(b)) if a <= b => Some((a, b)),
        (Some(_), Some(_)) => {
            return Err(ApiError::field(
                "stop",
                "The stop must not be before the start.",
            ));
        }
        (None, Some(_)) => return Err(ApiError::field("start", "This field is required.")),
        (Some(_), None) => return Err(ApiError::field("stop", "This field is required.")),
    };
    if range.is_some() && !src.temporal {
        return Err(ApiError::field(
            "non_field_errors",
            "Only a temporal raster source can be flushed by time range.",
        ));
    }
    if req.dry_run() {
        return Ok(ApiResponse::no_content());
    }
    repo.flush_data(id, range)?;
    Ok(ApiResponse::no_content())
}
