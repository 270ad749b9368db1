"""Golden RGBA values for tegel's style kernel, straight from matplotlib.

Requirements:  pip install matplotlib numpy
Run (from the repository root):
    python3 tests/golden/style/make_golden.py > tests/golden/style/values.tsv
Made with matplotlib 3.11.2 and numpy 2.4.6.

For each style and dtype, a deterministic set of values (bin edges of the
colormap and their neighbouring floats, below min, above max, +-inf, NaN, the
min == max case, and values whose index depends on the float precision of
the normalisation) is passed through `Normalize(vmin, vmax)` and
`cmap.with_extremes(under=<first entry>, over=<last entry>)(x, bytes=True)`:
tegel paints values outside [vmin, vmax] with the end colours.

Columns: style, dtype, value (f32/f64 as hex bits, ints in decimal), the
expected RGBA, matplotlib's own RGBA (with its under/over/bad colours), and
whether the value is NaN (tegel treats it as nodata).
"""

import matplotlib
import numpy as np
from matplotlib.colors import Normalize

STYLES = [
    ("RdBu_r", -4.6, -1.17),
    ("viridis", None, None),
    ("Blues", 0.0, 2.0),
    ("terrain", -5.0, 60.0),
    ("Accent", 0.0, 7.0),
    ("jet_r", 1e-3, 5e2),
    ("Blues", 3.0, 3.0),
]
FLOATS = {"float32": np.float32, "float64": np.float64}


def edges(lo, hi, n, ftype):
    """Bin edges lo + k/n*(hi-lo) in ftype, and their neighbours."""
    ks = range(n + 1) if n <= 20 else sorted(set(range(0, n + 1, 9)) | {0, 1, 2, n - 2, n - 1, n})
    out = []
    for k in ks:
        e = ftype(lo + k / n * (hi - lo))
        out += [e, np.nextafter(e, ftype(-np.inf)), np.nextafter(e, ftype(np.inf))]
        out += [np.nextafter(np.nextafter(e, ftype(np.inf)), ftype(np.inf))]
    return out


def precision_witnesses(lo, hi, n, ftype, rng):
    """Values where a cheaper normalisation would pick another index."""
    vals = np.asarray(edges(lo, hi, n, ftype), dtype=ftype)
    found = []
    for _ in range(200):
        jitter = rng.integers(-64, 65, size=vals.size)
        if ftype is np.float32:
            v = (vals.view(np.int32) + jitter.astype(np.int32)).view(np.float32)
        else:
            v = (vals.view(np.int64) + jitter.astype(np.int64)).view(np.float64)
        v = v[np.isfinite(v)]
        exact = np.floor(Normalize(lo, hi)(v).data * ftype(n))
        # All-float32 arithmetic (NumPy 1 promotion) and a multiply by the
        # reciprocal: the two shortcuts a port is tempted by.
        f32 = np.floor(((v - ftype(lo)) / ftype(hi - lo)) * ftype(n))
        recip = np.floor(((v.astype(np.float64) - lo) * (1.0 / (hi - lo))).astype(ftype) * ftype(n))
        for cand in (f32, recip):
            diff = v[(cand != exact) & (exact >= 0) & (exact < n)]
            found += list(diff[:3])
        if len(found) >= 12:
            break
    return found[:12]


def main():
    rng = np.random.default_rng(20240611)
    print("# style\tdtype\tvalue\texpected_rgba\tmatplotlib_rgba\tis_nan")
    for name, lo, hi in STYLES:
        cmap = matplotlib.colormaps[name]
        n = cmap.N
        style = name if lo is None else "%s:%r:%r" % (name, lo, hi)
        lo_, hi_ = (0.0, 1.0) if lo is None else (lo, hi)
        norm = Normalize(lo_, hi_)
        first, last = cmap(0.0), cmap(1.0)
        ends = cmap.with_extremes(under=first, over=last)
        for dname, ftype in FLOATS.items():
            if lo_ == hi_:
                vals = [ftype(v) for v in (lo_, lo_ - 1, lo_ + 1, -1e30, 1e30, np.nan)]
            else:
                vals = edges(lo_, hi_, n, ftype)
                vals += precision_witnesses(lo_, hi_, n, ftype, rng)
                span = hi_ - lo_
                extra = [lo_ - span, lo_ - 1e-9, hi_ + 1e-9, hi_ + span, (lo_ + hi_) / 2,
                         -np.inf, np.inf, np.nan, -1e30, 1e30, 0.0, -0.0]
                vals += [ftype(v) for v in extra]
            arr = np.asarray(vals, dtype=ftype)
            with np.errstate(invalid="ignore"):
                x = norm(arr)
                want = ends(x, bytes=True)
                raw = cmap(x, bytes=True)
            bits = arr.view(np.uint32 if ftype is np.float32 else np.uint64)
            width = 8 if ftype is np.float32 else 16
            for b, v, w, r in zip(bits, arr, want, raw):
                print("%s\t%s\t%0*x\t%s\t%s\t%d" % (
                    style, dname, width, int(b), " ".join(map(str, w)),
                    " ".join(map(str, r)), int(np.isnan(v))))
        # Integer inputs: (u)int8/16 are normalised in float32, (u)int32 in float64.
        for dname in ("int16", "int32"):
            itype = getattr(np, dname)
            ivals = np.arange(int(np.floor(lo_)) - 3, int(np.ceil(hi_)) + 4, dtype=itype)
            ivals = ivals[:: max(1, len(ivals) // 40)]
            x = norm(ivals)
            want = ends(x, bytes=True)
            raw = cmap(x, bytes=True)
            for v, w, r in zip(ivals, want, raw):
                print("%s\t%s\t%d\t%s\t%s\t0" % (
                    style, dname, int(v), " ".join(map(str, w)), " ".join(map(str, r))))


if __name__ == "__main__":
    main()
