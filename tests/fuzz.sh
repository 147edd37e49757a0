#!/usr/bin/env bash
# Runs every Go fuzz target of the distill helper (func FuzzXxx in tools/**/*_fuzz_test.go) for
# FUZZTIME each, one after the other, and fails when any finds a crasher. `go test ./tools/...`
# already replays the seeds and testdata/fuzz/FuzzXxx/ of every target; this script searches for
# new inputs.
#
#   bash tests/fuzz.sh                       # CI: 6s per target (about 3 minutes in all)
#   FUZZTIME=10m bash tests/fuzz.sh          # the long run (docs/reliability.md)
#   FUZZTIME=1m bash tests/fuzz.sh FuzzOpen  # only the targets named
#
#   FUZZTIME          go test -fuzztime per target (default 6s; "10000x" counts executions)
#   FUZZMINIMIZETIME  go test -fuzzminimizetime (default 10x: CI time goes to fuzzing, not
#                     to shrinking each new interesting input; set 60s to shrink crashers)
#   FUZZPARALLEL      fuzzing workers per target (default: the number of cores)
#
# A crasher is written by go test to tools/.../testdata/fuzz/FuzzXxx/<hash>: fix the bug and
# keep the file (rename it regression-<what>) so that `go test` replays it from then on.
# Prints one line per target (executions, new interesting inputs) and "fuzz: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
# shellcheck source=tests/lib/env.sh
source tests/lib/env.sh

fuzztime=${FUZZTIME:-6s}
minimize=${FUZZMINIMIZETIME:-10x}
parallel=${FUZZPARALLEL:-$(nproc)}
only=("$@")

passed=0
failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# Every "func FuzzXxx(" of the fuzz test files, as "package-dir target".
mapfile -t targets < <(grep -rHo --include='*_fuzz_test.go' -E '^func Fuzz[A-Za-z0-9_]+' tools |
  sed -E 's|^(.*)/[^/]+:func (Fuzz[A-Za-z0-9_]+)$|\1 \2|' | sort -u)
if [[ ${#targets[@]} -eq 0 ]]; then
  echo "fuzz: no fuzz targets found under tools/"
  echo "fuzz: 0 passed, 1 failed"
  exit 1
fi

start=$SECONDS
for t in "${targets[@]}"; do
  read -r dir name <<<"$t"
  if [[ ${#only[@]} -gt 0 && ! " ${only[*]} " =~ \ $name\  ]]; then
    continue
  fi
  t0=$SECONDS
  if go test -run='^$' -fuzz="^${name}\$" -fuzztime="$fuzztime" -fuzzminimizetime="$minimize" \
    -parallel="$parallel" "./$dir" >"$log" 2>&1; then
    # The last progress line: "fuzz: elapsed: 8s, execs: 65536 (8192/sec), new interesting: 3 (total: 40)"
    stats=$(grep -E '^fuzz: elapsed' "$log" | tail -n 1 | sed -E 's/^fuzz: elapsed: [^,]*, //')
    printf 'ok   %-28s %-20s %3ds  %s\n' "$dir" "$name" $((SECONDS - t0)) "${stats:-no progress line}"
    passed=$((passed + 1))
  else
    printf 'FAIL %-28s %-20s %3ds\n' "$dir" "$name" $((SECONDS - t0))
    grep -vE '^fuzz: elapsed' "$log" | sed 's/^/    /' | head -n 60
    failed=$((failed + 1))
  fi
done
echo "fuzz: ${fuzztime} per target, took $((SECONDS - start))s"
echo "fuzz: $passed passed, $failed failed"
[[ $failed -eq 0 && $passed -gt 0 ]]
