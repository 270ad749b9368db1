#!/usr/bin/python3
"""Golden cases for tegel's graph engine, computed by dask-geomodeling.

Run from the repository root:

    /usr/bin/python3 -m pip install --break-system-packages dask-geomodeling 'numpy<2'
    /usr/bin/python3 tests/golden/graph/make_goldens.py

Needs the GDAL Python bindings (Debian: python3-gdal). Writes, under
tests/golden/graph/:

* inputs/*.tif    small EPSG:28992 GeoTIFFs (float32, int16, uint8 with nodata;
                  a temporal float32 series as one file per frame);
* sources.json    uuid -> {files, times_ms}: how tegel's test leaves load them;
* cases.json      one entry per graph x request: the graph (with
                  LizardRasterSource uuids), the request, and the expected
                  answer (dtype, no_data_value, shape, values file or times);
* freq.json       how dask-geomodeling's temporal helpers label, snap and
                  shift instants near calendar edges, per frequency alias;
* values/*.bin    expected values, raw little-endian in the stated dtype
                  (bool as one byte 0/1), shape [bands][height][width].

dask-geomodeling evaluates the same graphs with RasterFileSource over the same
files (the temporal series as a multi-band file with time_first/time_delta).
"""
import json
import os
import sys
from datetime import datetime, timedelta

import numpy as np
import pandas as pd
from osgeo import gdal, osr

from dask_geomodeling.core import construct
from dask_geomodeling.raster import RasterFileSource  # noqa: F401 (import path)

HERE = os.path.dirname(os.path.abspath(__file__))
INPUTS = os.path.join(HERE, "inputs")
VALUES = os.path.join(HERE, "values")
EPOCH = datetime(1970, 1, 1)
T0 = datetime(2020, 1, 1)
HOUR = 3600 * 1000


def write_tif(path, arrays, dtype, nodata, origin, pixel):
    bands = len(arrays)
    h, w = arrays[0].shape
    gdt = {"float32": gdal.GDT_Float32, "int16": gdal.GDT_Int16,
           "uint8": gdal.GDT_Byte}[dtype]
    ds = gdal.GetDriverByName("GTiff").Create(path, w, h, bands, gdt)
    ds.SetGeoTransform((origin[0], pixel, 0, origin[1], 0, -pixel))
    sr = osr.SpatialReference()
    sr.ImportFromEPSG(28992)
    ds.SetProjection(sr.ExportToWkt())
    for i, a in enumerate(arrays):
        band = ds.GetRasterBand(i + 1)
        band.SetNoDataValue(nodata)
        band.WriteArray(a.astype(dtype))
    ds.FlushCache()
    ds = None


def make_inputs():
    os.makedirs(INPUTS, exist_ok=True)
    rng = np.random.default_rng(42)
    # A: float32 20x16 cells of 10 m, nodata -9999, one value close to nodata.
    a = rng.uniform(-5, 50, (16, 20)).round(3).astype("float32")
    a[rng.random((16, 20)) < 0.1] = -9999
    a[3, 4] = -9999.05  # isclose to nodata, not equal
    a[5, 6] = 0.0
    a[7, 8] = -2.5
    write_tif(f"{INPUTS}/a_f32.tif", [a], "float32", -9999, (155000, 463160), 10)
    # B: int16 on a 5 m grid offset by 2.5 m (tests nearest neighbour).
    b = rng.integers(-20, 40, (30, 36)).astype("int16")
    b[rng.random((30, 36)) < 0.1] = -9999
    b[0:2, :] = 0
    write_tif(f"{INPUTS}/b_i16.tif", [b], "int16", -9999, (155012.5, 463152.5), 5)
    # C: uint8 classes 0..5 on the same grid as A, nodata 255, partial cover.
    c = rng.integers(0, 6, (16, 20)).astype("uint8")
    c[rng.random((16, 20)) < 0.15] = 255
    write_tif(f"{INPUTS}/c_u8.tif", [c], "uint8", 255, (155000, 463160), 10)
    # T: 6 hourly float32 frames on A's grid; one file per frame for tegel,
    # one multi-band file for dask-geomodeling.
    frames = []
    for k in range(6):
        t = rng.uniform(0, 10, (16, 20)).round(2).astype("float32")
        t[rng.random((16, 20)) < 0.1] = -1
        frames.append(t)
        write_tif(f"{INPUTS}/t_f32_{k}.tif", [t], "float32", -1, (155000, 463160), 10)
    write_tif(f"{INPUTS}/t_f32_all.tif", frames, "float32", -1, (155000, 463160), 10)
    # U: 4 hourly int16 frames, shifted 30 min later (for Snap).
    uframes = []
    for k in range(4):
        u = rng.integers(0, 100, (16, 20)).astype("int16")
        u[rng.random((16, 20)) < 0.1] = -9999
        uframes.append(u)
        write_tif(f"{INPUTS}/u_i16_{k}.tif", [u], "int16", -9999, (155000, 463160), 10)
    write_tif(f"{INPUTS}/u_i16_all.tif", uframes, "int16", -9999, (155000, 463160), 10)
    # M: 100 small float32 frames every 103 h from 2019-11-20 06:00, over
    # month, quarter and year ends at every hour of the day (for calendar
    # frequencies).
    mframes = []
    for k in range(M_FRAMES):
        m = rng.uniform(0, 10, (4, 5)).round(2).astype("float32")
        m[rng.random((4, 5)) < 0.1] = -1
        mframes.append(m)
        write_tif(f"{INPUTS}/m_f32_{k}.tif", [m], "float32", -1, (155000, 463160), 10)
    write_tif(f"{INPUTS}/m_f32_all.tif", mframes, "float32", -1, (155000, 463160), 10)


M_FRAMES = 100
M0 = datetime(2019, 11, 20, 6)


def ms(dt):
    return (dt - EPOCH) // timedelta(milliseconds=1)


SOURCES = {
    "a": ("00000000-0000-0000-0000-00000000000a", ["a_f32.tif"], 0, HOUR),
    "b": ("00000000-0000-0000-0000-00000000000b", ["b_i16.tif"], 0, HOUR),
    "c": ("00000000-0000-0000-0000-00000000000c", ["c_u8.tif"], 0, HOUR),
    "t": ("00000000-0000-0000-0000-00000000000e",
          [f"t_f32_{k}.tif" for k in range(6)], ms(T0), HOUR),
    "u": ("00000000-0000-0000-0000-00000000000f",
          [f"u_i16_{k}.tif" for k in range(4)], ms(T0) + HOUR // 2, HOUR),
    "m": ("00000000-0000-0000-0000-000000000010",
          [f"m_f32_{k}.tif" for k in range(M_FRAMES)], ms(M0), 103 * HOUR),
}
MULTIBAND = {"t": "t_f32_all.tif", "u": "u_i16_all.tif", "m": "m_f32_all.tif"}

NATIVE = {"bbox": [155000, 463000, 155200, 463160], "projection": "EPSG:28992",
          "width": 20, "height": 16}
# Part of the extent, 2.5 m cells, shifted by a quarter cell.
FINE = {"bbox": [155042.5, 463042.5, 155122.5, 463122.5], "projection": "EPSG:28992",
        "width": 32, "height": 32}
POINT = {"bbox": [155123.4, 463087.6, 155123.4, 463087.6], "projection": "EPSG:28992",
         "width": 1, "height": 1}


def mercator_tile():
    src = osr.SpatialReference()
    src.ImportFromEPSG(28992)
    dst = osr.SpatialReference()
    dst.ImportFromEPSG(3857)
    for s in (src, dst):
        s.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    ct = osr.CoordinateTransformation(src, dst)
    x1, y1, _ = ct.TransformPoint(155030.0, 463030.0)
    x2, y2, _ = ct.TransformPoint(155170.0, 463130.0)
    return {"bbox": [round(x1, 2), round(y1, 2), round(x2, 2), round(y2, 2)],
            "projection": "EPSG:3857", "width": 24, "height": 24}


MERC = mercator_tile()


def src(name):
    return ["lizard_nxt.blocks.LizardRasterSource", SOURCES[name][0]]


def node(cls, *args):
    return [cls] + list(args)


R = "dask_geomodeling.raster."

# Graph definitions: name -> (graph dict with endpoint "out", requests).
SPATIAL_REQS = {"native": NATIVE, "merc": MERC, "point": POINT, "fine": FINE}
NN = {"native": NATIVE, "point": POINT}


def g(out, **nodes):
    graph = {"A": src("a"), "B": src("b"), "C": src("c"), "T": src("t"), "U": src("u"),
             "TM": src("m")}
    graph.update(nodes)
    graph["out"] = out
    return graph


CASES = {}


def case(name, graph, reqs, times=None):
    CASES[name] = (graph, reqs, times)


# -- sources
case("source_f32", g(["dask_geomodeling.raster.elemwise.Add", "A", 0.0]), {}, None)
del CASES["source_f32"]
case("source_a", {"out": src("a")}, SPATIAL_REQS)
case("source_b", {"out": src("b")}, SPATIAL_REQS)
case("source_c", {"out": src("c")}, SPATIAL_REQS)
# -- elementwise math
case("add_a_b", g(node(R + "elemwise.Add", "A", "B")), SPATIAL_REQS)
case("add_c_int", g(node(R + "Add", "C", 2)), NN)
case("add_c_float", g(node(R + "elemwise.Add", "C", 2.5)), NN)
case("add_a_float", g(node("geoblocks.raster.elemwise.Add", "A", 2.5)), NN)
case("add_b_c", g(node(R + "elemwise.Add", "B", "C")), NN)
case("add_b_a", g(node(R + "elemwise.Add", "B", "A")), NN)
case("subtract_a_b", g(node(R + "elemwise.Subtract", "A", "B")), SPATIAL_REQS)
case("subtract_int_c", g(node(R + "elemwise.Subtract", 300, "C")), NN)
case("multiply_a_c", g(node(R + "elemwise.Multiply", "A", "C")), NN)
case("multiply_b_big", g(node(R + "elemwise.Multiply", "B", 100000)), NN)
case("divide_a_c", g(node(R + "elemwise.Divide", "A", "C")), NN)
case("divide_b_int", g(node(R + "elemwise.Divide", "B", 3)), NN)
case("power_a_2", g(node(R + "elemwise.Power", "A", 2)), NN)
case("power_b_neg", g(node(R + "elemwise.Power", "B", -1)), NN)
case("power_a_half", g(node(R + "elemwise.Power", "A", 0.5)), NN)
case("exp_c", g(node(R + "elemwise.Exp", "C")), NN)
case("exp_a", g(node(R + "elemwise.Exp", "A")), NN)
case("log_a", g(node(R + "elemwise.Log", "A")), NN)
case("log10_b", g(node(R + "elemwise.Log10", "B")), NN)
# -- comparisons and logic
case("equal_c_2", g(node(R + "elemwise.Equal", "C", 2)), NN)
case("notequal_c_2", g(node(R + "elemwise.NotEqual", "C", 2)), NN)
case("greater_a_b", g(node(R + "elemwise.Greater", "A", "B")), SPATIAL_REQS)
case("greaterequal_a_float", g(node(R + "elemwise.GreaterEqual", "A", 20.1)), NN)
case("less_b_0", g(node(R + "elemwise.Less", "B", 0)), NN)
case("lessequal_c_a", g(node(R + "elemwise.LessEqual", "C", "A")), NN)
case("and_or_xor", g(node(R + "elemwise.Xor", "P", "Q"),
                     P=node(R + "elemwise.And", "GA", "GB"),
                     Q=node(R + "elemwise.Or", "GA", False),
                     GA=node(R + "elemwise.Greater", "A", 10),
                     GB=node(R + "elemwise.Less", "C", 3)), NN)
case("invert", g(node(R + "elemwise.Invert", "GA"), GA=node(R + "elemwise.Greater", "A", 10)), NN)
case("isdata_a", g(node(R + "elemwise.IsData", "A")), SPATIAL_REQS)
case("isnodata_b", g(node(R + "elemwise.IsNoData", "B")), NN)
case("fillnodata_a_c", g(node(R + "elemwise.FillNoData", "A", "C")), SPATIAL_REQS)
case("fillnodata_c_b", g(node(R + "elemwise.FillNoData", "C", "B")), NN)
case("chain_fill_classify", g(node(R + "elemwise.FillNoData", "K", "C"),
                              K=node(R + "misc.Classify", "D", [0, 10, 20]),
                              D=node(R + "elemwise.Subtract", "A", "B")), SPATIAL_REQS)
# -- combine / reduce
case("group_a_b", g(node(R + "combine.Group", "A", "B")), SPATIAL_REQS)
case("group_c_b", g(node(R + "combine.Group", "C", "B")), NN)
case("lizardgroup_a_b", {"out": ["lizard_nxt.blocks.LizardRasterGroup",
                                  SOURCES["a"][0], SOURCES["b"][0]]}, SPATIAL_REQS)
case("lizardgroup_c_b_a", {"out": ["lizard_nxt.blocks.LizardRasterGroup", SOURCES["c"][0],
                                    SOURCES["b"][0], SOURCES["a"][0]]}, NN)
case("max_a_b", g(node(R + "reduction.Max", "A", "B")), SPATIAL_REQS)
case("max_c_b", g(node(R + "reduction.Max", "C", "B")), NN)
# -- misc
case("clip_a_c", g(node(R + "misc.Clip", "A", "C")), SPATIAL_REQS)
case("mask_a_int", g(node(R + "misc.Mask", "A", 7)), NN)
case("mask_a_float", g(node(R + "misc.Mask", "A", 1.5)), NN)
case("mask_b_zero", g(node(R + "misc.Mask", "B", 0)), NN)
case("mask_b_neg", g(node(R + "misc.Mask", "B", -3)), NN)
case("mask_c_1000", g(node(R + "misc.Mask", "C", 1000)), NN)
case("maskbelow_a", g(node(R + "misc.MaskBelow", "A", 12.5)), NN)
case("step_a", g(node(R + "misc.Step", "A", 1, 5, 20.0)), NN)
case("step_b_defaults", g(node(R + "misc.Step", "B")), NN)
case("classify_a", g(node(R + "misc.Classify", "A", [0, 10, 20, 30])), SPATIAL_REQS)
case("classify_b_right", g(node(R + "misc.Classify", "B", [0, 10, 20], True)), NN)
case("reclassify_c", g(node(R + "misc.Reclassify", "C", [[1, 10], [2, 20], [255, 7]])), NN)
case("reclassify_c_select", g(node(R + "misc.Reclassify", "C", [[1, 1.5], [3, 3.5]], True)), NN)
case("rasterizewkt", g(node(R + "misc.RasterizeWKT",
                            "POLYGON ((155020 463020, 155150 463040, 155090 463140, 155020 463020))",
                            "EPSG:28992")), SPATIAL_REQS)
# -- temporal inputs, requested over ranges
T_LAST = {}
T_ONE = {"start": T0 + timedelta(minutes=100)}
T_RANGE = {"start": T0 + timedelta(minutes=30), "stop": T0 + timedelta(hours=4)}
T_ALL = {"start": T0 - timedelta(days=1), "stop": T0 + timedelta(days=1)}
T_OUT = {"start": T0 + timedelta(days=2), "stop": T0 + timedelta(days=3)}
TIMES = {"last": T_LAST, "one": T_ONE, "range": T_RANGE, "all": T_ALL, "outside": T_OUT}
case("source_t", {"out": src("t")}, {"native": NATIVE, "point": POINT}, TIMES)
case("add_t_a", g(node(R + "elemwise.Add", "T", 1.0)), NN, TIMES)
case("group_t_u", g(node(R + "combine.Group", "T", "U")), {"native": NATIVE}, TIMES)
case("snap_u_t", g(node(R + "temporal.Snap", "U", "T")), {"native": NATIVE}, TIMES)
case("snap_a_t", g(node(R + "temporal.Snap", "A", "T")), {"native": NATIVE}, TIMES)
case("shift_t", g(node(R + "temporal.Shift", "T", 2 * HOUR)), {"native": NATIVE}, TIMES)
case("temporalsum_t", g(node(R + "temporal.TemporalSum", "T")), {"native": NATIVE}, TIMES)
case("tagg_t_3h_mean", g(node(R + "temporal.TemporalAggregate", "T", "3h", "mean")),
     {"native": NATIVE}, TIMES)
case("tagg_t_null_max", g(node(R + "temporal.TemporalAggregate", "T", None, "max")),
     {"native": NATIVE}, TIMES)
case("tagg_u_2h_count", g(node(R + "temporal.TemporalAggregate", "U", "2h", "count")),
     {"native": NATIVE}, TIMES)
for stat in ["median", "std", "var", "min", "sum", "p90"]:
    case("tagg_t_3h_" + stat, g(node(R + "temporal.TemporalAggregate", "T", "3h", stat)),
         {"native": NATIVE}, TIMES)
case("tagg_t_null_p25", g(node(R + "temporal.TemporalAggregate", "T", None, "p25")),
     {"native": NATIVE}, TIMES)
case("tagg_u_null_median", g(node(R + "temporal.TemporalAggregate", "U", None, "median")),
     {"native": NATIVE}, TIMES)
case("cumulative_t", g(node(R + "temporal.Cumulative", "T", "sum")), {"native": NATIVE}, TIMES)
case("resample_t", g(node(R + "temporal.Resample", "T", "2h", "nearest")),
     {"native": NATIVE}, TIMES)
# -- calendar frequencies over the months-long input M
M_NATIVE = {"bbox": [155000, 463120, 155050, 463160], "projection": "EPSG:28992",
            "width": 5, "height": 4}
M_POINT = {"bbox": [155023.4, 463131.2, 155023.4, 463131.2], "projection": "EPSG:28992",
           "width": 1, "height": 1}
M_TIMES = {
    "last": {},
    "one": {"start": datetime(2020, 3, 10)},
    "range": {"start": datetime(2020, 1, 15), "stop": datetime(2020, 5, 20, 12)},
    "edges": {"start": datetime(2020, 2, 29), "stop": datetime(2020, 3, 31)},
    "all": {"start": datetime(2019, 1, 1), "stop": datetime(2022, 1, 1)},
    "outside": {"start": datetime(2023, 1, 1), "stop": datetime(2023, 6, 1)},
}
TA = R + "temporal.TemporalAggregate"
for fname, args in [
    ("me_mean", ["ME", "mean"]), ("m_sum", ["M", "sum"]), ("ms_sum", ["MS", "sum"]),
    ("w_count", ["W", "count"]), ("wwed_min", ["W-WED", "min"]), ("qs_max", ["QS", "max"]),
    ("qe_median", ["Q", "median"]), ("ys_mean", ["AS", "mean"]), ("ye_sum", ["YE", "sum"]),
    ("d_count", ["D", "count"]),
    ("me_left_left", ["ME", "sum", "left", "left"]),
    ("me_right_left", ["ME", "sum", "right", "left"]),
    ("ms_right_right", ["MS", "sum", "right", "right"]),
    ("w_left_right", ["W", "max", "left", "right"]),
]:
    case("tagg_m_" + fname, g(node(TA, "TM", *args)), {"native": M_NATIVE}, M_TIMES)
for fname, args in [("me_sum", ["sum", "ME"]), ("w_count", ["count", "W"]),
                    ("ys_sum", ["sum", "YS"]), ("ms_sum", ["sum", "MS"])]:
    case("cumulative_m_" + fname, g(node(R + "temporal.Cumulative", "TM", *args)),
         {"native": M_NATIVE}, M_TIMES)
for fname, args in [("ms_nearest", ["MS", "nearest"]), ("me_forward", ["ME", "forward"]),
                    ("w_backward", ["W", "backward"]), ("qe_nearest", ["QE", "nearest"]),
                    ("d_nearest", ["D", "nearest"])]:
    case("resample_m_" + fname, g(node(R + "temporal.Resample", "TM", *args)),
         {"native": M_NATIVE}, M_TIMES)
# ... and binned in other time zones' wall clocks
for fname, args in [("me_sum_ams", ["ME", "sum", None, None, "Europe/Amsterdam"]),
                    ("d_count_ny", ["D", "count", None, None, "America/New_York"]),
                    ("w_mean_kolkata", ["W", "mean", None, None, "Asia/Kolkata"]),
                    ("h_max_ams", ["h", "max", None, None, "Europe/Amsterdam"])]:
    # hourly labels over the whole series: one cell
    reqs = {"point": M_POINT} if fname.startswith("h_") else {"native": M_NATIVE}
    case("tagg_m_" + fname, g(node(TA, "TM", *args)), reqs, M_TIMES)
for fname, args in [("me_sum_ams", ["sum", "ME", "Europe/Amsterdam"]),
                    ("d_count_ny", ["count", "D", "America/New_York"])]:
    case("cumulative_m_" + fname, g(node(R + "temporal.Cumulative", "TM", *args)),
         {"native": M_NATIVE}, M_TIMES)
for fname, args in [("d_forward_ams", ["D", "forward", "Europe/Amsterdam"]),
                    ("ms_nearest_kolkata", ["MS", "nearest", "Asia/Kolkata"])]:
    case("resample_m_" + fname, g(node(R + "temporal.Resample", "TM", *args)),
         {"native": M_NATIVE}, M_TIMES)
# -- spatial
case("dilate_c", g(node(R + "spatial.Dilate", "C", [1, 4])), SPATIAL_REQS)
case("movingmax_a", g(node(R + "spatial.MovingMax", "A", 5)), {"native": NATIVE, "fine": FINE})
case("smooth_a", g(node(R + "spatial.Smooth", "A", 20)), {"native": NATIVE, "fine": FINE})
case("hillshade_a", g(node(R + "spatial.HillShade", "A")), {"native": NATIVE, "fine": FINE})
case("place_c", g(node(R + "spatial.Place", "C", "EPSG:28992", [155050, 463050],
                       [[155100, 463100], [155130, 463060]], "max")), {"native": NATIVE})


def file_source(name):
    uuid, files, t0, dt = SOURCES[name]
    path = os.path.join(INPUTS, MULTIBAND.get(name, files[0]))
    return [R + "sources.RasterFileSource", "file://" + path, t0, dt]


def to_dgm(graph):
    """The same graph with RasterFileSource leaves."""
    out = {}
    by_uuid = {v[0]: k for k, v in SOURCES.items()}
    for key, value in graph.items():
        if value[0] == "lizard_nxt.blocks.LizardRasterSource":
            out[key] = file_source(by_uuid[value[1]])
        elif value[0] == "lizard_nxt.blocks.LizardRasterGroup":
            # Lizard's group of untimed layers is documented as Group's rule
            # (left to right, the right one wins, nodata is transparent).
            parts = []
            for i, uuid in enumerate(value[1:]):
                parts.append(f"{key}__{i}")
                out[parts[-1]] = file_source(by_uuid[uuid])
            out[key] = [R + "combine.Group"] + parts
        elif value[0].startswith("geoblocks."):
            # the legacy package name (before 2.0.1) is no longer importable
            out[key] = ["dask_geomodeling." + value[0][len("geoblocks."):]] + value[1:]
        else:
            out[key] = value
    return out


def used(graph, key="out", seen=None):
    seen = set() if seen is None else seen
    seen.add(key)
    for arg in graph[key][1:]:
        for a in (arg if isinstance(arg, list) else [arg]):
            if isinstance(a, str) and a in graph and a not in seen:
                used(graph, a, seen)
    return seen


def iso(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def block_meta(block):
    def tolist(x):
        return None if x is None else [float(v) for v in x]
    period = block.period
    fill = block.fillvalue
    return {
        "dtype": np.dtype(block.dtype).name,
        "fillvalue": None if fill is None else float(fill),
        "extent": tolist(block.extent),
        "projection": block.projection,
        "geo_transform": tolist(block.geo_transform),
        "period": None if period is None else [iso(p) for p in period],
        "timedelta_ms": None if block.timedelta is None
        else int(block.timedelta.total_seconds() * 1000),
        "temporal": bool(block.temporal),
    }


PROMOTION_OPERANDS = [
    ["uint8", 2], ["uint8", 300], ["uint8", -1], ["uint8", 2.5], ["float32", 2.5],
    ["float32", 1e39], ["int32", "float32"], ["bool", 1], ["bool", True],
    ["int16", "uint8"], ["int16", "uint16"], ["uint32", "int32"], ["uint64", "int8"],
    ["int16", 100000], ["int16", 70000.5], ["uint8", "float16"], ["int16", "float16"],
    ["int64", "float32"], ["bool", "bool"], ["float32", "float64"], [2, 2.5],
    ["uint16", -40000], ["int8", "uint8"], ["float16", 1e5],
]


def promotions():
    """numpy.result_type over raster dtypes and Python scalars (rules table)."""
    out = []
    for ops in PROMOTION_OPERANDS:
        args = [np.dtype(o) if isinstance(o, str) else o for o in ops]
        out.append({"operands": ops, "result": np.result_type(*args).name})
    return out


FREQ_ALIASES = ["h", "3h", "15min", "D", "W", "W-MON", "W-WED", "MS", "ME", "QS",
                "QS-FEB", "QE", "QE-JAN", "YS", "YE", "YE-JUN", "YS-JUL"]
# Older spellings, checked to mean the same offset as their pandas 3 name.
FREQ_SYNONYMS = ["H", "T", "S", "L", "M", "Q", "A", "Y", "AS", "QE-DEC", "W-SUN"]


FREQ_ZONES = ["Europe/Amsterdam", "America/New_York", "Asia/Kolkata"]
FREQ_ZONE_ALIASES = ["h", "15min", "D", "W", "MS", "ME", "YS"]


def freq_instants(zone):
    """Both sides of period edges: the last and first day of months,
    quarters and years (on several weekdays), at and around midnight; in
    other zones around local midnight and the clock changes."""
    if zone == "UTC":
        dates = [(2019, 12, 31), (2020, 2, 29), (2020, 3, 31), (2020, 6, 30),
                 (2020, 9, 30), (2021, 2, 28)]
        offsets = [timedelta(0), timedelta(milliseconds=1), timedelta(hours=12),
                   timedelta(hours=24) - timedelta(milliseconds=1)]
        days = [datetime(*d) + timedelta(days=k) for d in dates for k in range(2)]
    else:
        days = [datetime(*d) for d in [(2019, 12, 31), (2020, 1, 1), (2020, 2, 29),
                                       (2020, 3, 1), (2020, 3, 8), (2020, 3, 29),
                                       (2020, 10, 25), (2020, 11, 1)]]
        offsets = [timedelta(hours=h) for h in (-5.5, -2, -1, 0, 1, 2, 5, 6)]
        offsets.append(-timedelta(milliseconds=1))
    return [d + o for d in days for o in offsets]


def freq_table():
    """dask-geomodeling's labelling helpers over edge instants (freq.json).

    Each row is [t, then relative to t: 4 labels (closed, label: left/left,
    left/right, right/left, right/right), 3 closest labels (side left, both,
    right), 4 shifts of the left/left label by -1, -0.5, 0.5 and 1, and the
    label range from it to 3 steps later], in ms."""
    from dask_geomodeling.raster import temporal as tp
    from dask_geomodeling.utils import normalize_offset, offset_to_timedelta
    table = {"synonyms": {a: normalize_offset(a) for a in FREQ_SYNONYMS}, "freqs": []}
    cases = [("UTC", a) for a in FREQ_ALIASES]
    cases += [(z, a) for z in FREQ_ZONES for a in FREQ_ZONE_ALIASES]
    for zone, alias in cases:
        f = normalize_offset(alias)
        closed, label = tp._default_closed_label(f, None, None)
        td = offset_to_timedelta(f)
        rows = []
        for t in freq_instants(zone):
            vals = [tp._get_bin_label(t, f, c, lab, zone)
                    for c in ("left", "right") for lab in ("left", "right")]
            vals += [tp._get_closest_label(t, f, zone, side)
                     for side in ("left", "both", "right")]
            lab = tp._get_bin_label(t, f, "left", "left", zone)
            vals += [tp._shift_datetime(lab, f, zone, n) for n in (-1, -0.5, 0.5, 1)]
            vals += tp._get_label_range(lab, tp._shift_datetime(lab, f, zone, 3), f, zone)
            rows.append([ms(t)] + [ms(v) - ms(t) for v in vals])
        table["freqs"].append({
            "alias": alias, "zone": zone, "name": f, "closed_right": closed == "right",
            "label_right": label == "right",
            "timedelta_ms": None if td is None else td // timedelta(milliseconds=1),
            "rows": rows})
    return table


def write_freq_table(path, table):
    """JSON with one row per line."""
    compact = {"separators": (",", ":")}
    lines = ['{"synonyms":' + json.dumps(table["synonyms"], **compact) + ',"freqs":[']
    for i, fr in enumerate(table["freqs"]):
        head = json.dumps({k: v for k, v in fr.items() if k != "rows"}, **compact)
        lines.append(head[:-1] + ',"rows":[')
        lines += [json.dumps(r, **compact) + ("," if j + 1 < len(fr["rows"]) else "")
                  for j, r in enumerate(fr["rows"])]
        lines.append("]}" + ("," if i + 1 < len(table["freqs"]) else ""))
    lines.append("]}")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


class _ZonedLabels:
    """pandas, except that `date_range` steps through a zone's wall clock.

    dask-geomodeling 2.8's TemporalAggregate.process builds its labels with
    `pd.date_range` over naive UTC times, while its bins (and the labels of
    `period` and `_get_label_range`) follow the zone's wall clock; in a zone
    other than UTC the two miss each other and bins come out empty (a monthly
    sum in Europe/Amsterdam is all zeros). tegel bins as documented: in the
    zone, labels returned as UTC. Its golden cases come from that process run
    with this one call in the zone."""

    def __init__(self, zone):
        self.zone = zone

    def __getattr__(self, name):
        return getattr(pd, name)

    def date_range(self, start, end, freq):
        def local(t):
            return pd.Timestamp(t, tz="UTC").tz_convert(self.zone)
        labels = pd.date_range(local(start), local(end), freq=freq)
        return labels.tz_convert("UTC").tz_localize(None)


def label_aggregates_in_their_zone():
    from dask_geomodeling.raster import temporal as tp
    original = tp.TemporalAggregate.process

    def process(process_kwargs, time_data=None, data=None):
        zone = process_kwargs.get("timezone") or "UTC"
        if zone == "UTC":
            return original(process_kwargs, time_data, data)
        tp.pd = _ZonedLabels(zone)
        try:
            return original(process_kwargs, time_data, data)
        finally:
            tp.pd = pd

    tp.TemporalAggregate.process = staticmethod(process)


def run():
    label_aggregates_in_their_zone()
    make_inputs()
    write_freq_table(os.path.join(HERE, "freq.json"), freq_table())
    with open(os.path.join(HERE, "promotion.json"), "w") as f:
        json.dump({"numpy": np.__version__, "cases": promotions()}, f, indent=1)
    os.makedirs(VALUES, exist_ok=True)
    for f in os.listdir(VALUES):
        os.remove(os.path.join(VALUES, f))
    sources = {}
    for name, (uuid, files, t0, dt) in SOURCES.items():
        sources[uuid] = {"files": [f"inputs/{f}" for f in files],
                         "times_ms": [t0 + k * dt for k in range(len(files))]}
    out_cases = []
    failures = []
    for name, (graph, reqs, times) in CASES.items():
        keys = used(graph)
        graph = {k: v for k, v in graph.items() if k in keys}
        try:
            block = construct(to_dgm(graph), "out")
            meta = block_meta(block)
        except Exception as e:  # noqa: BLE001
            failures.append((name, "construct", repr(e)))
            continue
        time_sets = times or {"": {}}
        for rname, req in reqs.items():
            for tname, tsel in time_sets.items():
                cname = "_".join(x for x in (name, rname, tname) if x)
                for mode in ("vals", "time"):
                    if mode == "time" and not times:
                        continue
                    request = dict(req, mode=mode, **tsel)
                    try:
                        result = block.get_data(**request)
                    except Exception as e:  # noqa: BLE001
                        failures.append((cname, mode, repr(e)))
                        continue
                    jreq = dict(req, mode=mode)
                    for k in ("start", "stop"):
                        if k in tsel:
                            jreq[k] = iso(tsel[k])
                    entry = {"name": cname if mode == "vals" else cname + "_time",
                             "graph": {"name": "out", "graph": graph},
                             "request": jreq, "meta": meta}
                    if result is None:
                        entry["expect"] = None
                    elif mode == "time":
                        entry["expect"] = {"time": [iso(t) for t in result["time"]]}
                    else:
                        values = np.asarray(result["values"])
                        fname = entry["name"] + ".bin"
                        dtype = values.dtype
                        values.astype(dtype.newbyteorder("<")).tofile(
                            os.path.join(VALUES, fname))
                        ndv = result.get("no_data_value")
                        entry["expect"] = {
                            "dtype": dtype.name, "shape": list(values.shape),
                            "no_data_value": None if ndv is None else float(ndv),
                            "values": "values/" + fname,
                        }
                    out_cases.append(entry)
    with open(os.path.join(HERE, "sources.json"), "w") as f:
        json.dump(sources, f, indent=1, sort_keys=True)
    with open(os.path.join(HERE, "cases.json"), "w") as f:
        json.dump(out_cases, f, indent=1)
    print(f"{len(out_cases)} cases written")
    for fail in failures:
        print("FAILED:", *fail, file=sys.stderr)


if __name__ == "__main__":
    run()
