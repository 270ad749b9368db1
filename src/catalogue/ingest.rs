//! Ingest: GeoTIFF files → frames in the store → a raster source and a plain
//! raster layer in the catalogue, or new data for an existing source: more
//! frames for a temporal one (a frame at an existing instant replaces it), the
//! one frame replaced for a non-temporal one. The first frame of a source sets
//! its grid; later frames must match it.
//!
//! Order of effects keeps the catalogue truthful: frames are written first; the
//! catalogue records them in one atomic update; if that update fails, the new
//! frame files are removed again.

use super::durable::Catalogue;
use super::error::CatalogueError;
use super::graphref::single_source_graph;
use super::records::{AccessModifier, Organisation, RasterLayer};
use super::slug::{slugify, unique_layer_slug};
use super::snapshot::CatalogueData;
use super::source::{Frame, RasterSource, SourceGrid};
use crate::model::{DataType, RasterSource as _, Window};
use crate::storage::{FrameMeta, Limits, Store};
use chrono::{DateTime, Utc};
use std::path::PathBuf;
use uuid::Uuid;

/// What to ingest and how to publish it.
#[derive(Clone, Debug, Default)]
pub struct IngestRequest {
    pub files: Vec<PathBuf>,
    /// One per file for a temporal source; empty for a single-frame source.
    pub timestamps: Vec<DateTime<Utc>>,
    /// Add frames to this existing source instead of creating one (a
    /// non-temporal source gets its one frame replaced).
    pub source: Option<Uuid>,

    /// Layer/source name; defaults to the first file's stem.
    pub name: Option<String>,
    pub description: String,
    /// Organisation slug; created (named `organisation_name` or the slug) when new.
    pub organisation: String,
    pub organisation_name: Option<String>,
    pub access_modifier: AccessModifier,
    /// Default STYLES of the new layer; derived from the data range when absent.
    pub style: Option<String>,
}

/// What an ingest created, as `tegel ingest` prints it.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct IngestOutcome {
    pub source: Uuid,
    pub layer: Option<Uuid>,
    pub wms_layer: Option<String>,
}

/// Progress callback: (file index, file count, fraction of this file written).
pub type Progress<'a> = &'a mut dyn FnMut(usize, usize, f64);

pub fn ingest(
    catalogue: &Catalogue,
    store: &Store,
    req: &IngestRequest,
    limits: &Limits,
    progress: Progress<'_>,
) -> Result<IngestOutcome, CatalogueError> {
    ingest_named(catalogue, store, req, &[], limits, progress)
}

/// [`ingest`], naming the files in error messages by `file_names` (e.g.
/// the uploader's names) instead of their paths.
pub fn ingest_named(
    catalogue: &Catalogue,
    store: &Store,
    req: &IngestRequest,
    file_names: &[String],
    limits: &Limits,
    progress: Progress<'_>,
) -> Result<IngestOutcome, CatalogueError> {
    validate(catalogue, req)?;
    let source_id = req.source.unwrap_or_else(Uuid::new_v4);
    let count = req.files.len();
    let mut written: Vec<FrameMeta> = Vec::with_capacity(count);
    for (i, file) in req.files.iter().enumerate() {
        let mut report = |done: u64, total: u64| {
            progress(
                i,
                count,
                if total == 0 {
                    1.0
                } else {
                    done as f64 / total as f64
                },
            )
        };
        match store.ingest(source_id, file, limits, &mut report) {
            Ok(meta) => written.push(meta),
            Err(e) => {
                remove_frames(store, source_id, &written);
                let name = file_names
                    .get(i)
                    .cloned()
                    .unwrap_or_else(|| file.display().to_string());
                return Err(CatalogueError::Invalid(match e.class() {
                    crate::model::ErrorClass::Internal => format!("{name}: {e}"),
                    _ => {
                        format!("{name}: the file is not a single-band GeoTIFF tegel can read: {e}")
                    }
                }));
            }
        }
    }
    let style = match &req.style {
        Some(s) => s.clone(),
        None => default_style(store, source_id, written.last()),
    };
    let result = catalogue.update(|data, rev| record(data, rev, req, source_id, &written, style));
    match result {
        Ok((outcome, replaced)) => {
            // The catalogue no longer references the frames replaced at their
            // instants: only now may their files go.
            for frame in replaced {
                if let Err(e) = store.remove_frame(source_id, &frame) {
                    tracing::warn!(source = %source_id, %frame, error = %e, "could not remove a replaced frame");
                }
            }
            Ok(outcome)
        }
        Err(e) => {
            remove_frames(store, source_id, &written);
            Err(e)
        }
    }
}

fn validate(catalogue: &Catalogue, req: &IngestRequest) -> Result<(), CatalogueError> {
    if req.files.is_empty() {
        return Err(CatalogueError::Invalid("no input files given".into()));
    }
    if !req.timestamps.is_empty() && req.timestamps.len() != req.files.len() {
        return Err(CatalogueError::Invalid(format!(
            "{} files but {} timestamps: a temporal source needs one timestamp per file",
            req.files.len(),
            req.timestamps.len()
        )));
    }
    let mut instants = req.timestamps.clone();
    instants.sort();
    if let Some(pair) = instants.windows(2).find(|w| w[0] == w[1]) {
        return Err(CatalogueError::Invalid(format!(
            "timestamp {} is given more than once: each frame needs its own instant",
            pair[0].to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
        )));
    }
    if req.timestamps.is_empty() && req.files.len() > 1 {
        return Err(CatalogueError::Invalid(
            "several files make a temporal source: give one --timestamp per file".into(),
        ));
    }
    if let Some(id) = req.source {
        let snap = catalogue.snapshot();
        let source = snap
            .source(id)
            .ok_or_else(|| CatalogueError::NotFound(format!("raster source {id}")))?;
        if !source.temporal && (!req.timestamps.is_empty() || req.files.len() > 1) {
            return Err(CatalogueError::Invalid(format!(
                "raster source {id} is not temporal: it holds one file, without a timestamp"
            )));
        }
        if source.temporal && req.timestamps.is_empty() {
            return Err(CatalogueError::Invalid(format!(
                "raster source {id} is temporal: give a timestamp per file"
            )));
        }
    } else if req.organisation.is_empty() || slugify(&req.organisation) != req.organisation {
        return Err(CatalogueError::Invalid(format!(
            "organisation slug {:?} is not a slug",
            req.organisation
        )));
    }
    Ok(())
}

fn grid_of(meta: &FrameMeta) -> SourceGrid {
    SourceGrid {
        crs: meta.crs.0,
        origin_x: meta.transform.origin_x,
        origin_y: meta.transform.origin_y,
        pixel_x: meta.transform.pixel_x,
        pixel_y: meta.transform.pixel_y,
        width: meta.width,
        height: meta.height,
        dtype: meta.dtype,
        nodata: meta.nodata,
    }
}

/// Records the written frames; runs inside the catalogue's write transaction.
/// Also returns the frame files of an existing source that new frames replaced.
fn record(
    data: &mut CatalogueData,
    rev: u64,
    req: &IngestRequest,
    source_id: Uuid,
    written: &[FrameMeta],
    style: String,
) -> Result<(IngestOutcome, Vec<String>), CatalogueError> {
    let now = Utc::now();
    let grid = written.first().map(grid_of);
    if written
        .iter()
        .any(|m| !grid.as_ref().is_some_and(|g| same_grid(g, &grid_of(m))))
    {
        return Err(CatalogueError::Invalid(
            "the files of one source must share CRS, grid, data type and nodata".into(),
        ));
    }
    let frames: Vec<Frame> = written
        .iter()
        .enumerate()
        .map(|(i, m)| Frame {
            file: m.frame.clone(),
            timestamp: req.timestamps.get(i).copied(),
            bytes: m.bytes,
        })
        .collect();

    if req.source.is_some() {
        let existing = data
            .sources
            .iter_mut()
            .find(|s| s.uuid == source_id)
            // Deleted while the frames were written.
            .ok_or_else(|| CatalogueError::NotFound(format!("raster source {source_id}")))?;
        let replaced = add_frames(existing, frames, grid, rev, now)?;
        let outcome = IngestOutcome {
            source: source_id,
            layer: None,
            wms_layer: None,
        };
        return Ok((outcome, replaced));
    }

    let org = organisation(data, req);
    let name = req.name.clone().unwrap_or_else(|| {
        req.files[0]
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "raster".into())
    });
    let mut frames = frames;
    frames.sort_by_key(|f| f.timestamp);
    data.sources.push(RasterSource {
        uuid: source_id,
        name: name.clone(),
        description: req.description.clone(),
        organisation: org.uuid,
        access_modifier: req.access_modifier,
        supplier: None,
        supplier_code: None,
        temporal: !req.timestamps.is_empty(),
        interval_ms: regular_interval(&req.timestamps),
        grid,
        frames,
        created: now,
        last_modified: now,
        revision: rev,
    });
    let slug = unique_layer_slug(data, org.uuid, &name);
    let layer = Uuid::new_v4();
    data.layers.push(RasterLayer {
        uuid: layer,
        name,
        slug: slug.clone(),
        description: req.description.clone(),
        organisation: org.uuid,
        access_modifier: req.access_modifier,
        supplier: None,
        shared_with: Vec::new(),
        weight: 0,
        graph: single_source_graph(source_id),
        observation_type: None,
        layer_collections: Vec::new(),
        options: [("styles".to_string(), serde_json::Value::String(style))]
            .into_iter()
            .collect(),
        colormap: None,
        rescalable: true,
        aggregation_type: "none".into(),
        created: now,
        last_modified: now,
        revision: rev,
    });
    let outcome = IngestOutcome {
        source: source_id,
        layer: Some(layer),
        wms_layer: Some(format!("{}:{slug}", org.slug)),
    };
    Ok((outcome, Vec::new()))
}

/// Adds frames to an existing source (replacing the frames at the same
/// instants, or the only frame of a non-temporal source) and returns the
/// files of the replaced frames. The frames must match the grid of the
/// frames that stay; with none left, the new frames set the grid.
fn add_frames(
    existing: &mut RasterSource,
    frames: Vec<Frame>,
    grid: Option<SourceGrid>,
    rev: u64,
    now: DateTime<Utc>,
) -> Result<Vec<String>, CatalogueError> {
    // The source may have changed since `validate` (checked on a snapshot).
    if frames
        .iter()
        .any(|f| f.timestamp.is_some() != existing.temporal)
    {
        return Err(CatalogueError::Invalid(format!(
            "raster source {} changed between temporal and non-temporal since the upload: upload again",
            existing.uuid
        )));
    }
    let mut replaced = Vec::new();
    let mut kept: Vec<Frame> = Vec::new();
    for f in std::mem::take(&mut existing.frames) {
        let hit = !existing.temporal || frames.iter().any(|n| n.timestamp == f.timestamp);
        if hit {
            replaced.push(f);
        } else {
            kept.push(f);
        }
    }
    if let (Some(old), Some(new), false) = (&existing.grid, &grid, kept.is_empty()) {
        if !same_grid(old, new) {
            existing.frames = kept;
            existing.frames.extend(replaced);
            existing.frames.sort_by_key(|f| f.timestamp);
            return Err(CatalogueError::Invalid(format!(
                "the file does not match the grid of raster source {}: {}",
                existing.uuid,
                grid_difference(old, new)
            )));
        }
    }
    kept.extend(frames);
    kept.sort_by_key(|f| f.timestamp);
    existing.frames = kept;
    existing.grid = grid;
    existing.last_modified = now;
    existing.revision = rev;
    Ok(replaced.into_iter().map(|f| f.file).collect())
}

/// Grid equality with nodata compared bit for bit, so a NaN nodata equals itself.
fn same_grid(a: &SourceGrid, b: &SourceGrid) -> bool {
    let bits = |g: &SourceGrid| g.nodata.map(f64::to_bits);
    bits(a) == bits(b)
        && SourceGrid {
            nodata: None,
            ..a.clone()
        } == SourceGrid {
            nodata: None,
            ..b.clone()
        }
}

/// What differs between a source's grid and a new file's, for the uploader.
fn grid_difference(old: &SourceGrid, new: &SourceGrid) -> String {
    let mut out = Vec::new();
    if old.crs != new.crs {
        out.push(format!(
            "projection EPSG:{} instead of EPSG:{}",
            new.crs, old.crs
        ));
    }
    if (old.width, old.height) != (new.width, new.height) {
        out.push(format!(
            "{}x{} pixels instead of {}x{}",
            new.width, new.height, old.width, old.height
        ));
    }
    if old.transform() != new.transform() {
        out.push(format!(
            "origin ({}, {}) and pixel size ({}, {}) instead of ({}, {}) and ({}, {})",
            new.origin_x,
            new.origin_y,
            new.pixel_x,
            new.pixel_y,
            old.origin_x,
            old.origin_y,
            old.pixel_x,
            old.pixel_y
        ));
    }
    if old.dtype != new.dtype {
        out.push(format!(
            "data type {} instead of {}",
            new.dtype.numpy_name(),
            old.dtype.numpy_name()
        ));
    }
    if old.nodata.map(f64::to_bits) != new.nodata.map(f64::to_bits) {
        out.push(format!(
            "nodata {:?} instead of {:?}",
            new.nodata, old.nodata
        ));
    }
    out.join("; ")
}

fn organisation(data: &mut CatalogueData, req: &IngestRequest) -> Organisation {
    if let Some(o) = data
        .organisations
        .iter()
        .find(|o| o.slug == req.organisation)
    {
        return o.clone();
    }
    let now = Utc::now();
    let org = Organisation {
        uuid: Uuid::new_v4(),
        name: req
            .organisation_name
            .clone()
            .unwrap_or_else(|| req.organisation.clone()),
        slug: req.organisation.clone(),
        geoblocks: true,
        created: now,
        last_modified: now,
    };
    data.organisations.push(org.clone());
    org
}

/// `viridis:<min>:<max>` over the data range, read from the coarsest overview.
fn default_style(store: &Store, source: Uuid, frame: Option<&FrameMeta>) -> String {
    let range = frame
        .and_then(|f| store.open_frame(source, &f.frame).ok())
        .and_then(|frame| {
            let info = frame.info();
            let level = info.levels.len() - 1;
            let l = info.levels[level];
            let mut buf = crate::model::RasterBuf::new(info.dtype, l.width, l.height, info.nodata);
            let window = Window {
                col: 0,
                row: 0,
                width: l.width,
                height: l.height,
            };
            frame.read_window(level, window, &mut buf).ok()?;
            let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
            for i in 0..buf.data.len() {
                let v = buf.data.get_f64(i);
                if v.is_finite() && Some(v) != info.nodata {
                    lo = lo.min(v);
                    hi = hi.max(v);
                }
            }
            (lo <= hi).then_some((lo, hi, info.dtype))
        });
    match range {
        Some((lo, hi, dtype)) if hi > lo => {
            let fmt = |v: f64| {
                if dtype == DataType::F32 || dtype == DataType::F64 {
                    format!("{v:.4}")
                } else {
                    format!("{v}")
                }
            };
            format!("viridis:{}:{}", fmt(lo), fmt(hi))
        }
        _ => "viridis".into(),
    }
}

/// The common spacing of sorted instants, when there are two or more and
/// all gaps are equal.
fn regular_interval(instants: &[DateTime<Utc>]) -> Option<i64> {
    let mut sorted = instants.to_vec();
    sorted.sort();
    let gaps: Vec<i64> = sorted
        .windows(2)
        .map(|w| (w[1] - w[0]).num_milliseconds())
        .collect();
    let first = *gaps.first()?;
    gaps.iter().all(|g| *g == first).then_some(first)
}

fn remove_frames(store: &Store, source: Uuid, frames: &[FrameMeta]) {
    for f in frames {
        if let Err(e) = store.remove_frame(source, &f.frame) {
            tracing::warn!(%source, frame = %f.frame, error = %e, "could not remove an orphaned frame");
        }
    }
}
