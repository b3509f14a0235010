#!/usr/bin/env bash
# REST benchmark: starts the service on a fresh data directory, drives it with wrk on
# loopback (the load generator shares the machine's cores), prints a Markdown table.
#
#   tools/bench/rest-bench.sh [SECONDS]      (default 20 s a scenario)
#
# Needs wrk (installed with apt-get when missing and running as root).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$ROOT/tools/bench"
SECS="${1:-20}"
PORT="${PORT:-18181}"
DATA="$(mktemp -d)"
URL="http://127.0.0.1:$PORT"

if ! command -v wrk >/dev/null; then
    if [[ $(id -u) -eq 0 ]]; then
        apt-get install -y wrk >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }
    else
        echo "rest-bench: wrk is not installed (apt-get install wrk)" >&2
        exit 2
    fi
fi

"$ROOT/trackrecord" build >&2
"$ROOT/trackrecord" serve --data "$DATA" --port "$PORT" > "$DATA/serve.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null; rm -rf "$DATA"' EXIT
for _ in $(seq 1 120); do
    curl -fs "$URL/observe/health" >/dev/null 2>&1 && break
    sleep 0.5
done
INGEST="$("$ROOT/trackrecord" token --data "$DATA" --role ingest --ttl 1d)"
READER="$("$ROOT/trackrecord" token --data "$DATA" --role compliance --ttl 1d)"
MARKET="$("$ROOT/trackrecord" token --data "$DATA" --role marketplace --ttl 1d)"

row() {
    local name="$1" unit="$2"
    shift 2
    local line
    line="$("$@" | grep '^RESULT')"
    read -r _ count micros p50 p99 errors <<<"$line"
    awk -v n="$name" -v c="$count" -v us="$micros" -v p50="$p50" -v p99="$p99" -v e="$errors" -v u="$unit" \
        'BEGIN { printf "| %s | %\047.0f %s/s | %.2f ms | %.2f ms | %d |\n", n, c / (us / 1e6), u, p50, p99, e }'
}

echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $("$ROOT/trackrecord" --version 2>/dev/null | head -1), wrk on the same cores, ${SECS} s a scenario"
echo
echo "| REST scenario | throughput | p50 | p99 | errors |"
echo "|---|---:|---:|---:|---:|"
row "append, single entries, 64 connections" entries env TOKEN="$INGEST" wrk -t2 -c64 -d"${SECS}s" -s "$HERE/append.lua" "$URL"
row "append, batches of 100, 16 connections" entries env TOKEN="$INGEST" BATCH=100 wrk -t2 -c16 -d"${SECS}s" -s "$HERE/batch.lua" "$URL"
SIZE="$(curl -fs -H "Authorization: Bearer $READER" "$URL/v1/checkpoints/latest" | sed -n 2p)"
row "read entry by seq, 64 connections" requests env TOKEN="$READER" PATH_PREFIX="/v1/entries/" MAX="$SIZE" wrk -t2 -c64 -d"${SECS}s" -s "$HERE/read.lua" "$URL"
row "inclusion proof, 64 connections" requests env TOKEN="$READER" PATH_PREFIX="/v1/proofs/inclusion?tree_size=$SIZE&seq=" MAX="$SIZE" wrk -t2 -c64 -d"${SECS}s" -s "$HERE/read.lua" "$URL"
row "reputation lookup, 64 connections" requests env TOKEN="$MARKET" PATH_PREFIX="/v1/contractors/c-" PATH_SUFFIX="/reputation" MAX=5000 wrk -t2 -c64 -d"${SECS}s" -s "$HERE/read.lua" "$URL"
row "health endpoint (no auth, no ledger), 64 connections" requests env TOKEN="$READER" PATH_PREFIX="/observe/health?x=" MAX=1 wrk -t2 -c64 -d"${SECS}s" -s "$HERE/read.lua" "$URL"
