//! `PixelMesh` against the exact per-pixel transform over many grids.

use crate::geo::approx::DEFAULT_MAX_ERR_PX;
use crate::geo::tiles::xyz_bbox;
use crate::geo::{PixelMesh, Transformer};
use crate::model::{BBox, Crs, GeoTransform, GridSpec};

/// Exact source (col, row) of the centre of destination pixel (c, r).
fn exact(dst: &GridSpec, t: &Transformer, src: &GeoTransform, c: u32, r: u32) -> (f64, f64) {
    let (x, y) = dst
        .transform()
        .pixel_to_world(f64::from(c) + 0.5, f64::from(r) + 0.5);
    match t.transform(x, y) {
        Ok((sx, sy)) => src.world_to_pixel(sx, sy),
        Err(_) => (f64::NAN, f64::NAN),
    }
}

/// Builds the mesh and returns (max error in source pixels, mesh), asserting that
/// pixels failing exactly are NaN in the mesh too.
fn check(dst: &GridSpec, src_crs: Crs, src: &GeoTransform) -> (f64, PixelMesh) {
    let t = Transformer::new(dst.crs, src_crs).unwrap();
    let mesh = PixelMesh::build(dst, &t, src, DEFAULT_MAX_ERR_PX);
    let w = dst.width as usize;
    let (mut cols, mut rows) = (vec![0.0; w], vec![0.0; w]);
    let mut worst = 0.0f64;
    for r in 0..dst.height {
        mesh.row_into(r, &mut cols, &mut rows);
        for c in 0..dst.width {
            let (ec, er) = exact(dst, &t, src, c, r);
            let (mc, mr) = (cols[c as usize], rows[c as usize]);
            if ec.is_nan() {
                assert!(
                    mc.is_nan() && mr.is_nan(),
                    "pixel ({c}, {r}) fails exactly but mesh gives ({mc}, {mr})"
                );
                continue;
            }
            let err = (mc - ec).hypot(mr - er);
            assert!(
                err <= DEFAULT_MAX_ERR_PX,
                "{dst:?} pixel ({c}, {r}): mesh ({mc}, {mr}) exact ({ec}, {er})"
            );
            worst = worst.max(err);
        }
    }
    println!(
        "EPSG:{} {}x{} -> EPSG:{} px {:.3}: max err {worst:.4} px, {} transforms",
        dst.crs.0,
        dst.width,
        dst.height,
        src_crs.0,
        src.pixel_x,
        mesh.transforms()
    );
    (worst, mesh)
}

/// A north-up source grid of `pixel` metres (or degrees) anchored at `origin`.
fn src_grid(origin: (f64, f64), pixel: f64) -> GeoTransform {
    GeoTransform {
        origin_x: origin.0,
        origin_y: origin.1,
        pixel_x: pixel,
        pixel_y: -pixel,
    }
}

/// XYZ tile containing (lon, lat) at zoom z.
fn tile_at(lon: f64, lat: f64, z: u32) -> (u32, u32) {
    let n = f64::from(1u32 << z);
    let x = ((lon + 180.0) / 360.0 * n).floor();
    let lat = lat.to_radians();
    let y = ((1.0 - (lat.tan() + 1.0 / lat.cos()).ln() / std::f64::consts::PI) / 2.0 * n).floor();
    (x as u32, y as u32)
}

#[test]
fn mercator_tiles_over_rd() {
    let rd_origin = (-7_000.0, 629_000.0);
    for (lon, lat) in [(4.9, 52.37), (6.57, 53.22), (5.69, 50.85), (3.6, 51.44)] {
        for z in 8..=18 {
            let (x, y) = tile_at(lon, lat, z);
            let dst = GridSpec {
                crs: Crs(3857),
                bbox: xyz_bbox(z, x, y).unwrap(),
                width: 256,
                height: 256,
            };
            // The pyramid level the renderer would pick, and a fixed fine level.
            let level = dst.bbox.width() / 256.0 * lat.to_radians().cos();
            for pixel in [level, 0.5_f64.max(level / 16.0)] {
                let (err, mesh) = check(&dst, Crs(28992), &src_grid(rd_origin, pixel));
                assert!(err <= DEFAULT_MAX_ERR_PX, "z{z} err {err}");
                assert!(
                    mesh.transforms() < 256 * 256,
                    "z{z} mesh fell back to per-pixel"
                );
            }
        }
    }
}

#[test]
fn geographic_maps() {
    // A 4326 map of the Netherlands against RD and against Web Mercator sources.
    let dst = GridSpec {
        crs: Crs(4326),
        bbox: BBox::new(3.2, 50.7, 7.3, 53.6),
        width: 410,
        height: 290,
    };
    check(&dst, Crs(28992), &src_grid((-7_000.0, 629_000.0), 250.0));
    check(
        &dst,
        Crs(3857),
        &src_grid((-20_037_508.342_789_244, 20_037_508.342_789_244), 152.87),
    );
    // Europe in 4326 against an ETRS-LAEA source.
    let eu = GridSpec {
        crs: Crs(4326),
        bbox: BBox::new(-25.0, 34.0, 45.0, 72.0),
        width: 700,
        height: 380,
    };
    check(
        &eu,
        Crs(3035),
        &src_grid((2_000_000.0, 5_500_000.0), 5_000.0),
    );
}

#[test]
fn identity_is_exact_and_cheap() {
    let dst = GridSpec {
        crs: Crs(28992),
        bbox: BBox::new(120_000.0, 480_000.0, 122_560.0, 482_560.0),
        width: 256,
        height: 256,
    };
    let (err, mesh) = check(&dst, Crs(28992), &src_grid((100_000.0, 500_000.0), 20.0));
    assert!(err < 1e-9, "{err}");
    assert_eq!(mesh.transforms(), 81);
    // 10 m destination pixels on a 20 m source: half a source pixel each.
    assert!((mesh.src_pixels_per_dst_pixel() - 0.5).abs() < 1e-12);
}

#[test]
fn utm_grid() {
    let dst = GridSpec {
        crs: Crs(32631),
        bbox: BBox::new(600_000.0, 5_700_000.0, 730_000.0, 5_830_000.0),
        width: 300,
        height: 300,
    };
    check(&dst, Crs(28992), &src_grid((-7_000.0, 629_000.0), 100.0));
    check(&dst, Crs(4326), &src_grid((0.0, 60.0), 0.005));
}

#[test]
fn wms_map_512() {
    let dst = GridSpec {
        crs: Crs(3857),
        bbox: BBox::new(300_000.0, 6_550_000.0, 800_000.0, 7_050_000.0),
        width: 512,
        height: 512,
    };
    let (_, mesh) = check(&dst, Crs(28992), &src_grid((-7_000.0, 629_000.0), 25.0));
    assert!(mesh.transforms() < 512 * 512 / 20, "{}", mesh.transforms());
}

#[test]
fn failing_region_is_exact_nan() {
    // A geographic map reaching past the pole: pixel centres north of 90° cannot be
    // projected, so the mesh has a NaN region bounded by exactly computed pixels.
    let dst = GridSpec {
        crs: Crs(4326),
        bbox: BBox::new(-20.0, 40.0, 20.0, 120.0),
        width: 200,
        height: 400,
    };
    let (_, mesh) = check(
        &dst,
        Crs(3857),
        &src_grid((-20_037_508.342_789_244, 20_037_508.342_789_244), 10_000.0),
    );
    let (mut cols, mut rows) = (vec![0.0; 200], vec![0.0; 200]);
    mesh.row_into(149, &mut cols, &mut rows);
    assert!(cols.iter().chain(&rows).all(|v| v.is_nan()));
    mesh.row_into(150, &mut cols, &mut rows);
    assert!(cols.iter().chain(&rows).all(|v| v.is_finite()));
    // Near the pole Mercator is so curved that most blocks refine to step 1; the
    // halving scheme then costs at most ~4/3 of one transform per pixel.
    assert!(
        mesh.transforms() < 200 * 400 * 3 / 2,
        "{}",
        mesh.transforms()
    );
}

#[test]
fn scale_matches_exact_derivative() {
    let (x, y) = tile_at(5.1, 52.1, 14);
    let dst = GridSpec {
        crs: Crs(3857),
        bbox: xyz_bbox(14, x, y).unwrap(),
        width: 256,
        height: 256,
    };
    let src = src_grid((-7_000.0, 629_000.0), 2.0);
    let t = Transformer::new(Crs(3857), Crs(28992)).unwrap();
    let mesh = PixelMesh::build(&dst, &t, &src, DEFAULT_MAX_ERR_PX);
    let (a, b) = (
        exact(&dst, &t, &src, 127, 128),
        exact(&dst, &t, &src, 129, 128),
    );
    let (c, d) = (
        exact(&dst, &t, &src, 128, 127),
        exact(&dst, &t, &src, 128, 129),
    );
    let sx = (b.0 - a.0).hypot(b.1 - a.1) / 2.0;
    let sy = (d.0 - c.0).hypot(d.1 - c.1) / 2.0;
    let want = (sx * sy).sqrt();
    assert!(
        (mesh.src_pixels_per_dst_pixel() / want - 1.0).abs() < 0.01,
        "{} vs {want}",
        mesh.src_pixels_per_dst_pixel()
    );
}

#[test]
fn edge_cases() {
    let t = Transformer::new(Crs(3857), Crs(28992)).unwrap();
    let src = src_grid((-7_000.0, 629_000.0), 10.0);
    let bbox = BBox::new(540_000.0, 6_860_000.0, 541_000.0, 6_861_000.0);
    // Single pixel and thin grids.
    for (w, h) in [(1, 1), (1, 300), (300, 1), (65, 3), (0, 0)] {
        let dst = GridSpec {
            crs: Crs(3857),
            bbox,
            width: w,
            height: h,
        };
        if w > 0 {
            check(&dst, Crs(28992), &src);
        }
        let mesh = PixelMesh::build(&dst, &t, &src, DEFAULT_MAX_ERR_PX);
        let (mut c, mut r) = (vec![1.0; 4], vec![1.0; 2]);
        mesh.row_into(h, &mut c, &mut r);
        assert!(c[..2.min(w as usize)].iter().all(|v| v.is_nan()));
        assert_eq!(c[3], 1.0);
    }
    // Zero tolerance: every pixel exact.
    let dst = GridSpec {
        crs: Crs(3857),
        bbox,
        width: 20,
        height: 20,
    };
    let mesh = PixelMesh::build(&dst, &t, &src, 0.0);
    assert!(mesh.transforms() >= 400);
}
