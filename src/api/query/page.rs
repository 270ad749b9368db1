//! Paging as DRF's `PageNumberPagination` and `LimitOffsetPagination`, with
//! absolute `next`/`previous` links.
//!
//! * `page` (1-based; `last` = the last page) with `page_size` (default
//!   `DEFAULT_PAGE_SIZE`; zero, negative or not a number → the default;
//!   above `MAX_PAGE_SIZE` → clamped). A page that is not a number, below 1
//!   or beyond the last page is a 404 `"Invalid page."`; an empty list still
//!   has page 1.
//! * `limit` + `offset`: used as soon as either is present. `limit` as
//!   `page_size`; `offset` not a number or negative → 0; beyond the end → an
//!   empty page.
//!
//! Links are `base_url` plus the request's parameters in their order, with
//! `page` (or `offset`) replaced — or appended if absent — and re-encoded as
//! `application/x-www-form-urlencoded` (space → `+`, all but
//! `A–Z a–z 0–9 - . _ ~` percent-encoded). As DRF: the previous link of page
//! 2 drops `page`, and of the first `limit` window drops `offset`. (DRF also
//! sorts the parameters; tegel keeps the client's order.)

use crate::api::error::ApiError;
use std::ops::Range;

/// `page_size`/`limit` without (or with an invalid) value.
pub const DEFAULT_PAGE_SIZE: usize = 10;
/// The largest page a client can ask for; larger sizes are clamped.
pub const MAX_PAGE_SIZE: usize = 1000;

/// Where a page lies in the full list and its neighbours.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageInfo {
    /// Matches in total (all pages).
    pub count: usize,
    pub next: Option<String>,
    pub previous: Option<String>,
    /// The rows of this page in the filtered, ordered list.
    pub range: Range<usize>,
}

/// The last value of parameter `name`.
pub fn last_value<'p>(params: &'p [(String, String)], name: &str) -> Option<&'p str> {
    params
        .iter()
        .rev()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// The page of a list of `count` rows that `params` asks for.
pub fn paginate(
    count: usize,
    params: &[(String, String)],
    base_url: &str,
) -> Result<PageInfo, ApiError> {
    let limit = last_value(params, "limit");
    let offset = last_value(params, "offset");
    if limit.is_some() || offset.is_some() {
        let limit = positive(limit);
        let offset = offset
            .and_then(|s| s.trim().parse::<usize>().ok())
            .unwrap_or(0);
        let start = offset.min(count);
        let end = offset.saturating_add(limit).min(count);
        let next = (offset.saturating_add(limit) < count)
            .then(|| link(base_url, params, "offset", Some(offset + limit)));
        let previous = (offset > 0).then(|| {
            let prev = offset.saturating_sub(limit);
            link(base_url, params, "offset", (prev > 0).then_some(prev))
        });
        return Ok(PageInfo {
            count,
            next,
            previous,
            range: start..end,
        });
    }
    let size = positive(last_value(params, "page_size"));
    let pages = count.div_ceil(size).max(1);
    let page = match last_value(params, "page") {
        None => 1,
        Some("last") => pages,
        Some(s) => {
            let s = s.trim();
            s.strip_prefix('+')
                .unwrap_or(s)
                .parse::<usize>()
                .map_err(|_| ApiError::InvalidPage)?
        }
    };
    if page < 1 || page > pages {
        return Err(ApiError::InvalidPage);
    }
    let start = (page - 1) * size;
    let next = (page < pages).then(|| link(base_url, params, "page", Some(page + 1)));
    let previous =
        (page > 1).then(|| link(base_url, params, "page", (page > 2).then_some(page - 1)));
    Ok(PageInfo {
        count,
        next,
        previous,
        range: start..(start + size).min(count),
    })
}

/// A page size: a positive integer, clamped to `MAX_PAGE_SIZE`, else the default.
fn positive(value: Option<&str>) -> usize {
    match value.and_then(|s| s.trim().parse::<usize>().ok()) {
        Some(0) | None => DEFAULT_PAGE_SIZE,
        Some(n) => n.min(MAX_PAGE_SIZE),
    }
}

/// `base_url` with `params`, where `key` is set to `value` (in place of its
/// first occurrence, others dropped; appended if absent) or removed (`None`).
pub fn link(
    base_url: &str,
    params: &[(String, String)],
    key: &str,
    value: Option<usize>,
) -> String {
    let mut pairs: Vec<(&str, String)> = Vec::new();
    let mut placed = false;
    for (k, v) in params {
        if k == key {
            if let (false, Some(n)) = (placed, value) {
                pairs.push((k, n.to_string()));
            }
            placed = true;
        } else {
            pairs.push((k, v.clone()));
        }
    }
    if let (false, Some(n)) = (placed, value) {
        pairs.push((key, n.to_string()));
    }
    if pairs.is_empty() {
        return base_url.to_string();
    }
    let query: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{}={}", form_encode(k), form_encode(v)))
        .collect();
    format!("{base_url}?{}", query.join("&"))
}

/// `application/x-www-form-urlencoded` encoding of one key or value.
pub fn form_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}
