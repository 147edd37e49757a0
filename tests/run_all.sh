#!/usr/bin/env bash
# Every test of rules_distill, on a fresh Debian/Ubuntu machine (as root): installs what is missing
# (tests/setup.sh), then runs the checks in pipeline order and closes with one
# "tests: N passed, N failed" line counting every individual test.
#
#   1. static checks: gofmt, go vet, buildifier -lint=warn, shellcheck, the helper's
#      watched-sources list, docs/rules.md generated from the rules (tools/cmd/docgen)
#   2. Go unit tests of the distill helper and the benchmarks (go test ./tools/... ./bench/...),
#      then every fuzz target for a few seconds (tests/fuzz.sh)
#   3. Bazel tests (bazel test //...: golden digests, image_test on every image, examples build)
#   4. bad BUILD input fails at analysis time with a clear message (tests/bad_input/run.sh), and
#      the bad-input corpus fails in the distill CLI with one line, leaving nothing (corpus.sh)
#   5. the benchmarks in smoke mode (bench/run.sh --smoke: they work; no timing is judged)
#   6. end to end with real clients: crane, skopeo, umoci, podman, runc, a registry (tests/e2e)
#   7. the Debian pipeline end to end: lock, signatures, fetch, package layers, syft (tests/debian_e2e)
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
bash tests/setup.sh || exit 1
# shellcheck source=tests/lib/env.sh
source tests/lib/env.sh

passed=0
failed=0
failures=()
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# count NAME PASSED FAILED: adds one step's counts.
count() {
  passed=$((passed + $2))
  failed=$((failed + $3))
  if [[ $3 -gt 0 ]]; then failures+=("$1"); fi
}

# step NAME CMD...: a check that counts as one test.
step() {
  local name=$1
  shift
  echo "==> $name"
  if "$@" >"$log" 2>&1; then
    count "$name" 1 0
  else
    cat "$log"
    echo "FAIL: $name"
    count "$name" 0 1
  fi
}

# summarised NAME CMD...: a suite that prints its own "N passed, N failed" line.
summarised() {
  local name=$1 line p f
  shift
  echo "==> $name"
  "$@" 2>&1 | tee "$log"
  local status=${PIPESTATUS[0]}
  line=$(grep -E '[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
  p=$(sed -E 's/.*\b([0-9]+) passed.*/\1/' <<<"$line")
  f=$(sed -E 's/.*\b([0-9]+) failed.*/\1/' <<<"$line")
  if [[ -z "$line" ]]; then p=0 f=1; fi
  if [[ $status -ne 0 && ${f:-0} -eq 0 ]]; then f=1; fi
  count "$name" "${p:-0}" "${f:-0}"
}

gofmt_clean() { [[ -z "$(gofmt -l tools bench testdata)" ]] || { gofmt -l tools bench testdata; return 1; }; }
step "gofmt" gofmt_clean
step "go vet" go vet ./tools/... ./bench/... ./testdata/gen
step "buildifier -lint=warn" buildifier -mode=check -lint=warn -r rules images examples tests third_party BUILD.bazel WORKSPACE
shell_scripts() { git ls-files -co --exclude-standard '*.sh' | grep -v -e '^vendor/' -e '^tests/golden/tool.sh$'; }
# shellcheck disable=SC2046 # one argument per script path (no spaces in them)
step "shellcheck" shellcheck -x $(shell_scripts)
step "distill sources list up to date" rules/private/update_distill_srcs.sh --check
step "docs/rules.md up to date" go run ./tools/cmd/docgen -check docs/rules.md

echo "==> go test ./tools/... ./bench/..."
go test -count=1 -v ./tools/... ./bench/... >"$log" 2>&1
go_status=$?
grep -E '^(ok|FAIL|---)' "$log" | grep -v -- '--- PASS' || true
go_passed=$(grep -c '^--- PASS' "$log")
go_failed=$(grep -c '^--- FAIL' "$log")
if [[ $go_status -ne 0 && $go_failed -eq 0 ]]; then
  cat "$log"
  go_failed=1
fi
count "go test" "$go_passed" "$go_failed"

step "fuzzing (tests/fuzz.sh)" bash tests/fuzz.sh

echo "==> bazel test //..."
bazel test //... >"$log" 2>&1
bazel_status=$?
grep -E 'PASSED|FAILED|NO STATUS|ERROR' "$log" || true
bazel_passed=$(grep -cE '^//.* PASSED' "$log")
bazel_failed=$(grep -cE '^//.* (FAILED|NO STATUS|TIMEOUT)' "$log")
if [[ $bazel_status -ne 0 && $bazel_failed -eq 0 ]]; then
  cat "$log"
  bazel_failed=1
fi
count "bazel test" "$bazel_passed" "$bazel_failed"

summarised "bad input" bash tests/bad_input/run.sh
summarised "bad-input corpus" bash tests/bad_input/corpus.sh
step "benchmarks (smoke)" bash bench/run.sh --smoke
summarised "end to end" bash tests/e2e/run_all.sh
summarised "Debian packages end to end" bash tests/debian_e2e/run_all.sh

echo
if [[ ${#failures[@]} -gt 0 ]]; then echo "failed: ${failures[*]}"; fi
echo "tests: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
