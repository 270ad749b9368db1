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
//! Errors are Lizard's JSON bodies. The data come from `style::lizard`.

use super::failure::Failure;
use super::reply::Reply;
use super::service::Service;
use crate::model::ErrorClass;
use crate::protocol::kvp::{Kvp, decode_form};
use crate::style::lizard::{catalogue, definition};
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
pub(super) fn answer(service: &Service, rest: &str, query: &str) -> Result<Reply, Failure> {
    let inner = rest.strip_prefix('/').unwrap_or(rest);
    let inner = inner.strip_suffix('/').unwrap_or(inner);
    if inner.is_empty() {
        list(service, query)
    } else if inner.contains('/') {
        Err(not_found())
    } else {
        detail(inner)
    }
}

fn not_found() -> Failure {
    Failure::Json(ErrorClass::NotFound, "Not found.".to_string())
}

fn detail(raw: &str) -> Result<Reply, Failure> {
    let name = decode_form(raw).ok_or_else(not_found)?;
    let def = definition(&name).ok_or_else(not_found)?;
    Ok(Reply::json(&json!({"name": name, "definition": def})))
}

fn list(service: &Service, query: &str) -> Result<Reply, Failure> {
    let kvp = Kvp::parse(query).map_err(|e| Failure::json(e.class(), &e.to_string()))?;
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
            _ => return Err(Failure::Json(ErrorClass::NotFound, "Invalid page.".into())),
        },
    };
    let base = format!("{}{PREFIX}/", service.public_url);
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
    Ok(Reply::json(&json!({
        "count": all.len(),
        "next": (page < pages).then(|| link(page + 1)),
        "previous": (page > 1).then(|| link(page - 1)),
        "results": results,
    })))
}
