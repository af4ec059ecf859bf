#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, with ASan and UBSan) and runs each
# for a bounded time: tools/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]
# Targets: normalizer, lexicon, config, request (fuzz/*_fuzzer.cc). Seeds
# come from fuzz/corpus/TARGET; what the fuzzer learns goes to
# build-fuzz/corpus/TARGET (not committed). A crash, leak or broken
# invariant stops with its input saved as build-fuzz/crash-TARGET-*, and the
# script exits non-zero: add that input to fuzz/corpus/TARGET and a test.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
targets=("$@")
((${#targets[@]})) || targets=(normalizer lexicon config request)

tools/setup.sh
missing=()
for pkg in clang libclang-rt-14-dev; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$pkg")
done
if ((${#missing[@]})); then
  sudo_cmd=()
  [[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

CC=clang CXX=clang++ cmake -S . -B build-fuzz -DVIGIL_FUZZ=ON \
  -DVIGIL_BUILD_TESTS=OFF -DVIGIL_BUILD_BENCH=OFF \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-fuzz --parallel "$(nproc)" \
  --target "${targets[@]/%/_fuzzer}" >/dev/null

status=0
for t in "${targets[@]}"; do
  corpus=build-fuzz/corpus/$t
  mkdir -p "$corpus"
  log=build-fuzz/$t.log
  start=$(date +%s)
  if build-fuzz/fuzz/${t}_fuzzer -max_total_time="$seconds" -timeout=10 \
    -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="build-fuzz/crash-$t-" "$corpus" "fuzz/corpus/$t" \
    >"$log" 2>&1; then
    result=ok
  else
    result="FAILED (see $log)"
    status=1
  fi
  runs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | tail -1 |
    awk '{print $2}')
  echo "fuzz $t: ${runs:-0} inputs in $(($(date +%s) - start)) s, $result"
done
exit "$status"
