//! `/api/v4/observationtypes/`: what a raster's values measure. Everybody
//! reads them; superusers create, change and delete them. The object is
//! `{url, id, code, parameter, unit, scale, description, domain_values,
//! reference_frame, compartment, created, last_modified}` with an integer
//! `id`; `scale` is `interval`, `ratio`, `nominal` or `ordinal`. `code` is
//! unique. A type that layers use cannot be deleted (412).

use super::error::ApiError;
use super::fields::timestamp;
use super::organisations::body::{self, Object};
use super::query::{self, Fields, FilterSpec, Kind, Schema, Value as Field};
use super::request::{ApiRequest, Method};
use super::response::ApiResponse;
use crate::catalogue::{CatalogueData, CatalogueError, ObservationType, Repo};
use chrono::Utc;
use serde_json::{Value, json};
use std::borrow::Cow;

/// The measurement scales Lizard knows.
pub const SCALES: &[&str] = &["interval", "ratio", "nominal", "ordinal"];

const fn text(param: &'static str) -> FilterSpec {
    FilterSpec {
        param,
        field: param,
        kind: Kind::Text,
    }
}

const SCHEMA: Schema = Schema {
    filters: &[
        FilterSpec {
            param: "id",
            field: "id",
            kind: Kind::Int,
        },
        text("code"),
        text("parameter"),
        text("unit"),
        text("description"),
        text("scale"),
        text("compartment"),
        text("reference_frame"),
    ],
    ordering: &[
        "id",
        "code",
        "parameter",
        "unit",
        "scale",
        "description",
        "created",
        "last_modified",
    ],
    default_ordering: &["id"],
};

impl Fields for ObservationType {
    fn field(&self, name: &str) -> Field<'_> {
        let t = |s: &str| Field::Text(Some(Cow::Owned(s.to_owned())));
        let opt = |s: &Option<String>| Field::Text(s.as_deref().map(|s| Cow::Owned(s.to_owned())));
        match name {
            "id" => Field::Int(Some(self.id)),
            "code" => t(&self.code),
            "parameter" => t(&self.parameter),
            "unit" => t(&self.unit),
            "scale" => t(&self.scale),
            "description" => t(&self.description),
            "compartment" => opt(&self.compartment),
            "reference_frame" => opt(&self.reference_frame),
            "created" => Field::Time(Some(self.created)),
            "last_modified" => Field::Time(Some(self.last_modified)),
            _ => Field::Text(None),
        }
    }
}

/// The observation type as the API shows it (also nested in rasters).
pub fn serialize(req: &ApiRequest, o: &ObservationType) -> Value {
    json!({
        "url": req.url(&format!("observationtypes/{}/", o.id)),
        "id": o.id,
        "code": o.code,
        "parameter": o.parameter,
        "unit": o.unit,
        "scale": o.scale,
        "description": o.description,
        "domain_values": o.domain_values,
        "reference_frame": o.reference_frame,
        "compartment": o.compartment,
        "created": timestamp(o.created),
        "last_modified": timestamp(o.last_modified),
    })
}

pub fn handle(repo: &Repo, req: &ApiRequest) -> Result<ApiResponse, ApiError> {
    match (req.segments.get(1), req.segments.len(), req.method) {
        (None, _, m) if m.is_read() => list(req),
        (None, _, Method::Post) => create(repo, req),
        (Some(id), 2, m) if m.is_read() => Ok(ApiResponse::ok(serialize(req, find(req, id)?))),
        (Some(id), 2, Method::Put | Method::Patch) => change(repo, req, id),
        (Some(id), 2, Method::Delete) => delete(repo, req, id),
        (Some(_), 2, _) | (None, _, _) => Err(ApiError::MethodNotAllowed(req.method.name().into())),
        _ => Err(ApiError::NotFound),
    }
}

fn list(req: &ApiRequest) -> Result<ApiResponse, ApiError> {
    let rows: Vec<&ObservationType> = req.snapshot.data().observation_types.iter().collect();
    let (page, info) = query::list(rows, &SCHEMA, &req.params, &req.collection_url())?;
    let results = page.into_iter().map(|o| serialize(req, o)).collect();
    Ok(ApiResponse::ok(query::envelope(&info, results)))
}

fn find<'a>(req: &'a ApiRequest, id: &str) -> Result<&'a ObservationType, ApiError> {
    let id: i64 = id.parse().map_err(|_| ApiError::NotFound)?;
    req.snapshot.observation_type(id).ok_or(ApiError::NotFound)
}

fn create(repo: &Repo, req: &ApiRequest) -> Result<ApiResponse, ApiError> {
    body::superuser(req)?;
    let now = Utc::now();
    let mut o = ObservationType {
        id: next_id(req.snapshot.data()),
        code: String::new(),
        parameter: String::new(),
        unit: String::new(),
        scale: String::new(),
        description: String::new(),
        domain_values: None,
        reference_frame: None,
        compartment: None,
        created: now,
        last_modified: now,
    };
    apply(
        &mut o,
        req.write_object(crate::api::rules::OBSERVATION_TYPE)?,
        true,
    )?;
    check_code(req.snapshot.data(), &o)?;
    if !req.dry_run() {
        o = repo.catalogue.update(|data, _| {
            check_code(data, &o).map_err(|_| taken())?;
            let made = ObservationType {
                id: next_id(data),
                ..o.clone()
            };
            data.observation_types.push(made.clone());
            Ok(made)
        })?;
    }
    Ok(ApiResponse::created(serialize(req, &o)))
}

fn change(repo: &Repo, req: &ApiRequest, id: &str) -> Result<ApiResponse, ApiError> {
    body::superuser(req)?;
    let mut o = find(req, id)?.clone();
    apply(
        &mut o,
        req.write_object(crate::api::rules::OBSERVATION_TYPE)?,
        req.method == Method::Put,
    )?;
    o.last_modified = Utc::now();
    check_code(req.snapshot.data(), &o)?;
    if !req.dry_run() {
        let changed = o.clone();
        repo.catalogue.update(move |data, _| {
            check_code(data, &changed).map_err(|_| taken())?;
            let slot = data
                .observation_types
                .iter_mut()
                .find(|x| x.id == changed.id)
                .ok_or_else(|| CatalogueError::NotFound("observation type".into()))?;
            *slot = changed;
            Ok(())
        })?;
    }
    Ok(ApiResponse::ok(serialize(req, &o)))
}

fn delete(repo: &Repo, req: &ApiRequest, id: &str) -> Result<ApiResponse, ApiError> {
    body::superuser(req)?;
    let id = find(req, id)?.id;
    let used = |data: &CatalogueData| {
        let n = data
            .layers
            .iter()
            .filter(|l| l.observation_type == Some(id))
            .count();
        (n > 0).then(|| format!("{n} raster layer(s) use this observation type."))
    };
    if let Some(why) = used(req.snapshot.data()) {
        return Err(ApiError::PreconditionFailed(why));
    }
    if !req.dry_run() {
        repo.catalogue.update(|data, _| {
            if let Some(why) = used(data) {
                return Err(CatalogueError::Conflict(why));
            }
            data.observation_types.retain(|x| x.id != id);
            Ok(())
        })?;
    }
    Ok(ApiResponse::no_content())
}

fn next_id(data: &CatalogueData) -> i64 {
    data.observation_types
        .iter()
        .map(|o| o.id)
        .max()
        .unwrap_or(0)
        + 1
}

fn taken() -> CatalogueError {
    CatalogueError::Conflict("observation type with this code already exists.".into())
}

fn check_code(data: &CatalogueData, o: &ObservationType) -> Result<(), ApiError> {
    if data
        .observation_types
        .iter()
        .any(|x| x.id != o.id && x.code == o.code)
    {
        return Err(ApiError::field(
            "code",
            "observation type with this code already exists.",
        ));
    }
    Ok(())
}

/// Sets the fields the body gives; `full` (POST, PUT) requires `code` and `scale`.
fn apply(o: &mut ObservationType, map: &Object, full: bool) -> Result<(), ApiError> {
    if let Some(code) = body::name_text(map, "code", full)? {
        o.code = code;
    }
    for (name, slot) in [
        ("parameter", &mut o.parameter),
        ("unit", &mut o.unit),
        ("description", &mut o.description),
    ] {
        if let Some(v) = body::text(map, name)? {
            *slot = v;
        }
    }
    match body::text(map, "scale")? {
        Some(s) => {
            let s = s.trim().to_ascii_lowercase();
            if !SCALES.contains(&s.as_str()) {
                return Err(ApiError::field(
                    "scale",
                    format!(
                        "\"{s}\" is not a valid choice: use interval, ratio, nominal or ordinal."
                    ),
                ));
            }
            o.scale = s;
        }
        None if full => return Err(ApiError::field("scale", "This field is required.")),
        None => {}
    }
    for (name, slot) in [
        ("domain_values", &mut o.domain_values),
        ("reference_frame", &mut o.reference_frame),
        ("compartment", &mut o.compartment),
    ] {
        if let Some(v) = body::nullable_text(map, name)? {
            *slot = v;
        }
    }
    Ok(())
}
