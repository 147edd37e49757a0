#!/usr/bin/env bash
# Prints a Markdown table of every runtime image of Debian 12 and Debian 13 (each variant too):
# its compressed size, the sum of its layers' sizes in bazel-bin/images/<release>/<image>_/manifest.json
# (what a registry stores and a pull downloads; MB = 10^6 bytes), and its layer count, next to
# the distroless sizes of DISTROLESS_SPEC.md ("Sizes to beat", compressed, Debian 12).
#   images/sizes.sh              builds the images first (quick when they are up to date)
#   images/sizes.sh --no-build   reads what bazel-bin holds
set -euo pipefail
cd "$(dirname "$0")/.."
RELEASES=(debian12 debian13)
IMAGES=(static base_nossl base cc python3 java nodejs)
VARIANTS=("" _nonroot _debug _debug_nonroot)
declare -A SPEC=(
  [static]="≈ 2 MiB (2.10 MB)"
  [base]="≈ 20 MB"
  [python3]="≈ 50 MB"
  [nodejs]="≈ 55 MB"
  [java]="≈ 220 MB"
)

if [ "${1:-}" != --no-build ]; then
  targets=()
  for release in "${RELEASES[@]}"; do
    for image in "${IMAGES[@]}"; do
      for variant in "${VARIANTS[@]}"; do
        targets+=("//images/$release:$image$variant")
      done
    done
  done
  log=$(mktemp)
  trap 'rm -f "$log"' EXIT
  bazel build "${targets[@]}" >"$log" 2>&1 || {
    cat "$log" >&2
    exit 1
  }
fi
bin=$(bazel info bazel-bin 2>/dev/null)

# cell RELEASE IMAGE: "size MB | layers" of one image.
cell() {
  local manifest="$bin/images/$1/$2_/manifest.json"
  [ -f "$manifest" ] || {
    echo "images/sizes.sh: no $manifest: build //images/$1:$2 (or drop --no-build)" >&2
    exit 1
  }
  local bytes count centi
  read -r bytes count < <(jq -r '"\([.layers[].size] | add) \(.layers | length)"' "$manifest")
  centi=$(((bytes + 5000) / 10000)) # hundredths of MB, rounded
  printf '%d.%02d MB | %d' $((centi / 100)) $((centi % 100)) "$count"
}

echo "| image | Debian 12 | layers | Debian 13 | layers | distroless (Debian 12) |"
echo "|---|---:|---:|---:|---:|---|"
for image in "${IMAGES[@]}"; do
  for variant in "${VARIANTS[@]}"; do
    spec=""
    [ -n "$variant" ] || spec="${SPEC[$image]:-}"
    row="| $image$variant"
    for release in "${RELEASES[@]}"; do
      c=$(cell "$release" "$image$variant")
      row+=" | $c"
    done
    echo "$row | $spec |"
  done
done
