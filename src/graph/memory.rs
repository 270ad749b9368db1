//! `MemoryLeaves`: in-memory raster sources implementing `Leaves`, for tests
//! and benchmarks. Warps by nearest neighbour at target cell centres with
//! exact per-pixel transforms (slow for other CRSs, exact by construction).

use super::error::GraphError;
use super::leaves::{Leaf, Leaves, SourceMeta};
use super::parse::Graph;
use crate::geo::Transformer;
use crate::model::{GridSpec, Pixel, RasterBuf, RasterData};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use uuid::Uuid;

/// A source: metadata plus one buffer per frame.
#[derive(Clone, Debug)]
pub struct MemorySource {
    pub meta: SourceMeta,
    pub frames: Vec<RasterBuf>,
}

#[derive(Debug, Default)]
pub struct MemoryLeaves {
    pub sources: HashMap<Uuid, MemorySource>,
    pub layers: HashMap<Uuid, Graph>,
    /// Number of `read` calls (tests check that limits refuse before reading).
    pub reads: AtomicUsize,
}

impl MemoryLeaves {
    pub fn new() -> MemoryLeaves {
        MemoryLeaves::default()
    }

    pub fn add(&mut self, id: Uuid, source: MemorySource) {
        self.sources.insert(id, source);
    }
}

impl Leaves for MemoryLeaves {
    fn resolve(&self, id: Uuid) -> Option<Leaf> {
        if let Some(s) = self.sources.get(&id) {
            return Some(Leaf::Source(s.meta.clone()));
        }
        self.layers
            .get(&id)
            .map(|g| Leaf::Layer(Box::new(g.clone())))
    }

    fn read(
        &self,
        id: Uuid,
        grid: &GridSpec,
        frames: &[usize],
    ) -> Result<Vec<RasterBuf>, GraphError> {
        self.reads.fetch_add(1, Ordering::Relaxed);
        let src = self.sources.get(&id).ok_or(GraphError::UnknownLeaf(id))?;
        let point = grid.bbox.min_x == grid.bbox.max_x || grid.bbox.min_y == grid.bbox.max_y;
        if grid.crs == src.meta.crs && !point {
            let (cols, rows) = separable_indices(&src.meta, grid);
            return frames
                .iter()
                .map(|&f| {
                    let buf = src
                        .frames
                        .get(f)
                        .ok_or_else(|| GraphError::Read(format!("frame {f} missing")))?;
                    Ok(gather_separable(buf, &src.meta, grid, &cols, &rows))
                })
                .collect();
        }
        let (cols, rows) = nearest_indices(&src.meta, grid)?;
        frames
            .iter()
            .map(|&f| {
                let buf = src
                    .frames
                    .get(f)
                    .ok_or_else(|| GraphError::Read(format!("frame {f} missing")))?;
                Ok(gather(buf, &src.meta, grid, &cols, &rows))
            })
            .collect()
    }
}

/// For every target cell the source (col, row), or -1 outside. Same CRS:
/// separable per axis; otherwise one exact transform per cell.
pub fn nearest_indices(
    meta: &SourceMeta,
    grid: &GridSpec,
) -> Result<(Vec<i64>, Vec<i64>), GraphError> {
    let n = grid.width as usize * grid.height as usize;
    let gt = meta.geo_transform;
    let point = grid.bbox.min_x == grid.bbox.max_x || grid.bbox.min_y == grid.bbox.max_y;
    let mut xs = Vec::with_capacity(n);
    let mut ys = Vec::with_capacity(n);
    if point {
        xs.push(grid.bbox.min_x);
        ys.push(grid.bbox.min_y);
    } else {
        let t = grid.transform();
        for r in 0..grid.height {
            for c in 0..grid.width {
                xs.push(t.origin_x + (f64::from(c) + 0.5) * t.pixel_x);
                ys.push(t.origin_y + (f64::from(r) + 0.5) * t.pixel_y);
            }
        }
    }
    if grid.crs != meta.crs {
        let tr =
            Transformer::new(grid.crs, meta.crs).map_err(|e| GraphError::Request(e.to_string()))?;
        tr.transform_in_place(&mut xs, &mut ys);
    }
    let (mut cols, mut rows) = (Vec::with_capacity(n), Vec::with_capacity(n));
    for (x, y) in xs.iter().zip(&ys) {
        let c = ((x - gt.origin_x) / gt.pixel_x).floor();
        let r = ((y - gt.origin_y) / gt.pixel_y).floor();
        let inside =
            c >= 0.0 && r >= 0.0 && c < f64::from(meta.width) && r < f64::from(meta.height);
        cols.push(if inside { c as i64 } else { -1 });
        rows.push(if inside { r as i64 } else { -1 });
    }
    Ok((cols, rows))
}

/// Same CRS, both north-up: source column per target column and source row
/// per target row (-1 outside), from the cell centres.
fn separable_indices(meta: &SourceMeta, grid: &GridSpec) -> (Vec<i64>, Vec<i64>) {
    let t = grid.transform();
    let gt = meta.geo_transform;
    let axis = |n: u32, o: f64, d: f64, so: f64, sd: f64, len: u32| -> Vec<i64> {
        (0..n)
            .map(|i| {
                let c = ((o + (f64::from(i) + 0.5) * d - so) / sd).floor();
                if c >= 0.0 && c < f64::from(len) {
                    c as i64
                } else {
                    -1
                }
            })
            .collect()
    };
    (
        axis(
            grid.width,
            t.origin_x,
            t.pixel_x,
            gt.origin_x,
            gt.pixel_x,
            meta.width,
        ),
        axis(
            grid.height,
            t.origin_y,
            t.pixel_y,
            gt.origin_y,
            gt.pixel_y,
            meta.height,
        ),
    )
}

fn gather_separable(
    buf: &RasterBuf,
    meta: &SourceMeta,
    grid: &GridSpec,
    cols: &[i64],
    rows: &[i64],
) -> RasterBuf {
    fn go<T: Pixel>(src: &[T], w: usize, cols: &[i64], rows: &[i64], fill: T) -> Vec<T> {
        let mut out = Vec::with_capacity(cols.len() * rows.len());
        for r in rows {
            if *r < 0 {
                out.extend(std::iter::repeat_n(fill, cols.len()));
                continue;
            }
            let line = &src[*r as usize * w..(*r as usize + 1) * w];
            out.extend(
                cols.iter()
                    .map(|c| if *c < 0 { fill } else { line[*c as usize] }),
            );
        }
        out
    }
    let w = meta.width as usize;
    let fill = meta.nodata.unwrap_or(0.0);
    let data = crate::with_raster_data!(&buf.data, v => {
        let f = Pixel::from_f64(fill);
        let out = go(v, w, cols, rows, f);
        to_data(out)
    });
    RasterBuf {
        width: grid.width,
        height: grid.height,
        data,
        nodata: meta.nodata,
    }
}

fn to_data<T: Pixel>(v: Vec<T>) -> RasterData {
    use crate::model::DataType as D;
    let any: Box<dyn std::any::Any> = Box::new(v);
    match T::DTYPE {
        D::U8 => RasterData::U8(*any.downcast().unwrap_or_default()),
        D::I8 => RasterData::I8(*any.downcast().unwrap_or_default()),
        D::U16 => RasterData::U16(*any.downcast().unwrap_or_default()),
        D::I16 => RasterData::I16(*any.downcast().unwrap_or_default()),
        D::U32 => RasterData::U32(*any.downcast().unwrap_or_default()),
        D::I32 => RasterData::I32(*any.downcast().unwrap_or_default()),
        D::F32 => RasterData::F32(*any.downcast().unwrap_or_default()),
        D::F64 => RasterData::F64(*any.downcast().unwrap_or_default()),
    }
}

fn gather(
    buf: &RasterBuf,
    meta: &SourceMeta,
    grid: &GridSpec,
    cols: &[i64],
    rows: &[i64],
) -> RasterBuf {
    fn go<T: Pixel>(src: &[T], w: usize, cols: &[i64], rows: &[i64], fill: T) -> Vec<T> {
        cols.iter()
            .zip(rows)
            .map(|(c, r)| {
                if *c < 0 {
                    fill
                } else {
                    src[*r as usize * w + *c as usize]
                }
            })
            .collect()
    }
    let w = meta.width as usize;
    let fill = meta.nodata.unwrap_or(0.0);
    let data = match &buf.data {
        RasterData::U8(v) => RasterData::U8(go(v, w, cols, rows, Pixel::from_f64(fill))),
        RasterData::I8(v) => RasterData::I8(go(v, w, cols, rows, Pixel::from_f64(fill))),
        RasterData::U16(v) => RasterData::U16(go(v, w, cols, rows, Pixel::from_f64(fill))),
        RasterData::I16(v) => RasterData::I16(go(v, w, cols, rows, Pixel::from_f64(fill))),
        RasterData::U32(v) => RasterData::U32(go(v, w, cols, rows, Pixel::from_f64(fill))),
        RasterData::I32(v) => RasterData::I32(go(v, w, cols, rows, Pixel::from_f64(fill))),
        RasterData::F32(v) => RasterData::F32(go(v, w, cols, rows, Pixel::from_f64(fill))),
        RasterData::F64(v) => RasterData::F64(go(v, w, cols, rows, Pixel::from_f64(fill))),
    };
    RasterBuf {
        width: grid.width,
        height: grid.height,
        data,
        nodata: meta.nodata,
    }
}
