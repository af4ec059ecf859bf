#!/usr/bin/env bash
# Starts or stops a throwaway PostgreSQL cluster for the tests, on a
# loopback port and a socket in its own directory.
#   eval "$(tools/pg_test_cluster.sh start DIR [PORT])"   # exports VIGIL_TEST_PG_URL
#   tools/pg_test_cluster.sh stop DIR
# PostgreSQL refuses to run as root; as root the cluster belongs to the
# 'postgres' user that Debian's package creates.
set -euo pipefail
cmd=${1:?start|stop}
dir=${2:?cluster directory}
port=${3:-55432}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[[ -x "$bin/initdb" ]] || { echo "pg_test_cluster: PostgreSQL server is not installed" >&2; exit 1; }

run() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

case "$cmd" in
  start)
    mkdir -p "$dir"
    [[ $(id -u) -eq 0 ]] && chown postgres "$dir"
    if [[ ! -f "$dir/data/PG_VERSION" ]]; then
      run "$bin/initdb" -D "$dir/data" -U vigil --auth=trust -E UTF8 \
        --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
        { cat "$dir/initdb.log" >&2; exit 1; }
    fi
    run "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=on -c max_connections=200" \
      start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
    run "$bin/psql" -h 127.0.0.1 -p "$port" -U vigil -d postgres -qtAc \
      "SELECT 1 FROM pg_database WHERE datname = 'vigil_test'" | grep -q 1 ||
      run "$bin/createdb" -h 127.0.0.1 -p "$port" -U vigil vigil_test
    echo "export VIGIL_TEST_PG_URL=postgresql://vigil@127.0.0.1:$port/vigil_test"
    ;;
  stop)
    [[ -f "$dir/data/postmaster.pid" ]] &&
      run "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
    ;;
  *) echo "usage: $0 start|stop DIR [PORT]" >&2; exit 2 ;;
esac
