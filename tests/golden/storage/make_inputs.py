#!/usr/bin/env python3
"""Golden GeoTIFF inputs for tegel's storage tests, with rasterio's answers.

Setup:  pip install rasterio numpy tifffile rio-cogeo
Run:    python3 tests/golden/storage/make_inputs.py
        (writes inputs/*.tif and expected.json next to this script)
Check:  python3 tests/golden/storage/make_inputs.py --check-frames DIR
        opens every store frame a test wrote into DIR (TEGEL_FRAME_DUMP=DIR
        cargo test --lib storage::) with rasterio/GDAL and compares level 0 with
        the input of the same name and each overview with a numpy recomputation;
        runs rio-cogeo's COG validation on every frame; `wms_<name>.tif` files
        (encode_geotiff output) are compared with input `<name>`.

Each input is small (odd sizes such as 37x23) and covers a dtype, a layout
(striped/tiled), a compression, a predictor and georeferencing variant. The
bad inputs (3 bands, rotated, no CRS, user-defined CRS, unsupported EPSG) must be
refused. `fnv1a64` is FNV-1a 64 over the little-endian sample bytes: equal hashes
mean every pixel equal.
"""
import json
import os
import sys
import warnings

import numpy as np
import rasterio
from rasterio.crs import CRS
from rasterio.transform import Affine, from_origin

warnings.filterwarnings("ignore", category=rasterio.errors.NotGeoreferencedWarning)
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "inputs")


def fnv1a64(data: bytes) -> str:
    h = 0xCBF29CE484222325
    for b in data:
        h ^= b
        h = (h * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return f"{h:016x}"


def make_data(dtype, h, w, seed, nodata):
    rng = np.random.default_rng(seed)
    dt = np.dtype(dtype)
    if dt.kind in "ui":
        info = np.iinfo(dt)
        a = rng.integers(info.min, info.max, size=(h, w), endpoint=True, dtype=dt)
        a[0, 0], a[0, 1] = info.min, info.max
    else:
        a = (rng.standard_normal((h, w)) * 1000).astype(dt)
        a[0, 1] = np.finfo(dt).max
        a[1, 0] = np.finfo(dt).tiny
    if nodata is not None:
        a[rng.random((h, w)) < 0.1] = nodata
    return a


# name, dtype, (w, h), tiled, compress, predictor, nodata, epsg, extra
GOOD = [
    ("u8_strip_none", "uint8", (37, 23), False, None, None, 255, 28992, {}),
    ("u8_tile_deflate_p2", "uint8", (37, 23), True, "deflate", 2, None, 28992, {}),
    ("u8_tile_zstd_point", "uint8", (33, 17), True, "zstd", None, 0, 3857, {"point": True}),
    ("i8_strip_lzw", "int8", (37, 23), False, "lzw", None, -128, 4326, {}),
    ("i8_tile_packbits", "int8", (29, 35), True, "packbits", None, None, 28992, {}),
    ("u16_strip_zstd_p2", "uint16", (37, 23), False, "zstd", 2, 0, 3857, {}),
    ("u16_tile_none", "uint16", (37, 23), True, None, None, None, 28992, {}),
    ("i16_strip_deflate_p2", "int16", (37, 23), False, "deflate", 2, -32768, 28992, {}),
    ("i16_tile_lzw_p2_point", "int16", (37, 23), True, "lzw", 2, -9999, 28992, {"point": True}),
    ("u32_strip_packbits", "uint32", (37, 23), False, "packbits", None, None, 4326, {}),
    ("u32_tile_zstd", "uint32", (37, 23), True, "zstd", None, 4294967295, 3857, {}),
    ("i32_strip_none", "int32", (37, 23), False, None, None, -9999, 28992, {}),
    ("i32_tile_deflate_p2", "int32", (37, 23), True, "deflate", 2, None, 4326, {}),
    ("f32_strip_lzw_p3", "float32", (37, 23), False, "lzw", 3, -9999.0, 28992, {}),
    ("f32_tile_zstd_p3_nan", "float32", (37, 23), True, "zstd", 3, float("nan"), 3857, {}),
    ("f32_strip_packbits", "float32", (37, 23), False, "packbits", None, -3.4028234663852886e38, 4326, {}),
    ("f32_tile_deflate_p2", "float32", (37, 23), True, "deflate", 2, 0.1, 28992, {}),
    ("f64_strip_deflate_p3", "float64", (37, 23), False, "deflate", 3, 1e20, 28992, {}),
    ("f64_tile_none", "float64", (21, 19), True, None, None, None, 4326, {}),
    ("f64_tile_lzw_p3", "float64", (37, 23), True, "lzw", 3, -9999.0, 3857, {}),
]


def transform_for(epsg, w, h):
    if epsg == 4326:
        return from_origin(4.25, 52.75, 0.0125, 0.01)
    if epsg == 3857:
        return from_origin(500000.0, 6800000.0, 30.0, 30.0)
    return from_origin(155000.0, 463000.0, 2.5, 0.5)


def write_good(i, spec):
    name, dtype, (w, h), tiled, compress, predictor, nodata, epsg, extra = spec
    a = make_data(dtype, h, w, 1000 + i, nodata)
    profile = dict(driver="GTiff", width=w, height=h, count=1, dtype=dtype,
                   crs=CRS.from_epsg(epsg), transform=transform_for(epsg, w, h))
    if nodata is not None:
        profile["nodata"] = nodata
    if tiled:
        profile.update(tiled=True, blockxsize=16, blockysize=16)
    else:
        profile.update(tiled=False, blockysize=5)
    if compress:
        profile["compress"] = compress
    if predictor:
        profile["predictor"] = predictor
    path = os.path.join(OUT, name + ".tif")
    with rasterio.open(path, "w", **profile) as dst:
        if extra.get("point"):
            dst.update_tags(AREA_OR_POINT="Point")
        dst.write(a, 1)
    return path


def write_model_transformation():
    """North-up grid georeferenced by ModelTransformationTag (GDAL writes it only for rotated grids)."""
    import tifffile
    w, h = 31, 13
    a = make_data("int16", h, w, 7, None)
    matrix = [10.0, 0, 0, 120000.0, 0, -10.0, 0, 480000.0, 0, 0, 0, 0, 0, 0, 0, 1]
    geokeys = [1, 1, 0, 3, 1024, 0, 1, 1, 1025, 0, 1, 1, 3072, 0, 1, 28992]
    path = os.path.join(OUT, "i16_strip_none_matrix.tif")
    tifffile.imwrite(path, a, photometric="minisblack", rowsperstrip=4,
                     extratags=[(34264, 12, 16, matrix, False), (34735, 3, len(geokeys), geokeys, False)])
    return path


def write_bad():
    rng = np.random.default_rng(5)
    a = rng.integers(0, 255, size=(3, 9, 11), dtype=np.uint8)
    base = dict(driver="GTiff", width=11, height=9, dtype="uint8")
    with rasterio.open(os.path.join(OUT, "bad_three_band.tif"), "w", count=3, crs=CRS.from_epsg(28992),
                       transform=from_origin(0, 9, 1, 1), **base) as d:
        d.write(a)
    rotated = Affine(1.0, 0.2, 1000.0, 0.2, -1.0, 2000.0)
    with rasterio.open(os.path.join(OUT, "bad_rotated.tif"), "w", count=1, crs=CRS.from_epsg(28992),
                       transform=rotated, **base) as d:
        d.write(a[0], 1)
    with rasterio.open(os.path.join(OUT, "bad_no_crs.tif"), "w", count=1,
                       transform=from_origin(0, 9, 1, 1), **base) as d:
        d.write(a[0], 1)
    custom = CRS.from_proj4("+proj=stere +lat_0=90 +lon_0=10 +k=0.95 +x_0=0 +y_0=0 +datum=WGS84 +units=m")
    with rasterio.open(os.path.join(OUT, "bad_user_defined_crs.tif"), "w", count=1, crs=custom,
                       transform=from_origin(0, 9, 1, 1), **base) as d:
        d.write(a[0], 1)
    with rasterio.open(os.path.join(OUT, "bad_unsupported_epsg.tif"), "w", count=1, crs=CRS.from_epsg(2056),
                       transform=from_origin(2600000, 1200000, 1, 1), **base) as d:
        d.write(a[0], 1)
    return {"bad_three_band": "multi_band", "bad_rotated": "rotated", "bad_no_crs": "no_crs",
            "bad_user_defined_crs": "user_defined_crs", "bad_unsupported_epsg": "unsupported_crs"}


def describe(path):
    with rasterio.open(path) as src:
        a = src.read(1)
        t = src.transform
        nd = src.nodata
        rows, cols = a.shape
        picks = [(0, 0), (0, 1), (1, 0), (rows // 2, cols // 2), (rows - 1, cols - 1)]
        valid = a[~np.isnan(a)] if a.dtype.kind == "f" else a
        if nd is not None and not np.isnan(nd):
            valid = valid[valid != np.array(nd).astype(a.dtype)]
        return {
            "width": src.width,
            "height": src.height,
            "dtype": str(a.dtype),
            "epsg": src.crs.to_epsg(),
            "transform": [t.c, t.a, t.f, t.e],
            "nodata": None if nd is None else repr(float(nd)),
            "fnv1a64": fnv1a64(a.astype(a.dtype.newbyteorder("<")).tobytes()),
            "valid_sum": float(np.sum(valid.astype(np.float64))),
            "pixels": [[r, c, repr(float(a[r, c]))] for r, c in picks],
        }


def main():
    os.makedirs(OUT, exist_ok=True)
    expected = {"good": {}, "bad": {}}
    for i, spec in enumerate(GOOD):
        expected["good"][spec[0]] = describe(write_good(i, spec))
    expected["good"]["i16_strip_none_matrix"] = describe(write_model_transformation())
    expected["bad"] = write_bad()
    with open(os.path.join(HERE, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1, sort_keys=True)
    sizes = {n: os.path.getsize(os.path.join(OUT, n)) for n in sorted(os.listdir(OUT))}
    print(f"{len(sizes)} files, largest {max(sizes.values())} bytes")


def check_frames(folder):
    """Open tegel's store frames with GDAL and compare them with independent answers."""
    from rasterio.enums import Resampling  # noqa: F401  (documents that GDAL reads the overviews)
    from rio_cogeo.cogeo import cog_validate
    ok = True
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".tif"):
            continue
        path = os.path.join(folder, name)
        with rasterio.open(path) as src:
            a = src.read(1)
            nd = src.nodata
            info = (f"{name}: {src.width}x{src.height} {src.dtypes[0]} {src.crs} nodata={nd} "
                    f"blocks={src.block_shapes[0]} overviews={src.overviews(1)} compress={src.compression}")
            print(info)
            is_wms = name.startswith("wms_")
            src_input = os.path.join(OUT, name[4:] if is_wms else name)
            if os.path.exists(src_input):
                with rasterio.open(src_input) as ref:
                    same = (np.array_equal(ref.read(1), a, equal_nan=True) and ref.transform == src.transform
                            and ref.crs == src.crs and ref.dtypes == src.dtypes
                            and (ref.nodata == nd or (np.isnan(ref.nodata or 0) and np.isnan(nd or 0))))
                    print(f"  level 0 (values, transform, crs, dtype, nodata) equals input: {same}")
                    ok &= same
            if not is_wms:
                valid, errors, _warnings = cog_validate(path, quiet=True)
                print(f"  valid COG: {valid} {errors}")
                ok &= valid
            prev = a
            for k, factor in enumerate(src.overviews(1)):
                with rasterio.open(path, overview_level=k) as ov:
                    got = ov.read(1)
                want = reduce2(prev, nd)
                same = np.array_equal(got, want, equal_nan=True)
                print(f"  overview {factor}: {got.shape} equals numpy reduction: {same}")
                ok &= same
                prev = want
    print("ALL OK" if ok else "MISMATCH")
    return ok


def reduce2(a, nodata):
    """tegel's overview rule: nodata-aware 2x2 mean for floats, top-left pixel for integers."""
    h, w = a.shape
    if a.dtype.kind in "ui":
        return a[0::2, 0::2]
    pad = np.full(((h + 1) // 2 * 2, (w + 1) // 2 * 2), np.nan)
    pad[:h, :w] = a
    if nodata is not None and not np.isnan(nodata):
        pad[pad == np.array(nodata).astype(a.dtype)] = np.nan
    blocks = pad.reshape(pad.shape[0] // 2, 2, pad.shape[1] // 2, 2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        mean = np.nanmean(blocks, axis=(1, 3))
    fill = np.nan if nodata is None else nodata
    return np.where(np.isnan(mean), fill, mean).astype(a.dtype)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--check-frames":
        sys.exit(0 if check_frames(sys.argv[2]) else 1)
    main()
