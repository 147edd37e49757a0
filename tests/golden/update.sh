#!/usr/bin/env bash
# Rewrites tests/golden/digests.txt from a fresh build (only after a deliberate format change).
set -euo pipefail
cd "$(dirname "$0")/../.."
bazel build //tests/golden:files //tests/golden:files_zstd //tests/golden:files_plain //tests/golden:image.digest //tests/golden:child.digest
for f in bazel-bin/tests/golden/files{,_zstd,_plain}_/descriptor.json; do
  echo "$(basename "$(dirname "$f")" | sed 's/_$//') $(grep -o '"digest": *"sha256:[0-9a-f]*"' "$f" | grep -o 'sha256:[0-9a-f]*')"
done >/tmp/golden.$$
for f in bazel-bin/tests/golden/{image,child}.digest; do echo "$(basename "$f") $(cat "$f")"; done >>/tmp/golden.$$
LC_ALL=C sort /tmp/golden.$$ >tests/golden/digests.txt
rm -f /tmp/golden.$$
cat tests/golden/digests.txt
