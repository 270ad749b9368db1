//! Plan + apply against the direct nearest warp (per-row mesh coordinates or
//! per-axis indices, then the antimeridian mask), byte for byte, and the memo's
//! sharing of plans.

use super::*;
use crate::kernels::{gather_nearest, gather_nearest_separable};
use crate::model::{BBox, DataType, Pixel, RasterData, SourceError, Window};
use crate::render::warp::warp;

/// An in-memory pyramid: level k is level 0 subsampled by 2^k.
struct Mem {
    info: PyramidInfo,
    levels: Vec<RasterBuf>,
}

impl Mem {
    /// A `w`×`h` source at `origin` with `pixel`-sized cells in `crs`, values
    /// from `f(col, row)` at level 0, every 7th cell nodata when `nodata` is set.
    fn new(
        crs: Crs,
        origin: (f64, f64),
        pixel: f64,
        (w, h): (u32, u32),
        dtype: DataType,
        nodata: Option<f64>,
        f: impl Fn(u32, u32) -> f64,
    ) -> Mem {
        let mut levels = Vec::new();
        let mut infos = Vec::new();
        for k in 0..3 {
            let (lw, lh) = (w >> k, h >> k);
            let values: Vec<f64> = (0..lh)
                .flat_map(|r| (0..lw).map(move |c| (r, c)))
                .map(|(r, c)| match nodata {
                    Some(nd) if (r * lw + c) % 7 == 0 => nd,
                    _ => f(c << k, r << k),
                })
                .collect();
            let mut buf = RasterBuf::new(dtype, lw, lh, nodata);
            crate::with_raster_data!(&mut buf.data, v => {
                for (o, x) in v.iter_mut().zip(&values) {
                    *o = Pixel::from_f64(*x);
                }
            });
            levels.push(buf);
            infos.push(LevelInfo {
                width: lw,
                height: lh,
                factor: 1 << k,
            });
        }
        Mem {
            info: PyramidInfo {
                crs,
                dtype,
                nodata,
                transform: GeoTransform {
                    origin_x: origin.0,
                    origin_y: origin.1,
                    pixel_x: pixel,
                    pixel_y: -pixel,
                },
                levels: infos,
            },
            levels,
        }
    }
}

impl RasterSource for Mem {
    fn info(&self) -> &PyramidInfo {
        &self.info
    }

    fn read_window(&self, level: usize, w: Window, out: &mut RasterBuf) -> Result<(), SourceError> {
        let src = self
            .levels
            .get(level)
            .ok_or(SourceError::NoSuchLevel(level))?;
        let size = src.dtype().size();
        let stride = src.width as usize;
        let (s, d) = (src.data.as_bytes(), out.data.as_bytes_mut());
        // Windows from plans lie inside the level.
        for r in 0..w.height as usize {
            let s0 = ((w.row as usize + r) * stride + w.col as usize) * size;
            let d0 = r * w.width as usize * size;
            let n = w.width as usize * size;
            d[d0..d0 + n].copy_from_slice(&s[s0..s0 + n]);
        }
        Ok(())
    }
}

/// The direct nearest warp: one read, a gather driven by the mesh row by row
/// (or by per-axis indices in the source's CRS), then the antimeridian mask.
fn direct(source: &dyn RasterSource, grid: &GridSpec, transforms: &TransformCache) -> Warped {
    let info = source.info();
    let nodata = info.nodata.unwrap_or_else(|| default_fill(info.dtype));
    let mesh = PixelMesh::build(
        grid,
        &transforms.get(grid.crs, info.crs).unwrap(),
        &info.transform,
        MAX_ERROR_PX,
    );
    let Some((level, window)) = choose_window(grid, info, &mesh, 0) else {
        return Warped::empty(grid, info);
    };
    let mut out = RasterBuf::new(info.dtype, grid.width, grid.height, Some(nodata));
    let mut valid = vec![0u8; grid.pixels()];
    let mut src = RasterBuf::new(info.dtype, window.width, window.height, info.nodata);
    source
        .read_window(level, read_of(&window), &mut src)
        .unwrap();
    if grid.crs == info.crs {
        let (lt, dt) = (info.level_transform(level), grid.transform());
        let cols = axis_indices(
            grid.width,
            dt.origin_x,
            dt.pixel_x,
            lt.origin_x,
            lt.pixel_x,
            window.col,
            window.width,
        );
        let rows = axis_indices(
            grid.height,
            dt.origin_y,
            dt.pixel_y,
            lt.origin_y,
            lt.pixel_y,
            window.row,
            window.height,
        );
        same_dtype!(&src.data, &mut out.data, s, d =>
            gather_nearest_separable(s, &window, &cols, &rows, d, &mut valid));
    } else {
        let factor = f64::from(info.levels[level].factor);
        let mut coords = level_coords(&mesh, factor);
        same_dtype!(&src.data, &mut out.data, s, d =>
            gather_nearest(s, &window, d, &mut valid, grid.width, &mut coords));
    }
    let width = grid.width as usize;
    for c in columns_beyond_antimeridian(grid) {
        for row in 0..grid.height as usize {
            valid[row * width + c] = 0;
            crate::with_raster_data!(&mut out.data, v => v[row * width + c] = Pixel::from_f64(nodata));
        }
    }
    let empty = !valid.contains(&1);
    Warped {
        buf: out,
        valid,
        empty,
    }
}

/// Asserts plan + apply equals [`direct`]; returns the level read and the
/// number of valid pixels.
fn assert_same(
    source: &dyn RasterSource,
    grid: &GridSpec,
    transforms: &TransformCache,
) -> (Option<usize>, usize) {
    let want = direct(source, grid, transforms);
    let plan = WarpPlan::nearest(grid, source.info(), transforms).unwrap();
    let got = plan.apply(source).unwrap();
    assert_eq!(
        got.buf.data.as_bytes(),
        want.buf.data.as_bytes(),
        "{grid:?}"
    );
    assert_eq!(
        got.buf.nodata.map(f64::to_bits),
        want.buf.nodata.map(f64::to_bits)
    );
    assert_eq!((got.buf.width, got.buf.height), (grid.width, grid.height));
    assert_eq!(got.valid, want.valid, "{grid:?}");
    assert_eq!(got.empty, want.empty, "{grid:?}");
    let once = warp(source, grid, transforms, crate::model::Resampling::Nearest).unwrap();
    assert_eq!(once.buf.data.as_bytes(), want.buf.data.as_bytes());
    assert_eq!(once.valid, want.valid);
    assert_eq!(once.empty, want.empty);
    let valid = got.valid.iter().filter(|&&v| v == 1).count();
    (plan.read.map(|(level, _)| level), valid)
}

/// 96×80 cells of 10 m near Amersfoort, EPSG:28992.
fn rd_source(dtype: DataType, nodata: Option<f64>) -> Mem {
    Mem::new(
        Crs(28992),
        (155_000.0, 463_000.0),
        10.0,
        (96, 80),
        dtype,
        nodata,
        |c, r| f64::from((c * 3 + r * 5) % 250),
    )
}

/// The source's bounds (EPSG:28992) transformed to `crs`, as a box.
fn rd_bbox_in(crs: Crs, transforms: &TransformCache, shrink: f64) -> BBox {
    let t = transforms.get(Crs(28992), crs).unwrap();
    let (x0, y0) = t.transform(155_000.0 + shrink, 462_200.0 + shrink).unwrap();
    let (x1, y1) = t.transform(155_960.0 - shrink, 463_000.0 - shrink).unwrap();
    BBox::new(x0.min(x1), y0.min(y1), x0.max(x1), y0.max(y1))
}

#[test]
fn plan_matches_direct_warp_reprojected() {
    let transforms = TransformCache::new();
    let src = rd_source(DataType::F32, Some(-9999.0));
    let mut levels = Vec::new();
    for (shrink, (w, h)) in [(100.0, (64, 48)), (0.0, (37, 29)), (200.0, (200, 180))] {
        let grid = GridSpec {
            crs: Crs(3857),
            bbox: rd_bbox_in(Crs(3857), &transforms, shrink),
            width: w,
            height: h,
        };
        let (level, valid) = assert_same(&src, &grid, &transforms);
        assert!(valid > grid.pixels() / 2, "{grid:?}");
        levels.push(level.unwrap());
    }
    assert_eq!(levels, [0, 1, 0]);
    // Geographic, with an integer type and no nodata (the default fill).
    let src = rd_source(DataType::U8, None);
    let grid = GridSpec {
        crs: Crs(4326),
        bbox: rd_bbox_in(Crs(4326), &transforms, 50.0),
        width: 50,
        height: 40,
    };
    assert!(assert_same(&src, &grid, &transforms).1 > 1000);
}

#[test]
fn plan_matches_direct_warp_in_the_source_crs() {
    let transforms = TransformCache::new();
    let src = rd_source(DataType::I16, Some(-1.0));
    // Finer than level 0, about level 0, and coarse enough for level 1 and 2.
    let mut levels = Vec::new();
    for (bbox, w, h) in [
        (
            BBox::new(155_103.0, 462_301.0, 155_403.0, 462_551.0),
            70,
            50,
        ),
        (
            BBox::new(155_000.0, 462_200.0, 155_960.0, 463_000.0),
            96,
            80,
        ),
        (
            BBox::new(155_017.0, 462_233.0, 155_917.0, 462_933.0),
            40,
            30,
        ),
        (
            BBox::new(155_000.0, 462_200.0, 155_960.0, 463_000.0),
            24,
            20,
        ),
    ] {
        let grid = GridSpec {
            crs: Crs(28992),
            bbox,
            width: w,
            height: h,
        };
        let (level, valid) = assert_same(&src, &grid, &transforms);
        assert_eq!(valid, grid.pixels(), "{grid:?}");
        levels.push(level.unwrap());
    }
    assert_eq!(levels, [0, 0, 1, 2]);
}

#[test]
fn plan_matches_direct_warp_partly_and_wholly_outside() {
    let transforms = TransformCache::new();
    let src = rd_source(DataType::F64, Some(f64::NAN));
    let inside = rd_bbox_in(Crs(3857), &transforms, 0.0);
    let (dx, dy) = (inside.max_x - inside.min_x, inside.max_y - inside.min_y);
    let mut valid = Vec::new();
    for (crs, bbox) in [
        // Half beyond the right edge, reprojected and in the source's CRS.
        (
            Crs(3857),
            BBox::new(
                inside.min_x + dx / 2.0,
                inside.min_y - dy / 3.0,
                inside.max_x + dx / 2.0,
                inside.max_y - dy / 3.0,
            ),
        ),
        (
            Crs(28992),
            BBox::new(155_500.0, 462_000.0, 156_500.0, 462_700.0),
        ),
        // Entirely outside.
        (
            Crs(3857),
            BBox::new(
                inside.max_x + dx,
                inside.min_y,
                inside.max_x + 2.0 * dx,
                inside.max_y,
            ),
        ),
    ] {
        let grid = GridSpec {
            crs,
            bbox,
            width: 45,
            height: 33,
        };
        valid.push(assert_same(&src, &grid, &transforms).1);
    }
    assert!(valid[0] > 100 && valid[0] < 45 * 33 / 2, "{valid:?}");
    assert!(valid[1] > 100 && valid[1] < 45 * 33 / 2, "{valid:?}");
    assert_eq!(valid[2], 0);
}

#[test]
fn plan_masks_columns_beyond_the_antimeridian() {
    // A geographic source from 175°E to 185°E (data beyond the antimeridian
    // that must not show); the request runs from 172°E to 190°E.
    let transforms = TransformCache::new();
    let src = Mem::new(
        Crs(4326),
        (175.0, 10.0),
        0.5,
        (20, 20),
        DataType::F32,
        None,
        |c, r| f64::from(c + r),
    );
    let grid = GridSpec {
        crs: Crs(4326),
        bbox: BBox::new(172.0, 2.0, 190.0, 8.0),
        width: 36,
        height: 12,
    };
    assert_same(&src, &grid, &transforms);
    let got = warp(&src, &grid, &transforms, crate::model::Resampling::Nearest).unwrap();
    // Columns centred at 172.25°..179.75°: 172.25°..174.75° miss the source.
    assert!(got.valid[..6].iter().all(|&v| v == 0));
    assert!(got.valid[6..16].iter().all(|&v| v == 1));
    assert!(got.valid[16..36].iter().all(|&v| v == 0));
}

#[test]
fn memo_shares_plans_per_grid() {
    let transforms = TransformCache::new();
    let grid = GridSpec {
        crs: Crs(3857),
        bbox: rd_bbox_in(Crs(3857), &transforms, 100.0),
        width: 32,
        height: 32,
    };
    let a = rd_source(DataType::F32, Some(-9999.0));
    // Same grid, other data and type.
    let b = Mem::new(
        Crs(28992),
        (155_000.0, 463_000.0),
        10.0,
        (96, 80),
        DataType::U16,
        None,
        |c, r| f64::from(c * r),
    );
    // Another grid: shifted by one cell.
    let c = Mem::new(
        Crs(28992),
        (155_010.0, 463_000.0),
        10.0,
        (96, 80),
        DataType::F32,
        None,
        |c, _| f64::from(c),
    );
    let memo = PlanMemo::default();
    let pa = memo.nearest(&grid, a.info(), &transforms).unwrap();
    let pb = memo.nearest(&grid, b.info(), &transforms).unwrap();
    let pc = memo.nearest(&grid, c.info(), &transforms).unwrap();
    assert!(Arc::ptr_eq(&pa, &pb));
    assert!(!Arc::ptr_eq(&pa, &pc));
    let other = GridSpec { width: 31, ..grid };
    let pd = memo.nearest(&other, a.info(), &transforms).unwrap();
    assert!(!Arc::ptr_eq(&pa, &pd));
    for (plan, source) in [(&pa, &a as &dyn RasterSource), (&pb, &b), (&pc, &c)] {
        let want = direct(source, &grid, &transforms);
        let got = plan.apply(source).unwrap();
        assert_eq!(got.buf.data.as_bytes(), want.buf.data.as_bytes());
        assert_eq!(got.valid, want.valid);
    }
    // A plan refuses a source on another grid.
    assert!(pa.apply(&c).is_err());
    // Each source keeps its own pixel type.
    assert!(matches!(pb.apply(&b).unwrap().buf.data, RasterData::U16(_)));
}

#[test]
fn memo_keeps_the_last_grids_it_met() {
    let transforms = TransformCache::new();
    let src = rd_source(DataType::F32, None);
    let grid = |x: f64| GridSpec {
        crs: Crs(28992),
        bbox: BBox::new(155_100.0 + x, 462_300.0, 155_200.0 + x, 462_400.0),
        width: 4,
        height: 4,
    };
    let memo = PlanMemo::with_limit(2);
    let first = memo.nearest(&grid(0.0), src.info(), &transforms).unwrap();
    let second = memo.nearest(&grid(10.0), src.info(), &transforms).unwrap();
    assert!(Arc::ptr_eq(
        &first,
        &memo.nearest(&grid(0.0), src.info(), &transforms).unwrap()
    ));
    // A third grid pushes out the oldest: the first is built anew.
    memo.nearest(&grid(20.0), src.info(), &transforms).unwrap();
    let again = memo.nearest(&grid(0.0), src.info(), &transforms).unwrap();
    assert!(!Arc::ptr_eq(&first, &again));
    assert_eq!(
        again.apply(&src).unwrap().valid,
        first.apply(&src).unwrap().valid
    );
    assert!(!Arc::ptr_eq(
        &second,
        &memo.nearest(&grid(10.0), src.info(), &transforms).unwrap()
    ));
}
