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
