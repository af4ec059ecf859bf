#!/usr/bin/env bash
# README command 1: installs what is missing, builds, and runs vigil on its
# embedded defaults (the shipped lexicons). Until the gRPC service lands
# (issue 5) this runs `vigil analyze` over the shipped sample posts.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
tools/build.sh
while IFS= read -r post; do
  [[ -z "$post" ]] && continue
  build/vigil analyze -- "$post"
  echo
done < tests/fixtures/sample_posts.txt
