#!/usr/bin/env bash
# Load test of a running tegel server: requests/s, latency percentiles and the
# server's peak RSS for four workloads, each for a fixed time at fixed concurrency.
#
# Usage:
#   python3 benches/make_bench_raster.py                 # /tmp/tegel-bench/bench.tif
#   (ingest it into the server as layer nelen-schuurmans:bench)
#   taskset -c 1 target/release/tegel serve --config config/tegel.toml &   # server on CPU 1
#   benches/load.sh [options]                            # load generator on CPU 0
#
# Options (defaults in brackets):
#   --base URL         server base URL [http://127.0.0.1:8080]
#   --layer NAME       layer name in the URLs [nelen-schuurmans:bench]
#   --raster PATH      GeoTIFF whose EPSG:28992 bounds pick the URLs [/tmp/tegel-bench/bench.tif]
#   --urls DIR         URL lists (written by benches/tile_list.py when missing) [/tmp/tegel-bench/urls]
#   --regen            rewrite the URL lists even if present
#   --duration SECS    seconds per workload [20]
#   --concurrency N    open connections [8]
#   --pid PID          server process for RSS sampling [first `pgrep -x tegel`]
#   --tool wrk|oha     load generator [wrk when installed, else oha]
#   --load-cpu N       CPU the load generator is pinned to with taskset [0]
#   --only NAME        run one workload: tiles | one-tile | wms3857 | wms28992
# Extra arguments after `--` go to tile_list.py (e.g. -- --xyz-template '{base}/x/{layer}/{z}/{x}/{y}.png').
#
# Workloads:
#   tiles      distinct XYZ tiles of zooms 12..18, shuffled (mostly cache misses)
#   one-tile   one zoom-16 tile repeated (cache hits after the first request)
#   wms3857    distinct 512x512 GetMaps in EPSG:3857 (warped)
#   wms28992   distinct 512x512 GetMaps in EPSG:28992 (the raster's own CRS)
# wrk walks each list in order (wrapping around at its end); oha picks URLs from the
# list at random, so with oha "distinct" runs repeat URLs once the list is well covered.
# To measure rendering without the cache, start the server with TEGEL_CACHE_MAX_BYTES=0.
#
# Tools: wrk from Debian (`apt-get install wrk`), or oha, which this script installs
# with `cargo install oha --locked --root target/tools` when neither is found.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$HERE")"
BASE="http://127.0.0.1:8080"
LAYER="nelen-schuurmans:bench"
RASTER="/tmp/tegel-bench/bench.tif"
URLS="/tmp/tegel-bench/urls"
REGEN=0
DURATION=20
CONCURRENCY=8
PID=""
TOOL=""
LOAD_CPU=0
ONLY=""
LIST_ARGS=()

usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit "${1:-0}"; }

while [[ $# -gt 0 ]]; do
    case "$1" in
        --base) BASE="${2%/}"; shift 2 ;;
        --layer) LAYER="$2"; shift 2 ;;
        --raster) RASTER="$2"; shift 2 ;;
        --urls) URLS="$2"; shift 2 ;;
        --regen) REGEN=1; shift ;;
        --duration) DURATION="$2"; shift 2 ;;
        --concurrency) CONCURRENCY="$2"; shift 2 ;;
        --pid) PID="$2"; shift 2 ;;
        --tool) TOOL="$2"; shift 2 ;;
        --load-cpu) LOAD_CPU="$2"; shift 2 ;;
        --only) ONLY="$2"; shift 2 ;;
        -h|--help) usage 0 ;;
        --) shift; LIST_ARGS=("$@"); break ;;
        *) echo "unknown option $1" >&2; usage 2 ;;
    esac
done

# --- URL lists ---------------------------------------------------------------
if [[ $REGEN == 1 || ! -s "$URLS/tiles.txt" || ! -s "$URLS/wms28992.txt" ]]; then
    if [[ ! -f "$RASTER" ]]; then
        echo "no URL lists in $URLS and no raster at $RASTER; run: python3 benches/make_bench_raster.py $RASTER" >&2
        exit 1
    fi
    python3 "$HERE/tile_list.py" --raster "$RASTER" --base "$BASE" --layer "$LAYER" --out "$URLS" "${LIST_ARGS[@]}"
fi

# --- the server --------------------------------------------------------------
if [[ -z "$PID" ]]; then
    PID="$(pgrep -x tegel | head -n 1 || true)"
fi
if [[ -z "$PID" || ! -r "/proc/$PID/status" ]]; then
    echo "note: no tegel process found (give --pid); RSS will not be sampled." >&2
    echo "      start the server pinned to CPU 1, e.g.:" >&2
    echo "      taskset -c 1 $ROOT/target/release/tegel serve --config $ROOT/config/tegel.toml &" >&2
    PID=""
else
    echo "server pid $PID, CPU affinity: $(taskset -pc "$PID" 2>/dev/null | sed 's/.*: //')"
fi
if command -v curl >/dev/null; then
    code="$(curl -s -o /dev/null -w '%{http_code}' "$(head -n 1 "$URLS/tile_one.txt")" || true)"
    echo "probe $(head -n 1 "$URLS/tile_one.txt") -> HTTP $code"
    if [[ "$code" == "000" ]]; then echo "server not reachable at $BASE" >&2; exit 1; fi
fi

# --- the load generator ------------------------------------------------------
OHA_LOCAL="$ROOT/target/tools/bin/oha"
if [[ -z "$TOOL" ]]; then
    if command -v wrk >/dev/null; then TOOL=wrk; else TOOL=oha; fi
fi
case "$TOOL" in
    wrk) command -v wrk >/dev/null || { echo "wrk not installed: apt-get install wrk" >&2; exit 1; } ;;
    oha)
        if command -v oha >/dev/null; then
            OHA="$(command -v oha)"
        else
            OHA="$OHA_LOCAL"
            if [[ ! -x "$OHA" ]]; then
                echo "installing oha into $ROOT/target/tools (a few minutes) ..."
                cargo install oha --locked --root "$ROOT/target/tools"
            fi
        fi ;;
    *) echo "--tool must be wrk or oha" >&2; exit 2 ;;
esac

WORK="$(mktemp -d /tmp/tegel-load.XXXXXX)"
SAMPLER=""
cleanup() {
    if [[ -n "$SAMPLER" ]]; then kill "$SAMPLER" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

# wrk script: walk the URL list in order; print one machine-readable line at the end.
cat > "$WORK/walk.lua" <<'LUA'
local paths, n, i = {}, 0, 0
function init(args)
  for line in io.lines(args[1]) do
    local p = line:match("^https?://[^/]+(/.*)$")
    if p then n = n + 1; paths[n] = p end
  end
  if n == 0 then error("no URLs in " .. args[1]) end
end
function request()
  i = i % n + 1
  return wrk.format("GET", paths[i])
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %.1f %.3f %.3f %.3f %.3f %d %d\n",
    summary.requests, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000,
    e.status, e.connect + e.read + e.write + e.timeout))
end
LUA

# Peak VmRSS and peak RssAnon (kB) of $PID into $1 ("rss anon"), sampled every
# 0.2 s until killed. VmRSS includes the pages of the memory-mapped store files
# the server has touched (page cache the kernel reclaims at will); RssAnon is
# the server's own heap: the tile cache, buffers, the catalogue snapshot.
sample_rss() {
    local out="$1" max=0 max_anon=0 kb anon
    while [[ -r "/proc/$PID/status" ]]; do
        read -r kb anon < <(awk '/^VmRSS:/ {r=$2} /^RssAnon:/ {a=$2} END {print r+0, a+0}' "/proc/$PID/status" 2>/dev/null)
        [[ -n "$kb" && "$kb" -gt "$max" ]] && max="$kb"
        [[ -n "$anon" && "$anon" -gt "$max_anon" ]] && max_anon="$anon"
        echo "$max $max_anon" > "$out"
        sleep 0.2
    done
}

# run NAME LISTFILE -> prints "RESULT requests rps p50 p90 p99 max non2xx errors" (ms)
run_tool() {
    local list="$1"
    if [[ "$TOOL" == wrk ]]; then
        taskset -c "$LOAD_CPU" wrk -t 1 -c "$CONCURRENCY" -d "${DURATION}s" --timeout 30s \
            -s "$WORK/walk.lua" "$BASE" -- "$list" | grep '^RESULT'
    else
        local fmt=(--output-format json)
        "$OHA" --help | grep -q -- '--output-format' || fmt=(--json)
        local target=(--urls-from-file "$list")
        [[ "$(wc -l < "$list")" -eq 1 ]] && target=("$(head -n 1 "$list")")
        taskset -c "$LOAD_CPU" "$OHA" -z "${DURATION}s" -c "$CONCURRENCY" --no-tui "${fmt[@]}" "${target[@]}" \
            | python3 -c '
import json, sys
d = json.load(sys.stdin)
s, p = d.get("summary", {}), d.get("latencyPercentiles", {})
codes = d.get("statusCodeDistribution", {}) or {}
errors = sum((d.get("errorDistribution", {}) or {}).values())
ms = lambda v: (v or 0.0) * 1000.0
total = sum(codes.values()) + errors
non2xx = sum(v for k, v in codes.items() if not str(k).startswith("2"))
print("RESULT %d %.1f %.3f %.3f %.3f %.3f %d %d" % (total, s.get("requestsPerSec", 0.0), ms(p.get("p50")),
      ms(p.get("p90")), ms(p.get("p99")), ms(s.get("slowest")), non2xx, errors))'
    fi
}

declare -a ROWS=()
OVERALL_RSS=0
OVERALL_ANON=0
for entry in "tiles:tiles.txt" "one-tile:tile_one.txt" "wms3857:wms3857.txt" "wms28992:wms28992.txt"; do
    name="${entry%%:*}"; file="$URLS/${entry#*:}"
    [[ -n "$ONLY" && "$ONLY" != "$name" ]] && continue
    [[ -s "$file" ]] || { echo "skip $name: $file missing" >&2; continue; }
    echo "== $name: $(wc -l < "$file") URLs, ${DURATION}s, concurrency $CONCURRENCY, $TOOL on CPU $LOAD_CPU"
    rss_file="$WORK/rss.$name"; echo "0 0" > "$rss_file"
    if [[ -n "$PID" ]]; then sample_rss "$rss_file" & SAMPLER=$!; fi
    result="$(run_tool "$file" || true)"
    if [[ -n "$SAMPLER" ]]; then kill "$SAMPLER" 2>/dev/null || true; wait "$SAMPLER" 2>/dev/null || true; SAMPLER=""; fi
    read -r rss_kb anon_kb < "$rss_file"
    (( rss_kb > OVERALL_RSS )) && OVERALL_RSS=$rss_kb
    (( anon_kb > OVERALL_ANON )) && OVERALL_ANON=$anon_kb
    if [[ -z "$result" ]]; then echo "   $name: the load tool failed" >&2; continue; fi
    read -r _ reqs rps p50 p90 p99 max non2xx errors <<< "$result"
    row="$(printf '%-9s %9s %10s %8s %8s %8s %9s %7s %7s %9s %9s' "$name" "$reqs" "$rps" "$p50" "$p90" "$p99" "$max" \
        "$non2xx" "$errors" "$(( rss_kb / 1024 ))" "$(( anon_kb / 1024 ))")"
    echo "   $row"
    ROWS+=("$row")
done

echo
printf '%-9s %9s %10s %8s %8s %8s %9s %7s %7s %9s %9s\n' workload requests req/s p50_ms p90_ms p99_ms max_ms non2xx errors rss_MiB anon_MiB
for row in "${ROWS[@]}"; do echo "$row"; done
if [[ -n "$PID" ]]; then
    echo "peak server RSS over all runs: $(( OVERALL_RSS / 1024 )) MiB VmRSS, $(( OVERALL_ANON / 1024 )) MiB RssAnon (pid $PID, sampled every 0.2 s)"
    echo "(VmRSS counts the touched pages of the memory-mapped store, which are page cache; RssAnon is the server's own memory)"
fi
