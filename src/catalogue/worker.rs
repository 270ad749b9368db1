//! The upload worker: one background thread that ingests uploaded files into
//! their raster sources, task by task (`Task` kind [`RASTER_UPLOAD`]).
//!
//! The API records a PENDING task and wakes the worker through a channel. The
//! worker marks the task STARTED, ingests the file (`ingest::ingest_named`),
//! records SUCCESS or FAILURE with a reason for the client, and removes the
//! uploaded file. On start it also takes up the tasks a previous run left
//! PENDING or STARTED (a crash), so no upload is forgotten. CPU-heavy work
//! runs on this thread, never on the async runtime. No HTTP here.

use super::durable::Catalogue;
use super::error::CatalogueError;
use super::ingest::{IngestRequest, ingest_named};
use super::records::{Task, TaskStatus};
use crate::storage::{Limits, Store};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;
use uuid::Uuid;

/// The task kind of an upload into a raster source.
pub const RASTER_UPLOAD: &str = "raster_upload";

/// How often the worker looks for tasks without being woken (tasks written
/// by another process into the same data dir).
const POLL: Duration = Duration::from_secs(2);

/// The parameters of a [`RASTER_UPLOAD`] task.
#[derive(Clone, Debug, PartialEq)]
pub struct UploadParams {
    /// The uploaded file under the data dir's `uploads/`.
    pub file: PathBuf,
    /// The client's file name, for messages.
    pub file_name: Option<String>,
    /// The frame's instant (temporal sources only).
    pub timestamp: Option<DateTime<Utc>>,
}

impl UploadParams {
    pub fn to_json(&self) -> Value {
        json!({
            "file": self.file.display().to_string(),
            "file_name": self.file_name,
            "timestamp": self.timestamp.map(|t| t.to_rfc3339()),
        })
    }

    pub fn from_json(v: &Value) -> Option<UploadParams> {
        let file = PathBuf::from(v.get("file")?.as_str()?);
        let file_name = v.get("file_name").and_then(Value::as_str).map(String::from);
        let timestamp = match v.get("timestamp") {
            Some(Value::String(s)) => Some(DateTime::parse_from_rfc3339(s).ok()?.to_utc()),
            _ => None,
        };
        Some(UploadParams {
            file,
            file_name,
            timestamp,
        })
    }
}

/// A new PENDING upload task of `user` for `source`.
pub fn upload_task(user: Option<i64>, source: Uuid, params: &UploadParams) -> Task {
    Task {
        id: Uuid::new_v4(),
        kind: RASTER_UPLOAD.to_string(),
        status: TaskStatus::Pending,
        user,
        object: Some(source),
        params: params.to_json(),
        result: Value::Null,
        error: None,
        created: Utc::now(),
        started: None,
        finished: None,
    }
}

/// The handle of the worker thread; idle (tasks wait) until started.
#[derive(Default)]
pub struct Worker {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    wake: Option<Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for Worker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Worker").finish_non_exhaustive()
    }
}

impl Worker {
    /// A worker that does not run yet.
    pub fn idle() -> Worker {
        Worker::default()
    }

    /// Starts the thread (once); it first takes up the tasks left PENDING or
    /// STARTED by an earlier run.
    pub fn start(&self, catalogue: Arc<Catalogue>, store: Arc<Store>, limits: Limits) {
        let mut inner = self.lock();
        if inner.thread.is_some() {
            return;
        }
        let (tx, rx) = mpsc::channel::<()>();
        let spawned = std::thread::Builder::new()
            .name("tegel-upload-worker".into())
            .spawn(move || {
                let mut recover = true;
                loop {
                    run_pending(&catalogue, &store, &limits, recover);
                    recover = false;
                    match rx.recv_timeout(POLL) {
                        Ok(()) | Err(RecvTimeoutError::Timeout) => {}
                        Err(RecvTimeoutError::Disconnected) => return,
                    }
                }
            });
        match spawned {
            Ok(handle) => {
                inner.wake = Some(tx);
                inner.thread = Some(handle);
            }
            Err(e) => tracing::error!(error = %e, "could not start the upload worker"),
        }
    }

    /// Tells the worker a task is waiting.
    pub fn wake(&self) {
        if let Some(tx) = &self.lock().wake {
            let _ = tx.send(());
        }
    }

    /// Stops the thread after the task at hand and waits for it. Blocking.
    pub fn stop(&self) {
        let thread = {
            let mut inner = self.lock();
            inner.wake = None;
            inner.thread.take()
        };
        if let Some(t) = thread {
            let _ = t.join();
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Runs every waiting upload task, oldest first. `recover`: also those left
/// STARTED (by a run that ended mid-task).
fn run_pending(catalogue: &Catalogue, store: &Store, limits: &Limits, recover: bool) {
    loop {
        let snap = catalogue.snapshot();
        let next = snap
            .data()
            .tasks
            .iter()
            .filter(|t| t.kind == RASTER_UPLOAD)
            .filter(|t| {
                t.status == TaskStatus::Pending || (recover && t.status == TaskStatus::Started)
            })
            .min_by_key(|t| t.created)
            .map(|t| t.id);
        let Some(id) = next else { return };
        if let Err(e) = run_task(catalogue, store, limits, id) {
            // The catalogue itself failed: try again at the next wake-up.
            tracing::error!(task = %id, error = %e, "upload task could not be recorded");
            return;
        }
    }
}

/// Runs one task from STARTED to SUCCESS or FAILURE.
fn run_task(
    catalogue: &Catalogue,
    store: &Store,
    limits: &Limits,
    id: Uuid,
) -> Result<(), CatalogueError> {
    let task = catalogue.update(|data, _| {
        let task = data
            .tasks
            .iter_mut()
            .find(|t| t.id == id)
            .ok_or_else(|| CatalogueError::NotFound(format!("task {id}")))?;
        task.status = TaskStatus::Started;
        task.started = Some(Utc::now());
        Ok(task.clone())
    })?;
    let params = UploadParams::from_json(&task.params);
    let outcome = match (&params, task.object) {
        (Some(p), Some(source)) => ingest_upload(catalogue, store, limits, source, p),
        _ => Err("the task's parameters are damaged".to_string()),
    };
    if let Some(p) = &params {
        if let Err(e) = std::fs::remove_file(&p.file) {
            if e.kind() != std::io::ErrorKind::NotFound {
                tracing::warn!(file = %p.file.display(), error = %e, "could not remove an upload");
            }
        }
    }
    if let Err(e) = &outcome {
        tracing::info!(task = %id, error = %e, "upload failed");
    }
    catalogue.update(|data, _| {
        if let Some(t) = data.tasks.iter_mut().find(|t| t.id == id) {
            t.finished = Some(Utc::now());
            match outcome {
                Ok(result) => {
                    t.status = TaskStatus::Success;
                    t.result = result;
                }
                Err(message) => {
                    t.status = TaskStatus::Failure;
                    t.error = Some(message);
                }
            }
        }
        Ok(())
    })
}

/// Ingests the uploaded file; the task's `result`, or the reason it failed.
fn ingest_upload(
    catalogue: &Catalogue,
    store: &Store,
    limits: &Limits,
    source: Uuid,
    params: &UploadParams,
) -> Result<Value, String> {
    if !params.file.is_file() {
        return Err("the uploaded file is gone; upload it again".into());
    }
    let req = IngestRequest {
        files: vec![params.file.clone()],
        timestamps: params.timestamp.into_iter().collect(),
        source: Some(source),
        ..IngestRequest::default()
    };
    let name = params
        .file_name
        .clone()
        .unwrap_or_else(|| "the file".into());
    match ingest_named(catalogue, store, &req, &[name], limits, &mut |_, _, _| {}) {
        Ok(_) => {
            let snap = catalogue.snapshot();
            let frames = snap.source(source).map_or(0, |s| s.frames.len());
            Ok(json!({
                "raster_source": source.to_string(),
                "timestamp": params.timestamp.map(|t| t.to_rfc3339()),
                "frames": frames,
            }))
        }
        Err(CatalogueError::Invalid(m)) => Err(m),
        Err(CatalogueError::NotFound(_)) => {
            Err("the raster source was deleted before the file was processed".into())
        }
        Err(e) => {
            tracing::error!(%source, error = %e, "upload ingest failed");
            Err("the file could not be stored (a server error); try again later".into())
        }
    }
}

/// Removes the files in `uploads` that no PENDING or STARTED upload task refers
/// to: leftovers of uploads cut off by a crash or a kill. Run at start, before
/// the worker takes up the waiting tasks. Returns how many files went.
pub fn sweep_uploads(catalogue: &Catalogue, uploads: &std::path::Path) -> usize {
    let snap = catalogue.snapshot();
    let wanted: std::collections::HashSet<PathBuf> = snap
        .data()
        .tasks
        .iter()
        .filter(|t| t.kind == RASTER_UPLOAD)
        .filter(|t| matches!(t.status, TaskStatus::Pending | TaskStatus::Started))
        .filter_map(|t| UploadParams::from_json(&t.params))
        .map(|p| p.file)
        .collect();
    let Ok(entries) = std::fs::read_dir(uploads) else {
        return 0;
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        let path = entry.path();
        if !path.is_file() || wanted.contains(&path) {
            continue;
        }
        match std::fs::remove_file(&path) {
            Ok(()) => removed += 1,
            Err(e) => {
                tracing::warn!(file = %path.display(), error = %e, "could not remove a stale upload")
            }
        }
    }
    if removed > 0 {
        tracing::info!(removed, dir = %uploads.display(), "removed partial uploads no task refers to");
    }
    removed
}
