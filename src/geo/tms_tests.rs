//! The built-in tile matrix sets against the published tables
//! (ogc-conformance §4.6, OGC TMS 2.0, Geonovum tiling guideline).

use super::*;

/// `{}` of an f64: the shortest round-trip form, as documents print it.
fn s(v: f64) -> String {
    format!("{v}")
}

#[test]
fn web_mercator_quad_matches_the_table() {
    let table = [
        (0, "559082264.0287178", "156543.03392804097"),
        (1, "279541132.0143589", "78271.51696402048"),
        (2, "139770566.00717944", "39135.75848201024"),
        (3, "69885283.00358972", "19567.87924100512"),
        (4, "34942641.50179486", "9783.93962050256"),
        (5, "17471320.75089743", "4891.96981025128"),
        (6, "8735660.375448715", "2445.98490512564"),
        (7, "4367830.1877243575", "1222.99245256282"),
        (8, "2183915.0938621787", "611.49622628141"),
        (9, "1091957.5469310894", "305.748113140705"),
        (10, "545978.7734655447", "152.8740565703525"),
        (11, "272989.38673277234", "76.43702828517625"),
        (12, "136494.69336638617", "38.21851414258813"),
        (13, "68247.34668319309", "19.109257071294063"),
        (14, "34123.67334159654", "9.554628535647032"),
        (15, "17061.83667079827", "4.777314267823516"),
        (16, "8530.918335399136", "2.388657133911758"),
        (17, "4265.459167699568", "1.194328566955879"),
        (18, "2132.729583849784", "0.5971642834779395"),
        (19, "1066.364791924892", ""),
        (24, "33.323899747652874", ""),
    ];
    let set = &WEB_MERCATOR_QUAD;
    assert_eq!(set.matrices().count(), 25);
    for (z, scale, cell) in table {
        let m = set.matrix(z).unwrap();
        assert_eq!(m.id, z.to_string());
        assert_eq!(s(m.scale_denominator), scale, "z{z}");
        if !cell.is_empty() {
            assert_eq!(s(m.cell_size), cell, "z{z}");
        }
        assert_eq!((m.matrix_width, m.matrix_height), (1 << z, 1 << z));
    }
    assert_eq!(s(set.top_left.0), "-20037508.342789244");
    assert_eq!(s(set.top_left.1), "20037508.342789244");
    // scale = cell / 0.28 mm
    let m = set.matrix(0).unwrap();
    assert!((m.cell_size / 0.00028 - m.scale_denominator).abs() < 1e-6);
    assert!(set.matrix(25).is_none());
}

#[test]
fn world_crs84_quad_matches_the_definition() {
    let set = &WORLD_CRS84_QUAD;
    assert_eq!(set.supported_crs, "urn:ogc:def:crs:OGC:1.3:CRS84");
    for (z, scale) in [
        (0, "279541132.0143589"),
        (1, "139770566.00717944"),
        (2, "69885283.00358972"),
    ] {
        let m = set.matrix(z).unwrap();
        assert_eq!(s(m.scale_denominator), scale);
        assert_eq!(m.cell_size, 0.703125 / f64::from(1u32 << z));
        assert_eq!((m.matrix_width, m.matrix_height), (2 << z, 1 << z));
    }
    // Degrees → metres on the WGS 84 equator, then the 0.28 mm pixel.
    let m = set.matrix(0).unwrap();
    let metres = m.cell_size * 6_378_137.0 * 2.0 * std::f64::consts::PI / 360.0;
    assert!((metres / 0.00028 - m.scale_denominator).abs() < 1e-6);
    // The whole matrix is the world.
    assert_eq!(m.extent(), BBox::new(-180.0, -90.0, 180.0, 90.0));
    assert_eq!(
        set.matrix(1).unwrap().tile_bbox(1, 3).unwrap(),
        BBox::new(90.0, -90.0, 180.0, 0.0)
    );
}

#[test]
fn dutch_rd_sets_match_the_table() {
    let table = [
        (0, "12288000", 3440.64, 1),
        (1, "6144000", 1720.32, 2),
        (2, "3072000", 860.16, 4),
        (3, "1536000", 430.08, 8),
        (4, "768000", 215.04, 16),
        (5, "384000", 107.52, 32),
        (6, "192000", 53.76, 64),
        (7, "96000", 26.88, 128),
        (8, "48000", 13.44, 256),
        (9, "24000", 6.72, 512),
        (10, "12000", 3.36, 1024),
        (11, "6000", 1.68, 2048),
        (12, "3000", 0.84, 4096),
        (13, "1500", 0.42, 8192),
        (14, "750", 0.21, 16384),
        (15, "375", 0.105, 32768),
        (16, "187.5", 0.0525, 65536),
    ];
    for set in [&NL_EPSG_28992, &NETHERLANDS_RD_NEW_QUAD] {
        assert_eq!(set.crs, Crs(28992));
        assert_eq!(set.matrices().count(), 17);
        for (z, scale, cell, n) in table {
            let m = set.matrix(z).unwrap();
            assert_eq!(s(m.scale_denominator), scale, "z{z}");
            assert!((m.cell_size - cell).abs() < 1e-12, "z{z}");
            assert_eq!((m.matrix_width, m.matrix_height), (n, n));
        }
        let ext = set.matrix(0).unwrap().extent();
        for (got, want) in [
            (ext.min_x, -285_401.92),
            (ext.min_y, 22_598.08),
            (ext.max_x, 595_401.92),
            (ext.max_y, 903_401.92),
        ] {
            assert!((got - want).abs() < 1e-6, "{got} vs {want}");
        }
    }
    assert_eq!(NL_EPSG_28992.matrix(5).unwrap().id, "05");
    assert_eq!(NETHERLANDS_RD_NEW_QUAD.matrix(5).unwrap().id, "5");
    assert_eq!(NL_EPSG_28992.matrix_by_id("05").unwrap().z, 5);
    assert!(NL_EPSG_28992.matrix_by_id("5").is_none());
    assert!(NETHERLANDS_RD_NEW_QUAD.matrix_by_id("05").is_none());
    assert_eq!(s(NL_EPSG_28992.top_left.0), "-285401.92");
    assert_eq!(s(NL_EPSG_28992.top_left.1), "903401.92");
}

#[test]
fn tile_extents_follow_tms_01() {
    // z1 of the RD set: tile (row 1, col 0) is the south-west quarter.
    let m = NL_EPSG_28992.matrix(1).unwrap();
    let b = m.tile_bbox(1, 0).unwrap();
    let half = 880_803.84 / 2.0;
    assert!((b.min_x - -285_401.92).abs() < 1e-6);
    assert!((b.max_x - (-285_401.92 + half)).abs() < 1e-6);
    assert!((b.max_y - (903_401.92 - half)).abs() < 1e-6);
    assert!((b.min_y - 22_598.08).abs() < 1e-6);
    assert!(m.tile_bbox(2, 0).is_none());
    assert!(m.tile_bbox(0, 2).is_none());
}

#[test]
fn web_mercator_tiles_equal_the_xyz_tiles() {
    // The cell size times 256 is exactly the world width, so tiles are the XYZ ones.
    assert_eq!(WEB_MERCATOR_QUAD.cell_size_0 * 256.0, 2.0 * MERC);
    for (z, x, y) in [(0, 0, 0), (12, 2103, 1346), (17, 67_321, 43_071)] {
        let m = WEB_MERCATOR_QUAD.matrix(z as u8).unwrap();
        let ours = m.tile_bbox(u64::from(y), u64::from(x)).unwrap();
        let xyz = crate::geo::tiles::xyz_bbox(z, x, y).unwrap();
        for (a, b) in [
            (ours.min_x, xyz.min_x),
            (ours.min_y, xyz.min_y),
            (ours.max_x, xyz.max_x),
            (ours.max_y, xyz.max_y),
        ] {
            assert!((a - b).abs() < 1e-6, "{z}/{x}/{y}: {a} vs {b}");
        }
    }
}

#[test]
fn tiles_covering_a_box() {
    let m = NL_EPSG_28992.matrix(3).unwrap(); // 8×8 tiles of 110 100.48 m
    let span = m.tile_span();
    // A box inside tile (row 2, col 3).
    let x = -285_401.92 + 3.5 * span;
    let y = 903_401.92 - 2.5 * span;
    let r = m
        .tiles_covering(&BBox::new(x - 10.0, y - 10.0, x + 10.0, y + 10.0))
        .unwrap();
    assert_eq!(
        r,
        TileRange {
            min_row: 2,
            max_row: 2,
            min_col: 3,
            max_col: 3
        }
    );
    // Larger than the matrix: clipped to it.
    let all = m.tiles_covering(&BBox::new(-1e7, -1e7, 1e7, 1e7)).unwrap();
    assert_eq!(
        (all.min_row, all.max_row, all.min_col, all.max_col),
        (0, 7, 0, 7)
    );
    // Outside: none.
    assert!(m.tiles_covering(&BBox::new(1e6, 1e6, 2e6, 2e6)).is_none());
    assert!(r.contains_row(2) && !r.contains_row(3) && r.contains_col(3));
}

#[test]
fn find_by_identifier() {
    assert_eq!(find("WebMercatorQuad").unwrap().crs, Crs(3857));
    assert_eq!(find("EPSG:28992").unwrap().ids, MatrixIds::TwoDigits);
    assert!(find("webmercatorquad").is_none());
    let ids: Vec<_> = BUILTIN.iter().map(|s| s.id).collect();
    let mut unique = ids.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), ids.len());
}
