//! `/api/v4/layercollections/`: named groups of raster layers; each slug is
//! also a WMS scope. The object is `{url, uuid, slug, name, description,
//! organisation{url, uuid, name}, access_modifier, supplier, created,
//! last_modified, writable}`.
//!
//! Reads follow the access rules (`catalogue::access`); writes need the
//! admin role in the owning organisation, or the supplier role for
//! collections the caller supplies (suppliers always supply what they
//! create). Slugs are unique. Deleting a collection takes it out of every
//! layer's `layer_collections` in the same update.

use super::error::ApiError;
use super::fields::{organisation_of, parse_access, parse_uuid_ref, timestamp};
use super::organisations::body::{self, Object};
use super::query::{self, ACCESS_MODIFIERS, Fields, FilterSpec, Kind, Schema, Value as Field};
use super::request::{ApiRequest, Method};
use super::response::ApiResponse;
use crate::catalogue::{
    AccessModifier, Caller, CatalogueData, CatalogueError, Guard, LayerCollection, Repo, RoleKind,
    slugify,
};
use chrono::Utc;
use serde_json::{Value, json};
use std::borrow::Cow;
use uuid::Uuid;

const SCHEMA: Schema = Schema {
    filters: &[
        FilterSpec {
            param: "slug",
            field: "slug",
            kind: Kind::Text,
        },
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
            field: "organisation",
            kind: Kind::Uuid,
        },
        FilterSpec {
            param: "access_modifier",
            field: "access_modifier",
            kind: Kind::Choice(ACCESS_MODIFIERS),
        },
        FilterSpec {
            param: "supplier",
            field: "supplier",
            kind: Kind::Text,
        },
    ],
    ordering: &[
        "name",
        "slug",
        "created",
        "last_modified",
        "access_modifier",
    ],
    default_ordering: &["name"],
};

impl Fields for LayerCollection {
    fn field(&self, name: &str) -> Field<'_> {
        match name {
            "slug" => Field::Text(Some(Cow::Borrowed(&self.slug))),
            "name" => Field::Text(Some(Cow::Borrowed(&self.name))),
            "uuid" => Field::Uuid(Some(self.uuid)),
            "organisation" => Field::Uuid(Some(self.organisation)),
            "access_modifier" => Field::Text(Some(Cow::Borrowed(self.access_modifier.name()))),
            "supplier" => Field::Text(self.supplier.as_deref().map(Cow::Borrowed)),
            "created" => Field::Time(Some(self.created)),
            "last_modified" => Field::Time(Some(self.last_modified)),
            _ => Field::Text(None),
        }
    }
}

fn guard(c: &LayerCollection) -> Guard<'_> {
    Guard::collection(c)
}

/// The collection as the API shows it to this caller.
pub fn serialize(req: &ApiRequest, c: &LayerCollection) -> Value {
    json!({
        "url": req.url(&format!("layercollections/{}/", c.uuid)),
        "uuid": c.uuid.to_string(),
        "slug": c.slug,
        "name": c.name,
        "description": c.description,
        "organisation": organisation_of(req, &req.snapshot, c.organisation),
        "access_modifier": c.access_modifier.name(),
        "supplier": c.supplier,
        "created": timestamp(c.created),
        "last_modified": timestamp(c.last_modified),
        "writable": guard(c).can_write(&req.caller),
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
    let rows: Vec<&LayerCollection> = req
        .snapshot
        .data()
        .layer_collections
        .iter()
        .filter(|c| guard(c).can_read(&req.caller))
        .collect();
    let (page, info) = query::list(rows, &SCHEMA, &req.params, &req.collection_url())?;
    let results = page.into_iter().map(|c| serialize(req, c)).collect();
    Ok(ApiResponse::ok(query::envelope(&info, results)))
}

/// A collection the caller may read, by uuid (or slug), else 404.
fn find<'a>(req: &'a ApiRequest, id: &str) -> Result<&'a LayerCollection, ApiError> {
    let found = match Uuid::try_parse(id) {
        Ok(u) => req.snapshot.layer_collection(u),
        Err(_) => req.snapshot.layer_collection_by_slug(id),
    };
    found
        .filter(|c| guard(c).can_read(&req.caller))
        .ok_or(ApiError::NotFound)
}

fn create(repo: &Repo, req: &ApiRequest) -> Result<ApiResponse, ApiError> {
    body::authenticated(req)?;
    let map = req.write_object(crate::api::rules::LAYER_COLLECTION)?;
    let now = Utc::now();
    let mut c = LayerCollection {
        uuid: Uuid::new_v4(),
        slug: String::new(),
        name: String::new(),
        description: String::new(),
        organisation: Uuid::nil(),
        access_modifier: AccessModifier::Private,
        supplier: None,
        created: now,
        last_modified: now,
    };
    if !map.contains_key("organisation") {
        return Err(ApiError::field("organisation", "This field is required."));
    }
    apply(req, &mut c, map, true)?;
    check_slug_free(req.snapshot.data(), &c)?;
    if !req.dry_run() {
        let made = c.clone();
        repo.catalogue.update(move |data, _| {
            check_slug_free(data, &made).map_err(|_| slug_taken())?;
            data.layer_collections.push(made);
            Ok(())
        })?;
    }
    Ok(ApiResponse::created(serialize(req, &c)))
}

fn change(repo: &Repo, req: &ApiRequest, id: &str) -> Result<ApiResponse, ApiError> {
    body::authenticated(req)?;
    let mut c = find(req, id)?.clone();
    if !guard(&c).can_write(&req.caller) {
        return Err(ApiError::permission_denied());
    }
    apply(
        req,
        &mut c,
        req.write_object(crate::api::rules::LAYER_COLLECTION)?,
        req.method == Method::Put,
    )?;
    if !guard(&c).can_write(&req.caller) {
        // E.g. a supplier giving their collection away.
        return Err(ApiError::permission_denied());
    }
    c.last_modified = Utc::now();
    check_slug_free(req.snapshot.data(), &c)?;
    if !req.dry_run() {
        let changed = c.clone();
        repo.catalogue.update(move |data, _| {
            check_slug_free(data, &changed).map_err(|_| slug_taken())?;
            let slot = data
                .layer_collections
                .iter_mut()
                .find(|x| x.uuid == changed.uuid)
                .ok_or_else(|| CatalogueError::NotFound("layer collection".into()))?;
            *slot = changed;
            Ok(())
        })?;
    }
    Ok(ApiResponse::ok(serialize(req, &c)))
}

fn delete(repo: &Repo, req: &ApiRequest, id: &str) -> Result<ApiResponse, ApiError> {
    body::authenticated(req)?;
    let c = find(req, id)?;
    if !guard(c).can_write(&req.caller) {
        return Err(ApiError::permission_denied());
    }
    let uuid = c.uuid;
    if !req.dry_run() {
        repo.catalogue.update(|data, rev| {
            let now = Utc::now();
            data.layer_collections.retain(|x| x.uuid != uuid);
            for layer in &mut data.layers {
                if layer.layer_collections.contains(&uuid) {
                    layer.layer_collections.retain(|x| *x != uuid);
                    layer.revision = rev;
                    layer.last_modified = now;
                }
            }
            Ok(())
        })?;
    }
    Ok(ApiResponse::no_content())
}

fn slug_taken() -> CatalogueError {
    CatalogueError::Conflict("layer collection with this slug already exists.".into())
}

fn check_slug_free(data: &CatalogueData, c: &LayerCollection) -> Result<(), ApiError> {
    if data
        .layer_collections
        .iter()
        .any(|x| x.uuid != c.uuid && x.slug == c.slug)
    {
        return Err(ApiError::field(
            "slug",
            "layer collection with this slug already exists.",
        ));
    }
    Ok(())
}

/// Sets the fields the body gives; `full` (POST, PUT) requires `name`.
fn apply(
    req: &ApiRequest,
    c: &mut LayerCollection,
    map: &Object,
    full: bool,
) -> Result<(), ApiError> {
    let caller = &req.caller;
    if let Some(name) = body::name_text(map, "name", full)? {
        c.name = name;
    }
    if let Some(d) = body::text(map, "description")? {
        c.description = d;
    }
    match body::text(map, "slug")? {
        Some(slug) if !slug.trim().is_empty() => {
            let slug = slug.trim().to_owned();
            body::check_slug(&slug)?;
            c.slug = slug;
        }
        _ if c.slug.is_empty() => {
            c.slug = slugify(&c.name);
            if c.slug.is_empty() {
                return Err(ApiError::field(
                    "slug",
                    "No slug can be made of this name: give a slug.",
                ));
            }
        }
        _ => {}
    }
    if let Some(v) = map.get("access_modifier") {
        c.access_modifier = parse_access(v).map_err(|m| ApiError::field("access_modifier", m))?;
    }
    if let Some(v) = map.get("organisation") {
        let org = parse_uuid_ref(v).map_err(|m| ApiError::field("organisation", m))?;
        if req.snapshot.organisation(org).is_none() {
            return Err(ApiError::field(
                "organisation",
                format!("Invalid pk \"{org}\" - object does not exist."),
            ));
        }
        if org != c.organisation && !caller.may_create_in(org) {
            return Err(ApiError::permission_denied());
        }
        c.organisation = org;
    }
    let admin = caller.is_superuser() || caller.has_role(c.organisation, &[RoleKind::Admin]);
    if admin {
        if let Some(s) = body::nullable_text(map, "supplier")? {
            if let Some(name) = &s {
                if req.snapshot.user_by_name(name).is_none() {
                    return Err(ApiError::field(
                        "supplier",
                        format!("User \"{name}\" does not exist."),
                    ));
                }
            }
            c.supplier = s;
        }
    } else {
        c.supplier = own_name(caller);
    }
    Ok(())
}

fn own_name(caller: &Caller) -> Option<String> {
    caller.username().map(str::to_owned)
}
