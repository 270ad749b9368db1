#!/usr/bin/env python3
"""Reference reprojections of the demo rasters, made with GDAL (through rasterio).

Run from the repository root after (re)generating fixtures/demo:

    pip install rasterio numpy
    python3 tests/golden/render/make_reprojection.py

For every case it warps a demo GeoTIFF onto a request grid with GDAL's
nearest-neighbour warper using exact transforms (error threshold 0), and writes
`<case>.f32` (little-endian float32, row-major, nodata as NaN) plus one
`cases.json` describing the request (CRS, bbox in x/y order, size) so the tests
can ask tegel for the same grid over WMS and compare values.
"""

import json
import os

import numpy as np
import rasterio
from rasterio.transform import from_bounds
from rasterio.warp import Resampling, reproject

HERE = os.path.dirname(os.path.abspath(__file__))
DEMO = os.path.join(HERE, "..", "..", "..", "fixtures", "demo")

CASES = [
    # name, file, layer, crs, bbox (x/y order), width, height
    ("lochem_3857", "p_lochem_kwel_wegzijging_2050.tif", "nelen-schuurmans:p_lochem_kwel_wegzijging_2050",
     3857, (682000.0, 6814000.0, 726000.0, 6848000.0), 256, 200),
    ("lochem_4326", "p_lochem_kwel_wegzijging_2050.tif", "nelen-schuurmans:p_lochem_kwel_wegzijging_2050",
     4326, (6.10, 52.08, 6.55, 52.26), 300, 200),
    ("lochem_native", "p_lochem_kwel_wegzijging_2050.tif", "nelen-schuurmans:p_lochem_kwel_wegzijging_2050",
     28992, (207750.0, 457250.0, 230500.0, 473500.0), 91, 65),
    ("lochem_28992_zoom", "p_lochem_kwel_wegzijging_2050.tif", "nelen-schuurmans:p_lochem_kwel_wegzijging_2050",
     28992, (210000.0, 460000.0, 214000.0, 463000.0), 120, 90),
]


def dem_cases():
    """Two DEM views at full resolution, placed from the file's own bounds."""
    path = os.path.join(DEMO, "dem.tif")
    with rasterio.open(path) as ds:
        b = ds.bounds
        res = ds.res[0]
    cx, cy = (b.left + b.right) / 2, (b.bottom + b.top) / 2
    # 28992 window of 200×150 source pixels shown at 1.5× zoom.
    native = (cx - 100 * res, cy - 75 * res, cx + 100 * res, cy + 75 * res)
    from pyproj import Transformer
    t = Transformer.from_crs(28992, 3857, always_xy=True)
    x0, y0 = t.transform(cx - 80 * res, cy - 80 * res)
    x1, y1 = t.transform(cx + 80 * res, cy + 80 * res)
    return [
        ("dem_native", "dem.tif", "nelen-schuurmans:dem", 28992, native, 240, 180),
        ("dem_3857", "dem.tif", "nelen-schuurmans:dem", 3857, (x0, y0, x1, y1), 200, 200),
    ]


def main():
    out = []
    for name, fname, layer, crs, bbox, width, height in CASES + dem_cases():
        with rasterio.open(os.path.join(DEMO, fname)) as ds:
            src = ds.read(1).astype("float32")
            nodata = ds.nodata
            dst = np.full((height, width), np.nan, dtype="float32")
            reproject(
                source=src,
                destination=dst,
                src_transform=ds.transform,
                src_crs=ds.crs,
                src_nodata=nodata,
                dst_transform=from_bounds(*bbox, width, height),
                dst_crs=f"EPSG:{crs}",
                dst_nodata=np.nan,
                resampling=Resampling.nearest,
                init_dest_nodata=True,
                error_threshold=0,
            )
        if nodata is not None:
            dst[dst == nodata] = np.nan
        dst.astype("<f4").tofile(os.path.join(HERE, f"{name}.f32"))
        out.append({"name": name, "layer": layer, "crs": crs, "bbox": list(bbox), "width": width, "height": height,
                    "valid": int(np.isfinite(dst).sum())})
        print(name, "valid pixels:", int(np.isfinite(dst).sum()), "of", width * height)
    with open(os.path.join(HERE, "cases.json"), "w") as f:
        json.dump({"generator": f"rasterio {rasterio.__version__}, GDAL {rasterio.__gdal_version__}", "cases": out}, f,
                  indent=1)


if __name__ == "__main__":
    main()
