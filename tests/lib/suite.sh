# shellcheck shell=bash
# run_suite NAME SCRIPT...: runs test scripts in sequence (each in its own bash, whatever the
# others did), prints each one's summary and time, then "NAME: N passed, N failed". Returns
# non-zero when any check failed or a script did not get to its summary line (counted as one
# failure).
run_suite() {
  local suite="$1" test name start status took summary p f log passed=0 failed=0 results=()
  shift
  log="$(mktemp "${TMPDIR:-/tmp}/rules_distill-$suite.XXXXXX")"
  for test in "$@"; do
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
    results+=("$(printf '%-28s %4d passed, %d failed, exit %d, %ds' "$name" "$p" "$f" "$status" "$took")")
  done
  rm -f "$log"
  echo "=== summary"
  printf '%s\n' "${results[@]}"
  echo "$suite: took ${SECONDS}s"
  echo "$suite: $passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}
