#!/bin/bash
# Alternates two benchmark binaries (A, B, A, B, ...) and prints the median
# items/s of each benchmark for both, with B/A and the ranges: on a noisy
# machine, alternating is what makes a before/after ratio mean something.
# Usage: tools/bench_ab.sh ROUNDS FILTER "COMMAND_A" "COMMAND_B"
#   e.g. tools/bench_ab.sh 5 'Vigil_Analyze$' \
#          /tmp/before/compare_bench build/bench/compare_bench
# Each command is a Google Benchmark binary (with any environment or
# arguments in front); it runs with --benchmark_filter=FILTER
# --benchmark_min_time=1.
set -euo pipefail
if [[ $# -ne 4 ]]; then
  sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
fi
rounds=$1 filter=$2 a=$3 b=$4
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
for ((i = 0; i < rounds; ++i)); do
  for side in a b; do
    eval "${!side} --benchmark_filter='$filter' --benchmark_min_time=1" \
      2>/dev/null | grep -E '^BM_' >>"$dir/$side" || true
  done
done
python3 - "$dir/a" "$dir/b" <<'PY'
import collections, re, statistics, sys
unit = {'': 1, 'k': 1e3, 'M': 1e6, 'G': 1e9}
def read(path):
    d = collections.defaultdict(list)
    for line in open(path):
        m = re.match(r'(BM_\S+).*items_per_second=([0-9.]+)([kMG]?)/s', line)
        if m:
            d[m.group(1)].append(float(m.group(2)) * unit[m.group(3)])
    return d
a, b = read(sys.argv[1]), read(sys.argv[2])
if not a:
    sys.exit('no benchmark matched, or none reports items_per_second')
for name, xs in a.items():
    ys = b.get(name)
    if not ys:
        print(f'{name}: only in A')
        continue
    ma, mb = statistics.median(xs), statistics.median(ys)
    print(f'{name:55s} A {ma/1e3:10.1f}k [{min(xs)/1e3:.0f}-{max(xs)/1e3:.0f}k]'
          f'  B {mb/1e3:10.1f}k [{min(ys)/1e3:.0f}-{max(ys)/1e3:.0f}k]'
          f'  B/A {mb/ma:.2f}  ({len(xs)} rounds)')
PY
