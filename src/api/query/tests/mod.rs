//! Tests of `list` and its parts over a fixture row type with one field of
//! every `Value` variant.

mod filters;
mod ordering;
mod paging;

use super::*;
use chrono::{DateTime, TimeZone, Utc};
use std::borrow::Cow;
use uuid::Uuid;

/// A fixture row: every kind of field a catalogue row has.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub uuid: Uuid,
    pub name: String,
    pub org_uuid: Option<Uuid>,
    pub org_name: Option<String>,
    pub obs_parameter: Option<String>,
    pub created: Option<DateTime<Utc>>,
    pub temporal: Option<bool>,
    pub weight: Option<i64>,
    pub access: &'static str,
    pub sources: Vec<Uuid>,
    pub collections: Vec<String>,
}

impl Fields for Row {
    fn field(&self, name: &str) -> Value<'_> {
        match name {
            "uuid" => Value::Uuid(Some(self.uuid)),
            "name" => Value::Text(Some(Cow::Borrowed(&self.name))),
            "organisation__uuid" => Value::Uuid(self.org_uuid),
            "organisation__name" => Value::Text(self.org_name.as_deref().map(Cow::Borrowed)),
            "observation_type__parameter" => {
                Value::Text(self.obs_parameter.as_deref().map(Cow::Borrowed))
            }
            "created" => Value::Time(self.created),
            "temporal" => Value::Bool(self.temporal),
            "weight" => Value::Int(self.weight),
            "access_modifier" => Value::Text(Some(Cow::Borrowed(self.access))),
            "raster_sources__uuid" => Value::Uuids(self.sources.clone()),
            "layer_collections__slug" => Value::Texts(
                self.collections
                    .iter()
                    .map(|s| Cow::Borrowed(s.as_str()))
                    .collect(),
            ),
            _ => Value::Text(None),
        }
    }
}

pub const FILTERS: &[FilterSpec] = &[
    FilterSpec {
        param: "name",
        field: "name",
        kind: Kind::Text,
    },
    FilterSpec {
        param: "uuid",
        field: "uuid",
        kind: Kind::Uuid,
    },
    FilterSpec {
        param: "organisation__uuid",
        field: "organisation__uuid",
        kind: Kind::Uuid,
    },
    FilterSpec {
        param: "organisation__name",
        field: "organisation__name",
        kind: Kind::Text,
    },
    FilterSpec {
        param: "observation_type__parameter",
        field: "observation_type__parameter",
        kind: Kind::Text,
    },
    FilterSpec {
        param: "observation_type",
        field: "observation_type__parameter",
        kind: Kind::Text,
    },
    FilterSpec {
        param: "created",
        field: "created",
        kind: Kind::Time,
    },
    FilterSpec {
        param: "temporal",
        field: "temporal",
        kind: Kind::Bool,
    },
    FilterSpec {
        param: "weight",
        field: "weight",
        kind: Kind::Int,
    },
    FilterSpec {
        param: "access_modifier",
        field: "access_modifier",
        kind: Kind::Choice(ACCESS_MODIFIERS),
    },
    FilterSpec {
        param: "raster_sources__uuid",
        field: "raster_sources__uuid",
        kind: Kind::Uuid,
    },
    FilterSpec {
        param: "layer_collections__slug",
        field: "layer_collections__slug",
        kind: Kind::Text,
    },
    FilterSpec {
        param: "scenario__isnull",
        field: "scenario",
        kind: Kind::Accepted,
    },
];

pub const SCHEMA: Schema = Schema {
    filters: FILTERS,
    ordering: &[
        "name",
        "created",
        "temporal",
        "weight",
        "organisation__name",
        "raster_sources__uuid",
    ],
    default_ordering: &["-created"],
};

pub const BASE: &str = "https://host/api/v4/rasters/";

/// The uuid `n` (its last group is `n`).
pub fn u(n: u32) -> Uuid {
    Uuid::parse_str(&format!("00000000-0000-4000-8000-{n:012x}")).unwrap()
}

pub fn at(day: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2020, 5, day, 12, 0, 0).unwrap()
}

/// A plain row `n` named `name`.
pub fn row(n: u32, name: &str) -> Row {
    Row {
        uuid: u(n),
        name: name.to_string(),
        org_uuid: None,
        org_name: None,
        obs_parameter: None,
        created: None,
        temporal: None,
        weight: None,
        access: "Public",
        sources: Vec::new(),
        collections: Vec::new(),
    }
}

/// Query pairs from `k=v` strings.
pub fn q(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// The numbers (last uuid group) of the rows `list` returns.
pub fn ids(rows: Vec<Row>, pairs: &[(&str, &str)]) -> Vec<u32> {
    let (page, _) = list(rows, &SCHEMA, &q(pairs), BASE).unwrap();
    page.iter()
        .map(|r| (r.uuid.as_u128() & 0xffff_ffff) as u32)
        .collect()
}

/// The validation detail `list` fails with.
pub fn err(rows: Vec<Row>, pairs: &[(&str, &str)]) -> serde_json::Value {
    match list(rows, &SCHEMA, &q(pairs), BASE) {
        Err(e) => {
            assert_eq!(e.status(), 400, "{e:?}");
            e.detail()
        }
        Ok((page, _)) => panic!("{pairs:?} accepted: {} rows", page.len()),
    }
}
