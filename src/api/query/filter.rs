//! Filter parameters → typed conditions → matching rows, as django-filter
//! does: `name__icontains=x` names the filter `name` and the lookup
//! `icontains` (split at the last `__` when what follows is a Django lookup
//! name; a lookup the filter's kind lacks is a 400). Conditions are ANDed;
//! the last value of a repeated parameter counts; an empty value is no
//! filter.
//!
//! Text lookups compare as Django does on PostgreSQL: `%`, `_` and `\` are
//! ordinary characters (Django escapes them for `LIKE`); the `i…` lookups
//! compare `UPPER()` of both sides, character by character (see [`fold`]).
//! `regex`/`iregex` use the `regex` crate, which matches in linear time;
//! patterns are bounded in length and compiled size.
//!
//! Errors are collected for all parameters at once and reported under each
//! parameter's full name. Parameters that are neither filters nor reserved
//! (`page`, `ordering`, …) are ignored, as DRF does.

use super::parse::{parse_bool, parse_choice, parse_int, parse_time, parse_uuid_list, split_list};
use super::schema::{FilterSpec, Kind, Schema, Value};
use super::{Fields, RESERVED};
use crate::api::error::ApiError;
use chrono::{DateTime, Utc};
use std::cmp::Ordering;
use uuid::Uuid;

/// Text comparisons (`i…` compare [`fold`]ed text).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TextOp {
    Exact,
    Contains,
    StartsWith,
    EndsWith,
}

/// The longest `regex`/`iregex` pattern accepted, in characters.
pub const MAX_REGEX_LEN: usize = 256;

/// Compiled-size bound of one pattern (bytes of program and of lazy DFA).
const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// A compiled `regex`/`iregex` pattern (equal when the patterns are).
#[derive(Clone, Debug)]
struct Pattern(regex::Regex);

impl PartialEq for Pattern {
    fn eq(&self, other: &Pattern) -> bool {
        self.0.as_str() == other.0.as_str()
    }
}

/// Case folding of the `i…` lookups as PostgreSQL's `UPPER()`: each
/// character to its single-character uppercase, characters whose uppercase
/// is several characters (`ß`, `ŉ`, ligatures) kept as they are. So `ß` does
/// not equal `SS`, and final `ς` equals `σ` (both `Σ`).
pub fn fold(s: &str) -> String {
    s.chars()
        .map(|c| {
            let mut up = c.to_uppercase();
            match (up.next(), up.next()) {
                (Some(u), None) => u,
                _ => c,
            }
        })
        .collect()
}

/// Compiles a `regex` (`fold`: `iregex`) pattern under the bounds.
fn compile(raw: &str, fold: bool) -> Result<Pattern, String> {
    if raw.chars().count() > MAX_REGEX_LEN {
        return Err(format!(
            "Ensure this pattern has no more than {MAX_REGEX_LEN} characters."
        ));
    }
    regex::RegexBuilder::new(raw)
        .case_insensitive(fold)
        .size_limit(REGEX_SIZE_LIMIT)
        .dfa_size_limit(REGEX_SIZE_LIMIT)
        .nest_limit(64)
        .build()
        .map(Pattern)
        .map_err(|e| match e {
            regex::Error::CompiledTooBig(_) => {
                "This regular expression is too complex.".to_string()
            }
            _ => "Enter a valid regular expression.".to_string(),
        })
}

/// What one parsed condition tests.
#[derive(Clone, Debug, PartialEq)]
enum Test {
    IsNull(bool),
    Text {
        op: TextOp,
        fold: bool,
        value: String,
    },
    TextIn(Vec<String>),
    Regex(Pattern),
    Uuids(Vec<Uuid>),
    Bool(bool),
    Time(Ordering, bool, DateTime<Utc>),
    TimeIn(Vec<DateTime<Utc>>),
    Int(Ordering, bool, i64),
    Ints(Vec<i64>),
    Choice(Vec<(&'static str, i64)>),
}

/// One condition on one field.
#[derive(Clone, Debug, PartialEq)]
pub struct Condition {
    field: &'static str,
    test: Test,
}

impl Condition {
    /// Whether the row satisfies this condition.
    pub fn matches<T: Fields>(&self, row: &T) -> bool {
        let value = row.field(self.field);
        if let Test::IsNull(want) = self.test {
            return is_null(&value) == want;
        }
        match value {
            Value::Text(t) => t.is_some_and(|t| self.test_text(&t)),
            Value::Texts(list) => list.iter().any(|t| self.test_text(t)),
            Value::Uuid(u) => u.is_some_and(|u| self.test_uuid(u)),
            Value::Uuids(list) => list.iter().any(|u| self.test_uuid(*u)),
            Value::Bool(b) => matches!((&self.test, b), (Test::Bool(w), Some(b)) if *w == b),
            Value::Time(Some(t)) => match &self.test {
                Test::Time(ord, or_eq, w) => compare(t.cmp(w), *ord, *or_eq),
                Test::TimeIn(list) => list.contains(&t),
                _ => false,
            },
            Value::Int(Some(i)) => match &self.test {
                Test::Int(ord, or_eq, w) => compare(i.cmp(w), *ord, *or_eq),
                Test::Ints(list) => list.contains(&i),
                Test::Choice(list) => list.iter().any(|(_, code)| *code == i),
                _ => false,
            },
            Value::Time(None) | Value::Int(None) => false,
        }
    }

    fn test_text(&self, t: &str) -> bool {
        match &self.test {
            Test::Text { op, fold, value } => {
                let folded;
                let t = if *fold {
                    folded = self::fold(t);
                    folded.as_str()
                } else {
                    t
                };
                match op {
                    TextOp::Exact => t == value,
                    TextOp::Contains => t.contains(value.as_str()),
                    TextOp::StartsWith => t.starts_with(value.as_str()),
                    TextOp::EndsWith => t.ends_with(value.as_str()),
                }
            }
            Test::TextIn(list) => list.iter().any(|w| w == t),
            Test::Regex(p) => p.0.is_match(t),
            Test::Choice(list) => list.iter().any(|(name, _)| name.eq_ignore_ascii_case(t)),
            _ => false,
        }
    }

    fn test_uuid(&self, u: Uuid) -> bool {
        matches!(&self.test, Test::Uuids(list) if list.contains(&u))
    }
}

fn is_null(v: &Value<'_>) -> bool {
    match v {
        Value::Text(x) => x.is_none(),
        Value::Bool(x) => x.is_none(),
        Value::Time(x) => x.is_none(),
        Value::Int(x) => x.is_none(),
        Value::Uuid(x) => x.is_none(),
        Value::Uuids(x) => x.is_empty(),
        Value::Texts(x) => x.is_empty(),
    }
}

/// `got` relative to the wanted value satisfies `ord` (or equality if `or_eq`).
fn compare(got: Ordering, ord: Ordering, or_eq: bool) -> bool {
    got == ord || (or_eq && got == Ordering::Equal)
}

/// The lookups each kind accepts after `__` (a bare parameter is `exact`).
fn lookups(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Text => &[
            "exact",
            "iexact",
            "contains",
            "icontains",
            "startswith",
            "istartswith",
            "endswith",
            "iendswith",
            "in",
            "isnull",
            "regex",
            "iregex",
        ],
        Kind::Uuid => &["exact", "in", "isnull"],
        Kind::Bool => &["exact", "isnull"],
        Kind::Time | Kind::Int => &["exact", "lt", "lte", "gt", "gte", "in", "isnull"],
        Kind::Choice(_) => &["exact", "in", "isnull"],
        Kind::Accepted => &[],
    }
}

/// Django's built-in lookup names: a `__<one of these>` suffix on a
/// declared filter is a lookup (400 when the filter's kind lacks it); any
/// other suffix makes the parameter undeclared, hence ignored, as
/// django-filter ignores parameters it does not declare.
const DJANGO_LOOKUPS: &[&str] = &[
    "exact",
    "iexact",
    "contains",
    "icontains",
    "startswith",
    "istartswith",
    "endswith",
    "iendswith",
    "in",
    "isnull",
    "gt",
    "gte",
    "lt",
    "lte",
    "range",
    "regex",
    "iregex",
    "date",
    "year",
    "iso_year",
    "month",
    "day",
    "week",
    "week_day",
    "iso_week_day",
    "quarter",
    "time",
    "hour",
    "minute",
    "second",
];

/// The filter and lookup a parameter names, if it names a filter at all
/// (`None` lookup: the bare parameter).
fn resolve<'s>(schema: &'s Schema, param: &'s str) -> Option<(&'s FilterSpec, Option<&'s str>)> {
    if let Some(spec) = schema.filters.iter().find(|f| f.param == param) {
        return Some((spec, None));
    }
    let (base, lookup) = param.rsplit_once("__")?;
    if !DJANGO_LOOKUPS.contains(&lookup) {
        return None;
    }
    let spec = schema.filters.iter().find(|f| f.param == base)?;
    Some((spec, Some(lookup)))
}

/// Parses every filter parameter of `params` (decoded pairs, in order).
pub fn conditions(
    schema: &Schema,
    params: &[(String, String)],
) -> Result<Vec<Condition>, ApiError> {
    // The last value of a repeated parameter wins; first-seen order is kept.
    let mut last: Vec<(&str, &str)> = Vec::new();
    for (param, raw) in params {
        match last.iter_mut().find(|(p, _)| *p == param.as_str()) {
            Some(slot) => slot.1 = raw.as_str(),
            None => last.push((param.as_str(), raw.as_str())),
        }
    }
    let mut errors = ApiError::Validation(Default::default());
    let mut failed = false;
    let mut out = Vec::new();
    for (param, raw) in last {
        if RESERVED.contains(&param) || raw.is_empty() {
            continue;
        }
        let Some((spec, lookup)) = resolve(schema, param) else {
            continue;
        };
        if raw.contains('\0') {
            // PostgreSQL cannot hold NUL in text: no row could ever match.
            failed = true;
            errors = errors.with_field(param, "Null characters are not allowed.");
            continue;
        }
        match condition(spec, lookup, raw) {
            Ok(Some(c)) => out.push(c),
            Ok(None) => {}
            Err(msg) => {
                failed = true;
                errors = errors.with_field(param, msg);
            }
        }
    }
    if failed { Err(errors) } else { Ok(out) }
}

/// One condition from a filter, a lookup and a non-empty value; `None` for
/// an `Accepted` filter.
fn condition(
    spec: &FilterSpec,
    lookup: Option<&str>,
    raw: &str,
) -> Result<Option<Condition>, String> {
    let allowed = lookups(spec.kind);
    let lookup = match lookup {
        None => "exact",
        Some(l) if allowed.contains(&l) => l,
        Some(l) if allowed.is_empty() => {
            return Err(format!("Unsupported lookup '{l}'; this filter takes none."));
        }
        Some(l) => {
            return Err(format!(
                "Unsupported lookup '{l}'; use one of: {}.",
                allowed.join(", ")
            ));
        }
    };
    let test = match (spec.kind, lookup) {
        (Kind::Accepted, _) => {
            parse_bool(raw)?;
            return Ok(None);
        }
        (_, "isnull") => Test::IsNull(parse_bool(raw)?),
        (Kind::Text, "in") => Test::TextIn(split_list(raw).map(str::to_string).collect()),
        (Kind::Text, "regex" | "iregex") => Test::Regex(compile(raw, lookup == "iregex")?),
        (Kind::Text, _) => {
            let fold = lookup.starts_with('i');
            let op = match lookup.trim_start_matches('i') {
                "contains" => TextOp::Contains,
                "startswith" => TextOp::StartsWith,
                "endswith" => TextOp::EndsWith,
                _ => TextOp::Exact,
            };
            let value = if fold {
                self::fold(raw)
            } else {
                raw.to_string()
            };
            Test::Text { op, fold, value }
        }
        (Kind::Uuid, _) => Test::Uuids(parse_uuid_list(raw)?),
        (Kind::Bool, _) => Test::Bool(parse_bool(raw)?),
        (Kind::Int, "in") => Test::Ints(split_list(raw).map(parse_int).collect::<Result<_, _>>()?),
        (Kind::Int, _) => {
            let (ord, or_eq) = order_of(lookup);
            Test::Int(ord, or_eq, parse_int(raw)?)
        }
        (Kind::Time, "in") => {
            Test::TimeIn(split_list(raw).map(parse_time).collect::<Result<_, _>>()?)
        }
        (Kind::Time, _) => {
            let (ord, or_eq) = order_of(lookup);
            Test::Time(ord, or_eq, parse_time(raw)?)
        }
        (Kind::Choice(choices), _) => Test::Choice(
            split_list(raw)
                .map(|s| parse_choice(s, choices).map(|i| choices[i]))
                .collect::<Result<_, _>>()?,
        ),
    };
    Ok(Some(Condition {
        field: spec.field,
        test,
    }))
}

/// `exact` → equal; `lt`/`lte`/`gt`/`gte` → the ordering and whether equal counts.
fn order_of(lookup: &str) -> (Ordering, bool) {
    match lookup {
        "lt" => (Ordering::Less, false),
        "lte" => (Ordering::Less, true),
        "gt" => (Ordering::Greater, false),
        "gte" => (Ordering::Greater, true),
        _ => (Ordering::Equal, true),
    }
}
