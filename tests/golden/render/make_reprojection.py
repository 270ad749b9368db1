#!/usr/bin/env python3
"""Reference reprojections of the demo rasters, made with GDAL (through rasterio).

Run from the repository root after (re)generating fixtures/demo:

    pip install rasterio numpy
    python3 tests/golden/render/make_reprojection.py

For every case it warps a demo GeoTIFF onto a request grid with GDAL's
nearest-neighbour warper using (practically) exact transforms: a WarpedVRT with
`tolerance=1e-6` (0 is refused by rasterio; GDAL's default 0.125 approximation
would itself move ~4 % of the pixels of these cases to a neighbouring cell). It writes
`<case>.f32` (little-endian float32, row-major, nodata as NaN) plus one
`cases.json` describing the request (CRS, bbox in x/y order, size) so the tests
can ask tegel for the same grid over WMS and compare values.

Cases with a style also get `<case>.rgba`: the PNG tegel must produce, coloured
by matplotlib itself (`Normalize(vmin, vmax)` then `cmap(x, bytes=True)`, values
outside [vmin, vmax] clipped to the end colours, nodata fully transparent).
"""

import json
import os

import matplotlib
import numpy as np
import rasterio
from rasterio.enums import Resampling
from rasterio.transform import from_bounds
from rasterio.vrt import WarpedVRT

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
    ("rain_t03", "rain/rain_03.tif", "nelen-schuurmans:rain",
     28992, None, None, None),
    ("rain_t11", "rain/rain_11.tif", "nelen-schuurmans:rain",
     28992, None, None, None),
    ("lochem_28992_zoom", "p_lochem_kwel_wegzijging_2050.tif", "nelen-schuurmans:p_lochem_kwel_wegzijging_2050",
     28992, (210010.0, 460010.0, 214010.0, 463010.0), 120, 90),
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


STYLES = {
    # case: (style string, colormap, vmin, vmax)
    "lochem_native": ("RdBu_r:-4.6:-1.17", "RdBu_r", -4.6, -1.17),
    "lochem_3857": ("RdBu_r:-4.6:-1.17", "RdBu_r", -4.6, -1.17),
    "dem_3857": ("terrain:-5:60", "terrain", -5.0, 60.0),
}

TIMES = {"rain_t03": "2024-06-01T12:15:00Z", "rain_t11": "2024-06-01T12:55:00Z"}


def colour(values, cmap_name, vmin, vmax):
    """RGBA bytes as matplotlib colours `values` (NaN = nodata → transparent)."""
    cmap = matplotlib.colormaps[cmap_name]
    norm = matplotlib.colors.Normalize(vmin=vmin, vmax=vmax, clip=True)
    rgba = cmap(norm(np.ma.masked_invalid(values)), bytes=True)
    rgba[~np.isfinite(values)] = 0
    return rgba.astype("uint8")


def main():
    out = []
    for name, fname, layer, crs, bbox, width, height in CASES + dem_cases():
        if bbox is None:
            # The file's own grid.
            with rasterio.open(os.path.join(DEMO, fname)) as ds:
                bbox = tuple(ds.bounds)
                width, height = ds.width, ds.height
        with rasterio.open(os.path.join(DEMO, fname)) as ds:
            nodata = ds.nodata
            with WarpedVRT(ds, crs=f"EPSG:{crs}", transform=from_bounds(*bbox, width, height), width=width,
                           height=height, resampling=Resampling.nearest, tolerance=1e-6,
                           nodata=nodata if nodata is not None else np.nan) as vrt:
                dst = vrt.read(1).astype("float32")
        if nodata is not None:
            dst[dst == np.float32(nodata)] = np.nan
        dst.astype("<f4").tofile(os.path.join(HERE, f"{name}.f32"))
        case = {"name": name, "layer": layer, "crs": crs, "bbox": list(bbox), "width": width, "height": height,
                "valid": int(np.isfinite(dst).sum()), "time": TIMES.get(name), "style": None}
        if name in STYLES:
            style, cmap_name, vmin, vmax = STYLES[name]
            colour(dst, cmap_name, vmin, vmax).tofile(os.path.join(HERE, f"{name}.rgba"))
            case["style"] = style
        out.append(case)
        print(name, "valid pixels:", int(np.isfinite(dst).sum()), "of", width * height)
    with open(os.path.join(HERE, "cases.json"), "w") as f:
        json.dump({"generator": f"rasterio {rasterio.__version__}, GDAL {rasterio.__gdal_version__}, "
                                f"matplotlib {matplotlib.__version__}", "cases": out}, f, indent=1)


if __name__ == "__main__":
    main()
