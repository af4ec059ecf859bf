#!/usr/bin/env bash
# Installs the Debian 12 packages vigil needs to build, test and run.
# Idempotent: packages already installed are left alone, and apt-get is not
# called at all when nothing is missing. Needs root (or sudo) only to install.
#   tools/setup.sh          what building and running need
#   tools/setup.sh --test   also what the tests need: chromium, and node and
#                           npm for the console's browser test, and promtool
#                           (unpacked into ~/.cache/vigil) for the alert rules
set -euo pipefail

readonly kPackages=(
  build-essential cmake pkg-config
  libicu-dev libabsl-dev libre2-dev nlohmann-json3-dev
  libgrpc++-dev libprotobuf-dev protobuf-compiler protobuf-compiler-grpc
  libssl-dev openssl python3-grpcio python3-protobuf
  libsqlite3-dev libpq-dev postgresql prometheus-cpp-dev libcpp-httplib-dev
  libmicrohttpd-dev libgnutls28-dev
  libhyperscan-dev libgtest-dev libgmock-dev libbenchmark-dev zlib1g-dev
)
packages=("${kPackages[@]}")
if [[ "${1:-}" == --test ]]; then
  # chromium for the console's browser test; python3-yaml and systemd
  # (systemd-analyze) for the deployment files' test; curl for the README's
  # curl lines, the Debian package's test and tools/soak.sh.
  packages+=(chromium python3-yaml systemd curl)
  # A node from elsewhere (e.g. NodeSource) is fine; Debian's otherwise.
  if ! command -v npm >/dev/null; then
    packages+=(nodejs npm)
  fi
fi

sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then
  sudo_cmd=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive

# promtool, for the alert rules' test (tests/deploy/deploy_test.py): from
# Debian's prometheus package, unpacked into ~/.cache/vigil rather than
# installed, since installing it would start a Prometheus server here.
fetch_promtool() {
  local cache=${XDG_CACHE_HOME:-$HOME/.cache}/vigil
  if command -v promtool >/dev/null || [[ -x $cache/bin/promtool ]]; then
    return 0
  fi
  local tmp
  tmp=$(mktemp -d)
  echo "setup: unpacking promtool from Debian's prometheus package into $cache" >&2
  if ! (cd "$tmp" && apt-get download -qq -o APT::Sandbox::User=root prometheus); then
    "${sudo_cmd[@]}" apt-get update -qq
    (cd "$tmp" && apt-get download -qq -o APT::Sandbox::User=root prometheus)
  fi
  mkdir -p "$cache/prometheus" "$cache/bin"
  dpkg-deb -x "$tmp"/prometheus_*.deb "$cache/prometheus"
  ln -sf "$cache/prometheus/usr/bin/promtool" "$cache/bin/promtool"
  rm -rf "$tmp"
}

missing=()
for pkg in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if ((${#missing[@]} > 0)); then
  echo "setup: installing ${missing[*]}" >&2
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
if [[ "${1:-}" == --test ]]; then
  fetch_promtool
fi
