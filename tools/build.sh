#!/usr/bin/env bash
# Configures and builds vigil into ./build (Release with debug info).
# Usage: tools/build.sh [extra cmake -D flags...]
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
cmake --build build --parallel "$(nproc)"
