//! Lists as Lizard serves them: filter, order and page in-memory rows, then
//! wrap a page in `{"count", "next", "previous", "results"}`.
//!
//! An endpoint declares a `Schema` and implements `Fields` for its row type;
//! `list` does the rest. Input is the request's query as already
//! percent-decoded `(key, value)` pairs in their original order (`http`
//! decodes, e.g. with `protocol::kvp::decode_form`; this module imports
//! neither) and the absolute URL of the list without query (e.g.
//! `https://host/api/v4/rasters/`), from which the `next`/`previous` links are
//! built by re-encoding the pairs (see `page`).
//!
//! Order of checks, as DRF: filters and ordering (400, every bad parameter
//! named in one `Validation` error), then the page (404 `Invalid page.`).

mod filter;
mod order;
mod page;
pub mod parse;
mod schema;

#[cfg(test)]
mod tests;

pub use filter::{Condition, conditions};
pub use order::{Key, keys, sort};
pub use page::{
    DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, PageInfo, form_encode, last_value, link, paginate,
};
pub use schema::{ACCESS_MODIFIERS, Fields, FilterSpec, Kind, Schema, Value};

use super::error::ApiError;

/// Parameters with a meaning of their own: never filters. `format` and
/// `dry-run` are read by the endpoint / `http`, the others here.
pub const RESERVED: &[&str] = &[
    "page",
    "page_size",
    "limit",
    "offset",
    "ordering",
    "format",
    "dry-run",
];

/// Filters, orders and pages `items`; returns the rows of the requested page
/// and where it lies. `params`: decoded query pairs in order; `base_url`:
/// the list's absolute URL without query.
pub fn list<T: Fields>(
    items: Vec<T>,
    schema: &Schema,
    params: &[(String, String)],
    base_url: &str,
) -> Result<(Vec<T>, PageInfo), ApiError> {
    let conds = conditions(schema, params)?;
    let keys = keys(schema, last_value(params, "ordering"))?;
    let mut rows: Vec<T> = items
        .into_iter()
        .filter(|row| conds.iter().all(|c| c.matches(row)))
        .collect();
    sort(&mut rows, &keys);
    let info = paginate(rows.len(), params, base_url)?;
    let page = rows
        .into_iter()
        .skip(info.range.start)
        .take(info.range.len())
        .collect();
    Ok((page, info))
}

/// Lizard's list body, keys in Lizard's order.
pub fn envelope(info: &PageInfo, results: Vec<serde_json::Value>) -> serde_json::Value {
    serde_json::json!({
        "count": info.count,
        "next": info.next,
        "previous": info.previous,
        "results": results,
    })
}
