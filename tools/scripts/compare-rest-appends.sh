#!/usr/bin/env bash
# Compares REST single-entry appends of two checkouts side by side, in alternating pairs, on this
# machine: the way to tell a change's effect from a shared machine's noise.
#
#   tools/scripts/compare-rest-appends.sh CHECKOUT_A CHECKOUT_B [PAIRS] [WARM_SECONDS] [SECONDS]
#
# Each checkout is a clone of this repository (built on first use by its ./trackrecord). For each
# run: a fresh data directory, `./trackrecord serve` on a free port, wrk (64 connections, 2 threads,
# the bench's append.lua) for WARM_SECONDS (default 20) untimed, then SECONDS (default 10) measured.
# Prints appends/s, the service's CPU per append (from /proc/PID/stat), p50 and p99, then each
# pair's B/A ratio and their median. Needs wrk and Linux's /proc.
set -euo pipefail

A="$(cd "$1" && pwd)"
B="$(cd "$2" && pwd)"
PAIRS="${3:-5}"
WARM="${4:-20}"
SECONDS_MEASURED="${5:-10}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SCRIPT="$HERE/../src/main/resources/dev/trackrecord/tools/bench/append.lua"
command -v wrk >/dev/null || { echo "compare-rest-appends: wrk is not installed (apt-get install wrk)" >&2; exit 2; }
[[ -d /proc/self ]] || { echo "compare-rest-appends: needs Linux's /proc" >&2; exit 2; }
SCRATCH="$(mktemp -d)"
trap 'rm -rf "$SCRATCH"' EXIT

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# Prints "appends/s cpu_us_per_append p50_ms p99_ms" for one run of checkout $1.
run() {
    local repo="$1" port data pid token result t0 t1 n
    port="$(free_port)"
    data="$SCRATCH/data-$port"
    (cd "$repo" && exec ./trackrecord serve --data "$data" --port "$port" >"$SCRATCH/serve-$port.log" 2>&1) &
    local launcher=$!
    for _ in $(seq 1 180); do
        curl -sf "http://127.0.0.1:$port/observe/health" >/dev/null && break
        sleep 1
    done
    pid="$(pgrep -f "dev.trackrecord.api.Main.*--port $port" | head -1)"
    [[ -n "$pid" ]] || { echo "compare-rest-appends: $repo did not start; see $SCRATCH/serve-$port.log" >&2; exit 1; }
    token="$(cd "$repo" && ./trackrecord token --data "$data" --role ingest --ttl 2h 2>/dev/null | tail -1)"
    TOKEN="$token" RUN="warm-$port" wrk -t2 -c64 -d"${WARM}s" -s "$SCRIPT" "http://127.0.0.1:$port" >/dev/null
    t0="$(awk '{print $14 + $15}' "/proc/$pid/stat")"
    result="$(TOKEN="$token" RUN="run-$port" wrk -t2 -c64 -d"${SECONDS_MEASURED}s" -s "$SCRIPT" \
        "http://127.0.0.1:$port" | grep '^RESULT')"
    t1="$(awk '{print $14 + $15}' "/proc/$pid/stat")"
    kill "$pid"
    wait "$launcher" 2>/dev/null || true
    # RESULT requests duration_us p50_ms p99_ms socket_errors status_errors
    n="$(awk '{print $2}' <<<"$result")"
    awk -v r="$result" -v ticks="$((t1 - t0))" -v n="$n" 'BEGIN {
        split(r, f, " ");
        if (f[6] + f[7] > 0) { printf "errors: %d socket, %d status\n", f[6], f[7] > "/dev/stderr" }
        printf "%.0f %.1f %s %s\n", n / (f[3] / 1e6), ticks * 10000 / n, f[4], f[5] }'
}

describe() {
    local head dirty=""
    head="$(git -C "$1" log --oneline -1 2>/dev/null)" || { echo "not a git checkout"; return; }
    [[ -z "$(git -C "$1" status --porcelain --untracked-files=no)" ]] || dirty=", with uncommitted changes"
    echo "$head$dirty"
}
echo "A: $A ($(describe "$A"))"
echo "B: $B ($(describe "$B"))"
echo "$(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); $PAIRS pairs, ${WARM} s warm-up, ${SECONDS_MEASURED} s measured"
ratios=()
for i in $(seq 1 "$PAIRS"); do
    read -r ra ca pa qa <<<"$(run "$A")"
    read -r rb cb pb qb <<<"$(run "$B")"
    ratio="$(awk -v a="$ra" -v b="$rb" 'BEGIN { printf "%.2f", b / a }')"
    ratios+=("$ratio")
    printf 'pair %d: A %s appends/s, %s us CPU each, p50 %s ms, p99 %s ms | B %s appends/s, %s us, p50 %s ms, p99 %s ms | B/A %s\n' \
        "$i" "$ra" "$ca" "$pa" "$qa" "$rb" "$cb" "$pb" "$qb" "$ratio"
done
printf '%s\n' "${ratios[@]}" | sort -n | awk '{ v[NR] = $1 } END {
    m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2;
    printf "B/A per pair, sorted: "; for (i = 1; i <= NR; i++) printf "%s ", v[i]; printf "; median %.2f\n", m }'
