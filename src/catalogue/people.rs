//! Users, their roles in organisations and their personal API keys.
//!
//! A key reads `<prefix>.<secret>` (Lizard's shape, e.g. `Ab3dE6gH.9f…`): the
//! prefix finds the record, the SHA-256 of the whole key proves it. Only the
//! hash is stored; the key itself is shown once, when it is made.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// A person (or application) that may authenticate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    /// May do everything, in every organisation.
    pub is_superuser: bool,
    /// Inactive users cannot authenticate; their objects stay.
    pub is_active: bool,
    pub created: DateTime<Utc>,
    pub last_modified: DateTime<Utc>,
}

/// What a role lets a user do in one organisation (lizard-api.md §4.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RoleKind {
    /// Read the organisation's non-public objects.
    User,
    /// Read, and write the objects they supply.
    Supplier,
    /// Read and write all of the organisation's objects.
    Admin,
    /// Grant and revoke roles; no data rights by itself.
    Manager,
}

impl RoleKind {
    pub const ALL: [RoleKind; 4] = [
        RoleKind::User,
        RoleKind::Supplier,
        RoleKind::Admin,
        RoleKind::Manager,
    ];

    pub fn name(self) -> &'static str {
        match self {
            RoleKind::User => "user",
            RoleKind::Supplier => "supplier",
            RoleKind::Admin => "admin",
            RoleKind::Manager => "manager",
        }
    }

    pub fn parse(s: &str) -> Option<RoleKind> {
        RoleKind::ALL
            .into_iter()
            .find(|r| r.name().eq_ignore_ascii_case(s.trim()))
    }
}

/// One role of one user in one organisation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Role {
    pub user: i64,
    pub organisation: Uuid,
    pub role: RoleKind,
}

/// What a key may be used for: the REST API and map services, or only FTP
/// (which tegel does not serve, so such keys never authenticate here).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum KeyScope {
    #[default]
    #[serde(rename = "*:readwrite")]
    ReadWrite,
    #[serde(rename = "ftp:readwrite")]
    Ftp,
}

impl KeyScope {
    pub fn name(self) -> &'static str {
        match self {
            KeyScope::ReadWrite => "*:readwrite",
            KeyScope::Ftp => "ftp:readwrite",
        }
    }

    pub fn parse(s: &str) -> Option<KeyScope> {
        match s.trim().to_ascii_lowercase().as_str() {
            "*:readwrite" | "readwrite" | "read/write" => Some(KeyScope::ReadWrite),
            "ftp:readwrite" | "ftp" => Some(KeyScope::Ftp),
            _ => None,
        }
    }
}

/// A personal API key, as stored (the key itself is not).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ApiKey {
    pub prefix: String,
    /// Hex SHA-256 of the whole key text.
    pub hash: String,
    pub name: String,
    pub user: i64,
    pub scope: KeyScope,
    pub created: DateTime<Utc>,
    pub expiry: Option<DateTime<Utc>>,
    pub revoked: bool,
}

impl ApiKey {
    /// Usable at `now` for the API and map services.
    pub fn valid_at(&self, now: DateTime<Utc>) -> bool {
        !self.revoked && self.scope == KeyScope::ReadWrite && self.expiry.is_none_or(|e| now < e)
    }
}

/// A new key's text and its record; the text goes to the user once.
pub fn new_key(
    user: i64,
    name: &str,
    scope: KeyScope,
    expiry: Option<DateTime<Utc>>,
) -> (String, ApiKey) {
    let prefix: String = random_hex().chars().take(8).collect();
    let secret = format!("{}{}", random_hex(), random_hex());
    let text = format!("{prefix}.{secret}");
    let record = ApiKey {
        prefix,
        hash: hash_key(&text),
        name: name.to_owned(),
        user,
        scope,
        created: Utc::now(),
        expiry,
        revoked: false,
    };
    (text, record)
}

/// The record for a key text chosen by an operator (`TEGEL_ADMIN_KEY`), or
/// `None` when the text is too short or lacks a `.`-separated prefix.
pub fn chosen_key(text: &str, user: i64, name: &str) -> Option<ApiKey> {
    let (prefix, secret) = split_key(text)?;
    if secret.len() < 16 {
        return None;
    }
    Some(ApiKey {
        prefix: prefix.to_owned(),
        hash: hash_key(text),
        name: name.to_owned(),
        user,
        scope: KeyScope::ReadWrite,
        created: Utc::now(),
        expiry: None,
        revoked: false,
    })
}

/// `(prefix, secret)` of a key text.
pub fn split_key(text: &str) -> Option<(&str, &str)> {
    let (prefix, secret) = text.split_once('.')?;
    let ok = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric());
    (ok(prefix) && ok(secret)).then_some((prefix, secret))
}

pub fn hash_key(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether `text` is the key `record` stores, compared in constant time.
pub fn key_matches(record: &ApiKey, text: &str) -> bool {
    let a = hash_key(text);
    let (a, b) = (a.as_bytes(), record.hash.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// 32 hex digits from the operating system's random source (a v4 uuid).
fn random_hex() -> String {
    Uuid::new_v4().simple().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_verify_only_themselves() {
        let (text, rec) = new_key(1, "script", KeyScope::ReadWrite, None);
        let (prefix, secret) = split_key(&text).unwrap();
        assert_eq!((prefix, secret.len()), (rec.prefix.as_str(), 64));
        assert!(key_matches(&rec, &text));
        assert!(!key_matches(&rec, &format!("{text}0")));
        assert!(!rec.hash.contains(secret));
        assert!(rec.valid_at(Utc::now()));
        let (other, _) = new_key(1, "script", KeyScope::ReadWrite, None);
        assert_ne!(text, other);
    }

    #[test]
    fn ftp_revoked_and_expired_keys_do_not_authenticate() {
        let now = Utc::now();
        let (_, mut rec) = new_key(1, "k", KeyScope::Ftp, None);
        assert!(!rec.valid_at(now));
        rec.scope = KeyScope::ReadWrite;
        rec.revoked = true;
        assert!(!rec.valid_at(now));
        rec.revoked = false;
        rec.expiry = Some(now);
        assert!(!rec.valid_at(now));
    }

    #[test]
    fn chosen_keys_need_a_prefix_and_a_long_secret() {
        assert!(chosen_key("nodot", 1, "admin").is_none());
        assert!(chosen_key("abc.short", 1, "admin").is_none());
        assert!(chosen_key("a b.0123456789abcdef", 1, "admin").is_none());
        let rec = chosen_key("admin.0123456789abcdef", 1, "admin").unwrap();
        assert!(key_matches(&rec, "admin.0123456789abcdef"));
    }
}
