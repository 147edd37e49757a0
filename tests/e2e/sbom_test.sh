#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# The SBOMs (`:<image>.spdx.json`) of the python3 runtime image and of the Flask example, checked
# against what others see in the same images:
#   - SPDX 2.3 JSON, creator "Tool: rules_distill-distill", created at SOURCE_DATE_EPOCH (0 here),
#     a urn:uuid namespace; the document DESCRIBES one CONTAINER package whose version is the
#     image's :<image>.digest and which CONTAINS every other package and file;
#   - syft's scan of the image's docker-archive: every Debian package syft finds is in our SBOM at
#     the same version and architecture, and ours lists no package syft does not find (the count
#     of matches is printed);
#   - each package's checksum is the .deb's sha256 in the release's lock, its purl is
#     pkg:deb/debian/NAME@VERSION?arch=ARCH&distro=debian-12[&upstream=SOURCE];
#   - the Flask app's file /app/app.py is listed with the sha256 of examples/flask/app.py;
#   - syft reads our SBOM back (`syft convert`) and finds the same Debian packages.
set -eEuo pipefail
# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$E2E_REPO"

NAME=sbom
export SYFT_CHECK_FOR_APP_UPDATE=false
LOCK="$E2E_REPO/images/debian12/packages.lock.json"
# label:path of each image, as bazel-bin/<path>.{tar,spdx.json,digest}.
IMAGES=("//images/debian12:python3" "//examples/flask:image")

command -v syft >/dev/null || fail "syft on PATH" "no syft in $RULES_DISTILL_BIN: run tests/setup.sh"

tmp=""
e2e_tmpdir tmp sbom

targets=()
for image in "${IMAGES[@]}"; do
  targets+=("$image.tar" "$image.spdx.json" "$image.digest")
done
e2e_step "bazel build ${targets[*]}"
e2e_run "bazel build the images, their tarballs and SBOMs" "$tmp/build.log" bazel build "${targets[@]}"
bin="$(bazel info bazel-bin 2>/dev/null)"

# "name version arch sha256" of every amd64 package of the lock.
jq -r '.packages[] | select(.for_architecture == "amd64") | [.name, .version, .architecture, .sha256] | join(" ")' \
  "$LOCK" | LC_ALL=C sort -u >"$tmp/lock.txt"

for image in "${IMAGES[@]}"; do
  path="${image#//}"
  path="${path/://}"
  short="${path##*/}"
  dir="$tmp/$short"
  mkdir -p "$dir"
  cp "$bin/$path.tar" "$bin/$path.spdx.json" "$bin/$path.digest" "$dir/"
  sbom="$dir/$short.spdx.json"
  digest="$(cat "$dir/$short.digest")"

  e2e_step "$image: the document"
  assert_eq "$short: SPDX version" "SPDX-2.3" "$(jq -r .spdxVersion "$sbom")"
  assert_eq "$short: data license" "CC0-1.0" "$(jq -r .dataLicense "$sbom")"
  assert_eq "$short: name" "$image" "$(jq -r .name "$sbom")"
  assert_eq "$short: creator" '["Tool: rules_distill-distill"]' "$(jq -c .creationInfo.creators "$sbom")"
  assert_eq "$short: created is SOURCE_DATE_EPOCH" "1970-01-01T00:00:00Z" "$(jq -r .creationInfo.created "$sbom")"
  assert_match "$short: namespace" "$(jq -r .documentNamespace "$sbom")" '^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$'
  described="$(jq -r '.relationships[] | select(.spdxElementId == "SPDXRef-DOCUMENT" and .relationshipType == "DESCRIBES") | .relatedSpdxElement' "$sbom")"
  assert_eq "$short: the document describes one package" 1 "$(grep -c . <<<"$described")"
  assert_eq "$short: the described package is the image at its digest" "$image $digest CONTAINER" \
    "$(jq -r --arg id "$described" '.packages[] | select(.SPDXID == $id) | "\(.name) \(.versionInfo) \(.primaryPackagePurpose)"' "$sbom")"
  assert_eq "$short: the image CONTAINS every other package and file" \
    "$(jq -r --arg id "$described" '[.packages[].SPDXID, .files[]?.SPDXID] | map(select(. != $id)) | sort | .[]' "$sbom")" \
    "$(jq -r --arg id "$described" '[.relationships[] | select(.spdxElementId == $id and .relationshipType == "CONTAINS") | .relatedSpdxElement] | sort | .[]' "$sbom")"

  # "name version arch sha256" of our Debian packages, the arch from the purl.
  jq -r '.packages[] | select(.primaryPackagePurpose == "OPERATING-SYSTEM")
    | [.name, .versionInfo, (.externalRefs[] | select(.referenceType == "purl") | .referenceLocator | capture("[?&]arch=(?<a>[^&]+)").a),
       (.checksums[] | select(.algorithm == "SHA256") | .checksumValue)] | join(" ")' "$sbom" |
    LC_ALL=C sort >"$dir/ours.txt"
  ours="$(wc -l <"$dir/ours.txt")"
  assert_ne "$short: the SBOM lists Debian packages" 0 "$ours"
  missing="$(LC_ALL=C comm -23 "$dir/ours.txt" "$tmp/lock.txt")"
  assert_eq "$short: every package's version and .deb sha256 are the lock's" "" "$missing"

  e2e_step "$image: against syft"
  start=$SECONDS
  syft scan "docker-archive:$dir/$short.tar" -q -o "json=$dir/syft.json" >"$dir/syft.log" 2>&1 || {
    cat "$dir/syft.log" >&2
    fail "syft scan docker-archive:$short.tar" "syft failed"
  }
  echo "    syft scanned $short in $((SECONDS - start))s"
  jq -r '.artifacts[] | select(.type == "deb") | [.name, .version, .metadata.architecture] | join(" ")' "$dir/syft.json" |
    LC_ALL=C sort >"$dir/syft.txt"
  found="$(wc -l <"$dir/syft.txt")"
  assert_ne "$short: syft finds Debian packages" 0 "$found"
  cut -d' ' -f1-3 "$dir/ours.txt" >"$dir/ours3.txt"
  matched="$(LC_ALL=C comm -12 "$dir/syft.txt" "$dir/ours3.txt" | wc -l)"
  assert_eq "$short: every package syft finds is in the SBOM at the same version and arch" \
    "" "$(LC_ALL=C comm -23 "$dir/syft.txt" "$dir/ours3.txt")"
  assert_eq "$short: the SBOM lists no package syft does not find" "" "$(LC_ALL=C comm -13 "$dir/syft.txt" "$dir/ours3.txt")"
  echo "    $short: $matched of syft's $found Debian packages matched (the SBOM lists $ours)"

  # The purls: syft's distro is debian-12.N (from /etc/debian_version), ours debian-12 (os-release).
  bad_purls="$(jq -r '.packages[] | select(.primaryPackagePurpose == "OPERATING-SYSTEM")
    | "pkg:deb/debian/\(.name)@\(.versionInfo | @uri)?arch=" as $prefix
    | .externalRefs[] | select(.referenceType == "purl") | .referenceLocator
    | select((startswith($prefix) and test("&distro=debian-12(&|$)")) | not)' "$sbom")"
  assert_eq "$short: every purl is pkg:deb/debian/NAME@VERSION?arch=..&distro=debian-12" "" "$bad_purls"

  e2e_step "$image: syft reads the SBOM back"
  SYFT_LOG_QUIET=1 syft convert "$sbom" -o "syft-json=$dir/convert.json" >"$dir/convert.log" 2>&1 || {
    cat "$dir/convert.log" >&2
    fail "syft convert $short.spdx.json" "syft cannot read the SBOM"
  }
  assert_eq "$short: syft convert finds our Debian packages" "$(cut -d' ' -f1-2 "$dir/ours.txt")" \
    "$(jq -r '.artifacts[] | select(.type == "deb") | "\(.name) \(.version)"' "$dir/convert.json" | LC_ALL=C sort)"
done

e2e_step "//examples/flask:image: the app's files"
want="$(sha256sum examples/flask/app.py | cut -d' ' -f1)"
assert_eq "/app/app.py is listed with its sha256" "$want" \
  "$(jq -r '.files[] | select(.fileName == "./app/app.py") | .checksums[] | select(.algorithm == "SHA256") | .checksumValue' "$tmp/image/image.spdx.json")"

e2e_done "$NAME"
