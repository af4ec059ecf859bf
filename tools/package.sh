#!/usr/bin/env bash
# Builds the Debian package: build/package/vigil_VERSION_ARCH.deb (what is
# in it: cmake/packaging.cmake). Installs what is missing (tools/setup.sh),
# builds only the vigil target in build/ (the configuration tools/run.sh and
# tools/test.sh use, so their objects are reused), then runs cpack.
#   tools/package.sh && sudo apt-get install ./build/package/vigil_*.deb
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
tools/build.sh --target vigil
rm -f build/package/vigil_*.deb
cpack --config build/CPackConfig.cmake -B build/package -G DEB >&2
ls build/package/vigil_*.deb
