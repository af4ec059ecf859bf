#!/usr/bin/env bash
# Runs examples/python_client.py against a real `vigil serve` on a free
# loopback port. Usage: python_client_test.sh VIGIL_BINARY SOURCE_DIR
set -euo pipefail
vigil=$1
root=$2
if ! /usr/bin/python3 -c "import grpc, google.protobuf" 2>/dev/null; then
  echo "SKIP: python3-grpcio / python3-protobuf are not installed"
  exit 77
fi
log=$(mktemp)
store=$(mktemp -d)
"$vigil" serve --listen 127.0.0.1:0 --lexicons "$root/lexicons" \
  --store "sqlite:$store/vigil.db" --metrics-listen 127.0.0.1:0 --http-listen 127.0.0.1:0 2>"$log" &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$log" "$store"' EXIT
port=""
for _ in $(seq 100); do
  port=$(grep -o ' port=[0-9]*' "$log" | cut -d= -f2 || true)
  [[ -n "$port" ]] && break
  sleep 0.1
done
[[ -n "$port" ]] || { echo "server did not start:"; cat "$log"; exit 1; }
out=$(/usr/bin/python3 "$root/examples/python_client.py" \
  --target "127.0.0.1:$port" "Thằng ngu vcl" "hôm nay trời đẹp")
echo "$out"
grep -q "py-0: flagged=True" <<<"$out"
grep -q "profanity: 'vcl' = vãi cả lồn" <<<"$out"
grep -q "py-1: flagged=False" <<<"$out"
grep -q "stream flagged: \['stream-0'\]" <<<"$out"
echo "python client example: ok"
