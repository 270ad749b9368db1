#!/usr/bin/env python3
"""Write the URL lists benches/load.sh requests: XYZ tiles and 512x512 WMS GetMaps.

Setup:  nothing (pure Python 3, standard library only).
Run:    python3 benches/tile_list.py --raster /tmp/tegel-bench/bench.tif \\
            --base http://127.0.0.1:8080 --layer nelen-schuurmans:bench
        (or --bounds MINX MINY MAXX MAXY in EPSG:28992, or --wgs84 W S E N)

Writes into --out (default /tmp/tegel-bench/urls):
  tiles.txt      every XYZ tile of zooms 12..18 that intersects the raster, shuffled
  tile_one.txt   one tile (zoom 16, over the raster's centre), for the cache-hit run
  wms3857.txt    distinct 512x512 GetMaps in EPSG:3857 inside the raster, shuffled
  wms28992.txt   distinct 512x512 GetMaps in EPSG:28992 inside the raster, shuffled
Every list is non-repeating and deterministic (random.Random(--seed)).

RD -> WGS84: the raster's EPSG:28992 bounds are converted with the published
approximation of RDNAPTRANS by Schreutelkamp & Strang van Hees ("Benaderingsformules
voor de transformatie tussen RD- en WGS84-kaartcoordinaten", 2001): a polynomial in
(x - 155000, y - 463000) / 1e5, good to about 1 m, plenty for choosing tiles. Each
edge is sampled at 11 points; tiles use the outer envelope (every tile touching the
raster, plus a sliver around it), WMS 3857 windows the inner envelope.
"""

import argparse
import math
import os
import random
import struct
import sys
from urllib.parse import quote

# K[p, q] and L[p, q]: coefficients of dx^p dy^q, results in arc seconds.
RD_K = {(0, 1): 3235.65389, (2, 0): -32.58297, (0, 2): -0.24750, (2, 1): -0.84978, (0, 3): -0.06550,
        (2, 2): -0.01709, (1, 0): -0.00738, (4, 0): 0.00530, (2, 3): -0.00039, (4, 1): 0.00033, (1, 1): -0.00012}
RD_L = {(1, 0): 5260.52916, (1, 1): 105.94684, (1, 2): 2.45656, (3, 0): -0.81885, (1, 3): 0.05594,
        (3, 1): -0.05607, (0, 1): 0.01199, (3, 2): -0.00256, (1, 4): 0.00128, (0, 2): 0.00022,
        (2, 0): -0.00022, (5, 0): 0.00026}
R_MERC = 6378137.0
WMS_SIZE = 512


def rd_to_wgs84(x, y):
    """(lon, lat) in degrees of an EPSG:28992 point (about 1 m accurate)."""
    dx, dy = (x - 155000.0) * 1e-5, (y - 463000.0) * 1e-5
    lat = 52.15517440 + sum(c * dx**p * dy**q for (p, q), c in RD_K.items()) / 3600.0
    lon = 5.38720621 + sum(c * dx**p * dy**q for (p, q), c in RD_L.items()) / 3600.0
    return lon, lat


def to_mercator(lon, lat):
    return R_MERC * math.radians(lon), R_MERC * math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def rd_envelopes(minx, miny, maxx, maxy, steps=10):
    """Outer and inner WGS84 envelopes (W, S, E, N) of an RD box, edges densified."""
    def edge(points):
        return [rd_to_wgs84(x, y) for x, y in points]

    t = [i / steps for i in range(steps + 1)]
    west = edge([(minx, miny + f * (maxy - miny)) for f in t])
    east = edge([(maxx, miny + f * (maxy - miny)) for f in t])
    south = edge([(minx + f * (maxx - minx), miny) for f in t])
    north = edge([(minx + f * (maxx - minx), maxy) for f in t])
    everything = west + east + south + north
    outer = (min(p[0] for p in everything), min(p[1] for p in everything),
             max(p[0] for p in everything), max(p[1] for p in everything))
    inner = (max(p[0] for p in west), max(p[1] for p in south), min(p[0] for p in east), min(p[1] for p in north))
    return outer, inner


def read_geotiff_bounds(path):
    """EPSG:28992 bounds (minx, miny, maxx, maxy) of a north-up GeoTIFF, from its
    first IFD: width, height, ModelPixelScale and ModelTiepoint (classic or BigTIFF)."""
    with open(path, "rb") as f:
        data = f.read(1 << 20)
    order = {b"II": "<", b"MM": ">"}.get(data[:2])
    if order is None:
        sys.exit(f"{path}: not a TIFF file")
    (magic,) = struct.unpack_from(order + "H", data, 2)
    big = magic == 43
    if big:
        (ifd,) = struct.unpack_from(order + "Q", data, 8)
        (count,) = struct.unpack_from(order + "Q", data, ifd)
        entry0, entry_size, inline = ifd + 8, 20, 8
    else:
        (ifd,) = struct.unpack_from(order + "I", data, 4)
        (count,) = struct.unpack_from(order + "H", data, ifd)
        entry0, entry_size, inline = ifd + 2, 12, 4
    sizes = {1: ("B", 1), 3: ("H", 2), 4: ("I", 4), 12: ("d", 8), 16: ("Q", 8)}
    tags = {}
    for i in range(count):
        at = entry0 + i * entry_size
        tag, typ = struct.unpack_from(order + "HH", data, at)
        n = struct.unpack_from(order + ("Q" if big else "I"), data, at + 4)[0]
        if typ not in sizes:
            continue
        fmt, size = sizes[typ]
        value_at = at + (12 if big else 8)
        if n * size > inline:
            value_at = struct.unpack_from(order + ("Q" if big else "I"), data, value_at)[0]
        if value_at + n * size <= len(data):
            tags[tag] = struct.unpack_from(order + fmt * n, data, value_at)
    try:
        width, height = tags[256][0], tags[257][0]
        sx, sy = tags[33550][0], tags[33550][1]
        i, j, _, x, y, _ = tags[33922][:6]
    except KeyError:
        sys.exit(f"{path}: no GeoTIFF pixel scale/tiepoint; pass --bounds instead")
    keys = tags.get(34735, ())
    for k in range(4, len(keys) - 3, 4):
        if keys[k] == 3072 and keys[k + 3] != 28992:
            sys.exit(f"{path}: EPSG:{keys[k + 3]}, expected EPSG:28992")
    left, top = x - i * sx, y + j * sy
    return left, top - height * sy, left + width * sx, top


def tile_range(west, south, east, north, z):
    n = 2**z

    def tx(lon):
        return min(n - 1, max(0, int((lon + 180.0) / 360.0 * n)))

    def ty(lat):
        r = math.radians(lat)
        return min(n - 1, max(0, int((1.0 - math.asinh(math.tan(r)) / math.pi) / 2.0 * n)))

    return range(tx(west), tx(east) + 1), range(ty(north), ty(south) + 1)


def windows(minx, miny, maxx, maxy, resolutions):
    """Distinct 512x512 boxes fully inside the extent: for each resolution, a grid
    with half-window steps."""
    seen = set()
    for res in resolutions:
        size = WMS_SIZE * res
        step = size / 2
        nx = int((maxx - minx - size) // step) + 1
        ny = int((maxy - miny - size) // step) + 1
        for a in range(max(nx, 0)):
            for b in range(max(ny, 0)):
                x0, y0 = minx + a * step, miny + b * step
                seen.add((round(x0, 3), round(y0, 3), round(x0 + size, 3), round(y0 + size, 3)))
    return sorted(seen)


def wms_url(base, path, layer, epsg, box):
    bbox = ",".join(f"{v:.3f}" for v in box)
    return (f"{base}{path}?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS={quote(layer, safe=':')}"
            f"&STYLES=&CRS=EPSG:{epsg}&BBOX={bbox}&WIDTH={WMS_SIZE}&HEIGHT={WMS_SIZE}"
            f"&FORMAT=image/png&TRANSPARENT=TRUE")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    where = ap.add_mutually_exclusive_group(required=True)
    where.add_argument("--raster", help="GeoTIFF in EPSG:28992 to read the bounds from")
    where.add_argument("--bounds", nargs=4, type=float, metavar=("MINX", "MINY", "MAXX", "MAXY"),
                       help="raster bounds in EPSG:28992")
    where.add_argument("--wgs84", nargs=4, type=float, metavar=("W", "S", "E", "N"),
                       help="raster bounds in degrees (then no EPSG:28992 list is written)")
    ap.add_argument("--base", default="http://127.0.0.1:8080", help="server base URL, no trailing slash")
    ap.add_argument("--layer", default="nelen-schuurmans:bench", help="layer name in URLs")
    ap.add_argument("--xyz-template", default="{base}/tiles/{layer}/{z}/{x}/{y}.png",
                    help="XYZ URL with {base} {layer} {z} {x} {y}")
    ap.add_argument("--wms-path", default="/wms/", help="WMS endpoint path")
    ap.add_argument("--zooms", default="12-18", help="zoom range, e.g. 12-18")
    ap.add_argument("--seed", type=int, default=28992)
    ap.add_argument("--out", default="/tmp/tegel-bench/urls")
    args = ap.parse_args()

    base = args.base.rstrip("/")
    layer = quote(args.layer, safe=":")
    rd = None
    if args.raster:
        rd = read_geotiff_bounds(args.raster)
    elif args.bounds:
        rd = tuple(args.bounds)
    if rd is not None:
        outer, inner = rd_envelopes(*rd)
    else:
        outer = inner = tuple(args.wgs84)
    z0, z1 = (int(v) for v in args.zooms.split("-"))
    rng = random.Random(args.seed)
    os.makedirs(args.out, exist_ok=True)

    tiles = []
    for z in range(z0, z1 + 1):
        xs, ys = tile_range(*outer, z)
        tiles += [(z, x, y) for x in xs for y in ys]
    rng.shuffle(tiles)
    cx, cy = (outer[0] + outer[2]) / 2, (outer[1] + outer[3]) / 2
    xs, ys = tile_range(cx, cy, cx, cy, 16)
    one = (16, xs[0], ys[0])

    def tile_url(t):
        return args.xyz_template.format(base=base, layer=layer, z=t[0], x=t[1], y=t[2])

    lists = {"tiles.txt": [tile_url(t) for t in tiles], "tile_one.txt": [tile_url(one)]}
    m0, m1 = to_mercator(inner[0], inner[1]), to_mercator(inner[2], inner[3])
    merc_res = [156543.03392804097 / 2**z for z in range(12, 19)]  # zoom 12..18 pixel sizes
    boxes = windows(m0[0], m0[1], m1[0], m1[1], merc_res)
    rng.shuffle(boxes)
    lists["wms3857.txt"] = [wms_url(base, args.wms_path, args.layer, 3857, b) for b in boxes]
    if rd is not None:
        boxes = windows(*rd, [0.5, 1, 2, 4, 8, 16])
        rng.shuffle(boxes)
        lists["wms28992.txt"] = [wms_url(base, args.wms_path, args.layer, 28992, b) for b in boxes]

    for name, urls in lists.items():
        assert len(set(urls)) == len(urls), name
        with open(os.path.join(args.out, name), "w", newline="\n") as f:
            f.write("\n".join(urls) + "\n")
        print(f"{os.path.join(args.out, name)}: {len(urls)} URLs")
    print(f"EPSG:28992 bounds {rd}; WGS84 outer {tuple(round(v, 6) for v in outer)}")


if __name__ == "__main__":
    main()
