//! The write rules of every writable API object, in one table: for each
//! field its JSON type, whether it may be null and its `max_length`, as
//! Lizard's Django models and DRF serializers take them.
//!
//! `check` runs before an endpoint reads a write body (create, PUT, PATCH,
//! and the role and delete bodies): every field it names is checked, all
//! fields at once, and the refusal is DRF's `{field: [message]}` with DRF's
//! own sentences. No string anywhere in a checked field may hold a NUL
//! character (Django's `ProhibitNullCharactersValidator`; PostgreSQL
//! refuses them too). Strings are trimmed before their length is counted,
//! in characters, as DRF's `CharField` does. Keys not in the table are
//! ignored, as DRF ignores unknown keys. What a value *means* (a uuid that
//! exists, a choice, a duration) is the endpoint's check, after this one.
//!
//! Lengths: 255 for names and other short text; Django's `auth.User` sizes
//! for users (`username` 150, `email` 254, names 150); text fields
//! (`description`, `domain_values`) have no limit, as Django's `TextField`.

use super::error::ApiError;
use serde_json::{Map, Value};

/// The JSON form a field takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// A string (`CharField`/`TextField`) of at most `max` characters when set.
    Text { max: Option<usize> },
    /// `true`/`false`, or the words and numbers DRF's `BooleanField` reads.
    Bool,
    /// An integer, or a string of one.
    Int,
    /// A list (of uuids, slugs or objects).
    List,
    /// A JSON object (graphs, options).
    Object,
    /// Any JSON value whose meaning the endpoint checks (references, choices,
    /// durations, instants): only NUL characters are refused here.
    Any,
}

/// One writable field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rule {
    pub field: &'static str,
    pub shape: Shape,
    /// Whether JSON `null` is accepted.
    pub null: bool,
}

const fn text(field: &'static str, max: usize) -> Rule {
    Rule {
        field,
        shape: Shape::Text { max: Some(max) },
        null: false,
    }
}

const fn long_text(field: &'static str) -> Rule {
    Rule {
        field,
        shape: Shape::Text { max: None },
        null: true,
    }
}

const fn nullable_text(field: &'static str, max: usize) -> Rule {
    Rule {
        field,
        shape: Shape::Text { max: Some(max) },
        null: true,
    }
}

const fn of(field: &'static str, shape: Shape, null: bool) -> Rule {
    Rule { field, shape, null }
}

/// `max_length` of names and other short text.
pub const NAME_MAX: usize = 255;

/// `/api/v4/rasters/`.
pub const RASTER: &[Rule] = &[
    text("name", NAME_MAX),
    long_text("description"),
    of("organisation", Shape::Any, true),
    of("access_modifier", Shape::Any, false),
    of("shared_with", Shape::List, false),
    of("weight", Shape::Int, false),
    of("source", Shape::Any, true),
    of("observation_type", Shape::Any, true),
    of("layer_collections", Shape::List, false),
    of("options", Shape::Object, true),
    of("colormap", Shape::Any, true),
    of("rescalable", Shape::Bool, false),
    of("aggregation_type", Shape::Any, false),
    nullable_text("supplier", NAME_MAX),
    nullable_text("supplier_code", NAME_MAX),
];

/// `/api/v4/rastersources/`.
pub const RASTER_SOURCE: &[Rule] = &[
    text("name", NAME_MAX),
    long_text("description"),
    of("organisation", Shape::Any, false),
    of("access_modifier", Shape::Any, false),
    nullable_text("supplier", NAME_MAX),
    nullable_text("supplier_code", NAME_MAX),
    of("temporal", Shape::Bool, false),
    of("interval", Shape::Any, true),
];

/// `/api/v4/layercollections/`.
pub const LAYER_COLLECTION: &[Rule] = &[
    text("name", NAME_MAX),
    long_text("description"),
    text("slug", NAME_MAX),
    of("access_modifier", Shape::Any, false),
    of("organisation", Shape::Any, false),
    nullable_text("supplier", NAME_MAX),
];

/// `/api/v4/organisations/`.
pub const ORGANISATION: &[Rule] = &[
    text("name", NAME_MAX),
    text("slug", NAME_MAX),
    of("geoblocks", Shape::Bool, false),
];

/// `/api/v4/observationtypes/`.
pub const OBSERVATION_TYPE: &[Rule] = &[
    text("code", NAME_MAX),
    text("parameter", NAME_MAX),
    text("unit", NAME_MAX),
    long_text("description"),
    text("scale", NAME_MAX),
    long_text("domain_values"),
    nullable_text("reference_frame", NAME_MAX),
    nullable_text("compartment", NAME_MAX),
];

/// `/api/v4/users/` (Django's `auth.User` sizes).
pub const USER: &[Rule] = &[
    text("username", 150),
    text("email", 254),
    text("first_name", 150),
    text("last_name", 150),
    of("is_superuser", Shape::Bool, false),
    of("is_active", Shape::Bool, false),
];

/// `/api/v4/roles/` (grant and revoke bodies).
pub const ROLE: &[Rule] = &[
    of("organisation", Shape::Any, false),
    text("username", 150),
    of("user", Shape::Int, false),
    text("role", NAME_MAX),
];

/// `/api/v4/personalapikeys/`.
pub const PERSONAL_API_KEY: &[Rule] = &[
    text("name", NAME_MAX),
    text("scope", NAME_MAX),
    of("expiry", Shape::Any, true),
];

/// DRF's messages.
const NOT_A_STRING: &str = "Not a valid string.";
const NOT_NULL: &str = "This field may not be null.";
const NUL: &str = "Null characters are not allowed.";
const NOT_A_BOOL: &str = "Must be a valid boolean.";
const NOT_AN_INT: &str = "A valid integer is required.";

/// Checks every field of `body` that `rules` names; `Err` lists each
/// refused field with DRF's messages.
pub fn check(rules: &[Rule], body: &Map<String, Value>) -> Result<(), ApiError> {
    let mut errors = Map::new();
    for rule in rules {
        if let Some(value) = body.get(rule.field) {
            for message in refusals(rule, value) {
                super::error::push_message(&mut errors, rule.field, message);
            }
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(errors))
    }
}

/// Why `value` does not fit `rule` (empty: it fits).
pub fn refusals(rule: &Rule, value: &Value) -> Vec<String> {
    if value.is_null() {
        return if rule.null {
            Vec::new()
        } else {
            vec![NOT_NULL.into()]
        };
    }
    let mut out = Vec::new();
    match (rule.shape, value) {
        (Shape::Text { max }, Value::String(s)) => {
            if let Some(max) = max
                && s.trim().chars().count() > max
            {
                out.push(format!(
                    "Ensure this field has no more than {max} characters."
                ));
            }
        }
        (Shape::Text { .. }, _) => return vec![NOT_A_STRING.into()],
        (Shape::Bool, Value::Bool(_) | Value::String(_)) => {}
        (Shape::Bool, Value::Number(n)) if matches!(n.as_i64(), Some(0 | 1)) => {}
        (Shape::Bool, _) => return vec![NOT_A_BOOL.into()],
        (Shape::Int, Value::Number(n)) if n.is_i64() || n.is_u64() => {}
        (Shape::Int, Value::String(s)) if s.trim().parse::<i64>().is_ok() => {}
        (Shape::Int, _) => return vec![NOT_AN_INT.into()],
        (Shape::List, Value::Array(_)) => {}
        (Shape::List, other) => {
            return vec![format!(
                "Expected a list of items but got type \"{}\".",
                python_type(other)
            )];
        }
        (Shape::Object, Value::Object(_)) => {}
        (Shape::Object, other) => {
            return vec![format!(
                "Expected a dictionary of items but got type \"{}\".",
                python_type(other)
            )];
        }
        (Shape::Any, _) => {}
    }
    if has_nul(value) {
        out.push(NUL.into());
    }
    out
}

/// Whether any string in `value` (keys included) holds a NUL character.
fn has_nul(value: &Value) -> bool {
    match value {
        Value::String(s) => s.contains('\0'),
        Value::Array(items) => items.iter().any(has_nul),
        Value::Object(map) => map.iter().any(|(k, v)| k.contains('\0') || has_nul(v)),
        _ => false,
    }
}

/// The Python type name DRF puts in its messages.
fn python_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "NoneType",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "float",
        Value::Number(_) => "int",
        Value::String(_) => "str",
        Value::Array(_) => "list",
        Value::Object(_) => "dict",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn detail(rules: &[Rule], body: Value) -> Value {
        match body {
            Value::Object(map) => match check(rules, &map) {
                Ok(()) => Value::Null,
                Err(e) => e.detail(),
            },
            _ => Value::Null,
        }
    }

    #[test]
    fn drf_messages_for_each_shape() {
        let body = json!({
            "name": "x".repeat(256),
            "description": "ok\u{0}",
            "weight": 1.5,
            "rescalable": [true],
            "shared_with": "a",
            "options": 3,
            "supplier": 7,
            "unknown": "\u{0}",
        });
        assert_eq!(
            detail(RASTER, body),
            json!({
                "name": ["Ensure this field has no more than 255 characters."],
                "description": ["Null characters are not allowed."],
                "shared_with": ["Expected a list of items but got type \"str\"."],
                "weight": ["A valid integer is required."],
                "options": ["Expected a dictionary of items but got type \"int\"."],
                "rescalable": ["Must be a valid boolean."],
                "supplier": ["Not a valid string."],
            })
        );
    }

    #[test]
    fn length_counts_trimmed_characters_and_nul_is_found_anywhere() {
        let ok = json!({"name": format!("  {}  ", "é".repeat(255)), "source": {"graph": {}}});
        assert_eq!(detail(RASTER, ok), Value::Null);
        let both = json!({"name": format!("{}\u{0}", "a".repeat(300))});
        assert_eq!(
            detail(RASTER, both),
            json!({"name": [
                "Ensure this field has no more than 255 characters.",
                "Null characters are not allowed."
            ]})
        );
        let deep = json!({"source": {"graph": {"a": ["x", {"k\u{0}": 1}]}}});
        assert_eq!(
            detail(RASTER, deep),
            json!({"source": ["Null characters are not allowed."]})
        );
        assert_eq!(
            detail(ORGANISATION, json!({"name": null})),
            json!({"name": ["This field may not be null."]})
        );
        assert_eq!(detail(RASTER, json!({"description": null})), Value::Null);
        assert_eq!(
            detail(USER, json!({"username": "u".repeat(151), "is_active": 2})),
            json!({
                "username": ["Ensure this field has no more than 150 characters."],
                "is_active": ["Must be a valid boolean."]
            })
        );
        assert_eq!(
            detail(ROLE, json!({"user": "12", "role": true})),
            json!({"role": ["Not a valid string."]})
        );
    }

    #[test]
    fn every_table_names_each_field_once() {
        for table in [
            RASTER,
            RASTER_SOURCE,
            LAYER_COLLECTION,
            ORGANISATION,
            OBSERVATION_TYPE,
            USER,
            ROLE,
            PERSONAL_API_KEY,
        ] {
            for (i, r) in table.iter().enumerate() {
                assert!(
                    table[i + 1..].iter().all(|o| o.field != r.field),
                    "{}",
                    r.field
                );
            }
        }
    }
}
