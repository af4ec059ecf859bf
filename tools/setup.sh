#!/usr/bin/env bash
# Installs the Debian 12 packages vigil needs to build, test and run.
# Idempotent: packages already installed are left alone, and apt-get is not
# called at all when nothing is missing. Needs root (or sudo) only to install.
#   tools/setup.sh          what building and running need
#   tools/setup.sh --test   also what the tests need: chromium, and node and
#                           npm for the console's browser test
set -euo pipefail

readonly kPackages=(
  build-essential cmake pkg-config
  libicu-dev libabsl-dev libre2-dev nlohmann-json3-dev
  libgrpc++-dev libprotobuf-dev protobuf-compiler protobuf-compiler-grpc
  libssl-dev openssl python3-grpcio python3-protobuf
  libsqlite3-dev libpq-dev postgresql prometheus-cpp-dev libcpp-httplib-dev
  libhyperscan-dev libgtest-dev libgmock-dev libbenchmark-dev zlib1g-dev
)
packages=("${kPackages[@]}")
if [[ "${1:-}" == --test ]]; then
  # chromium for the console's browser test; python3-yaml and systemd
  # (systemd-analyze) for the deployment files' test.
  packages+=(chromium python3-yaml systemd)
  # A node from elsewhere (e.g. NodeSource) is fine; Debian's otherwise.
  if ! command -v npm >/dev/null; then
    packages+=(nodejs npm)
  fi
fi

missing=()
for pkg in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if ((${#missing[@]} == 0)); then
  exit 0
fi

echo "setup: installing ${missing[*]}" >&2
sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then
  sudo_cmd=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
