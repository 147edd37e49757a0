#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Runs the end-to-end tests in sequence and prints each one's summary and time, then the total
# "e2e: N passed, N failed" line (tests/lib/suite.sh).
#
# Usage: tests/e2e/run_all.sh [TEST_SCRIPT...]   (default: the list below)
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../lib/suite.sh
source "$here/../lib/suite.sh"

tests=("$@")
[ "${#tests[@]}" -gt 0 ] || tests=(
  "$here/go_example_test.sh"
  "$here/push_faults_test.sh"
  "$here/flask_test.sh"
  "$here/sbom_test.sh"
  "$here/examples_test.sh"
  "$here/images_test.sh"
  "$here/multiarch_test.sh"
  "$here/inspect_test.sh"
  "$here/image_test_test.sh"
  "$here/reproducible_test.sh"
  "$here/determinism_test.sh"
  "$here/prebuilt_toolchain_test.sh"
)
run_suite e2e "${tests[@]}"
