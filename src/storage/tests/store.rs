//! `Store`: ingest, the frame path layout, the LRU of open maps and removal.

use super::*;
use crate::model::{DataType, ErrorClass, RasterSource, Window};
use crate::storage::input::tests::golden_dir;
use crate::storage::{InputError, Limits, Store, StoreError};
use std::sync::Arc;
use uuid::Uuid;

#[test]
fn ingest_open_evict_remove() {
    let dir = temp_dir("store");
    let store = Store::open(&dir, 2).unwrap();
    let source = Uuid::new_v4();
    let input = golden_dir().join("inputs/f32_strip_lzw_p3.tif");
    let mut ticks = Vec::new();
    let meta = store
        .ingest(source, &input, &Limits::default(), &mut |d, t| {
            ticks.push((d, t))
        })
        .unwrap();
    assert_eq!(ticks, vec![(1, 1)]);
    assert_eq!(
        (meta.width, meta.height, meta.dtype, meta.levels),
        (37, 23, DataType::F32, 1)
    );
    assert_eq!((meta.crs.epsg(), meta.nodata), (28992, Some(-9999.0)));
    assert_eq!(meta.frame.len(), 32);
    let path = store.frame_path(source, &meta.frame);
    assert_eq!(
        path,
        dir.join("sources")
            .join(source.to_string())
            .join(format!("{}.tif", meta.frame))
    );
    assert!(path.is_file());
    // No temporary file is left behind.
    assert_eq!(
        std::fs::read_dir(path.parent().unwrap()).unwrap().count(),
        1
    );

    let a = store.open_frame(source, &meta.frame).unwrap();
    let again = store.open_frame(source, &meta.frame).unwrap();
    assert!(Arc::ptr_eq(&a, &again), "one map per file");
    assert_eq!(a.info().transform, meta.transform);
    let mut out = crate::model::RasterBuf::new(DataType::F32, 2, 1, None);
    a.read_window(
        0,
        Window {
            col: 0,
            row: 0,
            width: 2,
            height: 1,
        },
        &mut out,
    )
    .unwrap();
    assert_eq!(out.data.get_f64(0), -9999.0);

    // Two more frames: the LRU keeps two maps; the first is evicted, then reopened.
    let m2 = store
        .ingest(source, &input, &Limits::default(), &mut |_, _| {})
        .unwrap();
    let m3 = store
        .ingest(
            source,
            &golden_dir().join("inputs/u8_strip_none.tif"),
            &Limits::default(),
            &mut |_, _| {},
        )
        .unwrap();
    store.open_frame(source, &m2.frame).unwrap();
    store.open_frame(source, &m3.frame).unwrap();
    assert_eq!(store.open_maps(), 2);
    let reopened = store.open_frame(source, &meta.frame).unwrap();
    assert!(!Arc::ptr_eq(&a, &reopened));
    assert_eq!(store.open_maps(), 2);

    // Removal: the file goes, held maps stay readable, the frame is then NotFound.
    store.remove_frame(source, &meta.frame).unwrap();
    assert!(!path.exists());
    a.read_window(
        0,
        Window {
            col: 0,
            row: 0,
            width: 2,
            height: 1,
        },
        &mut out,
    )
    .unwrap();
    let err = store.open_frame(source, &meta.frame).unwrap_err();
    assert_eq!(err.class(), ErrorClass::NotFound);
    assert!(matches!(
        store.remove_frame(source, &meta.frame),
        Err(StoreError::NotFound { .. })
    ));
    for bad in ["../x", "", "a/b", "a.b", &"x".repeat(65)] {
        assert!(
            matches!(
                store.open_frame(source, bad),
                Err(StoreError::BadFrameName(_))
            ),
            "{bad}"
        );
    }

    // A refused input keeps its class and writes nothing.
    let err = store.ingest(
        source,
        &golden_dir().join("inputs/bad_three_band.tif"),
        &Limits::default(),
        &mut |_, _| {},
    );
    match err {
        Err(e @ StoreError::Input(InputError::MultiBand(3))) => {
            assert_eq!(e.class(), ErrorClass::Unsupported)
        }
        other => panic!("{other:?}"),
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn concurrent_opens_share_the_lru() {
    let dir = temp_dir("store-threads");
    let store = Store::open(&dir, 2).unwrap();
    let source = Uuid::new_v4();
    let input = golden_dir().join("inputs/i16_strip_deflate_p2.tif");
    let want = crate::storage::decode_geotiff(&input, &Limits::default())
        .unwrap()
        .data
        .data;
    let frames: Vec<String> = (0..4)
        .map(|_| {
            store
                .ingest(source, &input, &Limits::default(), &mut |_, _| {})
                .unwrap()
                .frame
        })
        .collect();
    std::thread::scope(|s| {
        for t in 0..4 {
            let (store, frames, want) = (&store, &frames, &want);
            s.spawn(move || {
                for i in 0..50 {
                    let f = store
                        .open_frame(source, &frames[(t + i) % frames.len()])
                        .unwrap();
                    let mut out = crate::model::RasterBuf::new(DataType::I16, 37, 23, None);
                    f.read_window(
                        0,
                        Window {
                            col: 0,
                            row: 0,
                            width: 37,
                            height: 23,
                        },
                        &mut out,
                    )
                    .unwrap();
                    assert_eq!(&out.data, want);
                }
            });
        }
    });
    assert!(store.open_maps() <= 2);
    let _ = std::fs::remove_dir_all(&dir);
}
