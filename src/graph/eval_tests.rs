//! Evaluation details the goldens do not reach: large requests cut into
//! strips equal the leaf read cell for cell.

use crate::graph::memory::{MemoryLeaves, MemorySource};
use crate::graph::{Graph, GraphLimits, Leaves, Output, Request, RequestMode, SourceMeta};
use crate::model::{BBox, Crs, DataType, GeoTransform, GridSpec, RasterBuf, RasterData};
use serde_json::json;

const A: &str = "00000000-0000-0000-0000-00000000000a";

#[test]
fn strips_equal_the_unsplit_read() {
    let (w, h) = (700u32, 500u32);
    let mut leaves = MemoryLeaves::new();
    let id = uuid::Uuid::parse_str(A).unwrap();
    let meta = SourceMeta {
        dtype: DataType::F32,
        nodata: Some(-9999.0),
        crs: Crs(28992),
        geo_transform: GeoTransform {
            origin_x: 1000.0,
            origin_y: 2000.0,
            pixel_x: 1.0,
            pixel_y: -1.0,
        },
        width: w,
        height: h,
        times: vec![0],
        interval: None,
    };
    let data: Vec<f32> = (0..w * h)
        .map(|i| if i % 13 == 0 { -9999.0 } else { i as f32 * 0.5 })
        .collect();
    leaves.add(
        id,
        MemorySource {
            meta,
            frames: vec![RasterBuf {
                width: w,
                height: h,
                data: RasterData::F32(data),
                nodata: Some(-9999.0),
            }],
        },
    );
    let g = Graph::parse(
        &json!({"name": "x", "graph": {"a": ["lizard_nxt.blocks.LizardRasterSource", A],
            "x": ["dask_geomodeling.raster.Add", "a", 1]}}),
        &GraphLimits::default(),
    )
    .unwrap();
    // 1.5 m cells, 333 rows: not a multiple of the strip count.
    let bbox = BBox::new(1010.0, 1510.5, 1010.0 + 1.5 * 300.0, 1510.5 + 1.5 * 333.0);
    let req = Request {
        mode: RequestMode::Vals,
        bbox,
        crs: Crs(28992),
        width: 300,
        height: 333,
        start: None,
        stop: None,
    };
    let Some(Output::Values(r)) = g.evaluate(&leaves, &req).unwrap() else {
        panic!("no values");
    };
    let grid = GridSpec {
        crs: Crs(28992),
        bbox,
        width: 300,
        height: 333,
    };
    let read = leaves.read(id, &grid, &[0]).unwrap().remove(0);
    let RasterData::F32(src) = read.data else {
        panic!("dtype");
    };
    assert_eq!(r.bands[0].len(), src.len());
    for (i, (got, s)) in r.bands[0].iter().zip(&src).enumerate() {
        let want = if *s == -9999.0 {
            f64::from(f32::MAX)
        } else {
            f64::from(*s + 1.0)
        };
        assert_eq!(*got, want, "cell {i}");
    }
}

const B: &str = "00000000-0000-0000-0000-00000000000b";
const L: &str = "00000000-0000-0000-0000-0000000000aa";

fn small(values: Vec<u8>) -> MemorySource {
    MemorySource {
        meta: SourceMeta {
            dtype: DataType::U8,
            nodata: Some(255.0),
            crs: Crs(28992),
            geo_transform: GeoTransform {
                origin_x: 0.0,
                origin_y: 20.0,
                pixel_x: 10.0,
                pixel_y: -10.0,
            },
            width: 2,
            height: 2,
            times: vec![0],
            interval: None,
        },
        frames: vec![RasterBuf {
            width: 2,
            height: 2,
            data: RasterData::U8(values),
            nodata: Some(255.0),
        }],
    }
}

fn two_by_two() -> Request {
    Request {
        mode: RequestMode::Vals,
        bbox: BBox::new(0.0, 0.0, 20.0, 20.0),
        crs: Crs(28992),
        width: 2,
        height: 2,
        start: None,
        stop: None,
    }
}

fn leaves_ab() -> MemoryLeaves {
    let mut l = MemoryLeaves::new();
    l.add(uuid::Uuid::parse_str(A).unwrap(), small(vec![1, 2, 3, 255]));
    l.add(
        uuid::Uuid::parse_str(B).unwrap(),
        small(vec![7, 255, 9, 255]),
    );
    l
}

fn values(g: &Graph, l: &MemoryLeaves, req: &Request) -> Vec<f64> {
    match g.evaluate(l, req).unwrap() {
        Some(Output::Values(r)) => r.bands.concat(),
        other => panic!("{other:?}"),
    }
}

#[test]
fn nested_layer_graph_is_substituted() {
    let mut l = leaves_ab();
    let inner = Graph::parse(
        &json!({"name": "x", "graph": {"a": ["lizard_nxt.blocks.LizardRasterSource", A],
            "x": ["dask_geomodeling.raster.Add", "a", 1]}}),
        &GraphLimits::default(),
    )
    .unwrap();
    l.layers.insert(uuid::Uuid::parse_str(L).unwrap(), inner);
    let outer = Graph::parse(
        &json!({"name": "y", "graph": {"l": ["lizard_nxt.blocks.LizardRasterSource", L],
            "y": ["dask_geomodeling.raster.Multiply", "l", 2]}}),
        &GraphLimits::default(),
    )
    .unwrap();
    let m = outer.meta(&l).unwrap();
    assert_eq!(m.dtype.name(), "int32");
    let v = values(&outer, &l, &two_by_two());
    assert_eq!(v, vec![4.0, 6.0, 8.0, f64::from(i32::MAX)]);
}

#[test]
fn self_nesting_layer_is_refused() {
    let mut l = leaves_ab();
    let g = Graph::parse(
        &json!({"name": "l", "graph": {"l": ["lizard_nxt.blocks.LizardRasterSource", L]}}),
        &GraphLimits::default(),
    )
    .unwrap();
    l.layers
        .insert(uuid::Uuid::parse_str(L).unwrap(), g.clone());
    let e = g.meta(&l).unwrap_err();
    assert!(e.to_string().contains("nested too deeply"), "{e}");
    assert_eq!(l.reads.load(std::sync::atomic::Ordering::Relaxed), 0);
}

#[test]
fn lizard_raster_group_right_wins_nodata_transparent() {
    let l = leaves_ab();
    let g = Graph::parse(
        &json!({"name": "g", "graph": {"g": ["lizard_nxt.blocks.LizardRasterGroup", A, B]}}),
        &GraphLimits::default(),
    )
    .unwrap();
    let v = values(&g, &l, &two_by_two());
    assert_eq!(v, vec![7.0, 2.0, 9.0, 255.0]);
    let mut range = two_by_two();
    range.start = Some(0);
    range.stop = Some(1000);
    let e = g.evaluate(&l, &range).unwrap_err();
    assert_eq!(e.class(), crate::model::ErrorClass::BadRequest);
}

#[test]
fn point_request_takes_the_cell_under_the_point() {
    let l = leaves_ab();
    let g = Graph::parse(
        &json!({"name": "a", "graph": {"a": ["lizard_nxt.blocks.LizardRasterSource", A]}}),
        &GraphLimits::default(),
    )
    .unwrap();
    // (10, 10) is the top-left corner of cell (row 1, col 1): left and top
    // edges belong to the cell.
    let req = Request {
        bbox: BBox::new(10.0, 10.0, 10.0, 10.0),
        width: 1,
        height: 1,
        ..two_by_two()
    };
    assert_eq!(values(&g, &l, &req), vec![255.0]);
    let req = Request {
        bbox: BBox::new(0.0, 20.0, 0.0, 20.0),
        ..req
    };
    assert_eq!(values(&g, &l, &req), vec![1.0]);
}

#[test]
fn meta_requests_answer_one_entry_per_frame() {
    let l = leaves_ab();
    let g = Graph::parse(
        &json!({"name": "a", "graph": {"a": ["lizard_nxt.blocks.LizardRasterSource", A]}}),
        &GraphLimits::default(),
    )
    .unwrap();
    let req = Request {
        mode: RequestMode::Meta,
        ..two_by_two()
    };
    assert_eq!(
        g.evaluate(&l, &req).unwrap(),
        Some(Output::Meta(vec![None]))
    );
}
