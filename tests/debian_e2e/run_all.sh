#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Runs the end-to-end tests of the Debian pipeline in sequence and prints each one's summary and
# time, then the total "debian_e2e: N passed, N failed" line (tests/lib/suite.sh).
#
# Usage: tests/debian_e2e/run_all.sh [TEST_SCRIPT...]   (default: the list below)
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../lib/suite.sh
source "$here/../lib/suite.sh"

tests=("$@")
[ "${#tests[@]}" -gt 0 ] || tests=(
  "$here/scan_test.sh"
  "$here/fetch_test.sh"
  "$here/lock_test.sh"
  "$here/reproducible_test.sh"
)
run_suite debian_e2e "${tests[@]}"
