//! Reading the fields of a JSON (or form) write body as DRF serializers do:
//! each reader returns `Ok(None)` when the field is absent and a 400 naming
//! the field when its value has the wrong form. Shared by the write
//! endpoints of organisations, observation types, layer collections, users,
//! roles and keys; also the "who may write here" checks they share.

use crate::api::error::ApiError;
use crate::api::query::parse::{parse_bool, parse_time};
use crate::api::request::ApiRequest;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

pub type Object = Map<String, Value>;

const REQUIRED: &str = "This field is required.";
const BLANK: &str = "This field may not be blank.";
const NOT_NULL: &str = "This field may not be null.";

/// A string field; other types (numbers included) are refused, as the
/// write rules (`api::rules`) refuse them.
pub fn text(map: &Object, name: &str) -> Result<Option<String>, ApiError> {
    match map.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(Value::Null) => Err(ApiError::field(name, NOT_NULL)),
        Some(_) => Err(ApiError::field(name, "Not a valid string.")),
    }
}

/// A string field that must be present (when `required`) and not blank
/// when given; trimmed.
pub fn name_text(map: &Object, name: &str, required: bool) -> Result<Option<String>, ApiError> {
    match text(map, name)? {
        None if required => Err(ApiError::field(name, REQUIRED)),
        None => Ok(None),
        Some(s) if s.trim().is_empty() => Err(ApiError::field(name, BLANK)),
        Some(s) if s.chars().count() > 255 => Err(ApiError::field(
            name,
            "Ensure this field has no more than 255 characters.",
        )),
        Some(s) => Ok(Some(s.trim().to_owned())),
    }
}

/// A string field that may be null: `Some(None)` for null (or "").
pub fn nullable_text(map: &Object, name: &str) -> Result<Option<Option<String>>, ApiError> {
    match map.get(name) {
        None => Ok(None),
        Some(Value::Null) => Ok(Some(None)),
        Some(_) => Ok(Some(text(map, name)?.filter(|s| !s.trim().is_empty()))),
    }
}

/// A boolean: JSON `true`/`false` or the form words `true`/`false`/`1`/`0`.
pub fn boolean(map: &Object, name: &str) -> Result<Option<bool>, ApiError> {
    match map.get(name) {
        None => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(Value::String(s)) => parse_bool(s.trim())
            .map(Some)
            .map_err(|_| ApiError::field(name, "Must be a valid boolean.")),
        Some(Value::Number(n)) if n.as_i64() == Some(0) || n.as_i64() == Some(1) => {
            Ok(Some(n.as_i64() == Some(1)))
        }
        Some(_) => Err(ApiError::field(name, "Must be a valid boolean.")),
    }
}

/// An instant that may be null (ISO 8601).
pub fn nullable_time(map: &Object, name: &str) -> Result<Option<Option<DateTime<Utc>>>, ApiError> {
    match map.get(name) {
        None => Ok(None),
        Some(Value::Null) => Ok(Some(None)),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(Some(None)),
        Some(Value::String(s)) => parse_time(s)
            .map(|t| Some(Some(t)))
            .map_err(|m| ApiError::field(name, m)),
        Some(_) => Err(ApiError::field(name, "Enter a valid date/time.")),
    }
}

/// A slug: letters, digits, `-` and `_` only, not empty.
pub fn check_slug(slug: &str) -> Result<(), ApiError> {
    let ok = !slug.is_empty()
        && slug.len() <= 255
        && slug
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(ApiError::field(
            "slug",
            "Enter a valid \"slug\" consisting of letters, numbers, underscores or hyphens.",
        ))
    }
}

/// Any write needs an authenticated caller.
pub fn authenticated(req: &ApiRequest) -> Result<(), ApiError> {
    if req.caller.is_authenticated() {
        Ok(())
    } else {
        Err(ApiError::NotAuthenticated)
    }
}

/// Superusers only: anonymous 401, others 403.
pub fn superuser(req: &ApiRequest) -> Result<(), ApiError> {
    authenticated(req)?;
    if req.caller.is_superuser() {
        Ok(())
    } else {
        Err(ApiError::permission_denied())
    }
}
