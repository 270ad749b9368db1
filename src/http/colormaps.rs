//! `/api/v4/colormaps/`: the read-only colormap catalogue as Lizard serves it.
//!
//! * `GET /api/v4/colormaps/` — `{count, next, previous, results: [{name,
//!   description}]}`, every name a STYLES string may use, sorted by name;
//!   `page` (from 1) and `page_size` (default 10, at most 1000; a bad or
//!   non-positive size falls back to the default, as DRF does); an invalid
//!   page answers 404 `Invalid page.`.
//! * `GET /api/v4/colormaps/<name>/` — `{name, definition}` with the map in
//!   Lizard's JSON (`style::lizard::Definition`); unknown names 404.
//!
//! Errors are Lizard's JSON bodies from `errors.rs`. Thin: the data come
//! from `style::lizard`.

use super::errors;
use super::response::{self, Body};
use super::state::AppState;
use crate::model::ErrorClass;
use crate::protocol::kvp::{Kvp, decode_form};
use crate::style::lizard::{catalogue, definition};
use http::StatusCode;
use hyper::Response;
use serde_json::json;

/// The path prefix this module answers.
pub const PREFIX: &str = "/api/v4/colormaps";

const DEFAULT_PAGE_SIZE: usize = 10;
const MAX_PAGE_SIZE: usize = 1000;

/// Whether `path` is this module's.
pub fn owns(path: &str) -> bool {
    path == PREFIX || path.starts_with("/api/v4/colormaps/")
}

/// Dispatch on the path after [`PREFIX`]: `` or `/` lists, `/<name>[/]`
/// is one map, anything deeper is not found.
pub fn handle(state: &AppState, rest: &str, query: &str) -> Response<Body> {
    let inner = rest.strip_prefix('/').unwrap_or(rest);
    let inner = inner.strip_suffix('/').unwrap_or(inner);
    if inner.is_empty() {
        list(state, query)
    } else if inner.contains('/') {
        not_found()
    } else {
        detail(inner)
    }
}

fn not_found() -> Response<Body> {
    errors::json_error_status(StatusCode::NOT_FOUND, "Not found.")
}

fn ok(doc: &serde_json::Value) -> Response<Body> {
    response::bytes(
        StatusCode::OK,
        "application/json",
        serde_json::to_vec(doc).unwrap_or_default(),
    )
}

fn detail(raw: &str) -> Response<Body> {
    let Some(name) = decode_form(raw) else {
        return not_found();
    };
    match definition(&name) {
        Some(def) => ok(&json!({"name": name, "definition": def})),
        None => not_found(),
    }
}

fn list(state: &AppState, query: &str) -> Response<Body> {
    let kvp = match Kvp::parse(query) {
        Ok(k) => k,
        Err(e) => return errors::json_error(e.class(), &e.to_string()),
    };
    let size = kvp
        .get_nonempty("page_size")
        .and_then(|s| s.trim().parse::<usize>().ok())
        .filter(|&n| n > 0)
        .map_or(DEFAULT_PAGE_SIZE, |n| n.min(MAX_PAGE_SIZE));
    let all = catalogue();
    let pages = all.len().div_ceil(size).max(1);
    let page = match kvp.get_nonempty("page").map(|s| s.trim()) {
        None => 1,
        Some("last") => pages,
        Some(p) => match p.parse::<usize>() {
            Ok(n) if (1..=pages).contains(&n) => n,
            _ => return errors::json_error(ErrorClass::NotFound, "Invalid page."),
        },
    };
    let base = format!("{}{PREFIX}/", state.public_url);
    let link = |p: usize| {
        if p == 1 {
            format!("{base}?page_size={size}")
        } else {
            format!("{base}?page={p}&page_size={size}")
        }
    };
    let results: Vec<_> = all
        .iter()
        .skip((page - 1) * size)
        .take(size)
        .map(|(name, description)| json!({"name": name, "description": description}))
        .collect();
    ok(&json!({
        "count": all.len(),
        "next": (page < pages).then(|| link(page + 1)),
        "previous": (page > 1).then(|| link(page - 1)),
        "results": results,
    }))
}
