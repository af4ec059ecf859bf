#!/usr/bin/env bash
# README command 1: installs what is missing, builds, and runs vigil on its
# embedded defaults. Until the gRPC service lands (issue 5) this runs the
# normalizer CLI over the shipped sample posts.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
tools/build.sh
echo "== build/vigil normalize < tests/fixtures/sample_posts.txt" >&2
build/vigil normalize < tests/fixtures/sample_posts.txt
