//! `?ordering=name,-created`: a stable sort of the rows by the requested
//! keys, then the schema's default ordering, then `uuid`, then input order.
//!
//! Choices, documented for clients:
//! * NULLs sort as PostgreSQL's default: last ascending, first descending.
//! * Text compares case-sensitively by bytes (PostgreSQL with C collation),
//!   so `B` sorts before `a`.
//! * A to-many field orders by its first element (an empty list is NULL).
//! * Only names in `Schema::ordering` are accepted; anything else is a 400
//!   `{"ordering": ["Select a valid choice. … is not one of the available choices."]}`.
//!   Empty items (`ordering=name,,`) are skipped; an empty value means the
//!   default ordering.

use super::Fields;
use super::schema::{Schema, Value};
use crate::api::error::ApiError;
use std::cmp::Ordering;

/// One sort key: a field name and its direction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Key<'s> {
    pub field: &'s str,
    pub descending: bool,
}

/// Parses `ordering` (the parameter's value, if given) into the full list of
/// sort keys: requested, then default, then `uuid`.
pub fn keys<'s>(schema: &'s Schema, ordering: Option<&'s str>) -> Result<Vec<Key<'s>>, ApiError> {
    let mut out = Vec::new();
    for item in ordering.unwrap_or("").split(',').map(str::trim) {
        if item.is_empty() {
            continue;
        }
        let (descending, name) = match item.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, item),
        };
        if !schema.ordering.contains(&name) {
            return Err(ApiError::field(
                "ordering",
                format!(
                    "Select a valid choice. {item} is not one of the available choices ({}).",
                    schema.ordering.join(", ")
                ),
            ));
        }
        out.push(Key {
            field: name,
            descending,
        });
    }
    for item in schema.default_ordering {
        let (descending, field) = match item.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, *item),
        };
        out.push(Key { field, descending });
    }
    out.push(Key {
        field: "uuid",
        descending: false,
    });
    Ok(out)
}

/// Sorts `rows` by `keys` (stable: full ties keep their input order).
pub fn sort<T: Fields>(rows: &mut [T], keys: &[Key<'_>]) {
    rows.sort_by(|a, b| {
        keys.iter()
            .map(|k| {
                let ord = compare(&a.field(k.field), &b.field(k.field));
                if k.descending { ord.reverse() } else { ord }
            })
            .find(|o| o.is_ne())
            .unwrap_or(Ordering::Equal)
    });
}

/// Ascending order of two values of one field; NULL is greater than every
/// value (so last ascending). Values of different variants compare equal.
fn compare(a: &Value<'_>, b: &Value<'_>) -> Ordering {
    fn opt<X: Ord>(a: Option<X>, b: Option<X>) -> Ordering {
        match (a, b) {
            (Some(a), Some(b)) => a.cmp(&b),
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Greater,
            (Some(_), None) => Ordering::Less,
        }
    }
    match (a, b) {
        (Value::Text(a), Value::Text(b)) => opt(a.as_deref(), b.as_deref()),
        (Value::Bool(a), Value::Bool(b)) => opt(*a, *b),
        (Value::Time(a), Value::Time(b)) => opt(*a, *b),
        (Value::Int(a), Value::Int(b)) => opt(*a, *b),
        (Value::Uuid(a), Value::Uuid(b)) => opt(*a, *b),
        (Value::Uuids(a), Value::Uuids(b)) => opt(a.first(), b.first()),
        (Value::Texts(a), Value::Texts(b)) => opt(a.first(), b.first()),
        _ => Ordering::Equal,
    }
}
