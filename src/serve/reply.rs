//! `Reply`: a successful answer of the service layer, before it becomes an
//! HTTP response: body, media type, validators and caching policy.

use bytes::Bytes;
use chrono::{DateTime, Utc};

/// What a request is answered with.
#[derive(Clone, Debug, PartialEq)]
pub struct Reply {
    pub body: Bytes,
    pub content_type: String,
    /// A strong ETag (quoted) when the answer can be revalidated.
    pub etag: Option<String>,
    /// The `Cache-Control` value; `None` = none sent.
    pub cache_control: Option<String>,
    /// The content differs per caller: caches must key on credentials.
    pub depends_on_caller: bool,
    /// `Warning` values (WMS TIME defaults and nearest values).
    pub warnings: Vec<String>,
    /// When what the answer shows last changed.
    pub last_modified: Option<DateTime<Utc>>,
}

impl Reply {
    /// A body and its media type, nothing else.
    pub fn new(content_type: &str, body: impl Into<Bytes>) -> Reply {
        Reply {
            body: body.into(),
            content_type: content_type.to_string(),
            etag: None,
            cache_control: None,
            depends_on_caller: false,
            warnings: Vec::new(),
            last_modified: None,
        }
    }

    /// A JSON document.
    pub fn json(doc: &serde_json::Value) -> Reply {
        Reply::new(
            "application/json",
            serde_json::to_vec(doc).unwrap_or_default(),
        )
    }

    pub fn etag(mut self, etag: String) -> Reply {
        self.etag = Some(etag);
        self
    }

    pub fn cache_control(mut self, policy: impl Into<String>) -> Reply {
        self.cache_control = Some(policy.into());
        self
    }

    /// Marks the answer as depending on the caller when `yes`.
    pub fn for_caller(mut self, yes: bool) -> Reply {
        self.depends_on_caller |= yes;
        self
    }
}

/// The `Cache-Control` of a map or tile: `no-cache` for the latest frame
/// (`moving`), else the layer's own value or the configured default; for a
/// layer that is not public, the same made `private` (shared caches must not
/// store it: `public`, `s-maxage` and `proxy-revalidate` are dropped).
/// `None` for a public answer when the default is not sent and nothing else
/// applies.
pub fn cache_policy(
    default: Option<&str>,
    layer: Option<&str>,
    public: bool,
    moving: bool,
) -> Option<String> {
    let base = match (moving, layer.or(default)) {
        (true, _) => "no-cache",
        (false, Some(base)) => base,
        (false, None) if public => return None,
        // Nothing configured, but shared caches must still keep out.
        (false, None) => "",
    };
    if public {
        return Some(base.to_string());
    }
    let kept = base.split(',').map(str::trim).filter(|t| {
        let name = t
            .split('=')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        !t.is_empty()
            && !matches!(
                name.as_str(),
                "public" | "private" | "s-maxage" | "proxy-revalidate"
            )
    });
    Some(
        std::iter::once("private")
            .chain(kept)
            .collect::<Vec<_>>()
            .join(", "),
    )
}

/// `no-cache`, made `private` when the answer is not public: for answers
/// that follow the catalogue or the data (capabilities, feature info).
pub fn revalidate(public: bool) -> &'static str {
    if public {
        "no-cache"
    } else {
        "private, no-cache"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_policies_drop_what_shared_caches_use() {
        let d = Some("public, max-age=3600");
        let some = |s: &str| Some(s.to_string());
        assert_eq!(
            cache_policy(d, None, true, false),
            some("public, max-age=3600")
        );
        assert_eq!(
            cache_policy(d, None, false, false),
            some("private, max-age=3600")
        );
        assert_eq!(cache_policy(d, None, true, true), some("no-cache"));
        assert_eq!(
            cache_policy(d, None, false, true),
            some("private, no-cache")
        );
        let own = "public, max-age=86400, s-maxage=604800, immutable";
        assert_eq!(cache_policy(d, Some(own), true, false), some(own));
        assert_eq!(
            cache_policy(d, Some(own), false, false),
            some("private, max-age=86400, immutable")
        );
        assert_eq!(cache_policy(d, Some(own), true, true), some("no-cache"));
        assert_eq!(cache_policy(None, None, true, false), None);
        assert_eq!(cache_policy(None, None, false, false), some("private"));
    }
}
