#!/usr/bin/env bash
# README command 2: installs what is missing, builds, and runs every test,
# with a throwaway PostgreSQL server (on a loopback port) for the store
# tests; it is stopped and removed afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
tools/build.sh
pg_dir=$(mktemp -d /tmp/vigil-test-pg.XXXXXX)
cleanup() {
  tools/pg_test_cluster.sh stop "$pg_dir" || true
  rm -rf "$pg_dir"
}
trap cleanup EXIT
port=${VIGIL_TEST_PG_PORT:-$((20000 + RANDOM % 20000))}
eval "$(tools/pg_test_cluster.sh start "$pg_dir" "$port")"
ctest --test-dir build --output-on-failure --parallel "$(nproc)"
