//! `read_window` on windows straddling tiles and reaching past the level's edges.

use super::*;
use crate::model::{RasterSource, SourceError, Window};
use crate::storage::{StoredFrame, write_frame};

const SENTINEL: f64 = -7.0;

fn value(r: i64, c: i64) -> f64 {
    (r * 1000 + c) as f64
}

/// The expected window: values inside the level, the sentinel outside.
fn expect(w: Window, lw: i64, lh: i64) -> Vec<f64> {
    let mut v = Vec::new();
    for r in w.row..w.row + i64::from(w.height) {
        for c in w.col..w.col + i64::from(w.width) {
            v.push(if (0..lh).contains(&r) && (0..lw).contains(&c) {
                value(r, c)
            } else {
                SENTINEL
            });
        }
    }
    v
}

#[test]
fn windows_straddling_tiles_and_edges() {
    let dir = temp_dir("window");
    let (lw, lh) = (600i64, 520i64);
    let r = raster(DataType::F64, lw as u32, lh as u32, None, |r, c| {
        value(i64::from(r), i64::from(c))
    });
    let path = dir.join("w.tif");
    write_frame(&path, &r, &mut |_, _| {}).unwrap();
    let frame = StoredFrame::open(&path).unwrap();
    let windows = [
        Window {
            col: 0,
            row: 0,
            width: 600,
            height: 520,
        },
        Window {
            col: 250,
            row: 250,
            width: 20,
            height: 20,
        }, // four tiles
        Window {
            col: 100,
            row: 200,
            width: 300,
            height: 300,
        }, // 2×3 tiles (bench size)
        Window {
            col: -5,
            row: -7,
            width: 30,
            height: 30,
        }, // over the top-left corner
        Window {
            col: 590,
            row: 510,
            width: 20,
            height: 20,
        }, // over the bottom-right corner
        Window {
            col: -10,
            row: 100,
            width: 700,
            height: 3,
        }, // wider than the level
        Window {
            col: 511,
            row: 255,
            width: 2,
            height: 2,
        }, // last tile column, straddling rows
        Window {
            col: 600,
            row: 0,
            width: 10,
            height: 10,
        }, // just outside
        Window {
            col: -100,
            row: -100,
            width: 50,
            height: 50,
        }, // far outside
    ];
    for w in windows {
        let mut out = RasterBuf {
            width: w.width,
            height: w.height,
            data: RasterData::filled(DataType::F64, (w.width * w.height) as usize, SENTINEL),
            nodata: None,
        };
        frame.read_window(0, w, &mut out).unwrap();
        assert_eq!(out.data, RasterData::F64(expect(w, lw, lh)), "{w:?}");
    }
    // Level 1 (300×260 ints from the means of distinct values: just compare with reduce_level).
    let l1 = crate::storage::reduce_level(&r.data).unwrap();
    let w = Window {
        col: 250,
        row: 250,
        width: 60,
        height: 20,
    };
    let mut out = RasterBuf::new(DataType::F64, 60, 20, Some(SENTINEL));
    frame.read_window(1, w, &mut out).unwrap();
    for row in 0..20usize {
        for col in 0..60usize {
            let (sr, sc) = (250 + row, 250 + col);
            let want = if sr < 260 && sc < 300 {
                l1.data.get_f64(sr * 300 + sc)
            } else {
                SENTINEL
            };
            assert_eq!(out.data.get_f64(row * 60 + col), want);
        }
    }
    // Wrong buffers and levels are errors.
    let mut small = RasterBuf::new(DataType::F64, 2, 2, None);
    let err = frame.read_window(
        0,
        Window {
            col: 0,
            row: 0,
            width: 3,
            height: 3,
        },
        &mut small,
    );
    assert!(matches!(err, Err(SourceError::BufferMismatch { .. })));
    let mut wrong = RasterBuf::new(DataType::F32, 3, 3, None);
    let err = frame.read_window(
        0,
        Window {
            col: 0,
            row: 0,
            width: 3,
            height: 3,
        },
        &mut wrong,
    );
    assert!(matches!(err, Err(SourceError::BufferMismatch { .. })));
    let err = frame.read_window(
        5,
        Window {
            col: 0,
            row: 0,
            width: 2,
            height: 2,
        },
        &mut small,
    );
    assert!(matches!(err, Err(SourceError::NoSuchLevel(5))));
    // Extreme coordinates neither overflow nor touch the buffer.
    let mut out = RasterBuf::new(DataType::F64, 2, 2, Some(SENTINEL));
    let far = Window {
        col: i64::MAX - 1,
        row: i64::MIN,
        width: 2,
        height: 2,
    };
    frame.read_window(0, far, &mut out).unwrap();
    assert_eq!(out.data, RasterData::F64(vec![SENTINEL; 4]));
    let _ = std::fs::remove_dir_all(&dir);
}
