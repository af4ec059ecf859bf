#!/usr/bin/env bash
# README command 1: installs what is missing, builds, and runs the vigil
# gRPC server on its embedded defaults: loopback 127.0.0.1:50051, the
# shipped lexicons and the review store in data/vigil.db (SQLite). Ctrl-C (SIGINT) or SIGTERM stops it; SIGHUP reloads the
# lexicons.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
tools/build.sh
exec build/vigil serve "$@"
