//! Level 0 of a written frame returns the input exactly, through `read_window`,
//! `tile_bytes` and the independent `tiff` crate decoder. With `TEGEL_FRAME_DUMP`
//! set to a folder, the frames are also left there for the rasterio check in
//! `tests/golden/storage/make_inputs.py --check-frames`.

use super::*;
use crate::model::{RasterSource, Window};
use crate::storage::input::tests::{expected, golden_dir};
use crate::storage::writer::DATA_ALIGN;
use crate::storage::{Limits, StoredFrame, decode_geotiff, write_frame};

fn out_dir() -> (PathBuf, bool) {
    match std::env::var_os("TEGEL_FRAME_DUMP") {
        Some(d) => {
            std::fs::create_dir_all(&d).unwrap();
            (PathBuf::from(d), true)
        }
        None => (temp_dir("roundtrip"), false),
    }
}

#[test]
fn goldens_round_trip_exactly() {
    let (dir, keep) = out_dir();
    let exp = expected();
    for name in exp["good"].as_object().unwrap().keys() {
        let input = decode_geotiff(
            &golden_dir().join("inputs").join(format!("{name}.tif")),
            &Limits::default(),
        )
        .unwrap();
        let path = dir.join(format!("{name}.tif"));
        write_frame(&path, &input, &mut |_, _| {}).unwrap();
        if keep {
            // The WMS GeoTIFF output of the same raster, for the same external check.
            let tif =
                crate::encode::geotiff::encode_geotiff(&input.data, input.crs, &input.transform);
            std::fs::write(dir.join(format!("wms_{name}.tif")), tif).unwrap();
        }
        let frame = StoredFrame::open(&path).unwrap();
        let info = frame.info();
        assert_eq!(
            (info.crs, info.dtype, info.transform),
            (input.crs, input.data.dtype(), input.transform),
            "{name}"
        );
        assert_eq!(
            info.nodata.map(f64::to_bits),
            input.nodata.map(f64::to_bits),
            "{name}"
        );
        assert_eq!(
            (info.width(), info.height(), info.levels.len()),
            (input.data.width, input.data.height, 1)
        );

        let (w, h) = (input.data.width, input.data.height);
        let mut out = RasterBuf::new(input.data.dtype(), w, h, None);
        frame
            .read_window(
                0,
                Window {
                    col: 0,
                    row: 0,
                    width: w,
                    height: h,
                },
                &mut out,
            )
            .unwrap();
        assert!(same_bits(&out.data, &input.data.data), "{name} read_window");

        let bytes = std::fs::read(&path).unwrap();
        let levels = tiff_crate_levels(&bytes);
        assert!(
            same_bits(&levels[0].data, &input.data.data),
            "{name} tiff crate"
        );

        // The tile is a slice of the map at an aligned offset, padded with nodata (or 0).
        let tile = frame.tile_bytes(0, 0, 0).unwrap();
        assert_eq!(tile.len(), 256 * 256 * input.data.dtype().size());
        let size = input.data.dtype().size();
        assert_eq!(
            &tile[..w as usize * size],
            &input.data.data.as_bytes()[..w as usize * size]
        );
        let pad = RasterData::filled(input.data.dtype(), 1, input.nodata.unwrap_or(0.0));
        assert_eq!(&tile[tile.len() - size..], pad.as_bytes(), "{name} padding");
        let at = tile.as_ptr() as usize - frame_base(&frame);
        assert_eq!(at as u64 % DATA_ALIGN, 0);
        assert!(frame.tile_bytes(0, 1, 0).is_none() && frame.tile_bytes(1, 0, 0).is_none());
    }
    if !keep {
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// The address of the file's first byte, to turn a tile slice back into an offset.
fn frame_base(frame: &StoredFrame) -> usize {
    // Tile (0,0) of the coarsest level is the first tile in the file, right at the data start.
    let coarsest = frame.info().levels.len() - 1;
    let first = frame.tile_bytes(coarsest, 0, 0).unwrap().as_ptr() as usize;
    let bytes = std::fs::read(frame.path()).unwrap();
    let data_at = bytes.len() - total_tile_bytes(frame);
    first - data_at
}

fn total_tile_bytes(frame: &StoredFrame) -> usize {
    let size = frame.info().dtype.size() * 256 * 256;
    frame
        .info()
        .levels
        .iter()
        .map(|l| (l.width.div_ceil(256) * l.height.div_ceil(256)) as usize * size)
        .sum()
}

#[test]
fn larger_frames_for_the_external_check() {
    // Multi-level frames; also checked against the tiff crate in `overview.rs`.
    let (dir, keep) = out_dir();
    let f = raster(DataType::F32, 700, 530, Some(-9999.0), |r, c| {
        if (r / 3 + c / 5) % 7 == 0 {
            -9999.0
        } else if (r + c) % 13 == 0 {
            f64::NAN
        } else {
            f64::from(r * 3 + c) * 0.25
        }
    });
    write_frame(&dir.join("big_f32_nodata.tif"), &f, &mut |_, _| {}).unwrap();
    let i = raster(DataType::I16, 1001, 301, None, |r, c| {
        f64::from(r) * 10.0 - f64::from(c)
    });
    write_frame(&dir.join("big_i16.tif"), &i, &mut |_, _| {}).unwrap();
    for name in ["big_f32_nodata.tif", "big_i16.tif"] {
        let frame = StoredFrame::open(&dir.join(name)).unwrap();
        assert!(frame.info().levels.len() >= 2);
    }
    if !keep {
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[test]
fn bigtiff_layout_reads_back() {
    // Files past 4 GiB switch to BigTIFF; the same layout is forced here on a small raster.
    let dir = temp_dir("bigtiff");
    let r = raster(DataType::I32, 530, 270, Some(-1.0), |row, col| {
        f64::from(row * 1000 + col)
    });
    let path = dir.join("big.tif");
    crate::storage::writer::write_frame_as(&path, &r, &mut |_, _| {}, true).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(&bytes[..4], b"II+\0");
    let frame = StoredFrame::open(&path).unwrap();
    assert_eq!(frame.info().levels.len(), 3);
    let levels = tiff_crate_levels(&bytes);
    let mut expected = r.data.clone();
    for (k, level) in levels.iter().enumerate() {
        if k > 0 {
            expected = crate::storage::reduce_level(&expected).unwrap();
        }
        assert!(same_bits(&level.data, &expected.data), "level {k}");
        let mut out = RasterBuf::new(DataType::I32, level.width, level.height, None);
        frame
            .read_window(
                k,
                Window {
                    col: 0,
                    row: 0,
                    width: level.width,
                    height: level.height,
                },
                &mut out,
            )
            .unwrap();
        assert!(
            same_bits(&out.data, &expected.data),
            "level {k} via read_window"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
