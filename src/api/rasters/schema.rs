//! Filters and ordering of `/api/v4/rasters/` (lizard-api.md §3.1): a list
//! row is a layer with its derived fields and the caller's write right.
//!
//! `organisation` and `organisation__uuid` filter on the owner's uuid;
//! `observation_type` and `observation_type__id` on the observation type's
//! id; `layer_collections` and `layer_collections__slug` on collection
//! slugs; `ordering=observation_type` orders by its id and
//! `ordering=access_modifier` by the numeric code (Public < Common < Private
//! < Hidden), as Lizard's database stores them. Without `ordering` the list
//! is by name.

use super::derived::Derived;
use crate::api::query::{ACCESS_MODIFIERS, Fields, FilterSpec, Kind, Schema, Value};
use crate::catalogue::{AccessModifier, RasterLayer, Snapshot};
use chrono::SubsecRound;
use std::borrow::Cow;

const fn f(param: &'static str, field: &'static str, kind: Kind) -> FilterSpec {
    FilterSpec { param, field, kind }
}

pub const SCHEMA: Schema = Schema {
    filters: &[
        f("name", "name", Kind::Text),
        f("uuid", "uuid", Kind::Uuid),
        f("organisation", "organisation__uuid", Kind::Uuid),
        f("organisation__uuid", "organisation__uuid", Kind::Uuid),
        f("organisation__name", "organisation__name", Kind::Text),
        f("observation_type", "observation_type", Kind::Int),
        f("observation_type__id", "observation_type", Kind::Int),
        f(
            "observation_type__code",
            "observation_type__code",
            Kind::Text,
        ),
        f(
            "observation_type__parameter",
            "observation_type__parameter",
            Kind::Text,
        ),
        f(
            "observation_type__unit",
            "observation_type__unit",
            Kind::Text,
        ),
        f("layer_collections", "layer_collections__slug", Kind::Text),
        f(
            "layer_collections__slug",
            "layer_collections__slug",
            Kind::Text,
        ),
        f(
            "layer_collections__uuid",
            "layer_collections__uuid",
            Kind::Uuid,
        ),
        f("raster_sources__uuid", "raster_sources__uuid", Kind::Uuid),
        f(
            "access_modifier",
            "access_modifier",
            Kind::Choice(ACCESS_MODIFIERS),
        ),
        f("temporal", "temporal", Kind::Bool),
        f("is_geoblock", "is_geoblock", Kind::Bool),
        f("writable", "writable", Kind::Bool),
        f("scenario__isnull", "scenario", Kind::Accepted),
        f("supplier", "supplier", Kind::Text),
        f("created", "created", Kind::Time),
        f("last_modified", "last_modified", Kind::Time),
        f("first_value_timestamp", "first_value_timestamp", Kind::Time),
        f("last_value_timestamp", "last_value_timestamp", Kind::Time),
    ],
    ordering: &[
        "name",
        "last_modified",
        "supplier",
        "temporal",
        "access_modifier",
        "first_value_timestamp",
        "last_value_timestamp",
        "observation_type",
        "observation_type__code",
        "observation_type__parameter",
        "observation_type__unit",
        "organisation__name",
    ],
    default_ordering: &["name"],
};

/// One layer as filters and ordering see it.
pub struct Row<'a> {
    pub layer: &'a RasterLayer,
    pub snap: &'a Snapshot,
    pub derived: Derived,
    pub writable: bool,
}

fn code(a: AccessModifier) -> i64 {
    ACCESS_MODIFIERS
        .iter()
        .find(|(name, _)| *name == a.name())
        .map_or(0, |(_, c)| *c)
}

impl Fields for Row<'_> {
    fn field(&self, name: &str) -> Value<'_> {
        let l = self.layer;
        let text = |s: &str| Value::Text(Some(Cow::Owned(s.to_string())));
        let obs = l
            .observation_type
            .and_then(|id| self.snap.observation_type(id));
        let collections = || {
            l.layer_collections
                .iter()
                .filter_map(|u| self.snap.layer_collection(*u))
        };
        match name {
            "name" => Value::Text(Some(Cow::Borrowed(&l.name))),
            "uuid" => Value::Uuid(Some(l.uuid)),
            "organisation__uuid" => Value::Uuid(Some(l.organisation)),
            "organisation__name" => Value::Text(
                self.snap
                    .organisation(l.organisation)
                    .map(|o| Cow::Borrowed(o.name.as_str())),
            ),
            "observation_type" => Value::Int(obs.map(|o| o.id)),
            "observation_type__code" => obs.map_or(Value::Text(None), |o| text(&o.code)),
            "observation_type__parameter" => obs.map_or(Value::Text(None), |o| text(&o.parameter)),
            "observation_type__unit" => obs.map_or(Value::Text(None), |o| text(&o.unit)),
            "layer_collections__slug" => {
                Value::Texts(collections().map(|c| Cow::Owned(c.slug.clone())).collect())
            }
            "layer_collections__uuid" => Value::Uuids(collections().map(|c| c.uuid).collect()),
            "raster_sources__uuid" => Value::Uuids(self.derived.sources.clone()),
            "access_modifier" => Value::Int(Some(code(l.access_modifier))),
            "temporal" => Value::Bool(Some(self.derived.temporal)),
            "is_geoblock" => Value::Bool(Some(self.derived.is_geoblock)),
            "writable" => Value::Bool(Some(self.writable)),
            "supplier" => Value::Text(l.supplier.as_deref().map(Cow::Borrowed)),
            // As shown: microseconds (a filter on a shown value matches it).
            "created" => Value::Time(Some(l.created.trunc_subsecs(6))),
            "last_modified" => Value::Time(Some(l.last_modified.trunc_subsecs(6))),
            "first_value_timestamp" => Value::Time(self.derived.first),
            "last_value_timestamp" => Value::Time(self.derived.last),
            _ => Value::Text(None),
        }
    }
}
