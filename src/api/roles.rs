//! `/api/v4/roles/`: who holds which role in which organisation. A row is
//! `{organisation{url, uuid, name}, user, username, role}` (`user` is the
//! user's id; `role` one of `user`, `supplier`, `admin`, `manager`).
//!
//! Superusers see and change every role; an organisation's managers see and
//! grant or revoke the roles in it; everybody else sees their own roles.
//! `POST {organisation, username | user, role}` grants (201, idempotent);
//! `DELETE` on the collection with the same body revokes (204, 404 when
//! the role is not held).

use super::error::ApiError;
use super::fields::{organisation_of, parse_uuid_ref};
use super::organisations::body::{self, Object};
use super::query::{self, Fields, FilterSpec, Kind, Schema, Value as Field};
use super::request::{ApiRequest, Method};
use super::response::ApiResponse;
use crate::catalogue::{CatalogueError, Repo, Role, RoleKind};
use serde_json::{Value, json};
use std::borrow::Cow;

const SCHEMA: Schema = Schema {
    filters: &[
        FilterSpec {
            param: "organisation__uuid",
            field: "organisation",
            kind: Kind::Uuid,
        },
        FilterSpec {
            param: "user",
            field: "user",
            kind: Kind::Int,
        },
        FilterSpec {
            param: "username",
            field: "username",
            kind: Kind::Text,
        },
        FilterSpec {
            param: "role",
            field: "role",
            kind: Kind::Text,
        },
    ],
    ordering: &["username", "role", "user"],
    default_ordering: &["username", "role"],
};

/// A role with its username, as lists filter it.
struct Row<'a> {
    role: &'a Role,
    username: &'a str,
}

impl Fields for Row<'_> {
    fn field(&self, name: &str) -> Field<'_> {
        match name {
            "organisation" => Field::Uuid(Some(self.role.organisation)),
            "user" => Field::Int(Some(self.role.user)),
            "username" => Field::Text(Some(Cow::Borrowed(self.username))),
            "role" => Field::Text(Some(Cow::Borrowed(self.role.role.name()))),
            _ => Field::Text(None),
        }
    }
}

fn serialize(req: &ApiRequest, role: &Role, username: &str) -> Value {
    json!({
        "organisation": organisation_of(req, &req.snapshot, role.organisation),
        "user": role.user,
        "username": username,
        "role": role.role.name(),
    })
}

pub fn handle(repo: &Repo, req: &ApiRequest) -> Result<ApiResponse, ApiError> {
    body::authenticated(req)?;
    if req.segments.len() > 1 {
        return Err(ApiError::NotFound);
    }
    match req.method {
        m if m.is_read() => list(req),
        Method::Post => grant(repo, req),
        Method::Delete => revoke(repo, req),
        m => Err(ApiError::MethodNotAllowed(m.name().into())),
    }
}

fn list(req: &ApiRequest) -> Result<ApiResponse, ApiError> {
    let snap = &req.snapshot;
    let me = req.caller.user_id();
    let rows: Vec<Row> = snap
        .data()
        .roles
        .iter()
        .filter(|r| req.caller.may_manage(r.organisation) || Some(r.user) == me)
        .filter_map(|r| {
            snap.user(r.user).map(|u| Row {
                role: r,
                username: &u.username,
            })
        })
        .collect();
    let (page, info) = query::list(rows, &SCHEMA, &req.params, &req.collection_url())?;
    let results = page
        .into_iter()
        .map(|r| serialize(req, r.role, r.username))
        .collect();
    Ok(ApiResponse::ok(query::envelope(&info, results)))
}

/// The role the body names, checked against the snapshot and the caller's
/// right to manage its organisation; also the username.
fn parse(req: &ApiRequest, map: &Object) -> Result<(Role, String), ApiError> {
    let org = match map.get("organisation") {
        None => return Err(ApiError::field("organisation", "This field is required.")),
        Some(v) => parse_uuid_ref(v).map_err(|m| ApiError::field("organisation", m))?,
    };
    if req.snapshot.organisation(org).is_none() {
        return Err(ApiError::field(
            "organisation",
            format!("Invalid pk \"{org}\" - object does not exist."),
        ));
    }
    if !req.caller.may_manage(org) {
        return Err(ApiError::permission_denied());
    }
    let user = match (body::text(map, "username")?, map.get("user")) {
        (Some(name), _) => req.snapshot.user_by_name(name.trim()).ok_or_else(|| {
            ApiError::field(
                "username",
                format!("User \"{}\" does not exist.", name.trim()),
            )
        })?,
        (None, Some(v)) => {
            let id = match v {
                Value::Number(n) => n.as_i64(),
                Value::String(s) => s.trim().parse().ok(),
                _ => None,
            };
            id.and_then(|id| req.snapshot.user(id)).ok_or_else(|| {
                ApiError::field(
                    "user",
                    format!("Invalid pk \"{v}\" - object does not exist."),
                )
            })?
        }
        (None, None) => return Err(ApiError::field("username", "This field is required.")),
    };
    let role = match body::text(map, "role")? {
        None => return Err(ApiError::field("role", "This field is required.")),
        Some(r) => RoleKind::parse(&r).ok_or_else(|| {
            ApiError::field(
                "role",
                format!("\"{r}\" is not a valid choice: use user, supplier, admin or manager."),
            )
        })?,
    };
    Ok((
        Role {
            user: user.id,
            organisation: org,
            role,
        },
        user.username.clone(),
    ))
}

fn grant(repo: &Repo, req: &ApiRequest) -> Result<ApiResponse, ApiError> {
    let (role, username) = parse(req, req.write_object(crate::api::rules::ROLE)?)?;
    if !req.dry_run() {
        repo.catalogue.update(|data, _| {
            if !data.users.iter().any(|u| u.id == role.user)
                || !data
                    .organisations
                    .iter()
                    .any(|o| o.uuid == role.organisation)
            {
                return Err(CatalogueError::Conflict(
                    "The user or the organisation is gone.".into(),
                ));
            }
            if !data.roles.contains(&role) {
                data.roles.push(role);
            }
            Ok(())
        })?;
    }
    Ok(ApiResponse::created(serialize(req, &role, &username)))
}

fn revoke(repo: &Repo, req: &ApiRequest) -> Result<ApiResponse, ApiError> {
    let (role, _) = parse(req, req.write_object(crate::api::rules::ROLE)?)?;
    if !req.snapshot.data().roles.contains(&role) {
        return Err(ApiError::NotFound);
    }
    if !req.dry_run() {
        repo.catalogue.update(|data, _| {
            data.roles.retain(|r| *r != role);
            Ok(())
        })?;
    }
    Ok(ApiResponse::no_content())
}
