#!/usr/bin/env bash
# README command 1: installs what is missing, builds, and runs the vigil
# gRPC server on its embedded defaults: loopback 127.0.0.1:50051, the
# shipped lexicons and the review store in data/vigil.db (SQLite). Ctrl-C
# (SIGINT) or SIGTERM stops it; SIGHUP reloads the lexicons.
# It builds only the `vigil` target (the console's files are compiled into
# it), not the tests and benchmarks, in the same build/ that tools/test.sh
# uses: same configuration, so the test command later reuses these objects.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
tools/build.sh --target vigil
exec build/vigil serve "$@"
