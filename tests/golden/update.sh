#!/usr/bin/env bash
# Rewrites tests/golden/digests.txt from a fresh build (only after a deliberate format change).
set -euo pipefail
cd "$(dirname "$0")/../.."
bazel build //tests/golden:all
{
  for layer in files files_plain files_zstd netbase netbase_merged_usr; do
    echo "$layer $(grep -o '"digest": *"sha256:[0-9a-f]*"' "bazel-bin/tests/golden/${layer}_/descriptor.json" | grep -o 'sha256:[0-9a-f]*')"
  done
  for image in child grouped image; do
    echo "$image $(cat "bazel-bin/tests/golden/$image.digest")"
  done
} | LC_ALL=C sort >tests/golden/digests.txt
cat tests/golden/digests.txt
