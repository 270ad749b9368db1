//! Who is calling: credentials from the request headers, checked against the
//! catalogue snapshot (lizard-api.md §4.2).
//!
//! * `Authorization: Basic base64("__key__:<key>")` — personal API keys, as
//!   QGIS and scripts send them;
//! * `username: __key__` and `password: <key>` headers — the variant of
//!   Lizard's documentation examples.
//!
//! No credentials → anonymous. Credentials that do not check out → an error
//! (401), whatever object the request names, so wrong credentials never
//! reveal whether something exists.

use crate::catalogue::{Caller, Snapshot};
use base64::Engine;
use http::HeaderMap;

/// The Basic-auth username that marks the password as an API key.
pub const KEY_USER: &str = "__key__";

/// Why the presented credentials were refused.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum AuthError {
    #[error("Invalid username/password.")]
    BadCredentials,
    #[error("Invalid basic header. Credentials not correctly base64 encoded.")]
    Malformed,
}

/// The caller the headers identify.
pub fn caller(snap: &Snapshot, headers: &HeaderMap) -> Result<Caller, AuthError> {
    match presented(headers)? {
        None => Ok(Caller::Anonymous),
        Some((user, key)) if user == KEY_USER => {
            Caller::from_key(snap, &key).ok_or(AuthError::BadCredentials)
        }
        // Passwords are not kept: only keys authenticate.
        Some(_) => Err(AuthError::BadCredentials),
    }
}

/// `(username, password)` from Basic auth or the header pair, if any.
fn presented(headers: &HeaderMap) -> Result<Option<(String, String)>, AuthError> {
    if let Some(value) = headers.get(http::header::AUTHORIZATION) {
        let text = value.to_str().map_err(|_| AuthError::Malformed)?;
        let (scheme, rest) = text.trim().split_once(' ').ok_or(AuthError::Malformed)?;
        if !scheme.eq_ignore_ascii_case("basic") {
            // Bearer tokens and other schemes are not ours: refuse rather
            // than silently serve as anonymous.
            return Err(AuthError::BadCredentials);
        }
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(rest.trim())
            .map_err(|_| AuthError::Malformed)?;
        let text = String::from_utf8(bytes).map_err(|_| AuthError::Malformed)?;
        let (user, pass) = text.split_once(':').ok_or(AuthError::Malformed)?;
        return Ok(Some((user.to_owned(), pass.to_owned())));
    }
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    match (header("username"), header("password")) {
        (Some(u), Some(p)) => Ok(Some((u.trim().to_owned(), p.trim().to_owned()))),
        (None, None) => Ok(None),
        _ => Err(AuthError::BadCredentials),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    fn basic(user: &str, pass: &str) -> String {
        let b = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pass}"));
        format!("Basic {b}")
    }

    #[test]
    fn credentials_in_both_forms() {
        let h = headers(&[("authorization", &basic("__key__", "ab.cd"))]);
        assert_eq!(presented(&h), Ok(Some(("__key__".into(), "ab.cd".into()))));
        let h = headers(&[("username", "__key__"), ("password", "ab.cd")]);
        assert_eq!(presented(&h), Ok(Some(("__key__".into(), "ab.cd".into()))));
        assert_eq!(presented(&HeaderMap::new()), Ok(None));
    }

    #[test]
    fn malformed_and_foreign_credentials_are_refused() {
        let snap = Snapshot::default();
        for h in [
            headers(&[("authorization", "Basic !!!")]),
            headers(&[("authorization", "Bearer abc")]),
            headers(&[("authorization", &basic("__key__", "ab.cd"))]),
            headers(&[("authorization", &basic("ann", "secret"))]),
            headers(&[("username", "__key__")]),
        ] {
            assert!(caller(&snap, &h).is_err(), "{h:?}");
        }
        assert_eq!(caller(&snap, &HeaderMap::new()), Ok(Caller::Anonymous));
    }
}
