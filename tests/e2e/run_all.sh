#!/usr/bin/env bash
# Runs the end-to-end tests in sequence (each in its own bash, whatever the others did) and prints
# each one's summary and time, then the total "N passed, N failed" line. Exits non-zero when any
# check failed or a test script did not get to its summary line (counted as one failure).
#
# Usage: tests/e2e/run_all.sh [TEST_SCRIPT...]   (default: the list below)
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

tests=("$@")
[ "${#tests[@]}" -gt 0 ] || tests=(
  "$here/go_example_test.sh"
  "$here/flask_test.sh"
  "$here/examples_test.sh"
  "$here/images_test.sh"
  "$here/reproducible_test.sh"
  "$here/prebuilt_toolchain_test.sh"
)

passed=0
failed=0
results=()
log="$(mktemp "${TMPDIR:-/tmp}/rules_distill-e2e-run_all.XXXXXX")"
trap 'rm -f "$log"' EXIT

for test in "${tests[@]}"; do
  name="$(basename "$test" .sh)"
  echo "=== $name"
  start=$SECONDS
  status=0
  bash "$test" 2>&1 | tee "$log" || status=$?
  took=$((SECONDS - start))
  # The last "[NAME: ]N passed, N failed" line: on stdout at the end, or on stderr after a FAIL.
  summary="$(grep -E '^([A-Za-z0-9_]+: )?[0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1)"
  if [[ "$summary" =~ ([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
    p="${BASH_REMATCH[1]}" f="${BASH_REMATCH[2]}"
  else
    p=0 f=0
  fi
  if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
    f=1 # died before any summary, or exited non-zero after a clean one
  fi
  passed=$((passed + p))
  failed=$((failed + f))
  results+=("$(printf '%-28s %3d passed, %d failed, exit %d, %ds' "$name" "$p" "$f" "$status" "$took")")
done

echo "=== summary"
printf '%s\n' "${results[@]}"
echo "e2e: took ${SECONDS}s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
