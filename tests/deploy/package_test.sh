#!/usr/bin/env bash
# The Debian package (cmake/packaging.cmake) as a user gets it:
#   tests/deploy/package_test.sh BUILD_DIR [DEB]
# Without DEB it runs cpack in BUILD_DIR (vigil already built). It checks
# - the control data: name, the runtime libraries in Depends (from
#   dpkg-shlibdeps), /etc/vigil/vigil.conf as a conffile, maintainer scripts
#   that never delete the store;
# - the files: the binary, the lexicons with the learned ones and the
#   language model, the config, the unit, and nothing under /var/lib;
# - install, upgrade (the same package again), remove and purge into a
#   temporary root (dpkg --root, scripts run chrootless against a systemctl
#   stub that logs its calls): the unit is enabled and started on install,
#   restarted on upgrade, stopped on remove; the store survives all four and
#   an edited config survives the upgrade;
# - the installed binary: --help, and `serve` with no flags beyond ports
#   and store, from a directory without lexicons, finds the packaged
#   lexicons in /usr/share/vigil and answers health checks as SERVING.
# Exit 77 (skip) without dpkg-deb or cpack.
set -euo pipefail
build=$1
deb=${2:-}
for tool in dpkg dpkg-deb cpack curl objdump; do
  if ! command -v "$tool" >/dev/null; then
    echo "SKIP: $tool is not installed"
    exit 77
  fi
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/package_test.XXXXXX")
server_pid=
cleanup() {
  if [[ -n $server_pid ]]; then kill "$server_pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
failures=0
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}
expect_grep() {  # expect_grep WHAT PATTERN FILE
  grep -qE -- "$2" "$3" || fail "$1: no match for /$2/ in $(basename "$3")"
}

if [[ -z $deb ]]; then
  if ! cpack --config "$build/CPackConfig.cmake" -B "$tmp/cpack" -G DEB \
    >"$tmp/cpack.log" 2>&1; then
    cat "$tmp/cpack.log" >&2
    echo "FAIL: cpack" >&2
    exit 1
  fi
  deb=$(ls "$tmp"/cpack/vigil_*.deb)
fi
echo "package: $deb ($(du -h "$deb" | cut -f1))"

# --- control data -----------------------------------------------------------
dpkg-deb -I "$deb" >"$tmp/info"
dpkg-deb -e "$deb" "$tmp/control"
[[ $(dpkg-deb -f "$deb" Package) == vigil ]] || fail "Package is not vigil"
dpkg-deb -f "$deb" Depends | tr ',' '\n' | sed 's/^ *//' >"$tmp/depends"
# Each library the packaged binary links directly (its NEEDED entries),
# found on this machine with ldconfig and dpkg -S, must be in Depends: that
# is what dpkg-shlibdeps is for. The core ones are named too, so an empty
# NEEDED list cannot pass.
dpkg-deb -x "$deb" "$tmp/unpacked"
needed_pkgs=(libc6 libstdc++6 libgrpc++1.51 libprotobuf32 libsqlite3-0 libpq5)
# (ldconfig's list goes through a file: under pipefail, an awk that exits
# at its first match could kill ldconfig with SIGPIPE and fail the test.)
ldconfig -p >"$tmp/ldconfig"
for lib in $(objdump -p "$tmp/unpacked/usr/bin/vigil" | awk '$1 == "NEEDED" {print $2}'); do
  path=$(awk -v l="$lib" '$1 == l {print $NF; exit}' "$tmp/ldconfig")
  [[ -n $path ]] || { fail "$lib: not found by ldconfig"; continue; }
  pkg=$(dpkg -S "$path" 2>/dev/null || dpkg -S "$(realpath "$path")" 2>/dev/null) ||
    { fail "$lib: no package owns $path"; continue; }
  needed_pkgs+=("$(cut -d: -f1 <<<"${pkg%%$'\n'*}")")
done
for pkg in $(printf '%s\n' "${needed_pkgs[@]}" | sort -u); do
  expect_grep "Depends" "^${pkg//+/\\+}( |$)" "$tmp/depends"
done
[[ $(cat "$tmp/control/conffiles") == /etc/vigil/vigil.conf ]] ||
  fail "conffiles is not /etc/vigil/vigil.conf: $(cat "$tmp/control/conffiles")"
for script in postinst prerm postrm; do
  [[ -x $tmp/control/$script ]] || fail "no executable $script"
  if grep -nE '\brm\b|/var/lib' "$tmp/control/$script" | grep -v '^[0-9]*:#'; then
    fail "$script removes files or touches /var/lib"
  fi
done

# --- files ------------------------------------------------------------------
dpkg-deb -c "$deb" | awk '{print $NF}' | sed 's|^\./|/|' >"$tmp/files"
for path in /usr/bin/vigil /etc/vigil/vigil.conf \
  /lib/systemd/system/vigil.service /usr/share/doc/vigil/README.md \
  /usr/share/vigil/lexicons/manifest.tsv /usr/share/vigil/lexicons/insult.tsv \
  /usr/share/vigil/lexicons/teencode.tsv \
  /usr/share/vigil/lexicons/learned/insult.tsv \
  /usr/share/vigil/lexicons/lm/syllables.tsv.gz; do
  expect_grep "files" "^${path}$" "$tmp/files"
done
if grep -q '^/var/lib' "$tmp/files"; then fail "the package ships /var/lib"; fi
dpkg-deb -c "$deb" >"$tmp/contents"
if ! grep -E ' \./usr/bin/vigil$' "$tmp/contents" | grep '^-rwxr-xr-x' >/dev/null; then
  fail "/usr/bin/vigil is not 0755"
fi

# --- install, upgrade, remove, purge into a temporary root ------------------
root=$tmp/root
mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates" \
  "$root/run/systemd/system" "$tmp/bin"
touch "$root/var/lib/dpkg/status"
cat >"$tmp/bin/systemctl" <<STUB
#!/bin/sh
echo "\$*" >>"$tmp/systemctl.log"
STUB
chmod +x "$tmp/bin/systemctl"
rootdpkg() {
  PATH=$tmp/bin:$PATH dpkg --root="$root" --force-script-chrootless \
    --force-depends --force-not-root "$@" >>"$tmp/dpkg.log" 2>&1 ||
    { cat "$tmp/dpkg.log" >&2; fail "dpkg $*"; }
}
systemctl_calls() { cat "$tmp/systemctl.log" 2>/dev/null; : >"$tmp/systemctl.log"; }

rootdpkg -i "$deb"
calls=$(systemctl_calls)
[[ $calls == *"enable vigil.service"* && $calls == *"start vigil.service"* ]] ||
  fail "install did not enable and start vigil.service: $calls"
[[ -x $root/usr/bin/vigil ]] || fail "not installed: /usr/bin/vigil"

# The installed binary.
"$root/usr/bin/vigil" --help >"$tmp/help" 2>&1 || fail "vigil --help exits $?"
expect_grep "vigil --help" "serve" "$tmp/help"
"$root/usr/bin/vigil" serve --config "$root/etc/vigil/vigil.conf" \
  --lexicons "$root/usr/share/vigil/lexicons" --check-config >"$tmp/check" 2>&1 ||
  fail "the packaged config: $(cat "$tmp/check")"
read -r grpc_port http_port < <(python3 -c '
import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])')
mkdir -p "$tmp/cwd"
(cd "$tmp/cwd" && exec "$root/usr/bin/vigil" serve \
  --listen "127.0.0.1:$grpc_port" --http-listen "127.0.0.1:$http_port" \
  --metrics-listen "" --store "sqlite:$tmp/serve.db") >"$tmp/serve.log" 2>&1 &
server_pid=$!
serving=
for _ in $(seq 1 150); do
  if "$root/usr/bin/vigil" health --target "127.0.0.1:$grpc_port" \
    --timeout-ms 500 >/dev/null 2>&1; then
    serving=1
    break
  fi
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.2
done
if [[ -z $serving ]]; then
  fail "the installed vigil serve never answered SERVING: $(cat "$tmp/serve.log")"
else
  curl -sf -d '{}' \
    "http://127.0.0.1:$http_port/api/vigil.v1.AdminService/GetLexiconInfo" \
    >"$tmp/lexinfo" || fail "GetLexiconInfo over HTTP"
  expect_grep "lexicon directory" "\"directory\": *\"$root/usr/share/vigil/lexicons\"" \
    "$tmp/lexinfo"
fi
kill "$server_pid" 2>/dev/null || true
wait "$server_pid" 2>/dev/null || true
server_pid=

# A store and an edited config, then the upgrade (the same package again).
mkdir -p "$root/var/lib/vigil"
echo store >"$root/var/lib/vigil/vigil.db"
echo '# edited by the admin' >>"$root/etc/vigil/vigil.conf"
rootdpkg -i "$deb"
calls=$(systemctl_calls)
[[ $calls == *"try-restart vigil.service"* ]] ||
  fail "the upgrade did not restart vigil.service: $calls"
[[ $calls != *"stop vigil.service"* ]] ||
  fail "the upgrade stopped vigil.service: $calls"
expect_grep "config after upgrade" "edited by the admin" "$root/etc/vigil/vigil.conf"
[[ $(cat "$root/var/lib/vigil/vigil.db") == store ]] || fail "store lost on upgrade"

rootdpkg -r vigil
calls=$(systemctl_calls)
[[ $calls == *"stop vigil.service"* ]] || fail "remove did not stop vigil: $calls"
[[ ! -e $root/usr/bin/vigil ]] || fail "remove left /usr/bin/vigil"
[[ -f $root/var/lib/vigil/vigil.db ]] || fail "store lost on remove"
rootdpkg -P vigil
[[ -f $root/var/lib/vigil/vigil.db ]] || fail "store lost on purge"
[[ ! -e $root/etc/vigil/vigil.conf ]] || fail "purge left /etc/vigil/vigil.conf"

if ((failures > 0)); then
  echo "$failures failure(s)" >&2
  exit 1
fi
echo "PASS"
