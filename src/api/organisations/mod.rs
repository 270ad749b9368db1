//! `/api/v4/organisations/`: the owners of everything. Everybody may list
//! and read them; the object is `{url, uuid, name, slug, geoblocks,
//! created, last_modified}`. Superusers create, change and delete them
//! (`write.rs`).

pub mod body;
mod write;

use super::error::ApiError;
use super::fields::timestamp;
use super::query::{self, Fields, FilterSpec, Kind, Schema, Value as Field};
use super::request::ApiRequest;
use super::response::ApiResponse;
use crate::catalogue::{Organisation, Repo};
use serde_json::{Value, json};
use std::borrow::Cow;
use uuid::Uuid;

const SCHEMA: Schema = Schema {
    filters: &[
        FilterSpec {
            param: "name",
            field: "name",
            kind: Kind::Text,
        },
        FilterSpec {
            param: "slug",
            field: "slug",
            kind: Kind::Text,
        },
        FilterSpec {
            param: "uuid",
            field: "uuid",
            kind: Kind::Uuid,
        },
        FilterSpec {
            param: "geoblocks",
            field: "geoblocks",
            kind: Kind::Bool,
        },
    ],
    ordering: &["name", "slug", "created", "last_modified"],
    default_ordering: &["name"],
};

impl Fields for Organisation {
    fn field(&self, name: &str) -> Field<'_> {
        match name {
            "name" => Field::Text(Some(Cow::Borrowed(&self.name))),
            "slug" => Field::Text(Some(Cow::Borrowed(&self.slug))),
            "uuid" => Field::Uuid(Some(self.uuid)),
            "geoblocks" => Field::Bool(Some(self.geoblocks)),
            "created" => Field::Time(Some(self.created)),
            "last_modified" => Field::Time(Some(self.last_modified)),
            _ => Field::Text(None),
        }
    }
}

/// The organisation as the API shows it.
pub fn serialize(req: &ApiRequest, org: &Organisation) -> Value {
    json!({
        "url": req.url(&format!("organisations/{}/", org.uuid)),
        "uuid": org.uuid.to_string(),
        "name": org.name,
        "slug": org.slug,
        "geoblocks": org.geoblocks,
        "created": timestamp(org.created),
        "last_modified": timestamp(org.last_modified),
    })
}

pub fn handle(repo: &Repo, req: &ApiRequest) -> Result<ApiResponse, ApiError> {
    use super::request::Method::{Delete, Patch, Post, Put};
    match (req.segments.get(1), req.segments.len(), req.method) {
        (None, _, m) if m.is_read() => list(req),
        (None, _, Post) => write::create(repo, req),
        (Some(id), 2, m) if m.is_read() => detail(req, id),
        (Some(id), 2, Put | Patch) => write::change(repo, req, id),
        (Some(id), 2, Delete) => write::delete(repo, req, id),
        (Some(_), 2, _) | (None, _, _) => Err(ApiError::MethodNotAllowed(req.method.name().into())),
        _ => Err(ApiError::NotFound),
    }
}

fn list(req: &ApiRequest) -> Result<ApiResponse, ApiError> {
    let snap = &req.snapshot;
    let rows: Vec<&Organisation> = snap.data().organisations.iter().collect();
    let (page, info) = query::list(rows, &SCHEMA, &req.params, &req.collection_url())?;
    let results = page.into_iter().map(|o| serialize(req, o)).collect();
    Ok(ApiResponse::ok(query::envelope(&info, results)))
}

fn detail(req: &ApiRequest, id: &str) -> Result<ApiResponse, ApiError> {
    let uuid = Uuid::try_parse(id).map_err(|_| ApiError::NotFound)?;
    let org = req.snapshot.organisation(uuid).ok_or(ApiError::NotFound)?;
    Ok(ApiResponse::ok(serialize(req, org)))
}
