//! Operator actions on users, roles and keys, each one catalogue write:
//! what `tegel admin`, `TEGEL_ADMIN_KEY` and the tests use.

use super::durable::Catalogue;
use super::error::CatalogueError;
use super::people::{self, ApiKey, KeyScope, Role, RoleKind, User};
use super::snapshot::CatalogueData;
use chrono::Utc;
use uuid::Uuid;

/// The next free user id.
pub fn next_user_id(data: &CatalogueData) -> i64 {
    data.users.iter().map(|u| u.id).max().unwrap_or(0) + 1
}

/// A new active user record (not stored).
pub fn new_user(data: &CatalogueData, username: &str, superuser: bool) -> User {
    let now = Utc::now();
    User {
        id: next_user_id(data),
        username: username.to_owned(),
        email: String::new(),
        first_name: String::new(),
        last_name: String::new(),
        is_superuser: superuser,
        is_active: true,
        created: now,
        last_modified: now,
    }
}

/// Checks a username: 1–150 characters of letters, digits and `@.+-_`
/// (Django's rule), not the reserved key marker.
pub fn check_username(username: &str) -> Result<(), String> {
    let ok_char = |c: char| c.is_alphanumeric() || "@.+-_".contains(c);
    if username.is_empty() || username.chars().count() > 150 || !username.chars().all(ok_char) {
        return Err(
            "Enter a valid username: 1–150 letters, digits and @/./+/-/_ characters.".into(),
        );
    }
    if username.eq_ignore_ascii_case("__key__") {
        return Err("This username is reserved.".into());
    }
    Ok(())
}

/// Creates a user (a superuser when asked) with a new read/write key named
/// `key_name`; returns the user and the key text, shown only now.
pub fn create_user_with_key(
    catalogue: &Catalogue,
    username: &str,
    superuser: bool,
    key_name: &str,
) -> Result<(User, String), CatalogueError> {
    check_username(username).map_err(CatalogueError::Invalid)?;
    catalogue.update(|data, _| {
        if data
            .users
            .iter()
            .any(|u| u.username.eq_ignore_ascii_case(username))
        {
            return Err(CatalogueError::Conflict(format!(
                "a user named {username:?} exists already"
            )));
        }
        let user = new_user(data, username, superuser);
        let (text, key) = people::new_key(user.id, key_name, KeyScope::ReadWrite, None);
        data.users.push(user.clone());
        data.api_keys.push(key);
        Ok((user, text))
    })
}

/// A new read/write key for an existing user; returns its text.
pub fn create_key(
    catalogue: &Catalogue,
    username: &str,
    key_name: &str,
) -> Result<String, CatalogueError> {
    catalogue.update(|data, _| {
        let user = find_user(data, username)?;
        let (text, key) = people::new_key(user, key_name, KeyScope::ReadWrite, None);
        data.api_keys.push(key);
        Ok(text)
    })
}

/// Makes sure the superuser `admin` exists and that `key_text` (chosen by
/// the operator, e.g. from `TEGEL_ADMIN_KEY`) is one of its keys. Idempotent.
pub fn ensure_admin_key(catalogue: &Catalogue, key_text: &str) -> Result<(), CatalogueError> {
    let hash = people::hash_key(key_text);
    let snap = catalogue.snapshot();
    let (prefix, _) = people::split_key(key_text).ok_or_else(|| {
        CatalogueError::Invalid(
            "TEGEL_ADMIN_KEY must look like <prefix>.<secret> (letters and digits, a secret of 16 or more)"
                .into(),
        )
    })?;
    if snap
        .api_key(prefix)
        .is_some_and(|k| k.hash == hash && !k.revoked)
    {
        return Ok(());
    }
    catalogue.update(|data, _| {
        let user = match data.users.iter().find(|u| u.username == "admin") {
            Some(u) if u.is_superuser => u.id,
            Some(_) => {
                return Err(CatalogueError::Conflict(
                    "user \"admin\" exists and is not a superuser: TEGEL_ADMIN_KEY is refused".into(),
                ));
            }
            None => {
                let u = new_user(data, "admin", true);
                data.users.push(u.clone());
                u.id
            }
        };
        let key: ApiKey = people::chosen_key(key_text, user, "TEGEL_ADMIN_KEY").ok_or_else(|| {
            CatalogueError::Invalid(
                "TEGEL_ADMIN_KEY must look like <prefix>.<secret> (letters and digits, a secret of 16 or more)"
                    .into(),
            )
        })?;
        data.api_keys.retain(|k| k.prefix != key.prefix);
        data.api_keys.push(key);
        Ok(())
    })
}

/// Gives `username` the `role` in the organisation with `org_slug`.
pub fn grant(
    catalogue: &Catalogue,
    username: &str,
    org: Uuid,
    role: RoleKind,
) -> Result<(), CatalogueError> {
    catalogue.update(|data, _| {
        let user = find_user(data, username)?;
        if !data.organisations.iter().any(|o| o.uuid == org) {
            return Err(CatalogueError::NotFound(format!("organisation {org}")));
        }
        let r = Role {
            user,
            organisation: org,
            role,
        };
        if !data.roles.contains(&r) {
            data.roles.push(r);
        }
        Ok(())
    })
}

fn find_user(data: &CatalogueData, username: &str) -> Result<i64, CatalogueError> {
    data.users
        .iter()
        .find(|u| u.username.eq_ignore_ascii_case(username))
        .map(|u| u.id)
        .ok_or_else(|| CatalogueError::NotFound(format!("user {username:?}")))
}

/// The uuid of the organisation named by its slug or its uuid.
pub fn find_organisation(data: &CatalogueData, slug_or_uuid: &str) -> Result<Uuid, CatalogueError> {
    let wanted = slug_or_uuid.trim();
    let by_uuid = Uuid::try_parse(wanted).ok();
    data.organisations
        .iter()
        .find(|o| o.slug == wanted || Some(o.uuid) == by_uuid)
        .map(|o| o.uuid)
        .ok_or_else(|| CatalogueError::NotFound(format!("organisation {wanted:?}")))
}

/// Takes `role` in `org` away from `username`; NotFound when not held.
pub fn revoke_role(
    catalogue: &Catalogue,
    username: &str,
    org: Uuid,
    role: RoleKind,
) -> Result<(), CatalogueError> {
    catalogue.update(|data, _| {
        let user = find_user(data, username)?;
        let r = Role {
            user,
            organisation: org,
            role,
        };
        if !data.roles.contains(&r) {
            return Err(CatalogueError::NotFound(format!(
                "role {} of {username:?} in {org}",
                role.name()
            )));
        }
        data.roles.retain(|x| *x != r);
        Ok(())
    })
}

/// Revokes the key with `prefix`; returns its owner's username.
pub fn revoke_key(catalogue: &Catalogue, prefix: &str) -> Result<String, CatalogueError> {
    catalogue.update(|data, _| {
        let key = data
            .api_keys
            .iter_mut()
            .find(|k| k.prefix == prefix)
            .ok_or_else(|| CatalogueError::NotFound(format!("key with prefix {prefix:?}")))?;
        key.revoked = true;
        let user = key.user;
        Ok(data
            .users
            .iter()
            .find(|u| u.id == user)
            .map(|u| u.username.clone())
            .unwrap_or_default())
    })
}

/// One JSON object per user, in id order: the user, their roles (by
/// organisation slug) and their keys (never the hash).
pub fn user_summaries(data: &CatalogueData) -> Vec<serde_json::Value> {
    let mut users: Vec<&User> = data.users.iter().collect();
    users.sort_by_key(|u| u.id);
    users
        .into_iter()
        .map(|u| {
            let roles: Vec<serde_json::Value> = data
                .roles
                .iter()
                .filter(|r| r.user == u.id)
                .map(|r| {
                    let slug = data
                        .organisations
                        .iter()
                        .find(|o| o.uuid == r.organisation)
                        .map(|o| o.slug.clone());
                    serde_json::json!({
                        "organisation": slug,
                        "organisation_uuid": r.organisation.to_string(),
                        "role": r.role.name(),
                    })
                })
                .collect();
            let keys: Vec<serde_json::Value> = data
                .api_keys
                .iter()
                .filter(|k| k.user == u.id)
                .map(|k| {
                    serde_json::json!({
                        "prefix": k.prefix,
                        "name": k.name,
                        "scope": k.scope.name(),
                        "created": k.created,
                        "expiry": k.expiry,
                        "revoked": k.revoked,
                    })
                })
                .collect();
            serde_json::json!({
                "id": u.id,
                "username": u.username,
                "email": u.email,
                "is_superuser": u.is_superuser,
                "is_active": u.is_active,
                "roles": roles,
                "keys": keys,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::records::Organisation;

    #[test]
    fn operator_actions_round_trip() {
        let dir = std::env::temp_dir().join(format!("tegel-admin-{}", Uuid::new_v4().simple()));
        let cat = Catalogue::open(&dir).expect("catalogue");
        let org = Uuid::new_v4();
        cat.update(|d, _| {
            d.organisations.push(Organisation {
                uuid: org,
                name: "Org".into(),
                slug: "org".into(),
                geoblocks: true,
                created: Utc::now(),
                last_modified: Utc::now(),
            });
            Ok(())
        })
        .expect("org");
        let (user, key) = create_user_with_key(&cat, "ann", false, "k").expect("user");
        assert!(matches!(
            create_user_with_key(&cat, "ANN", true, "k"),
            Err(CatalogueError::Conflict(_))
        ));
        let snap = cat.snapshot();
        assert_eq!(find_organisation(snap.data(), "org").ok(), Some(org));
        assert_eq!(
            find_organisation(snap.data(), &org.to_string()).ok(),
            Some(org)
        );
        assert!(find_organisation(snap.data(), "nope").is_err());
        grant(&cat, "ann", org, RoleKind::Admin).expect("grant");
        grant(&cat, "ann", org, RoleKind::Admin).expect("grant twice");
        assert_eq!(cat.snapshot().roles_of(user.id).len(), 1);
        revoke_role(&cat, "ann", org, RoleKind::Admin).expect("revoke");
        assert!(revoke_role(&cat, "ann", org, RoleKind::Admin).is_err());
        let (prefix, secret) = people::split_key(&key).expect("key");
        assert_eq!(revoke_key(&cat, prefix).expect("revoke key"), "ann");
        assert!(cat.snapshot().api_key(prefix).expect("kept").revoked);
        let lines = user_summaries(cat.snapshot().data());
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0]["keys"][0]["revoked"], true);
        assert!(!lines[0].to_string().contains(secret));
        assert!(!lines[0].to_string().contains("hash"));
        drop(cat);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
