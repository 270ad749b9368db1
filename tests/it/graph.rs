//! Graph engine goldens: every case under `tests/golden/graph/cases.json`
//! (computed by dask-geomodeling with `RasterFileSource` over the GeoTIFFs in
//! `tests/golden/graph/inputs/`, see `make_goldens.py`) evaluated by tegel with
//! leaves that decode the same GeoTIFFs (`storage::decode_geotiff`) and warp them
//! with tegel's own warp (`render::warp`, nearest neighbour). Integer and bool
//! outputs must be equal, floats within 2 ulp of the output dtype, nodata masks
//! identical; metadata (dtype, fill value, period, timedelta, temporal,
//! projection, geo_transform, extent) must match too.

use serde_json::Value;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use tegel::geo::TransformCache;
use tegel::graph::{
    Graph, GraphError, GraphLimits, Leaf, Leaves, Output, Request, RequestMode, SourceMeta,
};
use tegel::model::{
    BBox, Crs, GridSpec, LevelInfo, PyramidInfo, RasterBuf, RasterSource, Resampling, SourceError,
    Window,
};
use tegel::storage::{DecodedRaster, Limits, decode_geotiff};
use uuid::Uuid;

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/graph")
}

/// One decoded frame as a single-level `RasterSource`.
struct Frame {
    info: PyramidInfo,
    data: RasterBuf,
}

impl RasterSource for Frame {
    fn info(&self) -> &PyramidInfo {
        &self.info
    }

    fn read_window(&self, level: usize, w: Window, out: &mut RasterBuf) -> Result<(), SourceError> {
        if level != 0 {
            return Err(SourceError::NoSuchLevel(level));
        }
        let width = self.data.width as usize;
        let size = self.data.dtype().size();
        let src = self.data.data.as_bytes();
        let dst = out.data.as_bytes_mut();
        for r in 0..w.height as usize {
            let sr = w.row as usize + r;
            let s0 = (sr * width + w.col as usize) * size;
            let d0 = r * w.width as usize * size;
            let n = w.width as usize * size;
            dst[d0..d0 + n].copy_from_slice(&src[s0..s0 + n]);
        }
        Ok(())
    }
}

struct TiffLeaves {
    sources: HashMap<Uuid, (SourceMeta, Vec<Frame>)>,
    transforms: TransformCache,
    reads: AtomicUsize,
}

fn load_leaves() -> TiffLeaves {
    let dir = golden_dir();
    let doc: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("sources.json")).unwrap()).unwrap();
    let mut sources = HashMap::new();
    for (id, s) in doc.as_object().unwrap() {
        let files = s["files"].as_array().unwrap();
        let times: Vec<i64> = s["times_ms"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_i64().unwrap())
            .collect();
        let mut frames = Vec::new();
        let mut first: Option<DecodedRaster> = None;
        for f in files {
            let d = decode_geotiff(&dir.join(f.as_str().unwrap()), &Limits::default()).unwrap();
            let info = PyramidInfo {
                crs: d.crs,
                dtype: d.data.dtype(),
                nodata: d.nodata,
                transform: d.transform,
                levels: vec![LevelInfo {
                    width: d.data.width,
                    height: d.data.height,
                    factor: 1,
                }],
            };
            frames.push(Frame {
                info,
                data: d.data.clone(),
            });
            first.get_or_insert(d);
        }
        let d = first.unwrap();
        let interval = (times.len() > 1).then(|| times[1] - times[0]);
        let meta = SourceMeta {
            dtype: d.data.dtype(),
            nodata: d.nodata,
            crs: d.crs,
            geo_transform: d.transform,
            width: d.data.width,
            height: d.data.height,
            // dask-geomodeling stamps a one-band file at time_first (0 here).
            times,
            interval,
        };
        sources.insert(Uuid::parse_str(id).unwrap(), (meta, frames));
    }
    TiffLeaves {
        sources,
        transforms: TransformCache::new(),
        reads: AtomicUsize::new(0),
    }
}

impl Leaves for TiffLeaves {
    fn resolve(&self, id: Uuid) -> Option<Leaf> {
        self.sources.get(&id).map(|(m, _)| Leaf::Source(m.clone()))
    }

    fn read(
        &self,
        id: Uuid,
        grid: &GridSpec,
        frames: &[usize],
    ) -> Result<Vec<RasterBuf>, GraphError> {
        self.reads.fetch_add(1, Ordering::Relaxed);
        let (meta, files) = self.sources.get(&id).ok_or(GraphError::UnknownLeaf(id))?;
        let point = grid.bbox.min_x == grid.bbox.max_x || grid.bbox.min_y == grid.bbox.max_y;
        frames
            .iter()
            .map(|&f| {
                let frame = &files[f];
                if point {
                    let (cols, rows) = tegel::graph::memory::nearest_indices(meta, grid)?;
                    let mut out = RasterBuf::new(meta.dtype, 1, 1, meta.nodata);
                    if cols[0] >= 0 {
                        let i = rows[0] as usize * meta.width as usize + cols[0] as usize;
                        let v = frame.data.data.get_f64(i);
                        out = RasterBuf::new(meta.dtype, 1, 1, Some(v));
                        out.nodata = meta.nodata;
                    }
                    return Ok(out);
                }
                let w = tegel::render::warp(frame, grid, &self.transforms, Resampling::Nearest)
                    .map_err(|e| GraphError::Read(e.to_string()))?;
                Ok(w.buf)
            })
            .collect()
    }
}

fn parse_time(s: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(s)
        .unwrap()
        .timestamp_millis()
}

fn request(r: &Value) -> Request {
    let b: Vec<f64> = r["bbox"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    let proj = r["projection"].as_str().unwrap();
    let code: u32 = proj.trim_start_matches("EPSG:").parse().unwrap();
    Request {
        mode: if r["mode"] == "time" {
            RequestMode::Time
        } else {
            RequestMode::Vals
        },
        bbox: BBox::new(b[0], b[1], b[2], b[3]),
        crs: Crs(code),
        width: r["width"].as_u64().unwrap() as u32,
        height: r["height"].as_u64().unwrap() as u32,
        start: r.get("start").and_then(Value::as_str).map(parse_time),
        stop: r.get("stop").and_then(Value::as_str).map(parse_time),
    }
}

fn read_expected(path: &Path, dtype: &str) -> Vec<f64> {
    let bytes = std::fs::read(path).unwrap();
    macro_rules! conv {
        ($t:ty) => {
            bytes
                .chunks_exact(std::mem::size_of::<$t>())
                .map(|c| <$t>::from_le_bytes(c.try_into().unwrap()) as f64)
                .collect()
        };
    }
    match dtype {
        "bool" | "uint8" => bytes.iter().map(|b| f64::from(*b)).collect(),
        "int8" => conv!(i8),
        "uint16" => conv!(u16),
        "int16" => conv!(i16),
        "uint32" => conv!(u32),
        "int32" => conv!(i32),
        "uint64" => conv!(u64),
        "int64" => conv!(i64),
        "float32" => conv!(f32),
        "float64" => conv!(f64),
        other => panic!("dtype {other}"),
    }
}

/// Blocks not implemented yet: their cases are skipped (and listed).
const PENDING: &[&str] = &[];

fn pending(case: &Value) -> bool {
    let text = case["graph"].to_string();
    PENDING.iter().any(|p| text.contains(p))
}

fn close(dtype: &str, got: f64, want: f64) -> bool {
    if got == want {
        return true;
    }
    match dtype {
        "float32" => {
            let (g, w) = (got as f32, want as f32);
            let ulp = (w.abs() * f32::EPSILON).max(f32::MIN_POSITIVE);
            (g - w).abs() <= 2.0 * ulp
        }
        "float64" => (got - want).abs() <= 2.0 * want.abs() * f64::EPSILON,
        _ => false,
    }
}

/// Equal up to serde_json's float parsing (not exact for large values).
fn same(a: f64, b: f64) -> bool {
    a == b || (a - b).abs() <= 1e-15 * a.abs().max(b.abs())
}

fn same_opt(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => same(a, b),
        (a, b) => a == b,
    }
}

fn check_meta(name: &str, graph: &Graph, leaves: &TiffLeaves, want: &Value) -> Result<(), String> {
    let m = graph
        .meta(leaves)
        .map_err(|e| format!("{name}: meta: {e}"))?;
    let mut errs = vec![];
    if m.dtype.name() != want["dtype"] {
        errs.push(format!("dtype {} != {}", m.dtype.name(), want["dtype"]));
    }
    if !same_opt(m.fillvalue, want["fillvalue"].as_f64()) {
        errs.push(format!(
            "fillvalue {:?} != {}",
            m.fillvalue, want["fillvalue"]
        ));
    }
    let period = m.period.map(|(a, b)| {
        let f = |t: i64| {
            chrono::DateTime::from_timestamp_millis(t)
                .unwrap()
                .format("%Y-%m-%dT%H:%M:%SZ")
                .to_string()
        };
        vec![f(a), f(b)]
    });
    let want_period: Option<Vec<String>> = want["period"]
        .as_array()
        .map(|p| p.iter().map(|s| s.as_str().unwrap().to_string()).collect());
    if period != want_period {
        errs.push(format!("period {period:?} != {want_period:?}"));
    }
    if m.timedelta != want["timedelta_ms"].as_i64() {
        errs.push(format!(
            "timedelta {:?} != {}",
            m.timedelta, want["timedelta_ms"]
        ));
    }
    if m.temporal != want["temporal"].as_bool().unwrap() {
        errs.push(format!("temporal {} != {}", m.temporal, want["temporal"]));
    }
    let proj = m.projection.map(|c| c.to_string());
    if proj.as_deref() != want["projection"].as_str() {
        errs.push(format!("projection {proj:?} != {}", want["projection"]));
    }
    let gt = m.geo_transform.map(|g| g.to_vec());
    let want_gt: Option<Vec<f64>> = want["geo_transform"]
        .as_array()
        .map(|a| a.iter().map(|v| v.as_f64().unwrap()).collect());
    if gt != want_gt {
        errs.push(format!("geo_transform {gt:?} != {want_gt:?}"));
    }
    let want_ext: Option<Vec<f64>> = want["extent"]
        .as_array()
        .map(|a| a.iter().map(|v| v.as_f64().unwrap()).collect());
    match (m.extent, want_ext) {
        (None, None) => {}
        (Some(e), Some(w)) if e.iter().zip(&w).all(|(a, b)| (a - b).abs() < 1e-7) => {}
        (e, w) => errs.push(format!("extent {e:?} != {w:?}")),
    }
    if errs.is_empty() {
        Ok(())
    } else {
        Err(format!("{name}: meta: {}", errs.join("; ")))
    }
}

fn check_case(case: &Value, leaves: &TiffLeaves) -> Result<(), String> {
    let name = case["name"].as_str().unwrap();
    let graph = Graph::parse(&case["graph"], &GraphLimits::default())
        .map_err(|e| format!("{name}: parse: {e}"))?;
    check_meta(name, &graph, leaves, &case["meta"])?;
    let req = request(&case["request"]);
    let got = graph
        .evaluate(leaves, &req)
        .map_err(|e| format!("{name}: eval: {e}"))?;
    let expect = &case["expect"];
    match (got, expect) {
        (None, Value::Null) => Ok(()),
        (Some(Output::Time(t)), e) if e.get("time").is_some() => {
            let want: Vec<i64> = e["time"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| parse_time(s.as_str().unwrap()))
                .collect();
            if t == want {
                Ok(())
            } else {
                Err(format!("{name}: times {t:?} != {want:?}"))
            }
        }
        (Some(Output::Values(r)), e) if e.get("values").is_some() => {
            let dtype = e["dtype"].as_str().unwrap();
            if r.dtype.name() != dtype {
                return Err(format!("{name}: dtype {} != {dtype}", r.dtype.name()));
            }
            if !same_opt(r.nodata, e["no_data_value"].as_f64()) {
                return Err(format!(
                    "{name}: nodata {:?} != {}",
                    r.nodata, e["no_data_value"]
                ));
            }
            let shape: Vec<usize> = e["shape"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_u64().unwrap() as usize)
                .collect();
            let got_shape = vec![r.bands.len(), r.height as usize, r.width as usize];
            if got_shape != shape {
                return Err(format!("{name}: shape {got_shape:?} != {shape:?}"));
            }
            let want = read_expected(&golden_dir().join(e["values"].as_str().unwrap()), dtype);
            let got: Vec<f64> = r.bands.concat();
            let nd = r.nodata;
            // serde_json parses 3.4028234663852886e38 one ulp off: map it back.
            let want: Vec<f64> = want
                .into_iter()
                .map(|w| match nd {
                    Some(n) if same(w, n) => n,
                    _ => w,
                })
                .collect();
            let mut bad = vec![];
            for (i, (g, w)) in got.iter().zip(&want).enumerate() {
                let mask_ok = (Some(*g) == nd) == (Some(*w) == nd);
                if !mask_ok || !close(dtype, *g, *w) {
                    bad.push(format!("#{i}: {g} != {w}"));
                }
            }
            if bad.is_empty() {
                Ok(())
            } else {
                Err(format!(
                    "{name}: {} cells differ, e.g. {}",
                    bad.len(),
                    bad[..bad.len().min(4)].join(", ")
                ))
            }
        }
        (got, e) => Err(format!(
            "{name}: got {:?}, want {e}",
            got.map(|o| match o {
                Output::Time(t) => format!("time {t:?}"),
                Output::Values(r) => format!("values {} bands", r.bands.len()),
                Output::Meta(m) => format!("meta {m:?}"),
            })
        )),
    }
}

fn cases() -> Vec<Value> {
    let text = std::fs::read_to_string(golden_dir().join("cases.json")).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    doc.as_array().unwrap().clone()
}

#[test]
fn graph_goldens_match_dask_geomodeling() {
    let leaves = load_leaves();
    let mut failures = vec![];
    let mut ran = 0;
    for case in cases() {
        if pending(&case) {
            continue;
        }
        ran += 1;
        if let Err(e) = check_case(&case, &leaves) {
            failures.push(e);
        }
    }
    eprintln!("{ran} golden cases compared");
    assert!(ran > 100, "only {ran} cases ran");
    assert!(
        failures.is_empty(),
        "{} of {ran} cases fail:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
