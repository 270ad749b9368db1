//! `RenderKey`: every input that changes a response's bytes, and its stable ETag.
//!
//! The key is derived from a `RenderRequest` only; this file knows nothing of HTTP
//! or protocols. The ETag hash is hand-written (FNV-1a over a canonical byte
//! encoding, then a MurmurHash3 finaliser) so it is the same in every process, run,
//! platform and Rust version: never replace it with `RandomState`/`DefaultHasher`.

use crate::model::{OutputFormat, RenderRequest, Resampling, TimeSel};
use uuid::Uuid;

/// Version of the canonical encoding below. Bump it whenever the encoding changes
/// or the renderer starts producing different bytes for equal keys, so old ETags
/// stop matching.
const KEY_SCHEMA: &[u8] = b"tegel-render-key/1";

/// The identity of one rendered response. Two requests with equal keys produce
/// byte-identical responses; anything that could change the bytes is a field.
///
/// * layer id *and* version (the version changes with the layer, its style or any
///   source below it, so stale entries are never hit);
/// * CRS, bbox as the exact `f64` bit patterns (no rounding: `-0.0 ≠ 0.0` only costs
///   a duplicate entry), width, height;
/// * time selection, the style string exactly as given (protocols pass the canonical,
///   defaulted form), output format, resampling, transparency and background colour.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RenderKey {
    layer_id: Uuid,
    layer_version: u64,
    crs: u32,
    bbox_bits: [u64; 4],
    width: u32,
    height: u32,
    /// `None` = latest frame; otherwise the instant and, for a span, its
    /// end, each as (Unix seconds, subsecond nanoseconds).
    time: Option<(KeyInstant, Option<KeyInstant>)>,
    style: Box<str>,
    format: OutputFormat,
    resampling: Resampling,
    transparent: bool,
    bgcolor: [u8; 3],
}

/// An instant in a key: (Unix seconds, subsecond nanoseconds).
type KeyInstant = (i64, u32);

impl RenderKey {
    /// The key of `req`. Cost: one small allocation for the style string.
    pub fn new(req: &RenderRequest) -> RenderKey {
        let b = &req.grid.bbox;
        RenderKey {
            layer_id: req.layer.id,
            layer_version: req.layer.version,
            crs: req.grid.crs.epsg(),
            bbox_bits: [
                b.min_x.to_bits(),
                b.min_y.to_bits(),
                b.max_x.to_bits(),
                b.max_y.to_bits(),
            ],
            width: req.grid.width,
            height: req.grid.height,
            time: match req.time {
                TimeSel::Latest => None,
                TimeSel::Nearest(t) => Some(((t.timestamp(), t.timestamp_subsec_nanos()), None)),
                TimeSel::Span(a, b) => Some((
                    (a.timestamp(), a.timestamp_subsec_nanos()),
                    Some((b.timestamp(), b.timestamp_subsec_nanos())),
                )),
            },
            style: req.style.as_str().into(),
            format: req.format,
            resampling: req.resampling,
            transparent: req.transparent,
            bgcolor: req.bgcolor.0,
        }
    }

    /// The layer this key renders.
    pub fn layer_id(&self) -> Uuid {
        self.layer_id
    }

    /// Memory this key holds, for the cache's byte weigher.
    pub fn heap_size(&self) -> usize {
        std::mem::size_of::<RenderKey>() + self.style.len()
    }

    /// A 64-bit hash of the key, identical across processes, runs and platforms.
    /// Cost: ~100 bytes hashed, well under a microsecond.
    pub fn stable_hash(&self) -> u64 {
        let mut h = Fnv1a::new();
        h.write(KEY_SCHEMA);
        h.write(self.layer_id.as_bytes());
        h.write(&self.layer_version.to_le_bytes());
        h.write(&self.crs.to_le_bytes());
        for bits in self.bbox_bits {
            h.write(&bits.to_le_bytes());
        }
        h.write(&self.width.to_le_bytes());
        h.write(&self.height.to_le_bytes());
        match self.time {
            None => h.write(&[0]),
            Some(((secs, nanos), end)) => {
                h.write(&[1]);
                h.write(&secs.to_le_bytes());
                h.write(&nanos.to_le_bytes());
                if let Some((secs, nanos)) = end {
                    h.write(&[2]);
                    h.write(&secs.to_le_bytes());
                    h.write(&nanos.to_le_bytes());
                }
            }
        }
        // Length-prefixed, so no two field sequences encode alike.
        h.write(&(self.style.len() as u64).to_le_bytes());
        h.write(self.style.as_bytes());
        h.write(&[match self.format {
            OutputFormat::Png => 0,
            OutputFormat::GeoTiff => 1,
        }]);
        h.write(&[match self.resampling {
            Resampling::Nearest => 0,
            Resampling::Bilinear => 1,
        }]);
        h.write(&[u8::from(self.transparent)]);
        h.write(&self.bgcolor);
        fmix64(h.0)
    }

    /// A strong ETag for the response: `"` + 16 lowercase hex digits + `"`.
    /// Equal keys give equal ETags in every process; different keys differ
    /// except for 64-bit hash collisions.
    pub fn etag(&self) -> String {
        format!("\"{:016x}\"", self.stable_hash())
    }
}

impl From<&RenderRequest> for RenderKey {
    fn from(req: &RenderRequest) -> RenderKey {
        RenderKey::new(req)
    }
}

/// A strong ETag for a response that is not a `RenderKey`'s (capabilities,
/// legends, composites): `"<kind>-<16 hex digits>"`, the hash of `parts`
/// each length-prefixed, with the same stable hash as [`RenderKey::etag`]
/// (equal in every process, run and platform).
pub fn etag_of(kind: &str, parts: &[&[u8]]) -> String {
    let mut h = Fnv1a::new();
    h.write(KEY_SCHEMA);
    h.write(&(kind.len() as u64).to_le_bytes());
    h.write(kind.as_bytes());
    for part in parts {
        h.write(&(part.len() as u64).to_le_bytes());
        h.write(part);
    }
    format!("\"{kind}-{:016x}\"", fmix64(h.0))
}

/// 64-bit FNV-1a (offset basis 0xcbf29ce484222325, prime 0x100000001b3).
struct Fnv1a(u64);

impl Fnv1a {
    fn new() -> Fnv1a {
        Fnv1a(0xcbf2_9ce4_8422_2325)
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
}

/// MurmurHash3's 64-bit finaliser: spreads FNV's weak high bits over the word.
fn fmix64(mut k: u64) -> u64 {
    k ^= k >> 33;
    k = k.wrapping_mul(0xff51_afd7_ed55_8ccd);
    k ^= k >> 33;
    k = k.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    k ^ (k >> 33)
}
