//! Warp kernel tests against hand-computed cases.

use super::*;

/// Coordinates of an affine mapping: target pixel centre (x + .5, y + .5) maps to
/// source (a·(x + .5) + b, c·(y + .5) + d).
fn affine(a: f64, b: f64, c: f64, d: f64) -> impl FnMut(u32, &mut [f64], &mut [f64]) {
    move |y, cols, rows| {
        for (x, (cc, rr)) in cols.iter_mut().zip(rows.iter_mut()).enumerate() {
            *cc = a * (x as f64 + 0.5) + b;
            *rr = c * (f64::from(y) + 0.5) + d;
        }
    }
}

/// The window a warp with `coords` reads, via the envelope of every coordinate.
fn needed_window(
    w: u32,
    h: u32,
    lw: u32,
    lh: u32,
    margin: i64,
    coords: RowCoords<'_>,
) -> Option<WarpWindow> {
    let mut env = [
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    ];
    let (mut cols, mut rows) = (vec![0.0; w as usize], vec![0.0; w as usize]);
    for y in 0..h {
        coords(y, &mut cols, &mut rows);
        for (&c, &r) in cols.iter().zip(&rows) {
            if c.is_finite() && r.is_finite() {
                env = [env[0].min(c), env[1].min(r), env[2].max(c), env[3].max(r)];
            }
        }
    }
    window_for(env, lw, lh, margin)
}

#[test]
fn window_clamps_to_the_level_and_misses_cleanly() {
    let w = window_for([-5.0, -5.0, 2.5, 1.2], 4, 3, 1).unwrap();
    assert_eq!((w.col, w.row, w.width, w.height), (0, 0, 4, 3));
    assert!(window_for([4.0, 0.0, 9.0, 2.0], 4, 3, 0).is_none());
    assert!(window_for([f64::NAN, 0.0, 1.0, 1.0], 4, 3, 0).is_none());
    assert!(window_for([-1e300, -1e300, 1e300, 1e300], 4, 3, 0).is_some());
}

fn source_4x3() -> Vec<f32> {
    (0..12).map(|v| v as f32).collect()
}

#[test]
fn identity_copies_exactly() {
    let src = source_4x3();
    let mut f = affine(1.0, 0.0, 1.0, 0.0);
    let win = needed_window(4, 3, 4, 3, 0, &mut f).unwrap();
    assert_eq!((win.col, win.row, win.width, win.height), (0, 0, 4, 3));
    let mut dst = vec![-1.0f32; 12];
    let mut valid = vec![0u8; 12];
    gather_nearest(&src, &win, &mut dst, &mut valid, 4, &mut f);
    assert_eq!(dst, src);
    assert!(valid.iter().all(|&v| v == 1));
}

#[test]
fn shifted_target_marks_outside_invalid() {
    // Target shifted 2 source pixels to the right: its last two columns fall off.
    let src = source_4x3();
    let mut f = affine(1.0, 2.0, 1.0, 0.0);
    let win = needed_window(4, 3, 4, 3, 0, &mut f).unwrap();
    assert_eq!((win.col, win.width), (2, 2));
    let window_data: Vec<f32> = (0..3)
        .flat_map(|r| [src[r * 4 + 2], src[r * 4 + 3]])
        .collect();
    let mut dst = vec![-1.0f32; 12];
    let mut valid = vec![0u8; 12];
    gather_nearest(&window_data, &win, &mut dst, &mut valid, 4, &mut f);
    assert_eq!(
        dst,
        vec![
            2.0, 3.0, -1.0, -1.0, 6.0, 7.0, -1.0, -1.0, 10.0, 11.0, -1.0, -1.0
        ]
    );
    assert_eq!(valid, vec![1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0]);
}

#[test]
fn downsampling_by_two_picks_floor_of_centre() {
    // 2×2 target over the 4×3 source at half resolution in x: centres at 1.0, 3.0.
    let src = source_4x3();
    let mut f = affine(2.0, 0.0, 1.5, 0.0);
    let win = needed_window(2, 2, 4, 3, 0, &mut f).unwrap();
    let mut dst = vec![0.0f32; 4];
    let mut valid = vec![0u8; 4];
    let sub: Vec<f32> = (win.row..win.row + i64::from(win.height))
        .flat_map(|r| (win.col..win.col + i64::from(win.width)).map(move |c| (r * 4 + c) as usize))
        .map(|i| src[i])
        .collect();
    gather_nearest(&sub, &win, &mut dst, &mut valid, 2, &mut f);
    // rows: 0.75 → 0, 2.25 → 2; cols: 1.0 → 1, 3.0 → 3
    assert_eq!(dst, vec![1.0, 3.0, 9.0, 11.0]);
}

#[test]
fn nan_coordinates_are_invalid() {
    let mut f = |_: u32, cols: &mut [f64], rows: &mut [f64]| {
        cols.fill(f64::NAN);
        rows.fill(0.5);
    };
    assert!(needed_window(4, 3, 4, 3, 0, &mut f).is_none());
    let win = WarpWindow {
        col: 0,
        row: 0,
        width: 4,
        height: 3,
        level_width: 4,
        level_height: 3,
    };
    let mut dst = vec![0.0f32; 12];
    let mut valid = vec![0u8; 12];
    gather_nearest(&source_4x3(), &win, &mut dst, &mut valid, 4, &mut f);
    assert!(valid.iter().all(|&v| v == 0));
}

#[test]
fn bilinear_interpolates_and_skips_nodata() {
    // 2×2 source [[0, 10], [20, nodata]]; sample at the exact middle.
    let src = vec![0.0f32, 10.0, 20.0, -9999.0];
    let win = WarpWindow {
        col: 0,
        row: 0,
        width: 2,
        height: 2,
        level_width: 2,
        level_height: 2,
    };
    let mut f = |_: u32, cols: &mut [f64], rows: &mut [f64]| {
        cols.fill(1.0);
        rows.fill(1.0);
    };
    let mut dst = vec![0.0f32; 1];
    let mut valid = vec![0u8; 1];
    gather_bilinear(&src, &win, Some(-9999.0), &mut dst, &mut valid, 1, &mut f);
    // Weights .25 each over the three valid neighbours: (0 + 10 + 20) / 3.
    assert!((dst[0] - 10.0).abs() < 1e-6, "{}", dst[0]);
    assert_eq!(valid[0], 1);

    // At a cell centre bilinear equals the cell.
    let mut g = |_: u32, cols: &mut [f64], rows: &mut [f64]| {
        cols.fill(1.5);
        rows.fill(0.5);
    };
    gather_bilinear(&src, &win, Some(-9999.0), &mut dst, &mut valid, 1, &mut g);
    assert_eq!(dst[0], 10.0);

    // All-nodata neighbourhood stays nodata.
    let src = vec![-9999.0f32; 4];
    gather_bilinear(&src, &win, Some(-9999.0), &mut dst, &mut valid, 1, &mut f);
    assert_eq!(dst[0], -9999.0);
}

#[test]
fn bilinear_on_integers_rounds() {
    let src = vec![0u8, 1, 0, 1];
    let win = WarpWindow {
        col: 0,
        row: 0,
        width: 2,
        height: 2,
        level_width: 2,
        level_height: 2,
    };
    let mut f = |_: u32, cols: &mut [f64], rows: &mut [f64]| {
        cols.fill(1.25);
        rows.fill(1.0);
    };
    let mut dst = vec![0u8; 1];
    let mut valid = vec![0u8; 1];
    gather_bilinear(&src, &win, None, &mut dst, &mut valid, 1, &mut f);
    // x offset .75 from the left centre: 0·.25 + 1·.75 = .75 → 1.
    assert_eq!(dst[0], 1);
}

#[test]
fn gather_by_offsets_matches_gather_nearest() {
    // A 7×5 target, scaled and shifted over a 6×4 level so that its right and
    // bottom edges fall off, read through a window that excludes column 0.
    let level: Vec<f32> = (0..24).map(|v| v as f32 * 1.5).collect();
    let mut f = affine(0.9, 0.7, 0.85, 0.2);
    let win = needed_window(7, 5, 6, 4, 0, &mut f).unwrap();
    assert_eq!((win.col, win.row), (1, 0));
    let sub: Vec<f32> = (win.row..win.row + i64::from(win.height))
        .flat_map(|r| (win.col..win.col + i64::from(win.width)).map(move |c| (r * 6 + c) as usize))
        .map(|i| level[i])
        .collect();
    let (mut want, mut want_valid) = (vec![-1.0f32; 35], vec![0u8; 35]);
    gather_nearest(&sub, &win, &mut want, &mut want_valid, 7, &mut f);

    let offsets = nearest_offsets(&win, 7, 5, &mut f);
    let mut got = vec![-1.0f32; 35];
    gather_offsets(&sub, &offsets, &mut got);
    let got_valid: Vec<u8> = offsets.iter().map(|&o| u8::from(o != NO_CELL)).collect();
    assert_eq!(got, want);
    assert_eq!(got_valid, want_valid);
    assert!(want_valid.contains(&0) && want_valid.contains(&1));
}
