#!/usr/bin/env bash
# Configures and builds vigil into ./build (Release with debug info).
# Usage: tools/build.sh [--target NAME]... [extra cmake -D flags...]
#   no --target: everything (the service, tests, benchmarks; tools/test.sh)
#   --target vigil: only the executable (tools/run.sh). The configuration
#   (tests and benchmarks on) is the same either way, so a later full build
#   reuses the objects already built and build/CMakeCache.txt never flips.
set -euo pipefail
cd "$(dirname "$0")/.."
targets=()
while [[ "${1:-}" == --target ]]; do
  targets+=(--target "$2")
  shift 2
done
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
cmake --build build --parallel "$(nproc)" "${targets[@]}"
