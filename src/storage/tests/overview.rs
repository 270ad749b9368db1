//! Overviews on hand-checked numbers, and a pyramid's levels against the `tiff` crate.

use super::*;
use crate::model::RasterSource;
use crate::storage::{StoredFrame, level_sizes, reduce_level, write_frame};

const ND: f64 = -9999.0;

#[test]
fn float_mean_by_hand() {
    // 5×3 float32, nodata -9999, one NaN:
    //    1     2 |    3  -9999 |  5
    //    4   NaN |-9999  -9999 |  6
    //   ---------+-------------+----
    //    7     8 |    9     10 | 11
    let n = f64::NAN;
    let src = RasterBuf {
        width: 5,
        height: 3,
        data: data_of(
            DataType::F32,
            &[
                1.0, 2.0, 3.0, ND, 5.0, 4.0, n, ND, ND, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0,
            ],
        ),
        nodata: Some(ND),
    };
    let got = reduce_level(&src).unwrap();
    // (1+2+4)/3, 3/1, (5+6)/2; (7+8)/2, (9+10)/2, 11/1
    let want = [7.0 / 3.0, 3.0, 5.5, 7.5, 9.5, 11.0];
    assert_eq!((got.width, got.height, got.nodata), (3, 2, Some(ND)));
    assert_eq!(got.data, data_of(DataType::F32, &want));

    // A block with nothing valid becomes nodata; without nodata, NaN.
    let src = RasterBuf {
        width: 2,
        height: 2,
        data: data_of(DataType::F64, &[ND, n, ND, ND]),
        nodata: Some(ND),
    };
    assert_eq!(reduce_level(&src).unwrap().data, RasterData::F64(vec![ND]));
    let src = RasterBuf {
        width: 3,
        height: 1,
        data: data_of(DataType::F64, &[n, n, 2.5]),
        nodata: None,
    };
    let got = reduce_level(&src).unwrap();
    match got.data {
        RasterData::F64(v) => assert!(v[0].is_nan() && v[1] == 2.5 && v.len() == 2),
        other => panic!("{other:?}"),
    }
}

#[test]
fn integer_nearest_by_hand() {
    //  10 11 12 13 14
    //  20 21 22 23 24
    //  30 31 32 33 34   → top-left of each 2×2 block: 10 12 14 / 30 32 34
    let v: Vec<f64> = [10, 11, 12, 13, 14, 20, 21, 22, 23, 24, 30, 31, 32, 33, 34]
        .map(f64::from)
        .to_vec();
    for dtype in [DataType::U8, DataType::I16, DataType::U32, DataType::I32] {
        let src = RasterBuf {
            width: 5,
            height: 3,
            data: data_of(dtype, &v),
            nodata: Some(10.0),
        };
        let got = reduce_level(&src).unwrap();
        // Nodata does not matter for nearest: the picked pixel is copied as is.
        assert_eq!(
            got.data,
            data_of(dtype, &[10.0, 12.0, 14.0, 30.0, 32.0, 34.0]),
            "{dtype}"
        );
    }
}

#[test]
fn level_sizes_halve_until_one_tile() {
    assert_eq!(level_sizes(37, 23), vec![(37, 23)]);
    assert_eq!(level_sizes(256, 256), vec![(256, 256)]);
    assert_eq!(level_sizes(257, 10), vec![(257, 10), (129, 5)]);
    assert_eq!(
        level_sizes(1000, 300),
        vec![(1000, 300), (500, 150), (250, 75)]
    );
}

#[test]
fn pyramid_levels_read_back_by_tiff_crate() {
    let dir = temp_dir("pyramid");
    for (dtype, nodata) in [
        (DataType::F32, Some(ND)),
        (DataType::I16, None),
        (DataType::F64, None),
    ] {
        let r = raster(dtype, 1030, 523, nodata, |row, col| {
            if (row * 7 + col * 3) % 11 == 0 {
                ND
            } else {
                f64::from(row) - f64::from(col) * 0.5
            }
        });
        let path = dir.join(format!("{dtype}.tif"));
        let mut calls = 0;
        let mut last = (0, 0);
        write_frame(&path, &r, &mut |d, t| {
            calls += 1;
            last = (d, t);
        })
        .unwrap();
        // 1030×523 → 515×262 → 258×131 → 129×66: 15+6+2+1 tiles.
        assert_eq!(last, (24, 24));
        assert_eq!(calls, 24);
        let frame = StoredFrame::open(&path).unwrap();
        let sizes: Vec<(u32, u32)> = frame
            .info()
            .levels
            .iter()
            .map(|l| (l.width, l.height))
            .collect();
        assert_eq!(sizes, vec![(1030, 523), (515, 262), (258, 131), (129, 66)]);
        let from_tiff = tiff_crate_levels(&std::fs::read(&path).unwrap());
        let mut expected = r.data.clone();
        for (k, level) in from_tiff.iter().enumerate() {
            if k > 0 {
                expected = reduce_level(&expected).unwrap();
            }
            assert_eq!(
                (level.width, level.height),
                (expected.width, expected.height)
            );
            assert!(same_bits(&level.data, &expected.data), "{dtype} level {k}");
            let mut out = RasterBuf::new(dtype, level.width, level.height, None);
            let window = crate::model::Window {
                col: 0,
                row: 0,
                width: level.width,
                height: level.height,
            };
            frame.read_window(k, window, &mut out).unwrap();
            assert!(
                same_bits(&out.data, &expected.data),
                "{dtype} level {k} via read_window"
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn streamed_levels_equal_whole_level_reductions_over_many_tile_rows() {
    // 300×2100: level heights 2100, 1050, 525, 263, 132 — several tile rows
    // per level and odd heights, so every band boundary case is crossed.
    let dir = temp_dir("overview-tall");
    for (dtype, nodata) in [(DataType::F32, Some(ND)), (DataType::U16, None)] {
        let r = raster(dtype, 300, 2100, nodata, |row, col| {
            if (row * 5 + col * 3) % 13 == 0 {
                ND
            } else {
                f64::from(row % 97) + f64::from(col) * 0.25
            }
        });
        let path = dir.join(format!("tall-{dtype}.tif"));
        write_frame(&path, &r, &mut |_, _| {}).unwrap();
        let from_tiff = tiff_crate_levels(&std::fs::read(&path).unwrap());
        assert_eq!(from_tiff.len(), 5);
        let mut expected = r.data.clone();
        for (k, level) in from_tiff.iter().enumerate() {
            if k > 0 {
                expected = reduce_level(&expected).unwrap();
            }
            assert_eq!(
                (level.width, level.height),
                (expected.width, expected.height)
            );
            assert!(same_bits(&level.data, &expected.data), "{dtype} level {k}");
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
