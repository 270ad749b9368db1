//! Range checks on a fully merged `Config`, and normalisation of `public_url`.
//!
//! Types are already right when this runs (`load.rs` checked them); this file only
//! rejects values a type cannot: zero limits, bad URLs, bad header values.

use super::{Config, ConfigError};
use std::collections::BTreeMap;

/// Check every range; on success `public_url` has no trailing slash.
pub(super) fn validate(
    config: &mut Config,
    origins: &BTreeMap<String, String>,
) -> Result<(), ConfigError> {
    let fail = |key: &str, message: String| ConfigError::Invalid {
        key: key.to_owned(),
        origin: origins
            .get(key)
            .cloned()
            .unwrap_or_else(|| "the built-in default".to_owned()),
        message,
    };
    let at_least_one = |key: &str, v: u64| {
        if v >= 1 {
            Ok(())
        } else {
            Err(fail(key, format!("must be at least 1, got {v}")))
        }
    };

    let s = &mut config.server;
    if !s.public_url.is_empty() {
        s.public_url = check_public_url(&s.public_url).map_err(|m| fail("server.public_url", m))?;
    }
    if s.data_dir.as_os_str().is_empty() {
        return Err(fail("server.data_dir", "must not be empty".to_owned()));
    }
    at_least_one("server.request_timeout_secs", s.request_timeout_secs)?;
    at_least_one("server.max_connections", s.max_connections as u64)?;
    for (key, v) in [
        ("server.header_timeout_secs", s.header_timeout_secs),
        ("server.body_timeout_secs", s.body_timeout_secs),
    ] {
        if !(1..=3600).contains(&v) {
            return Err(fail(key, format!("must be between 1 and 3600, got {v}")));
        }
    }
    if s.io_threads > 1024 {
        return Err(fail(
            "server.io_threads",
            format!("must be at most 1024, got {}", s.io_threads),
        ));
    }

    let r = &config.render;
    if r.threads > 4096 {
        return Err(fail(
            "render.threads",
            format!("must be at most 4096, got {}", r.threads),
        ));
    }
    at_least_one("render.queue_depth", r.queue_depth as u64)?;
    at_least_one("render.max_width", u64::from(r.max_width))?;
    at_least_one("render.max_height", u64::from(r.max_height))?;
    at_least_one("render.max_pixels", r.max_pixels)?;
    at_least_one("render.layer_limit", u64::from(r.layer_limit))?;
    at_least_one("render.retry_after_secs", r.retry_after_secs)?;
    if !(r.max_share > 0.0 && r.max_share <= 1.0) {
        return Err(fail(
            "render.max_share",
            format!("must be above 0 and at most 1, got {}", r.max_share),
        ));
    }

    let c = &config.cache;
    for (key, value) in [
        ("cache.cache_control", &c.cache_control),
        ("cache.cache_control_errors", &c.cache_control_errors),
    ] {
        if http::HeaderValue::from_str(value).is_err() {
            return Err(fail(
                key,
                format!("`{value}` is not a valid HTTP header value"),
            ));
        }
    }

    let st = &config.storage;
    at_least_one("storage.max_open_maps", st.max_open_maps as u64)?;
    at_least_one("storage.max_input_pixels", st.max_input_pixels)?;
    at_least_one("storage.max_upload_bytes", st.max_upload_bytes.bytes())?;

    if config.demo.fixtures_dir.as_os_str().is_empty() {
        return Err(fail("demo.fixtures_dir", "must not be empty".to_owned()));
    }

    let w = &config.wms;
    if w.title.trim().is_empty() {
        return Err(fail("wms.title", "must not be empty".to_owned()));
    }
    if !matches!(w.exception_status, 200 | 400) {
        return Err(fail(
            "wms.exception_status",
            format!("must be 200 or 400, got {}", w.exception_status),
        ));
    }
    if config
        .wmts
        .tile_matrix_sets
        .iter()
        .any(|p| p.as_os_str().is_empty())
    {
        return Err(fail(
            "wmts.tile_matrix_sets",
            "must not hold an empty path".to_owned(),
        ));
    }

    // Upper bounds: depth and nesting are recursion (parse, metadata and
    // evaluation descend once per level), the others memory per request.
    let g = &config.graph;
    for (key, value, max) in [
        ("graph.max_nodes", g.max_nodes, 1 << 16),
        ("graph.max_depth", g.max_depth, 256),
        ("graph.max_nesting", g.max_nesting, 32),
        ("graph.max_values", g.max_values, 1 << 32),
        ("graph.max_steps", g.max_steps, 1 << 26),
    ] {
        let value = value as u64;
        at_least_one(key, value)?;
        if value > max {
            return Err(fail(key, format!("must be at most {max}, got {value}")));
        }
    }
    at_least_one("graph.max_cost", g.max_cost)?;
    if g.max_cost > 1 << 50 {
        return Err(fail(
            "graph.max_cost",
            format!("must be at most {}, got {}", 1u64 << 50, g.max_cost),
        ));
    }
    Ok(())
}

/// An absolute `http`/`https` URL with a host and no query or fragment; returned
/// without trailing slash so that `{public_url}/wms` is always well-formed.
fn check_public_url(text: &str) -> Result<String, String> {
    let bad = |why: &str| format!("`{text}` {why} (expected e.g. https://maps.example.org/tegel)");
    if text.contains('#') || text.contains('?') {
        return Err(bad("must not have a query or fragment"));
    }
    let uri: http::Uri = text.parse().map_err(|_| bad("is not a URL"))?;
    match uri.scheme_str() {
        Some("http") | Some("https") => {}
        _ => return Err(bad("must start with http:// or https://")),
    }
    match uri.authority() {
        Some(a) if !a.host().is_empty() && !a.as_str().contains('@') => {}
        _ => return Err(bad("must name a host (and no user info)")),
    }
    Ok(text.trim_end_matches('/').to_owned())
}
