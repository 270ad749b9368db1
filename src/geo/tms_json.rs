//! OGC Two Dimensional Tile Matrix Set 2.0 JSON (OGC 17-083r4, the
//! `tileMatrixSet` schema) → a `TileMatrixSet`, so a national grid needs a
//! document, not code.
//!
//! Read: `id`, `crs` (a URI string or `{"uri": …}`), `orderedAxes`,
//! `wellKnownScaleSet`, and per matrix `id`, `scaleDenominator`, `cellSize`,
//! `cornerOfOrigin`, `pointOfOrigin` (in the CRS's axis order),
//! `tileWidth`/`tileHeight`, `matrixWidth`/`matrixHeight`; other members
//! (title, boundingBox, keywords…) are ignored. What tegel cannot serve is
//! refused with a message naming the member: a CRS outside the registry,
//! tiles other than 256×256, a bottom-left origin, variable matrix widths.
//!
//! Parsed sets live for the whole process (loaded once at start-up), so they
//! are leaked into `&'static` like the built-in ones. Pure: the caller reads
//! the file. Must not touch: documents, requests.

use super::crs;
use super::tms::{MatrixIds, TILE_SIZE, TileMatrix, TileMatrixSet};
use crate::model::{Crs, ErrorClass};
use serde::Deserialize;
use std::collections::HashSet;

/// Why a tile matrix set document was refused.
#[derive(Debug, thiserror::Error)]
pub enum TmsJsonError {
    #[error("not an OGC TMS 2.0 JSON document: {0}")]
    Syntax(String),
    #[error("{0}")]
    Invalid(String),
    #[error("unsupported: {0}")]
    Unsupported(String),
}

impl TmsJsonError {
    pub fn class(&self) -> ErrorClass {
        match self {
            TmsJsonError::Syntax(_) | TmsJsonError::Invalid(_) => ErrorClass::BadRequest,
            TmsJsonError::Unsupported(_) => ErrorClass::Unsupported,
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Doc {
    id: String,
    crs: CrsRef,
    #[serde(default)]
    ordered_axes: Option<Vec<String>>,
    #[serde(default)]
    well_known_scale_set: Option<String>,
    tile_matrices: Vec<MatrixDoc>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum CrsRef {
    Uri(String),
    Object { uri: String },
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct MatrixDoc {
    id: String,
    scale_denominator: f64,
    cell_size: f64,
    #[serde(default)]
    corner_of_origin: Option<String>,
    point_of_origin: [f64; 2],
    tile_width: u32,
    tile_height: u32,
    matrix_width: u64,
    matrix_height: u64,
    #[serde(default)]
    variable_matrix_widths: Option<serde_json::Value>,
}

/// Most matrices in one set (levels are numbered with a `u8`).
const MAX_MATRICES: usize = 64;

/// Parses one document. The set's identifier must be a plain token (it is
/// a path segment of RESTful tile URLs).
pub fn parse(text: &str) -> Result<TileMatrixSet, TmsJsonError> {
    let doc: Doc = serde_json::from_str(text).map_err(|e| TmsJsonError::Syntax(e.to_string()))?;
    let invalid = |m: String| Err(TmsJsonError::Invalid(m));
    let id_ok = |id: &str| {
        !id.is_empty()
            && id.len() <= 64
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b))
    };
    if !id_ok(&doc.id) {
        return invalid(format!(
            "`id` '{}' must be 1–64 letters, digits, '-', '_', '.' or ':'",
            doc.id
        ));
    }
    let uri = match &doc.crs {
        CrsRef::Uri(u) | CrsRef::Object { uri: u } => u.as_str(),
    };
    let name = crs::parse_name(uri).ok_or_else(|| {
        TmsJsonError::Unsupported(format!("`crs` '{uri}' is not a CRS tegel serves"))
    })?;
    let (crs, supported_crs, northing_first) = if name.lon_first_alias {
        (name.crs, "urn:ogc:def:crs:OGC:1.3:CRS84".to_string(), false)
    } else {
        let info = crs::lookup(name.crs.0).ok_or_else(|| {
            TmsJsonError::Unsupported(format!("`crs` '{uri}' is not a CRS tegel serves"))
        })?;
        (
            Crs(info.code),
            format!("urn:ogc:def:crs:EPSG::{}", info.code),
            info.northing_first,
        )
    };
    // `orderedAxes`, when given, decides how `pointOfOrigin` is read.
    let swap = match &doc.ordered_axes {
        Some(axes) => axes.first().is_some_and(|a| {
            let a = a.to_ascii_lowercase();
            a.starts_with('n') || a.starts_with("lat") || a == "y"
        }),
        None => northing_first,
    };
    if doc.tile_matrices.is_empty() || doc.tile_matrices.len() > MAX_MATRICES {
        return invalid(format!(
            "`tileMatrices` must hold 1–{MAX_MATRICES} matrices, has {}",
            doc.tile_matrices.len()
        ));
    }
    let mut ids = HashSet::new();
    let mut scales = HashSet::new();
    let mut matrices = Vec::with_capacity(doc.tile_matrices.len());
    for (z, m) in doc.tile_matrices.iter().enumerate() {
        let at = format!("tileMatrices[{z}] (id '{}')", m.id);
        if !id_ok(&m.id) || !ids.insert(m.id.clone()) {
            return invalid(format!("{at}: `id` must be a unique plain token"));
        }
        let positive = |v: f64| v.is_finite() && v > 0.0;
        if !positive(m.cell_size) || !positive(m.scale_denominator) {
            return invalid(format!(
                "{at}: `cellSize` and `scaleDenominator` must be positive numbers"
            ));
        }
        if !scales.insert(m.scale_denominator.to_bits()) {
            return invalid(format!("{at}: `scaleDenominator` repeats another matrix's"));
        }
        if m.tile_width != TILE_SIZE || m.tile_height != TILE_SIZE {
            return Err(TmsJsonError::Unsupported(format!(
                "{at}: tiles must be {TILE_SIZE}×{TILE_SIZE}, not {}×{}",
                m.tile_width, m.tile_height
            )));
        }
        if m.corner_of_origin
            .as_deref()
            .is_some_and(|c| c != "topLeft")
        {
            return Err(TmsJsonError::Unsupported(format!(
                "{at}: `cornerOfOrigin` must be topLeft"
            )));
        }
        if m.variable_matrix_widths.is_some() {
            return Err(TmsJsonError::Unsupported(format!(
                "{at}: `variableMatrixWidths`"
            )));
        }
        if !(1..=1 << 40).contains(&m.matrix_width) || !(1..=1 << 40).contains(&m.matrix_height) {
            return invalid(format!("{at}: `matrixWidth`/`matrixHeight` must be 1…2^40"));
        }
        let [a, b] = m.point_of_origin;
        if !a.is_finite() || !b.is_finite() {
            return invalid(format!("{at}: `pointOfOrigin` must be two numbers"));
        }
        matrices.push(TileMatrix {
            z: z as u8,
            id: m.id.clone(),
            scale_denominator: m.scale_denominator,
            cell_size: m.cell_size,
            top_left: if swap { (b, a) } else { (a, b) },
            matrix_width: m.matrix_width,
            matrix_height: m.matrix_height,
        });
    }
    let first = matrices[0].clone();
    Ok(TileMatrixSet {
        id: leak(doc.id),
        crs,
        supported_crs: leak(supported_crs),
        well_known_scale_set: doc.well_known_scale_set.map(leak),
        top_left: first.top_left,
        cell_size_0: first.cell_size,
        scale_denominator_0: first.scale_denominator,
        matrix_width_0: first.matrix_width,
        matrix_height_0: first.matrix_height,
        levels: matrices.len() as u8,
        ids: MatrixIds::Plain,
        bbox: None,
        northing_first: northing_first && !name.lon_first_alias,
        explicit: Vec::leak(matrices),
    })
}

fn leak(s: String) -> &'static str {
    String::leak(s)
}

/// Gives a parsed set the process lifetime.
pub fn into_static(set: TileMatrixSet) -> &'static TileMatrixSet {
    Box::leak(Box::new(set))
}

#[cfg(test)]
mod tests {
    use super::*;

    const UTM31: &str = r#"{
      "id": "UTM31Test", "crs": {"uri": "http://www.opengis.net/def/crs/EPSG/0/32631"},
      "orderedAxes": ["E", "N"],
      "tileMatrices": [
        {"id": "a", "scaleDenominator": 1000000, "cellSize": 280, "cornerOfOrigin": "topLeft",
         "pointOfOrigin": [100000, 7000000], "tileWidth": 256, "tileHeight": 256,
         "matrixWidth": 2, "matrixHeight": 3},
        {"id": "b", "scaleDenominator": 500000, "cellSize": 140,
         "pointOfOrigin": [100000, 7000000], "tileWidth": 256, "tileHeight": 256,
         "matrixWidth": 4, "matrixHeight": 6}
      ]}"#;

    #[test]
    fn explicit_matrices_are_read_as_written() {
        let set = parse(UTM31).unwrap();
        assert_eq!(set.id, "UTM31Test");
        assert_eq!(set.crs, Crs(32631));
        assert_eq!(set.supported_crs, "urn:ogc:def:crs:EPSG::32631");
        let ms: Vec<_> = set.matrices().collect();
        assert_eq!(ms.len(), 2);
        assert_eq!(ms[1].id, "b");
        assert_eq!(ms[1].cell_size, 140.0);
        assert_eq!((ms[1].matrix_width, ms[1].matrix_height), (4, 6));
        assert_eq!(
            set.matrix_by_id("a").unwrap().top_left,
            (100000.0, 7000000.0)
        );
        assert!(set.matrix(2).is_none());
    }

    #[test]
    fn northing_first_origins_are_swapped() {
        let doc = UTM31.replace(r#"["E", "N"]"#, r#"["N", "E"]"#);
        let set = parse(&doc).unwrap();
        assert_eq!(set.matrix(0).unwrap().top_left, (7000000.0, 100000.0));
    }

    #[test]
    fn unservable_documents_name_the_member() {
        let cases = [
            (UTM31.replace("32631", "99999"), "`crs`"),
            (UTM31.replacen("256", "512", 1), "tiles must be 256"),
            (
                UTM31.replace("\"topLeft\"", "\"bottomLeft\""),
                "cornerOfOrigin",
            ),
            (UTM31.replace("\"id\": \"b\"", "\"id\": \"a\""), "unique"),
            (
                UTM31.replace("\"cellSize\": 140", "\"cellSize\": -1"),
                "cellSize",
            ),
            (UTM31.replace("UTM31Test", "a/b"), "`id`"),
            ("{".to_string(), "not an OGC TMS"),
        ];
        for (doc, want) in cases {
            let err = parse(&doc).unwrap_err().to_string();
            assert!(err.contains(want), "{err} lacks {want}");
        }
    }
}
