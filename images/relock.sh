#!/usr/bin/env bash
# Refreshes every package lock of the runtime images from the signed Debian archive (mirrors from
# DISTILL_DEBIAN_MIRRORS or the host's apt sources), then shows what changed. Review the diff,
# rebuild, run tests/run_all.sh, commit the locks.
set -euo pipefail
cd "$(dirname "$0")/.."
for release in debian12 debian13; do
  bazel run "//images/$release:lock"
done
git --no-pager diff --stat -- images/*/packages.lock.json
