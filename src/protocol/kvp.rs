//! Raw OGC key-value pairs: a URL query string → names and percent-decoded values.
//!
//! First step of "parse, then validate": no knowledge of WMS, WMTS or XYZ here.
//! Names are compared case-insensitively (stored upper-cased), values keep
//! their case. Must not interpret any value.

use crate::model::ErrorClass;

/// How many pairs one query may hold; more is refused rather than scanned.
pub const MAX_PAIRS: usize = 256;

/// Why a query string could not be split into pairs.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum KvpError {
    /// The same name (in any case) appears twice.
    #[error("parameter {0} is given more than once")]
    Repeated(String),
    /// A `%` not followed by two hex digits, or bytes that are not UTF-8 after decoding.
    #[error("parameter {0} has broken percent-encoding")]
    BadEncoding(String),
    /// A NUL character in a name or value (after decoding): no parameter
    /// of any protocol holds one.
    #[error("parameter {0} holds a NUL character")]
    Nul(String),
    /// More than [`MAX_PAIRS`] parameters.
    #[error("the query has more than {MAX_PAIRS} parameters")]
    TooMany,
}

impl KvpError {
    pub fn class(&self) -> ErrorClass {
        ErrorClass::BadRequest
    }

    /// The (upper-cased) parameter the error is about, if any.
    pub fn parameter(&self) -> Option<&str> {
        match self {
            KvpError::Repeated(p) | KvpError::BadEncoding(p) | KvpError::Nul(p) => Some(p),
            KvpError::TooMany => None,
        }
    }
}

/// The decoded parameters of one query, in their original order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Kvp {
    pairs: Vec<(String, String)>,
}

impl Kvp {
    /// Splits `query` (with or without a leading `?`) on `&`, then each item on the
    /// first `=`. Names and values are percent-decoded and `+` becomes a space in
    /// both. Names are upper-cased (ASCII); values keep their case.
    ///
    /// Edge cases: empty items (`a=1&&b=2`, a trailing `&`) and items with an empty
    /// name are skipped; `NAME` without `=` and `NAME=` both give an empty value;
    /// a name repeated in any case is an error naming it, and so is a NUL
    /// character anywhere (`%00`). Cost: one pass, one
    /// allocation per name and value.
    pub fn parse(query: &str) -> Result<Kvp, KvpError> {
        let query = query.strip_prefix('?').unwrap_or(query);
        let mut pairs: Vec<(String, String)> = Vec::new();
        for item in query.split('&') {
            if item.is_empty() {
                continue;
            }
            let (raw_name, raw_value) = item.split_once('=').unwrap_or((item, ""));
            let name = decode_form(raw_name)
                .ok_or_else(|| KvpError::BadEncoding(clip(&raw_name.to_ascii_uppercase())))?;
            let name = name.to_ascii_uppercase();
            if name.is_empty() {
                continue;
            }
            let value = decode_form(raw_value).ok_or_else(|| KvpError::BadEncoding(clip(&name)))?;
            if name.contains('\0') || value.contains('\0') {
                return Err(KvpError::Nul(clip(&name.replace('\0', "\\0"))));
            }
            if pairs.iter().any(|(n, _)| *n == name) {
                return Err(KvpError::Repeated(clip(&name)));
            }
            if pairs.len() == MAX_PAIRS {
                return Err(KvpError::TooMany);
            }
            pairs.push((name, value));
        }
        Ok(Kvp { pairs })
    }

    /// The value of `name` (any case), `None` when absent; empty values are `Some("")`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Like [`Kvp::get`], but an empty value counts as absent (for optional parameters).
    pub fn get_nonempty(&self, name: &str) -> Option<&str> {
        self.get(name).filter(|v| !v.trim().is_empty())
    }

    /// True when `name` (any case) is present, even with an empty value.
    pub fn contains(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// All pairs as (upper-cased name, value), in query order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.pairs.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }

    pub fn len(&self) -> usize {
        self.pairs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }
}

/// Percent-decodes `s` as `application/x-www-form-urlencoded` (`+` = space).
/// `None` on a broken escape or non-UTF-8 result.
pub fn decode_form(s: &str) -> Option<String> {
    percent_decode(s, true)
}

/// Percent-decodes a URL path segment (`+` stays `+`). `None` on a broken escape
/// or non-UTF-8 result.
pub fn decode_path(s: &str) -> Option<String> {
    percent_decode(s, false)
}

/// Percent-decodes a form value as Django's `QueryDict` does (Python's
/// `unquote_plus`): a `%` not followed by two hex digits stays as it is, and
/// bytes that are not UTF-8 become U+FFFD. Never fails.
pub fn decode_form_lossy(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let escaped = match (b, bytes.get(i + 1), bytes.get(i + 2)) {
            (b'%', Some(&h), Some(&l)) => hex(h).zip(hex(l)),
            _ => None,
        };
        match (escaped, b) {
            (Some((hi, lo)), _) => {
                out.push(hi << 4 | lo);
                i += 3;
            }
            (None, b'+') => {
                out.push(b' ');
                i += 1;
            }
            (None, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn percent_decode(s: &str, plus_is_space: bool) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'%' => {
                let hi = hex(*bytes.get(i + 1)?)?;
                let lo = hex(*bytes.get(i + 2)?)?;
                out.push(hi << 4 | lo);
                i += 3;
            }
            b'+' if plus_is_space => {
                out.push(b' ');
                i += 1;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// At most 64 characters of a client-supplied string, for error messages.
pub(crate) fn clip(s: &str) -> String {
    const MAX: usize = 64;
    match s.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &s[..cut]),
        None => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_case_insensitive_values_preserved() {
        let kvp = Kvp::parse("?ReQuEsT=GetMap&LaYeRs=Org:Layer&bogus=Ignored").unwrap();
        assert_eq!(kvp.get("request"), Some("GetMap"));
        assert_eq!(kvp.get("LAYERS"), Some("Org:Layer"));
        assert_eq!(
            kvp.iter().map(|(n, _)| n).collect::<Vec<_>>(),
            ["REQUEST", "LAYERS", "BOGUS"]
        );
    }

    #[test]
    fn percent_and_plus_decoding() {
        let kvp = Kvp::parse(
            "ReQuEsT=%47%65%74%43%61%70%61%62%69%6C%69%74%69%65%73&layers=a+b%2Bc&x%3Dy=1",
        )
        .unwrap();
        assert_eq!(kvp.get("REQUEST"), Some("GetCapabilities"));
        assert_eq!(kvp.get("LAYERS"), Some("a b+c"));
        assert_eq!(kvp.get("X=Y"), Some("1"));
        assert_eq!(Kvp::parse("t=%C3%A9").unwrap().get("T"), Some("é"));
    }

    #[test]
    fn empty_values_kept_and_empty_items_skipped() {
        let kvp = Kvp::parse("STYLES=&flag&&=5&a=1&").unwrap();
        assert_eq!(kvp.get("STYLES"), Some(""));
        assert_eq!(kvp.get("FLAG"), Some(""));
        assert_eq!(kvp.get_nonempty("STYLES"), None);
        assert_eq!(kvp.len(), 3);
        assert!(Kvp::parse("").unwrap().is_empty());
        assert!(Kvp::parse("?").unwrap().is_empty());
    }

    #[test]
    fn value_with_equals_sign_kept_whole() {
        assert_eq!(Kvp::parse("a=b=c").unwrap().get("A"), Some("b=c"));
    }

    #[test]
    fn repeated_parameter_named() {
        assert_eq!(
            Kvp::parse("layers=a&LAYERS=b"),
            Err(KvpError::Repeated("LAYERS".into()))
        );
        assert_eq!(Kvp::parse("x=1&x=1"), Err(KvpError::Repeated("X".into())));
    }

    #[test]
    fn lossy_form_decoding_is_pythons_unquote_plus() {
        for (raw, want) in [
            ("%", "%"),
            ("100%", "100%"),
            ("%zz", "%zz"),
            ("%2", "%2"),
            ("a%25b", "a%b"),
            ("x+y%20z", "x y z"),
            ("%C3%A9", "é"),
            ("%FF", "\u{FFFD}"),
            ("_", "_"),
        ] {
            assert_eq!(decode_form_lossy(raw), want, "{raw}");
        }
    }

    #[test]
    fn broken_percent_encoding_named() {
        for q in ["bbox=1%2", "bbox=%zz", "bbox=%", "bbox=%C3%28", "bbox=%FF"] {
            assert_eq!(
                Kvp::parse(q),
                Err(KvpError::BadEncoding("BBOX".into())),
                "{q}"
            );
        }
        assert!(matches!(Kvp::parse("b%x=1"), Err(KvpError::BadEncoding(_))));
    }

    #[test]
    fn nul_anywhere_is_refused_naming_the_parameter() {
        assert_eq!(
            Kvp::parse("width=256%00"),
            Err(KvpError::Nul("WIDTH".into()))
        );
        assert_eq!(
            Kvp::parse("a=1&bogus=%00"),
            Err(KvpError::Nul("BOGUS".into()))
        );
        assert_eq!(Kvp::parse("x%00y=1"), Err(KvpError::Nul("X\\0Y".into())));
        assert_eq!(KvpError::Nul("A".into()).parameter(), Some("A"));
    }

    #[test]
    fn too_many_pairs() {
        let q: String = (0..=MAX_PAIRS).map(|i| format!("p{i}=1&")).collect();
        assert_eq!(Kvp::parse(&q), Err(KvpError::TooMany));
        let q: String = (0..MAX_PAIRS).map(|i| format!("p{i}=1&")).collect();
        assert_eq!(Kvp::parse(&q).unwrap().len(), MAX_PAIRS);
    }

    #[test]
    fn path_decoding_keeps_plus() {
        assert_eq!(decode_path("a+b%20c").as_deref(), Some("a+b c"));
        assert_eq!(decode_path("%4"), None);
    }

    #[test]
    fn clip_long_values() {
        let long = "é".repeat(100);
        let c = clip(&long);
        assert_eq!(c.chars().count(), 65);
        assert_eq!(clip("short"), "short");
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    /// Names and values that survive encoding: no NUL, names without `&`/`=`.
    fn pairs() -> impl Strategy<Value = Vec<(String, String)>> {
        proptest::collection::vec(("[A-Za-z_][A-Za-z0-9_:. ]{0,8}", "\\PC{0,12}"), 0..8)
    }

    fn encode(s: &str) -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    (b as char).to_string()
                }
                b' ' => "+".to_string(),
                _ => format!("%{b:02X}"),
            })
            .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn never_panics_on_any_text(s in "\\PC{0,64}") {
            let _ = Kvp::parse(&s);
            let _ = decode_path(&s);
            let _ = decode_form_lossy(&s);
        }

        #[test]
        fn lossy_decoding_agrees_with_strict_decoding_where_that_succeeds(
            s in "[%0-9a-fA-F+xz ]{0,32}"
        ) {
            if let Some(strict) = decode_form(&s) {
                prop_assert_eq!(decode_form_lossy(&s), strict);
            }
        }

        #[test]
        fn lossy_decoding_reads_back_what_was_encoded(v in "\\PC{0,24}") {
            prop_assert_eq!(decode_form_lossy(&encode(&v)), v);
        }

        #[test]
        fn never_panics_on_its_own_alphabet(s in "[%0-9a-fA-F=&+?xX\\x00 ]{0,64}") {
            if let Ok(kvp) = Kvp::parse(&s) {
                prop_assert!(kvp.len() <= MAX_PAIRS);
                for (n, v) in kvp.iter() {
                    prop_assert!(!n.contains('\0') && !v.contains('\0'));
                    prop_assert_eq!(n.to_ascii_uppercase(), n);
                }
            }
        }

        #[test]
        fn encoded_pairs_parse_back(pairs in pairs()) {
            let mut seen: Vec<String> = Vec::new();
            let mut unique = Vec::new();
            for (n, v) in pairs {
                let upper = n.to_ascii_uppercase();
                if !seen.contains(&upper) && !v.contains('\0') {
                    seen.push(upper);
                    unique.push((n, v));
                }
            }
            let query: Vec<String> = unique
                .iter()
                .map(|(n, v)| format!("{}={}", encode(n), encode(v)))
                .collect();
            let kvp = Kvp::parse(&query.join("&")).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(kvp.len(), unique.len());
            for (n, v) in &unique {
                prop_assert_eq!(kvp.get(n), Some(v.as_str()));
            }
        }
    }
}
