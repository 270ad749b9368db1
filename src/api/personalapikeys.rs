//! `/api/v4/personalapikeys/`: the caller's own API keys. A key is `{url,
//! prefix, name, scope, created, expiry, revoked}`; its hash is never shown.
//! `POST {name, scope?, expiry?}` makes one and answers 201 with the key
//! text in `key` — shown only in that response. `DELETE …/{prefix}/` or
//! `POST …/{prefix}/revoke/` revokes it (the record stays, listed as
//! revoked). Keys of other users do not exist here, for superusers too
//! (`tegel admin create-key` makes keys for others).

use super::error::ApiError;
use super::fields::timestamp;
use super::organisations::body;
use super::query::{self, Fields, FilterSpec, Kind, Schema, Value as Field};
use super::request::{ApiRequest, Method};
use super::response::ApiResponse;
use crate::catalogue::{ApiKey, CatalogueError, KeyScope, Repo, people};
use chrono::Utc;
use serde_json::{Value, json};
use std::borrow::Cow;

const SCHEMA: Schema = Schema {
    filters: &[
        FilterSpec {
            param: "name",
            field: "name",
            kind: Kind::Text,
        },
        FilterSpec {
            param: "prefix",
            field: "prefix",
            kind: Kind::Text,
        },
        FilterSpec {
            param: "scope",
            field: "scope",
            kind: Kind::Text,
        },
        FilterSpec {
            param: "revoked",
            field: "revoked",
            kind: Kind::Bool,
        },
        FilterSpec {
            param: "created",
            field: "created",
            kind: Kind::Time,
        },
    ],
    ordering: &["name", "created", "expiry", "prefix"],
    default_ordering: &["-created"],
};

impl Fields for ApiKey {
    fn field(&self, name: &str) -> Field<'_> {
        match name {
            "name" => Field::Text(Some(Cow::Borrowed(&self.name))),
            "prefix" => Field::Text(Some(Cow::Borrowed(&self.prefix))),
            "scope" => Field::Text(Some(Cow::Borrowed(self.scope.name()))),
            "revoked" => Field::Bool(Some(self.revoked)),
            "created" => Field::Time(Some(self.created)),
            "expiry" => Field::Time(self.expiry),
            _ => Field::Text(None),
        }
    }
}

fn serialize(req: &ApiRequest, k: &ApiKey) -> Value {
    json!({
        "url": req.url(&format!("personalapikeys/{}/", k.prefix)),
        "prefix": k.prefix,
        "name": k.name,
        "scope": k.scope.name(),
        "created": timestamp(k.created),
        "expiry": k.expiry.map(timestamp),
        "revoked": k.revoked,
    })
}

pub fn handle(repo: &Repo, req: &ApiRequest) -> Result<ApiResponse, ApiError> {
    body::authenticated(req)?;
    let seg = |i: usize| req.segments.get(i).map(String::as_str);
    match (seg(1), seg(2), req.segments.len(), req.method) {
        (None, _, _, m) if m.is_read() => list(req),
        (None, _, _, Method::Post) => create(repo, req),
        (Some(p), None, 2, m) if m.is_read() => Ok(ApiResponse::ok(serialize(req, find(req, p)?))),
        (Some(p), None, 2, Method::Delete) => {
            revoke(repo, req, p)?;
            Ok(ApiResponse::no_content())
        }
        (Some(p), Some("revoke"), 3, Method::Post) => {
            let key = revoke(repo, req, p)?;
            Ok(ApiResponse::ok(serialize(req, &key)))
        }
        (Some(_), None, 2, _) | (None, _, _, _) | (Some(_), Some("revoke"), 3, _) => {
            Err(ApiError::MethodNotAllowed(req.method.name().into()))
        }
        _ => Err(ApiError::NotFound),
    }
}

fn list(req: &ApiRequest) -> Result<ApiResponse, ApiError> {
    let me = req.caller.user_id();
    let rows: Vec<&ApiKey> = req
        .snapshot
        .data()
        .api_keys
        .iter()
        .filter(|k| Some(k.user) == me)
        .collect();
    let (page, info) = query::list(rows, &SCHEMA, &req.params, &req.collection_url())?;
    let results = page.into_iter().map(|k| serialize(req, k)).collect();
    Ok(ApiResponse::ok(query::envelope(&info, results)))
}

/// One of the caller's keys by prefix, else 404.
fn find<'a>(req: &'a ApiRequest, prefix: &str) -> Result<&'a ApiKey, ApiError> {
    req.snapshot
        .api_key(prefix)
        .filter(|k| Some(k.user) == req.caller.user_id())
        .ok_or(ApiError::NotFound)
}

fn create(repo: &Repo, req: &ApiRequest) -> Result<ApiResponse, ApiError> {
    let user = req.caller.user_id().ok_or(ApiError::NotAuthenticated)?;
    let map = req.write_object(crate::api::rules::PERSONAL_API_KEY)?;
    let name = body::name_text(map, "name", true)?.unwrap_or_default();
    let scope = match body::text(map, "scope")? {
        None => KeyScope::ReadWrite,
        Some(s) => KeyScope::parse(&s).ok_or_else(|| {
            ApiError::field(
                "scope",
                format!("\"{s}\" is not a valid choice: use *:readwrite or ftp:readwrite."),
            )
        })?,
    };
    let expiry = body::nullable_time(map, "expiry")?.flatten();
    if expiry.is_some_and(|e| e <= Utc::now()) {
        return Err(ApiError::field(
            "expiry",
            "The expiry must be in the future.",
        ));
    }
    let (text, key) = people::new_key(user, &name, scope, expiry);
    if !req.dry_run() {
        let record = key.clone();
        repo.catalogue.update(move |data, _| {
            if data.api_keys.iter().any(|k| k.prefix == record.prefix) {
                return Err(CatalogueError::Conflict(
                    "A key with this prefix exists; try again.".into(),
                ));
            }
            data.api_keys.push(record);
            Ok(())
        })?;
    }
    let mut out = serialize(req, &key);
    if let Value::Object(m) = &mut out {
        m.insert("key".into(), Value::String(text));
    }
    Ok(ApiResponse::created(out))
}

/// Revokes one of the caller's keys (already revoked: unchanged).
fn revoke(repo: &Repo, req: &ApiRequest, prefix: &str) -> Result<ApiKey, ApiError> {
    let mut key = find(req, prefix)?.clone();
    key.revoked = true;
    if !req.dry_run() {
        let prefix = key.prefix.clone();
        repo.catalogue.update(move |data, _| {
            let slot = data
                .api_keys
                .iter_mut()
                .find(|k| k.prefix == prefix)
                .ok_or_else(|| CatalogueError::NotFound("key".into()))?;
            slot.revoked = true;
            Ok(())
        })?;
    }
    Ok(key)
}
