#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# `distill lock` (through `bazel run //tests/debian:lock`) against the signed Debian archive.
#
#   - In a copy of the working tree (the lock target rewrites the lock in its workspace), two
#     re-locks in a row are byte-identical (when the archive changed in between, by its Release
#     dates, once more); the re-lock equals the committed lock byte for byte, or, when the
#     archive moved on since (other Release dates), the differences are printed and every package
#     still at its locked version keeps its sha256 and size;
#   - against a loopback mirror (python3 -m http.server) serving a real InRelease and Packages.xz
#     of bookworm-updates: intact, the lock works; with one byte of the InRelease's signed text
#     changed, or one byte of the Packages.xz flipped (no longer the Release's sha256), it fails
#     with a one-line error naming the file and the mirror, and writes no lock.
set -euo pipefail
# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

NAME=lock_test
REL=tests/debian/packages.lock.json
SUITE=bookworm-updates
INDEX=main/binary-amd64

tmp=""
e2e_tmpdir tmp lock
copy="$tmp/repo"
root="$tmp/root"
e2e_step "copying the working tree"
de_copy_tree "$copy"
assert_succeeds "the copy has the committed lock" cmp "$DE_REPO/$REL" "$copy/$REL"
e2e_bazel_server "$copy" "$root"
repository_cache="$(cd "$DE_REPO" && bazel info repository_cache 2>/dev/null)"

# relock N: `bazel run //tests/debian:lock` in the copy; keeps the result as $tmp/lockN.json.
relock() {
  e2e_bazel "$copy" "$root" run --repository_cache="$repository_cache" //tests/debian:lock &&
    cp "$copy/$REL" "$tmp/lock$1.json"
}

# versions FILE: "name/for_architecture version" lines of a lock.
versions() {
  jq -r '.packages[] | "\(.name)/\(.for_architecture) \(.version)"' "$1" | LC_ALL=C sort
}

e2e_step "re-locking twice"
start=$SECONDS
e2e_run "bazel run //tests/debian:lock (1)" "$tmp/relock1.log" relock 1
echo "    took $((SECONDS - start))s"
assert_contains "it checked the InRelease signatures" "$(cat "$tmp/relock1.log")" "fetched InRelease debian/bookworm (verified: "
e2e_run "bazel run //tests/debian:lock (2)" "$tmp/relock2.log" relock 2
last=2
if ! cmp -s "$tmp/lock1.json" "$tmp/lock2.json" &&
  [ "$(jq -c .archives "$tmp/lock1.json")" != "$(jq -c .archives "$tmp/lock2.json")" ]; then
  echo "    the archive changed between the two re-locks (Release dates differ): once more"
  e2e_run "bazel run //tests/debian:lock (3)" "$tmp/relock3.log" relock 3
  last=3
fi
assert_succeeds "two re-locks in a row are byte-identical" cmp "$tmp/lock$((last - 1)).json" "$tmp/lock$last.json"

e2e_step "the re-lock against the committed lock"
relocked="$tmp/lock$last.json"
assert_eq "same manifest" "$(jq -r .manifest_sha256 "$DE_REPO/$REL")" "$(jq -r .manifest_sha256 "$relocked")"
if cmp -s "$DE_REPO/$REL" "$relocked"; then
  _assert_ok "the re-lock equals the committed lock byte for byte"
elif [ "$(jq -c .archives "$DE_REPO/$REL")" = "$(jq -c .archives "$relocked")" ]; then
  diff -u "$DE_REPO/$REL" "$relocked" | head -n 40 >&2 || true
  fail "the re-lock equals the committed lock" "same Release dates (the same archive state) but another lock"
else
  echo "    the archive moved on since the committed lock; Release dates then and now:"
  diff <(jq -r '.archives | to_entries[] | .key as $a | .value | to_entries[] | "\($a)/\(.key) \(.value.date)"' "$DE_REPO/$REL") \
    <(jq -r '.archives | to_entries[] | .key as $a | .value | to_entries[] | "\($a)/\(.key) \(.value.date)"' "$relocked") |
    sed -n 's/^\([<>]\)/    \1/p' || true
  echo "    versions (< committed, > now):"
  moved="$(diff <(versions "$DE_REPO/$REL") <(versions "$relocked") | sed -n 's/^\([<>]\)/    \1/p' || true)"
  echo "${moved:-    (none changed)}"
  # A package at an unchanged version is the same file (it may have moved between suites).
  changed="$(jq -r --slurpfile now "$relocked" '
    ($now[0].packages | map({key: "\(.name)/\(.for_architecture)/\(.version)", value: .}) | from_entries) as $n
    | .packages[] | "\(.name)/\(.for_architecture)/\(.version)" as $k | select($n[$k] != null)
    | select($n[$k].sha256 != .sha256 or $n[$k].size != .size) | $k' "$DE_REPO/$REL")"
  assert_eq "packages at their locked version keep their sha256 and size" "" "$changed"
fi

e2e_step "a loopback mirror of debian/$SUITE"
distill="$(e2e_bazel "$copy" "$root" info output_base 2>/dev/null)/external/distill/distill"
assert_file "the distill helper of the copy" "$distill"
mirror="$("$distill" mirrors | jq -er '.debian[0]')" ||
  fail "a mirror for archive debian on this host" "none configured"
srv="$tmp/srv"
good="$srv/good/dists/$SUITE"
mkdir -p "$good/$INDEX"
curl -fsS --retry 3 -o "$good/InRelease" "$mirror/dists/$SUITE/InRelease"
# The Packages.xz of that Release, where distill looks for it: by hash, else by name.
sha="" size=""
read -r sha size < <(awk -v f="$INDEX/Packages.xz" '
  /^SHA256:/ { in256 = 1; next } /^[^ ]/ { in256 = 0 } in256 && $3 == f { print $1, $2 }' "$good/InRelease") || true
[ -n "$sha" ] || fail "the $SUITE Release lists $INDEX/Packages.xz" "not found in the InRelease"
mkdir -p "$good/$INDEX/by-hash/SHA256"
curl -fsS --retry 3 -o "$good/$INDEX/Packages.xz" "$mirror/dists/$SUITE/$INDEX/by-hash/SHA256/$sha"
assert_eq "the Packages.xz served is the Release's" "$sha $size" \
  "$(sha256sum "$good/$INDEX/Packages.xz" | cut -d' ' -f1) $(stat -c %s "$good/$INDEX/Packages.xz")"
cp "$good/$INDEX/Packages.xz" "$good/$INDEX/by-hash/SHA256/$sha"
# A package with nothing to resolve (no Depends, no Pre-Depends), so the lock can succeed.
xz -dc "$good/$INDEX/Packages.xz" >"$tmp/Packages"
package="$(awk -v RS= -F'\n' '
  !/\nDepends:/ && !/\nPre-Depends:/ { sub(/^Package: /, "", $1); print $1; exit }' "$tmp/Packages")"
[ -n "$package" ] || fail "a package without dependencies in debian/$SUITE" "none"
cat >"$srv/packages.yaml" <<YAML
version: 1
archives:
  - name: debian
    suites: [$SUITE]
    components: [main]
architectures: [amd64]
packages: [$package]
YAML
# The two tampered copies.
cp -a "$srv/good" "$srv/bad-inrelease"
offset="$(grep -bo '^Label: Debian' "$good/InRelease" | head -n 1 | cut -d: -f1)"
[ -n "$offset" ] || fail "the InRelease has a Label: Debian line" "not found"
de_flip_byte "$srv/bad-inrelease/dists/$SUITE/InRelease" $((offset + 7)) # Debian -> Eebian
assert_eq "one byte of the InRelease's signed text differs" "Label: Eebian" \
  "$(grep -o '^Label: .*' "$srv/bad-inrelease/dists/$SUITE/InRelease" | head -n 1)"
cp -a "$srv/good" "$srv/bad-packages"
for f in "$srv/bad-packages/dists/$SUITE/$INDEX/Packages.xz" "$srv/bad-packages/dists/$SUITE/$INDEX/by-hash/SHA256/$sha"; do
  de_flip_byte "$f" $((size / 2))
done
bad_sha="$(sha256sum "$srv/bad-packages/dists/$SUITE/$INDEX/Packages.xz" | cut -d' ' -f1)"
de_http_serve "$srv"

# lock_from ROOT OUTPUT: distill lock of the small manifest against $HTTP_URL/ROOT.
lock_from() {
  "$distill" lock --manifest "$srv/packages.yaml" --output "$2" --mirror "debian=$HTTP_URL/$1"
}

e2e_run "distill lock against the intact mirror" "$tmp/good.log" lock_from good "$tmp/good.json"
assert_contains "it verified the InRelease" "$(cat "$tmp/good.log")" "fetched InRelease debian/$SUITE (verified: "
assert_eq "it locked $package" "$package" "$(jq -r '.packages[].name' "$tmp/good.json" | sort -u)"

# error_of LOG: the lines of LOG that are not progress lines.
error_of() {
  grep -vE '^(fetched|resolved) ' "$1" || true
}

e2e_fails_with "distill lock against a tampered InRelease" "$tmp/bad-inrelease.log" \
  lock_from bad-inrelease "$tmp/bad-inrelease.json"
err="$(error_of "$tmp/bad-inrelease.log")"
echo "    $err"
assert_eq "one error line" 1 "$(grep -c . <<<"$err")"
assert_match "it names the InRelease and the mirror" "$err" \
  "^distill lock: InRelease debian/$SUITE: .*\\(from $HTTP_URL/bad-inrelease\\)$"
assert_match "it is about the signature" "$err" "[Ss]ignature"
assert_no_file "no lock written" "$tmp/bad-inrelease.json"

e2e_fails_with "distill lock against a Packages.xz that is not the Release's" "$tmp/bad-packages.log" \
  lock_from bad-packages "$tmp/bad-packages.json"
err="$(error_of "$tmp/bad-packages.log")"
echo "    $err"
assert_eq "one error line" 1 "$(grep -c . <<<"$err")"
assert_match "it names the file and the mirror" "$err" \
  "^distill lock: .*dists/$SUITE/$INDEX/(by-hash/SHA256/$sha|Packages\\.xz) from $HTTP_URL/bad-packages: "
assert_contains "it gives the sha256 served and the Release's" "$err" \
  "size $size and sha256 $bad_sha, but the Release says size $size and sha256 $sha"
assert_no_file "no lock written" "$tmp/bad-packages.json"

e2e_done "$NAME"
