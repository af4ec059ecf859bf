#!/usr/bin/env bash
# Service figures for BENCHMARKS.md in one command: starts `vigil serve` on a
# free loopback port with a fresh SQLite store (or --store URL), then runs
# `vigil loadgen` in every mode with flags stored, again as dry runs, and
# unary at half of the peak it measured (the p99 target), and reports the
# server's RSS (after start, after the runs, and once quiet).
# Usage: [VIGIL=PATH] tools/loadtest.sh [SECONDS_PER_MODE] [--store URL]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
# VIGIL=PATH measures another build of vigil (a before/after pair).
vigil=${VIGIL:-build/vigil}
shift || true
dir=$(mktemp -d /tmp/vigil-loadtest.XXXXXX)
store="sqlite:$dir/vigil.db"
if [[ "${1:-}" == "--store" ]]; then store=$2; fi
log="$dir/server.log"
"$vigil" serve --listen 127.0.0.1:0 --metrics-listen 127.0.0.1:0 --http-listen 127.0.0.1:0 \
  --store "$store" --max-in-flight 4096 2>"$log" &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$dir"' EXIT
port=""
for _ in $(seq 100); do
  port=$(grep -o ' port=[0-9]*' "$log" | cut -d= -f2 || true)
  [[ -n "$port" ]] && break
  sleep 0.1
done
[[ -n "$port" ]] || { cat "$log"; exit 1; }
rss() { awk '/VmRSS/ {printf "%.1f MiB", $2 / 1024}' "/proc/$pid/status"; }
echo "server RSS after start (shipped lexicons loaded): $(rss)"
echo "== flags stored ($store)"
out=$("$vigil" loadgen --target "127.0.0.1:$port" --duration "$seconds")
echo "$out"
echo "== dry run (nothing stored)"
"$vigil" loadgen --target "127.0.0.1:$port" --duration "$seconds" --dry-run
peak=$(awk '$1 == "unary" && $2 ~ /^[0-9]+$/ {print int($3)}' <<<"$out")
half=$((peak / 2))
echo "== unary at half of its peak ($half posts/s), flags stored"
"$vigil" loadgen --target "127.0.0.1:$port" --duration "$seconds" \
  --mode unary --rate "$half" | tail -1
echo "server RSS after the runs: $(rss)"
# The server gives freed memory back once quiet (its maintenance loop ticks
# every 5 s; IdleTrimmer in service/malloc_settings.h).
sleep 12
echo "server RSS 12 s after the runs: $(rss)"
