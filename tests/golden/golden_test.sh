#!/usr/bin/env bash
# Compares the digests of the golden layers and images with digests.txt.
# Usage: golden_test.sh digests.txt FILE...  (FILEs: layer descriptors and image .digest files)
# After a deliberate format change: tests/golden/update.sh rewrites digests.txt.
set -euo pipefail
golden=$1
shift
got=$(
  for f in "$@"; do
    case "$f" in
      *descriptor.json) echo "$(basename "$(dirname "$f")" | sed 's/_$//') $(grep -o '"digest": *"sha256:[0-9a-f]*"' "$f" | grep -o 'sha256:[0-9a-f]*')" ;;
      *.digest) echo "$(basename "$f") $(cat "$f")" ;;
    esac
  done | LC_ALL=C sort
)
if ! diff -u "$golden" <(echo "$got"); then
  echo "FAIL: golden digests changed (-want +got). A change in tar, compression or JSON output changes every digest users have; if it is deliberate, run tests/golden/update.sh and say so in the change." >&2
  exit 1
fi
echo "golden: $(echo "$got" | wc -l) digests match"
