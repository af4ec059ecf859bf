#!/usr/bin/env bash
# Soak: N minutes of mixed load on one vigil server, sampled each minute.
# Not a CI test; run it by hand before a release or after a store change.
#   tools/soak.sh [--minutes N] [--store URL] [--vigil PATH] [--analysts N]
#                 [--ingest-concurrency N] [--keep]
#   --minutes             how long (default 30)
#   --store               sqlite:PATH (default: a fresh SQLite file in the
#                         work dir) or postgresql://... (an empty database)
#   --vigil               the executable (default build/vigil)
#   --analysts            analysts claiming and deciding (default 2)
#   --ingest-concurrency  loadgen streams (default 2, --window 16 each)
#   --keep                keep the work dir (server log, raw samples)
# It starts `vigil serve` on free loopback ports with a tokens file and a
# copy of the shipped lexicons, then runs together:
# - ingestion: `vigil loadgen --mode stream`, one 60 s run per minute (its
#   p99 is that minute's stream latency; flagged posts are stored);
# - analysts: Claim (next item) then Decide (actioned or dismissed) over the
#   HTTP JSON API with analyst tokens, 0.2 s apart;
# - dashboards: StatsService GetSummary and GetTimeSeries over HTTP and a
#   /metrics scrape, every 2 s;
# - a lexicon reload each minute: one term of the copied spam.tsv changes,
#   then AdminService/ReloadLexicons (the new version must be serving).
# Each minute it samples the server's RSS and prints a markdown table at the
# end: RSS, stream p99 and posts/s, HTTP review and dashboard p99, decisions,
# reload time and result, HTTP errors. The server must stop cleanly on
# SIGTERM at the end. Exit status 1 when a reload failed, the server died or
# did not stop cleanly.
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=30
store=
vigil=build/vigil
analysts=2
ingest=2
keep=
while (($# > 0)); do
  case $1 in
    --minutes) minutes=$2; shift 2 ;;
    --store) store=$2; shift 2 ;;
    --vigil) vigil=$2; shift 2 ;;
    --analysts) analysts=$2; shift 2 ;;
    --ingest-concurrency) ingest=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "soak: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
command -v curl >/dev/null || { echo "soak: needs curl (tools/setup.sh --test installs it)" >&2; exit 2; }
[[ -x $vigil ]] || { echo "soak: no $vigil (build it: tools/build.sh --target vigil)" >&2; exit 2; }
vigil=$(realpath "$vigil")

work=$(mktemp -d "${TMPDIR:-/tmp}/vigil-soak.XXXXXX")
store=${store:-sqlite:$work/soak.db}
pids=()
server_pid=
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  if [[ -n $server_pid ]]; then kill "$server_pid" 2>/dev/null || true; fi
  wait 2>/dev/null || true
  if [[ -n $keep ]]; then echo "soak: work dir kept: $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

# Tokens: `vigil token` prints "token: TOKEN", then the tokens-file line
# (the one with tabs).
token() {  # token ROLE NAME -> prints the token, appends the line
  local out
  out=$("$vigil" token --role "$1" --name "$2")
  grep -P '\t' <<<"$out" >>"$work/tokens"
  sed -n 's/^token: //p' <<<"$out"
}
admin=$(token admin soak-admin)
viewer=$(token viewer soak-dashboard)
analyst_tokens=()
for ((a = 1; a <= analysts; a++)); do analyst_tokens+=("$(token analyst "soak-analyst-$a")"); done

cp -r lexicons "$work/lexicons"
read -r grpc_port http_port metrics_port < <(python3 -c '
import socket
s = [socket.socket() for _ in range(3)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])')
target=127.0.0.1:$grpc_port
http=http://127.0.0.1:$http_port
"$vigil" serve --listen "$target" --http-listen "127.0.0.1:$http_port" \
  --metrics-listen "127.0.0.1:$metrics_port" --lexicons "$work/lexicons" \
  --tokens "$work/tokens" --store "$store" --log-level warning \
  >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 300); do
  "$vigil" health --target "$target" --timeout-ms 500 >/dev/null 2>&1 && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
  sleep 0.2
done

# Every HTTP call appends "EPOCH KIND SECONDS HTTP_CODE" to calls.log.
call() {  # call KIND TOKEN PATH JSON -> body on stdout
  local out body=$work/body.$BASHPID
  out=$(curl -s -o "$body" -w '%{http_code} %{time_total}' \
    -H "Authorization: Bearer $2" -d "$4" "$http$3" || echo "000 0")
  echo "$(date +%s) $1 ${out#* } ${out%% *}" >>"$work/calls.log"
  cat "$body" 2>/dev/null || true
  rm -f "$body"
}
analyst() {  # analyst TOKEN
  local n=0 body id decision
  while :; do
    body=$(call review "$1" /api/vigil.v1.ReviewService/Claim '{"item_id": 0, "lease_seconds": 120}')
    id=$(grep -oE '"item_id": *"[0-9]+"' <<<"$body" | head -1 | grep -oE '[0-9]+' || true)
    if [[ -n $id ]]; then
      n=$((n + 1))
      decision=DECISION_DISMISSED
      ((n % 3 == 0)) || decision=DECISION_ACTIONED
      call review "$1" /api/vigil.v1.ReviewService/Decide \
        "{\"item_id\": $id, \"decision\": \"$decision\", \"reason\": \"soak\"}" >/dev/null
    else
      sleep 1  # queue empty
    fi
    sleep 0.2
  done
}
dashboard() {
  local out
  while :; do
    call dashboard "$viewer" /api/vigil.v1.StatsService/GetSummary '{}' >/dev/null
    call dashboard "$viewer" /api/vigil.v1.StatsService/GetTimeSeries \
      '{"granularity": "GRANULARITY_MINUTE"}' >/dev/null
    out=$(curl -s -o /dev/null -w '%{http_code} %{time_total}' \
      "http://127.0.0.1:$metrics_port/metrics" || echo "000 0")
    echo "$(date +%s) dashboard ${out#* } ${out%% *}" >>"$work/calls.log"
    sleep 2
  done
}
touch "$work/calls.log"
for t in "${analyst_tokens[@]}"; do analyst "$t" & pids+=($!); done
dashboard & pids+=($!)

rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$server_pid/status"; }
# p99 (ms) of KIND's calls between epochs FROM and TO, and their errors.
p99_ms() {
  awk -v k="$1" -v a="$2" -v b="$3" '$2 == k && $1 >= a && $1 < b {print $3}' \
    "$work/calls.log" | sort -g | awk '{v[NR] = $1} END {
      if (NR == 0) { print "-"; exit }
      i = int(NR * 0.99); if (i < NR * 0.99) i++; printf "%.1f", v[i] * 1000 }'
}
errors() {
  awk -v a="$1" -v b="$2" '$1 >= a && $1 < b && $4 !~ /^(200|404)$/' \
    "$work/calls.log" | wc -l
}
decisions() {
  grep -c '^' <(awk -v a="$1" -v b="$2" '$1 >= a && $1 < b && $2 == "review"' \
    "$work/calls.log") || true
}

rss0=$(rss_kib)
load0=$(cut -d' ' -f1 /proc/loadavg)
failed=0
table="| minute | RSS MiB | stream p99 ms | stream posts/s | review HTTP p99 ms | dashboard p99 ms | review calls | reload ms | reload | HTTP errors |
|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|"
echo "soak: $minutes min on $(sed -E 's#://[^@]*@#://***@#' <<<"$store"), server pid $server_pid, RSS at start $((rss0 / 1024)) MiB" >&2
for ((m = 1; m <= minutes; m++)); do
  t0=$(date +%s)
  VIGIL_TOKEN=$admin "$vigil" loadgen --target "$target" --mode stream \
    --duration 60 --concurrency "$ingest" --window 16 >"$work/loadgen.$m" 2>&1 &
  loadgen_pid=$!
  # The reload: one changed term, so the new snapshot has a new version.
  sed -i '/^soakterm/d' "$work/lexicons/spam.tsv"
  printf 'soakterm%d\t1\tfold\tmoderate\tsoak reload %d\n' "$m" "$m" >>"$work/lexicons/spam.tsv"
  r0=$(date +%s%N)
  reload_body=$(call reload "$admin" /api/vigil.v1.AdminService/ReloadLexicons '{}')
  reload_ms=$((($(date +%s%N) - r0) / 1000000))
  if grep -q '"version"' <<<"$reload_body"; then
    reload=ok
  else
    reload="FAILED"
    failed=1
    echo "soak: reload failed: $reload_body" >&2
  fi
  wait "$loadgen_pid" || true
  t1=$(date +%s)
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "soak: the server died in minute $m" >&2
    failed=1
    break
  fi
  # loadgen's table: mode calls/s posts/s p50 p90 p99 codes.
  read -r stream_rate stream_p99 < <(awk '$1 == "stream" {print $3, $6}' \
    "$work/loadgen.$m") || true
  rss=$(rss_kib)
  row="| $m | $((rss / 1024)) | ${stream_p99:--} | ${stream_rate:--} | $(p99_ms review "$t0" "$t1") | $(p99_ms dashboard "$t0" "$t1") | $(decisions "$t0" "$t1") | $reload_ms | $reload | $(errors "$t0" "$t1") |"
  table+=$'\n'"$row"
  echo "$row" >&2
done

for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
pids=()
kill -TERM "$server_pid"
if wait "$server_pid"; then stopped="cleanly (exit 0)"; else stopped="exit $?"; failed=1; fi
server_pid=
echo
echo "Soak: $minutes min, store $(sed -E 's#://[^@]*@#://***@#; s#^sqlite:.*#sqlite#' <<<"$store"), $ingest loadgen streams, $analysts analysts, $(nproc) cores; server stopped $stopped."
echo
echo "$table"
echo
echo "RSS at start $((rss0 / 1024)) MiB. Load average (1 min) at start $load0, at the end $(cut -d' ' -f1 /proc/loadavg) (other work on the machine counts)."
echo "Review calls: Claim and Decide (404: queue empty, not an error)."
if grep -qE 'ERROR|FATAL' "$work/server.log"; then
  echo "Server errors logged:"
  grep -E 'ERROR|FATAL' "$work/server.log" | sort | uniq -c | sort -rn | head -5
fi
exit "$failed"
