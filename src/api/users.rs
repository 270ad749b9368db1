//! `/api/v4/users/`: the people who may authenticate. The object is `{url,
//! id, username, email, first_name, last_name, is_superuser, is_active,
//! roles: [{organisation{url, uuid, name}, role}]}`; no passwords exist
//! (keys only, see `personalapikeys.rs`).
//!
//! Superusers list, create, change and deactivate (DELETE) every user.
//! Other users see only themselves and may change their own email and
//! names. Usernames never change (objects name their supplier by it).

use super::error::ApiError;
use super::fields::organisation_of;
use super::organisations::body::{self, Object};
use super::query::{self, Fields, FilterSpec, Kind, Schema, Value as Field};
use super::request::{ApiRequest, Method};
use super::response::ApiResponse;
use crate::catalogue::{CatalogueError, Repo, User, admin};
use serde_json::{Value, json};
use std::borrow::Cow;

const SCHEMA: Schema = Schema {
    filters: &[
        FilterSpec {
            param: "id",
            field: "id",
            kind: Kind::Int,
        },
        FilterSpec {
            param: "username",
            field: "username",
            kind: Kind::Text,
        },
        FilterSpec {
            param: "email",
            field: "email",
            kind: Kind::Text,
        },
        FilterSpec {
            param: "is_active",
            field: "is_active",
            kind: Kind::Bool,
        },
        FilterSpec {
            param: "is_superuser",
            field: "is_superuser",
            kind: Kind::Bool,
        },
    ],
    ordering: &["id", "username", "email", "created", "last_modified"],
    default_ordering: &["username"],
};

impl Fields for User {
    fn field(&self, name: &str) -> Field<'_> {
        match name {
            "id" => Field::Int(Some(self.id)),
            "username" => Field::Text(Some(Cow::Borrowed(&self.username))),
            "email" => Field::Text(Some(Cow::Borrowed(&self.email))),
            "is_active" => Field::Bool(Some(self.is_active)),
            "is_superuser" => Field::Bool(Some(self.is_superuser)),
            "created" => Field::Time(Some(self.created)),
            "last_modified" => Field::Time(Some(self.last_modified)),
            _ => Field::Text(None),
        }
    }
}

/// The user as the API shows it, with their roles.
pub fn serialize(req: &ApiRequest, u: &User) -> Value {
    let roles: Vec<Value> = req
        .snapshot
        .roles_of(u.id)
        .iter()
        .map(|r| {
            json!({
                "organisation": organisation_of(req, &req.snapshot, r.organisation),
                "role": r.role.name(),
            })
        })
        .collect();
    json!({
        "url": req.url(&format!("users/{}/", u.id)),
        "id": u.id,
        "username": u.username,
        "email": u.email,
        "first_name": u.first_name,
        "last_name": u.last_name,
        "is_superuser": u.is_superuser,
        "is_active": u.is_active,
        "roles": roles,
    })
}

pub fn handle(repo: &Repo, req: &ApiRequest) -> Result<ApiResponse, ApiError> {
    // Nobody anonymous learns who the users are.
    body::authenticated(req)?;
    match (req.segments.get(1), req.segments.len(), req.method) {
        (None, _, m) if m.is_read() => list(req),
        (None, _, Method::Post) => create(repo, req),
        (Some(id), 2, m) if m.is_read() => Ok(ApiResponse::ok(serialize(req, find(req, id)?))),
        (Some(id), 2, Method::Put | Method::Patch) => change(repo, req, id),
        (Some(id), 2, Method::Delete) => deactivate(repo, req, id),
        (Some(_), 2, _) | (None, _, _) => Err(ApiError::MethodNotAllowed(req.method.name().into())),
        _ => Err(ApiError::NotFound),
    }
}

fn list(req: &ApiRequest) -> Result<ApiResponse, ApiError> {
    let me = req.caller.user_id();
    let rows: Vec<&User> = req
        .snapshot
        .data()
        .users
        .iter()
        .filter(|u| req.caller.is_superuser() || Some(u.id) == me)
        .collect();
    let (page, info) = query::list(rows, &SCHEMA, &req.params, &req.collection_url())?;
    let results = page.into_iter().map(|u| serialize(req, u)).collect();
    Ok(ApiResponse::ok(query::envelope(&info, results)))
}

/// A user the caller may see (a superuser: all; others: themselves).
fn find<'a>(req: &'a ApiRequest, id: &str) -> Result<&'a User, ApiError> {
    let id: i64 = id.parse().map_err(|_| ApiError::NotFound)?;
    req.snapshot
        .user(id)
        .filter(|u| req.caller.is_superuser() || req.caller.user_id() == Some(u.id))
        .ok_or(ApiError::NotFound)
}

fn create(repo: &Repo, req: &ApiRequest) -> Result<ApiResponse, ApiError> {
    body::superuser(req)?;
    let map = req.write_object(crate::api::rules::USER)?;
    let username = body::name_text(map, "username", true)?.unwrap_or_default();
    admin::check_username(&username).map_err(|m| ApiError::field("username", m))?;
    if req.snapshot.user_by_name(&username).is_some() {
        return Err(username_taken());
    }
    let mut user = admin::new_user(req.snapshot.data(), &username, false);
    apply(req, &mut user, map)?;
    if !req.dry_run() {
        user = repo.catalogue.update(|data, _| {
            if data
                .users
                .iter()
                .any(|u| u.username.eq_ignore_ascii_case(&username))
            {
                return Err(CatalogueError::Conflict(
                    "A user with that username already exists.".into(),
                ));
            }
            let made = User {
                id: admin::next_user_id(data),
                ..user.clone()
            };
            data.users.push(made.clone());
            Ok(made)
        })?;
    }
    Ok(ApiResponse::created(serialize(req, &user)))
}

fn change(repo: &Repo, req: &ApiRequest, id: &str) -> Result<ApiResponse, ApiError> {
    let mut user = find(req, id)?.clone();
    let map = req.write_object(crate::api::rules::USER)?;
    if let Some(name) = body::text(map, "username")? {
        if name.trim() != user.username {
            return Err(ApiError::field("username", "A username cannot be changed."));
        }
    }
    apply(req, &mut user, map)?;
    user.last_modified = chrono::Utc::now();
    if !req.dry_run() {
        store(repo, user.clone())?;
    }
    Ok(ApiResponse::ok(serialize(req, &user)))
}

fn deactivate(repo: &Repo, req: &ApiRequest, id: &str) -> Result<ApiResponse, ApiError> {
    body::superuser(req)?;
    let mut user = find(req, id)?.clone();
    user.is_active = false;
    user.last_modified = chrono::Utc::now();
    if !req.dry_run() {
        store(repo, user)?;
    }
    Ok(ApiResponse::no_content())
}

fn store(repo: &Repo, user: User) -> Result<(), ApiError> {
    repo.catalogue.update(move |data, _| {
        let slot = data
            .users
            .iter_mut()
            .find(|u| u.id == user.id)
            .ok_or_else(|| CatalogueError::NotFound("user".into()))?;
        *slot = user;
        Ok(())
    })?;
    Ok(())
}

fn username_taken() -> ApiError {
    ApiError::field("username", "A user with that username already exists.")
}

/// Sets the fields the body gives; only superusers change the flags.
fn apply(req: &ApiRequest, u: &mut User, map: &Object) -> Result<(), ApiError> {
    for (name, slot) in [
        ("email", &mut u.email),
        ("first_name", &mut u.first_name),
        ("last_name", &mut u.last_name),
    ] {
        if let Some(v) = body::text(map, name)? {
            *slot = v.trim().to_owned();
        }
    }
    if !u.email.is_empty() && !looks_like_email(&u.email) {
        return Err(ApiError::field("email", "Enter a valid email address."));
    }
    for (name, slot) in [
        ("is_superuser", &mut u.is_superuser),
        ("is_active", &mut u.is_active),
    ] {
        if let Some(v) = body::boolean(map, name)? {
            if v != *slot && !req.caller.is_superuser() {
                return Err(ApiError::permission_denied());
            }
            *slot = v;
        }
    }
    Ok(())
}

fn looks_like_email(s: &str) -> bool {
    match s.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty() && domain.contains('.') && !s.contains(char::is_whitespace)
        }
        None => false,
    }
}
