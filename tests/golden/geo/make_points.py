#!/usr/bin/env python3
"""Golden points for tegel's CRS transforms, computed with PROJ through pyproj.

Setup:   pip install pyproj
Run:     python3 tests/golden/geo/make_points.py            (from the repository root)
         python3 tests/golden/geo/make_points.py --defs PATH/TO/crs-definitions/src/defs.rs
Writes:  tests/golden/geo/points.json  (read by src/geo/tests/golden.rs)

tegel transforms with proj4rs and the proj4 strings of the `crs-definitions` crate,
whose datum shifts are +towgs84 Helmert parameters. PROJ's *default* pipeline may pick
another operation for the same pair (a different Helmert set, or a grid when one is
installed), so the goldens are computed with the EPSG operation whose Helmert
parameters match the +towgs84 of crs-definitions; the script checks that match
against the crate's defs.rs (found in ~/.cargo/registry unless --defs is given) and
refuses to write when it fails. For every pair the JSON also records which operations
PROJ's default pipeline used and the largest distance between the two results.
PROJ runs without network grids (pyproj's default), so for EPSG:27700 its best
operation (the OSTN15 grid) is unavailable and the default is Helmert (6).
"""

import argparse
import glob
import json
import math
import os
import re
import sys

import pyproj
from pyproj import CRS, Transformer
from pyproj.transformer import TransformerGroup

HERE = os.path.dirname(os.path.abspath(__file__))

# The EPSG datum operation whose parameters equal crs-definitions' +towgs84, per CRS.
# CRSs on WGS 84 or with a null shift (ETRS89, RGF93) need no entry.
MATCHING_OP = {
    28992: "Amersfoort to WGS 84 (4)",
    27700: "OSGB36 to WGS 84 (6)",
    31370: "BD72 to WGS 84 (3)",
}

# (from, to) pairs. Regression points are added for 28992 and 3857 below.
PAIRS = [
    (28992, 4326), (4326, 28992),
    (28992, 3857), (3857, 28992),
    (4326, 3857), (3857, 4326),
    (4258, 3857),
    (3035, 4326), (4326, 3035),
    (25831, 4326), (4326, 25831),
    (25832, 4326), (4326, 25832),
    (25833, 4326), (4326, 25833),
    (32631, 4326), (4326, 32631),
    (32617, 4326), (4326, 32617),
    (32733, 4326), (4326, 32733),
    (32755, 4326), (4326, 32755),
    (27700, 4326), (4326, 27700),
    (2154, 4326), (4326, 2154),
    (31370, 4326), (4326, 31370),
]

# Named lon/lat points pinned as regressions, per CRS they must lie in.
REGRESSION_LONLAT = {
    28992: [
        ("Amersfoort origin", 5.387638889, 52.156160556),
        ("Amsterdam Dam", 4.892530, 52.373119),
        ("Groningen", 6.566502, 53.219383),
        ("Maastricht", 5.690973, 50.851368),
        ("Vlissingen", 3.572174, 51.442341),
        ("Eemshaven", 6.833000, 53.450000),
    ],
    3857: [
        ("null island", 0.0, 0.0),
        ("north edge", 179.9, 85.05),
        ("south-west", -179.9, -85.05),
        ("Amsterdam", 4.892530, 52.373119),
        ("Wellington", 174.776, -41.286),
    ],
}


def geographic(code):
    return CRS.from_epsg(code).is_geographic


def area_points(code):
    """A 3x3 grid inset in the area of use of `code`, plus its centre, as lon/lat."""
    if code in (4326, 3857, 4258):
        w, s, e, n = (-170.0, -80.0, 170.0, 80.0) if code != 4258 else (-10.0, 36.0, 30.0, 70.0)
    else:
        w, s, e, n = CRS.from_epsg(code).area_of_use.bounds
        if e < w:
            e += 360.0
    pts = []
    for fy in (0.15, 0.5, 0.85):
        for fx in (0.15, 0.5, 0.85):
            lon = w + fx * (e - w)
            lon = lon - 360.0 if lon > 180.0 else lon
            pts.append((None, round(lon, 6), round(s + fy * (n - s), 6)))
    pts.append((None, round(w + 0.37 * (e - w), 6), round(s + 0.61 * (n - s), 6)))
    return pts


def inside(code, point):
    """True when a (name, lon, lat) point lies in the area of use of `code`."""
    if code in (4326, 3857):
        return True
    w, s, e, n = CRS.from_epsg(code).area_of_use.bounds
    return w <= point[1] <= e and s <= point[2] <= n


def parse_helmert(definition):
    """The Helmert step of a PROJ pipeline as position-vector +towgs84 values."""
    m = re.search(r"proj=helmert([^+]*?)(?= step| \+step|$)", definition)
    if not m:
        return None
    params = dict(re.findall(r"(\w+)=([-\w.]+)", m.group(1)))
    vals = [float(params.get(k, 0.0)) for k in ("x", "y", "z", "rx", "ry", "rz", "s")]
    if params.get("convention") == "coordinate_frame":
        vals[3:6] = [-v for v in vals[3:6]]
    return vals


def crate_towgs84(defs_path):
    """code → +towgs84 values from crs-definitions' defs.rs."""
    out = {}
    with open(defs_path, encoding="utf-8") as f:
        for line in f:
            m = re.match(r'EPSG_(\d+)\|\d+\|"([^"]*)"', line)
            if m and "+towgs84=" in m.group(2):
                tw = re.search(r"\+towgs84=([-\d.,]+)", m.group(2)).group(1)
                out[int(m.group(1))] = [float(v) for v in tw.split(",")]
    return out


def matching_transformer(a, b, towgs):
    """The transformer for (a, b) using the operation crs-definitions encodes."""
    group = TransformerGroup(a, b, always_xy=True, allow_superseded=True)
    wanted = MATCHING_OP.get(a) or MATCHING_OP.get(b)
    for t in group.transformers:
        if wanted is None or wanted in t.description:
            if wanted is not None:
                code = a if a in MATCHING_OP else b
                got = parse_helmert(t.definition)
                ref = towgs[code]
                if got is None or any(abs(g - r) > 1.5e-3 for g, r in zip(got, ref)):
                    sys.exit(f"Helmert of {t.description} {got} does not match crs-definitions {ref}")
            return t
    sys.exit(f"no operation {wanted!r} for {a}->{b}")


def metres(code, x0, y0, x1, y1):
    """Distance between two points of CRS `code` in metres (degrees scaled locally)."""
    if geographic(code):
        dy = (y1 - y0) * 111_320.0
        dx = (x1 - x0) * 111_320.0 * math.cos(math.radians(y0))
        return math.hypot(dx, dy)
    return math.hypot(x1 - x0, y1 - y0)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--defs", help="path to crs-definitions src/defs.rs")
    args = ap.parse_args()
    defs = args.defs or next(iter(sorted(glob.glob(os.path.expanduser(
        "~/.cargo/registry/src/*/crs-definitions-0.3.*/src/defs.rs")))), None)
    if not defs:
        sys.exit("crs-definitions defs.rs not found; pass --defs")
    towgs = crate_towgs84(defs)
    pyproj.network.set_network_enabled(False)

    pairs = []
    for a, b in PAIRS:
        native = a if a != 4326 else b
        lonlat = area_points(native)
        for code in (a, b):
            pinned = REGRESSION_LONLAT.get(code, [])
            lonlat = [p for p in pinned if inside(a, p) and inside(b, p)] + lonlat
        exact = matching_transformer(a, b, towgs)
        default = Transformer.from_crs(a, b, always_xy=True)
        to_a = Transformer.from_crs(4326, a, always_xy=True)
        points, used, max_diff = [], set(), 0.0
        for name, lon, lat in lonlat:
            x, y = to_a.transform(lon, lat) if a != 4326 else (lon, lat)
            x, y = (round(x, 9), round(y, 9)) if geographic(a) else (round(x, 3), round(y, 3))
            ex, ey = exact.transform(x, y, errcheck=True)
            dx, dy = default.transform(x, y, errcheck=True)
            op = default.get_last_used_operation()
            used.add(op.description if op is not None else default.description)
            diff = metres(b, ex, ey, dx, dy)
            max_diff = max(max_diff, diff)
            pt = {"x": x, "y": y, "ex": ex, "ey": ey, "default_x": dx, "default_y": dy}
            if name:
                pt["regression"] = name
            points.append(pt)
        pairs.append({
            "from": a,
            "to": b,
            "operation": exact.description,
            "definition": exact.definition,
            "default_operations": sorted(used),
            "max_diff_default_vs_operation_m": max_diff,
            "points": points,
        })
        print(f"{a:>5} -> {b:<5} {len(points):2} pts  default differs by up to {max_diff:.4f} m"
              f"  [{exact.description}] default: {sorted(used)}")

    out = {
        "generator": "tests/golden/geo/make_points.py",
        "pyproj": pyproj.__version__,
        "proj": pyproj.proj_version_str,
        "network": False,
        "tolerance": {"projected_m": 0.02, "geographic_deg": 2e-7},
        "pairs": pairs,
    }
    with open(os.path.join(HERE, "points.json"), "w", encoding="utf-8") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
