//! WMS versions: which ones tegel speaks, version negotiation for
//! GetCapabilities (WMS 1.3.0 §6.2.4) and the strict check for other requests.
//!
//! Pure string → value; no knowledge of any other parameter.

use crate::protocol::kvp::Kvp;
use std::fmt;

/// A WMS version tegel serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum WmsVersion {
    V1_1_1,
    V1_3_0,
}

impl WmsVersion {
    pub fn as_str(self) -> &'static str {
        match self {
            WmsVersion::V1_1_1 => "1.1.1",
            WmsVersion::V1_3_0 => "1.3.0",
        }
    }

    /// The version a GetCapabilities request gets: none → 1.3.0 (the highest);
    /// ≥ 1.3.0 → 1.3.0; anything lower (1.2.0, 1.1.1, 0.0.0) → 1.1.1, the next
    /// lower or lowest supported. Missing components count as 0 (`1.3` = 1.3.0);
    /// text that is not `n[.n[.n]]` is treated like no version (→ 1.3.0).
    pub fn negotiate(requested: Option<&str>) -> WmsVersion {
        match requested.and_then(triple) {
            Some(v) if v < (1, 3, 0) => WmsVersion::V1_1_1,
            _ => WmsVersion::V1_3_0,
        }
    }

    /// The version of a non-GetCapabilities request: `1.3.0`/`1.3` → 1.3.0,
    /// `1.1.1`/`1.1.0`/`1.1` → 1.1.1, anything else → `None`.
    pub fn parse_exact(value: &str) -> Option<WmsVersion> {
        match triple(value)? {
            (1, 3, 0) => Some(WmsVersion::V1_3_0),
            (1, 1, 0 | 1) => Some(WmsVersion::V1_1_1),
            _ => None,
        }
    }

    /// The requested version text: `VERSION`, else the pre-1.1 `WMTVER`
    /// (VERSION wins when both are sent); empty values count as absent.
    pub fn requested(kvp: &Kvp) -> Option<&str> {
        kvp.get_nonempty("VERSION")
            .or_else(|| kvp.get_nonempty("WMTVER"))
    }

    /// Best guess of the version to report an error in, before the request is
    /// understood: the negotiated version of whatever was asked.
    pub fn hint(kvp: &Kvp) -> WmsVersion {
        WmsVersion::negotiate(WmsVersion::requested(kvp))
    }
}

impl fmt::Display for WmsVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `a[.b[.c]]` with decimal components of at most 9 digits.
fn triple(s: &str) -> Option<(u32, u32, u32)> {
    let mut parts = [0u32; 3];
    for (n, part) in s.trim().split('.').enumerate() {
        let slot = parts.get_mut(n)?;
        if part.is_empty() || part.len() > 9 || !part.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        *slot = part.parse().ok()?;
    }
    Some((parts[0], parts[1], parts[2]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiation() {
        assert_eq!(WmsVersion::negotiate(None), WmsVersion::V1_3_0);
        assert_eq!(WmsVersion::negotiate(Some("1.3.0")), WmsVersion::V1_3_0);
        assert_eq!(WmsVersion::negotiate(Some("100.0.0")), WmsVersion::V1_3_0);
        assert_eq!(WmsVersion::negotiate(Some("1.4")), WmsVersion::V1_3_0);
        assert_eq!(WmsVersion::negotiate(Some("1.2.0")), WmsVersion::V1_1_1);
        assert_eq!(WmsVersion::negotiate(Some("1.1.1")), WmsVersion::V1_1_1);
        assert_eq!(WmsVersion::negotiate(Some("0.0.0")), WmsVersion::V1_1_1);
        assert_eq!(WmsVersion::negotiate(Some("1.0.0")), WmsVersion::V1_1_1);
        assert_eq!(WmsVersion::negotiate(Some("banana")), WmsVersion::V1_3_0);
        assert_eq!(WmsVersion::negotiate(Some("1.3.0.0")), WmsVersion::V1_3_0);
        assert_eq!(
            WmsVersion::negotiate(Some("99999999999.0.0")),
            WmsVersion::V1_3_0
        );
    }

    #[test]
    fn exact() {
        assert_eq!(WmsVersion::parse_exact("1.3.0"), Some(WmsVersion::V1_3_0));
        assert_eq!(WmsVersion::parse_exact("1.1.1"), Some(WmsVersion::V1_1_1));
        assert_eq!(WmsVersion::parse_exact("1.1.0"), Some(WmsVersion::V1_1_1));
        for bad in ["1.2.0", "2.0", "", "1..3", "1.3.0-beta", "+1.3.0"] {
            assert_eq!(WmsVersion::parse_exact(bad), None, "{bad}");
        }
    }

    #[test]
    fn version_beats_wmtver() {
        let kvp = Kvp::parse("WMTVER=1.0.0&VERSION=1.3.0").unwrap();
        assert_eq!(WmsVersion::requested(&kvp), Some("1.3.0"));
        let kvp = Kvp::parse("VERSION=1.1.1&WMTVER=1.3.0").unwrap();
        assert_eq!(WmsVersion::requested(&kvp), Some("1.1.1"));
        let kvp = Kvp::parse("WMTVER=1.1.1&VERSION=").unwrap();
        assert_eq!(WmsVersion::hint(&kvp), WmsVersion::V1_1_1);
    }
}
