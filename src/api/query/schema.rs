//! What an endpoint declares so that lists can be filtered and ordered: the
//! `Fields` its rows answer, and a `Schema` of filter parameters and ordering
//! names. Declarations only; the work is in `filter`, `order` and `page`.

use chrono::{DateTime, Utc};
use std::borrow::Cow;
use uuid::Uuid;

/// One field of a row, as filters and ordering see it. `None` is SQL NULL.
/// `Uuids` and `Texts` are to-many relations: a filter matches when any
/// element matches (as Django filters across relations); `isnull=true`
/// matches an empty list; ordering uses the first element.
#[derive(Clone, Debug, PartialEq)]
pub enum Value<'a> {
    Text(Option<Cow<'a, str>>),
    Bool(Option<bool>),
    Time(Option<DateTime<Utc>>),
    Int(Option<i64>),
    Uuid(Option<Uuid>),
    Uuids(Vec<Uuid>),
    Texts(Vec<Cow<'a, str>>),
}

/// Implemented by an endpoint's row type: the value of a field by the name
/// used in its `Schema` (`FilterSpec::field` and the ordering names).
/// Unknown names should answer `Value::Text(None)`: filters then never match
/// (except `isnull=true`) and ordering sees NULL.
pub trait Fields {
    fn field(&self, name: &str) -> Value<'_>;
}

/// Lists of references work too: `list(rows.iter().collect(), …)` filters
/// and pages a catalogue snapshot without cloning its rows.
impl<T: Fields + ?Sized> Fields for &T {
    fn field(&self, name: &str) -> Value<'_> {
        (**self).field(name)
    }
}

/// How a filter parameter's value is parsed, and which lookups it takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Django text lookups: `exact` (default), `iexact`, `contains`,
    /// `icontains`, `startswith`, `istartswith`, `endswith`, `iendswith`,
    /// `in` (comma list), `isnull`.
    Text,
    /// A comma list of canonical (8-4-4-4-12, any case) uuids, matching any;
    /// lookups `exact` (default), `in`, `isnull`.
    Uuid,
    /// `true`/`false`/`True`/`False`/`1`/`0`; lookups `exact`, `isnull`.
    Bool,
    /// An ISO 8601 instant (see `parse::parse_time`); lookups `exact`,
    /// `lt`, `lte`, `gt`, `gte`, `isnull`.
    Time,
    /// A decimal integer; lookups `exact`, `lt`, `lte`, `gt`, `gte`, `in`,
    /// `isnull`.
    Int,
    /// One of named choices with their numeric codes, given by name (any
    /// case) or code; the row answers the name (`Text`) or the code (`Int`).
    /// Lookups `exact`, `in`, `isnull`.
    Choice(&'static [(&'static str, i64)]),
    /// Validated as a boolean, then ignored (e.g. `scenario__isnull`, when
    /// no row can be a scenario result). Bare parameter only.
    Accepted,
}

/// One filter parameter of an endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FilterSpec {
    /// The query parameter without lookup, e.g. `name`, `organisation__uuid`.
    pub param: &'static str,
    /// The field name passed to `Fields::field`.
    pub field: &'static str,
    pub kind: Kind,
}

/// The list behaviour of one endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Schema {
    pub filters: &'static [FilterSpec],
    /// The names `?ordering=` accepts (each also a `Fields` name).
    pub ordering: &'static [&'static str],
    /// Applied after the requested ordering (and alone without one); `-`
    /// prefix for descending. Remaining ties: `uuid`, then input order.
    pub default_ordering: &'static [&'static str],
}

/// Lizard's access modifiers and their numeric codes (for `Kind::Choice`).
pub const ACCESS_MODIFIERS: &[(&str, i64)] = &[
    ("Public", 0),
    ("Common", 100),
    ("Private", 200),
    ("Hidden", 300),
];
