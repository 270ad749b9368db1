//! GetCapabilities: raw KVP → typed request, version negotiation and the
//! UPDATESEQUENCE rule (WMS 1.3.0 §7.2.3.5).
//!
//! Does not build the document (that is `capabilities.rs`).

use super::{OgcCode, OgcError, WmsVersion};
use crate::protocol::kvp::{Kvp, clip};

/// A GetCapabilities request after version negotiation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GetCapabilities {
    /// The negotiated version (see [`WmsVersion::negotiate`]).
    pub version: WmsVersion,
    /// `FORMAT` as sent; an unsupported format is not an error (W13-GC-03).
    pub format: Option<String>,
    /// `UPDATESEQUENCE` as sent.
    pub update_sequence: Option<String>,
}

/// Parses a GetCapabilities request. `SERVICE` may be missing (clients such as
/// Lizard's send `?request=GetCapabilities` only); VERSION/WMTVER are negotiated.
pub fn parse_getcapabilities(kvp: &Kvp) -> GetCapabilities {
    GetCapabilities {
        version: WmsVersion::negotiate(WmsVersion::requested(kvp)),
        format: kvp.get_nonempty("FORMAT").map(str::to_string),
        update_sequence: kvp
            .get_nonempty("UPDATESEQUENCE")
            .map(|s| s.trim().to_string()),
    }
}

impl GetCapabilities {
    /// Applies UPDATESEQUENCE against the service's current sequence number:
    /// not advertised (`None`) or not requested → Ok; requested lower → Ok (full
    /// document); equal → `CurrentUpdateSequence`; higher or not a number →
    /// `InvalidUpdateSequence`.
    pub fn check_update_sequence(&self, current: Option<u64>) -> Result<(), OgcError> {
        let (Some(current), Some(requested)) = (current, self.update_sequence.as_deref()) else {
            return Ok(());
        };
        let err = |code, msg: String| {
            Err(OgcError::with_code(
                self.version,
                code,
                Some("UPDATESEQUENCE"),
                msg,
            ))
        };
        let digits = requested.strip_prefix('+').unwrap_or(requested);
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return err(
                OgcCode::InvalidUpdateSequence,
                format!(
                    "UPDATESEQUENCE '{}' is not a sequence number",
                    clip(requested)
                ),
            );
        }
        // Any number too long for u64 is certainly higher than the current one.
        match digits.parse::<u64>().ok() {
            Some(r) if r < current => Ok(()),
            Some(r) if r == current => err(
                OgcCode::CurrentUpdateSequence,
                format!("UPDATESEQUENCE {r} is the current one"),
            ),
            _ => err(
                OgcCode::InvalidUpdateSequence,
                format!(
                    "UPDATESEQUENCE '{}' is newer than the current {current}",
                    clip(requested)
                ),
            ),
        }
    }
}
