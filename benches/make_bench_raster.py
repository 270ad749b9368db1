#!/usr/bin/env python3
"""Write the load-test raster: 10000x10000 float32, EPSG:28992, 1 m pixels around
Amersfoort, deflate + predictor 3, 256x256 tiles. Not committed (about 200 MB).

Setup:  pip install numpy rasterio
Run:    python3 benches/make_bench_raster.py [OUT.tif]   (default /tmp/tegel-bench/bench.tif)
        then ingest it (e.g. `tegel ingest ...`) and see benches/load.sh.

Deterministic: fixed seeds (one per strip of rows) and no wall-clock data, so two
runs write byte-identical files. Written strip by strip (~40 MB of memory per strip).
Extent: x 150000..160000, y 458000..468000 (upper-left 150000, 468000).
"""

import os
import sys

import numpy as np
import rasterio
from rasterio.transform import from_origin
from rasterio.windows import Window

SIZE = 10000
PIXEL = 1.0
LEFT, TOP = 150000.0, 468000.0
STRIP = 512  # rows per write: a multiple of the 256-row tiles
NODATA = -9999.0
SEED = 33


def waves(rng, count):
    """Random plane waves (amplitude, kx, ky, phase) with wavelengths 300 m .. 5 km."""
    out = []
    for _ in range(count):
        wavelength = float(np.exp(rng.uniform(np.log(300.0), np.log(5000.0))))
        angle = rng.uniform(0.0, np.pi)
        k = 2.0 * np.pi / wavelength
        out.append((wavelength / 500.0, k * np.cos(angle), k * np.sin(angle), rng.uniform(0.0, 2.0 * np.pi)))
    return out


def holes(rng, count):
    """Nodata disks: (centre x, centre y, radius) in metres from the upper-left corner."""
    return [(rng.uniform(0, SIZE), rng.uniform(0, SIZE), rng.uniform(20.0, 250.0)) for _ in range(count)]


def strip(row0, rows, field_waves, disks):
    y = (np.arange(row0, row0 + rows, dtype=np.float64) + 0.5)[:, None] * PIXEL
    x = (np.arange(SIZE, dtype=np.float64) + 0.5)[None, :] * PIXEL
    z = np.full((rows, SIZE), 10.0)
    for amp, kx, ky, phase in field_waves:
        z += amp * np.sin(kx * x + ky * y + phase)
    z += 0.05 * np.random.default_rng([SEED, row0]).standard_normal((rows, SIZE))
    z = np.round(z, 2)
    for cx, cy, r in disks:
        if cy + r < y[0, 0] or cy - r > y[-1, 0]:
            continue
        z[(x - cx) ** 2 + (y - cy) ** 2 < r * r] = NODATA
    return z.astype(np.float32)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "/tmp/tegel-bench/bench.tif"
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    rng = np.random.default_rng(SEED)
    field_waves = waves(rng, 16)
    disks = holes(rng, 40)
    profile = dict(
        driver="GTiff",
        width=SIZE,
        height=SIZE,
        count=1,
        dtype="float32",
        crs="EPSG:28992",
        transform=from_origin(LEFT, TOP, PIXEL, PIXEL),
        nodata=NODATA,
        compress="deflate",
        predictor=3,
        tiled=True,
        blockxsize=256,
        blockysize=256,
    )
    with rasterio.open(out, "w", **profile) as dst:
        for row0 in range(0, SIZE, STRIP):
            rows = min(STRIP, SIZE - row0)
            dst.write(strip(row0, rows, field_waves, disks), 1, window=Window(0, row0, SIZE, rows))
    print(f"{out}: {SIZE}x{SIZE} float32, EPSG:28992 bounds {LEFT} {TOP - SIZE * PIXEL} {LEFT + SIZE * PIXEL} {TOP}")


if __name__ == "__main__":
    main()
