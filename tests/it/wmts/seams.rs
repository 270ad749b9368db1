//! Tile seams (EXT-05): OpenLayers `TileWMS` asks for `TILED=true` tiles of
//! exactly 256 or 512 pixels; with bilinear resampling each tile must hold
//! the values the same pixels have in one larger map, or edges show seams.
//! The warp samples the source around each pixel centre wherever it lies,
//! beyond the tile's own extent included, so no gutter is needed.

use super::*;
use crate::support::{decode_tiff, demo};

/// Raw values of a bilinear EPSG:3857 GetMap of Lochem.
fn values(b: [f64; 4], width: u32, height: u32, resampling: &str) -> Vec<f64> {
    let url = format!(
        "/wms/?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS={LOCHEM}&STYLES=&CRS=EPSG:3857&BBOX={},{},{},{}&WIDTH={width}&HEIGHT={height}&FORMAT=image/tiff&RESAMPLING={resampling}&TILED=true",
        b[0], b[1], b[2], b[3]
    );
    let v = decode_tiff(&demo().get(&url).expect_status(200).body);
    assert_eq!((v.width, v.height), (width, height));
    v.values
}

#[test]
fn ext_05_tiled_bilinear_tiles_join_without_seams() {
    for size in [256u32, 512] {
        // Two tiles side by side over Lochem, and the map covering both.
        let (x, y, span) = (700_000.0, 6_830_000.0, 1000.0);
        let n = size as usize;
        let big = values([x, y, x + 2.0 * span, y + span], 2 * size, size, "bilinear");
        let left = values([x, y, x + span, y + span], size, size, "bilinear");
        let right = values(
            [x + span, y, x + 2.0 * span, y + span],
            size,
            size,
            "bilinear",
        );
        for r in 0..n {
            for c in 0..n {
                assert_eq!(
                    big[r * 2 * n + c].to_bits(),
                    left[r * n + c].to_bits(),
                    "{size}: left {c},{r}"
                );
                assert_eq!(
                    big[r * 2 * n + n + c].to_bits(),
                    right[r * n + c].to_bits(),
                    "{size}: right {c},{r}"
                );
            }
        }
        // The tiles hold data, interpolated (not the nearest cell's values).
        let nearest = values([x, y, x + span, y + span], size, size, "nearest");
        let data = left
            .iter()
            .filter(|v| v.is_finite() && **v > -9000.0)
            .count();
        assert!(data > n * n / 2, "{size}: {data}");
        let differ = left.iter().zip(&nearest).filter(|(a, b)| a != b).count();
        assert!(differ > n * n / 4, "{size}: {differ}");
    }
}
