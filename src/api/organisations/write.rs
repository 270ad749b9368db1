//! Creating, changing and deleting organisations: superusers only.
//!
//! `name` is required on create (and PUT); `slug` defaults to
//! `slugify(name)` and is unique; `geoblocks` defaults to true on create.
//! A delete is refused (412) while sources, layers or layer collections
//! belong to the organisation; its roles go with it.

use super::body::{self, Object};
use super::serialize;
use crate::api::error::ApiError;
use crate::api::request::{ApiRequest, Method};
use crate::api::response::ApiResponse;
use crate::catalogue::{CatalogueData, CatalogueError, Organisation, Repo, slugify};
use chrono::Utc;
use uuid::Uuid;

pub fn create(repo: &Repo, req: &ApiRequest) -> Result<ApiResponse, ApiError> {
    body::superuser(req)?;
    let map = req.write_object(crate::api::rules::ORGANISATION)?;
    let now = Utc::now();
    let mut org = Organisation {
        uuid: Uuid::new_v4(),
        name: String::new(),
        slug: String::new(),
        geoblocks: true,
        created: now,
        last_modified: now,
    };
    apply(&mut org, map, true)?;
    check_unique(req.snapshot.data(), &org)?;
    if !req.dry_run() {
        let made = org.clone();
        repo.catalogue.update(move |data, _| {
            check_unique(data, &made).map_err(|_| slug_taken())?;
            data.organisations.push(made);
            Ok(())
        })?;
    }
    Ok(ApiResponse::created(serialize(req, &org)))
}

pub fn change(repo: &Repo, req: &ApiRequest, id: &str) -> Result<ApiResponse, ApiError> {
    body::superuser(req)?;
    let uuid = Uuid::try_parse(id).map_err(|_| ApiError::NotFound)?;
    let mut org = req
        .snapshot
        .organisation(uuid)
        .cloned()
        .ok_or(ApiError::NotFound)?;
    let map = req.write_object(crate::api::rules::ORGANISATION)?;
    apply(&mut org, map, req.method == Method::Put)?;
    org.last_modified = Utc::now();
    check_unique(req.snapshot.data(), &org)?;
    if !req.dry_run() {
        let changed = org.clone();
        repo.catalogue.update(move |data, _| {
            check_unique(data, &changed).map_err(|_| slug_taken())?;
            let slot = data
                .organisations
                .iter_mut()
                .find(|o| o.uuid == changed.uuid)
                .ok_or_else(|| CatalogueError::NotFound(format!("organisation {uuid}")))?;
            *slot = changed;
            Ok(())
        })?;
    }
    Ok(ApiResponse::ok(serialize(req, &org)))
}

pub fn delete(repo: &Repo, req: &ApiRequest, id: &str) -> Result<ApiResponse, ApiError> {
    body::superuser(req)?;
    let uuid = Uuid::try_parse(id).map_err(|_| ApiError::NotFound)?;
    req.snapshot.organisation(uuid).ok_or(ApiError::NotFound)?;
    if let Some(why) = in_use(req.snapshot.data(), uuid) {
        return Err(ApiError::PreconditionFailed(why));
    }
    if req.dry_run() {
        return Ok(ApiResponse::no_content());
    }
    repo.catalogue.update(|data, _| {
        if let Some(why) = in_use(data, uuid) {
            return Err(CatalogueError::Conflict(why));
        }
        data.organisations.retain(|o| o.uuid != uuid);
        data.roles.retain(|r| r.organisation != uuid);
        Ok(())
    })?;
    Ok(ApiResponse::no_content())
}

/// Sets the fields the body gives; `full` (POST, PUT) requires `name`.
fn apply(org: &mut Organisation, map: &Object, full: bool) -> Result<(), ApiError> {
    if let Some(name) = body::name_text(map, "name", full)? {
        org.name = name;
    }
    match body::text(map, "slug")? {
        Some(slug) if !slug.trim().is_empty() => {
            let slug = slug.trim().to_owned();
            body::check_slug(&slug)?;
            org.slug = slug;
        }
        _ if org.slug.is_empty() => {
            let slug = slugify(&org.name);
            if slug.is_empty() {
                return Err(ApiError::field(
                    "slug",
                    "No slug can be made of this name: give a slug.",
                ));
            }
            org.slug = slug;
        }
        _ => {}
    }
    if let Some(g) = body::boolean(map, "geoblocks")? {
        org.geoblocks = g;
    }
    Ok(())
}

const SLUG_TAKEN: &str = "organisation with this slug already exists.";

fn slug_taken() -> CatalogueError {
    CatalogueError::Conflict(SLUG_TAKEN.into())
}

/// The slug is free (400 naming `slug` otherwise).
fn check_unique(data: &CatalogueData, org: &Organisation) -> Result<(), ApiError> {
    let taken = data
        .organisations
        .iter()
        .any(|o| o.uuid != org.uuid && o.slug == org.slug);
    if taken {
        return Err(ApiError::field("slug", SLUG_TAKEN));
    }
    Ok(())
}

/// Why the organisation cannot go, if it cannot.
fn in_use(data: &CatalogueData, org: Uuid) -> Option<String> {
    let sources = data
        .sources
        .iter()
        .filter(|s| s.organisation == org)
        .count();
    let layers = data.layers.iter().filter(|l| l.organisation == org).count();
    let collections = data
        .layer_collections
        .iter()
        .filter(|c| c.organisation == org)
        .count();
    (sources + layers + collections > 0).then(|| {
        format!(
            "The organisation still owns {sources} raster source(s), {layers} raster layer(s) and {collections} layer collection(s); delete or move them first."
        )
    })
}
