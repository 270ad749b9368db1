//! The rastersource object as the API shows it, and the list's filters and
//! ordering over it (lizard-api.md §2.1, §3.2).
//!
//! `first_value_timestamp`/`last_value_timestamp`: a temporal source's first
//! and last frame instants; a non-temporal source with data shows
//! `1970-01-01T00:00:00Z` for both, as Lizard does for static rasters; null
//! without data. The native grid fields are null without data.

use crate::api::fields::{duration, instant, organisation_of, timestamp};
use crate::api::query::{ACCESS_MODIFIERS, Fields, FilterSpec, Kind, Schema, Value as Field};
use crate::api::request::ApiRequest;
use crate::catalogue::derived::NativeGrid;
use crate::catalogue::{Caller, Guard, RasterSource, Snapshot, epoch};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use std::borrow::Cow;
use uuid::Uuid;

const fn filter(param: &'static str, kind: Kind) -> FilterSpec {
    FilterSpec {
        param,
        field: param,
        kind,
    }
}

pub const SCHEMA: Schema = Schema {
    filters: &[
        filter("name", Kind::Text),
        filter("uuid", Kind::Uuid),
        filter("organisation__uuid", Kind::Uuid),
        filter("organisation__name", Kind::Text),
        filter("first_value_timestamp", Kind::Time),
        filter("last_value_timestamp", Kind::Time),
        filter("created", Kind::Time),
        filter("last_modified", Kind::Time),
        filter("layers__uuid", Kind::Uuid),
        filter("access_modifier", Kind::Choice(ACCESS_MODIFIERS)),
        filter("temporal", Kind::Bool),
        filter("writable", Kind::Bool),
        filter("scenario__isnull", Kind::Accepted),
        filter("supplier", Kind::Text),
        filter("supplier_code", Kind::Text),
    ],
    ordering: &[
        "name",
        "supplier_code",
        "size",
        "last_modified",
        "created",
        "first_value_timestamp",
        "last_value_timestamp",
    ],
    default_ordering: &["name"],
};

/// The guard of a source: its organisation, access and supplier.
pub fn guard(src: &RasterSource) -> Guard<'_> {
    Guard::source(src)
}

/// `(first, last)` value timestamps (see the module header).
pub fn value_period(src: &RasterSource) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    if src.frames.is_empty() {
        return None;
    }
    if src.temporal {
        src.period()
    } else {
        Some((epoch(), epoch()))
    }
}

/// One row of the list: the source with what filters need from elsewhere.
pub struct Row<'a> {
    pub src: &'a RasterSource,
    org_name: Option<&'a str>,
    writable: bool,
    layers: Vec<Uuid>,
}

impl<'a> Row<'a> {
    pub fn new(snap: &'a Snapshot, caller: &Caller, src: &'a RasterSource) -> Row<'a> {
        Row {
            src,
            org_name: snap.organisation(src.organisation).map(|o| o.name.as_str()),
            writable: guard(src).can_write(caller),
            layers: snap.dependants(src.uuid).map(|l| l.uuid).collect(),
        }
    }
}

fn text(t: Option<&str>) -> Field<'_> {
    Field::Text(t.map(Cow::Borrowed))
}

impl Fields for Row<'_> {
    fn field(&self, name: &str) -> Field<'_> {
        let s = self.src;
        match name {
            "name" => text(Some(&s.name)),
            "uuid" => Field::Uuid(Some(s.uuid)),
            "organisation__uuid" => Field::Uuid(Some(s.organisation)),
            "organisation__name" => text(self.org_name),
            "first_value_timestamp" => Field::Time(value_period(s).map(|p| p.0)),
            "last_value_timestamp" => Field::Time(value_period(s).map(|p| p.1)),
            "created" => Field::Time(Some(s.created)),
            "last_modified" => Field::Time(Some(s.last_modified)),
            "layers__uuid" => Field::Uuids(self.layers.clone()),
            "access_modifier" => text(Some(s.access_modifier.name())),
            "temporal" => Field::Bool(Some(s.temporal)),
            "writable" => Field::Bool(Some(self.writable)),
            "supplier" => text(s.supplier.as_deref()),
            "supplier_code" => text(s.supplier_code.as_deref()),
            "size" => Field::Int(Some(i64::try_from(s.size()).unwrap_or(i64::MAX))),
            _ => Field::Text(None),
        }
    }
}

/// The source as the API shows it, keys in Lizard's order.
pub fn serialize(req: &ApiRequest, snap: &Snapshot, src: &RasterSource) -> Value {
    let native = src.grid.as_ref().map(NativeGrid::of);
    let period = value_period(src);
    let num = |f: fn(&NativeGrid) -> f64| native.as_ref().map_or(Value::Null, |n| json!(f(n)));
    let bounds = native.as_ref().and_then(|n| n.spatial_bounds).map_or(
        Value::Null,
        |b| json!({"west": b.west, "east": b.east, "north": b.north, "south": b.south}),
    );
    let layers: Vec<Value> = snap
        .dependants(src.uuid)
        .map(|l| Value::String(req.url(&format!("rasters/{}/", l.uuid))))
        .collect();
    json!({
        "url": req.url(&format!("rastersources/{}/", src.uuid)),
        "uuid": src.uuid.to_string(),
        "name": src.name,
        "description": src.description,
        "organisation": organisation_of(req, snap, src.organisation),
        "access_modifier": src.access_modifier.name(),
        "supplier": src.supplier,
        "supplier_code": src.supplier_code,
        "temporal": src.temporal,
        "interval": src.interval_ms.map(duration),
        "first_value_timestamp": period.map(|p| instant(p.0)),
        "last_value_timestamp": period.map(|p| instant(p.1)),
        "size": src.size(),
        "layers": layers,
        "labeltypes": [],
        "created": timestamp(src.created),
        "last_modified": timestamp(src.last_modified),
        "writable": guard(src).can_write(&req.caller),
        "projection": native.as_ref().map(|n| n.projection.clone()),
        "origin_x": num(|n| n.origin_x),
        "origin_y": num(|n| n.origin_y),
        "upper_bound_x": num(|n| n.upper_bound_x),
        "upper_bound_y": num(|n| n.upper_bound_y),
        "pixelsize_x": num(|n| n.pixelsize_x),
        "pixelsize_y": num(|n| n.pixelsize_y),
        "spatial_bounds": bounds,
        "dtype": src.grid.as_ref().map(|g| g.dtype.numpy_name()),
        "fill_value": src.grid.as_ref().and_then(|g| g.nodata),
    })
}
