#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Fetching the .debs of a lock (the debian_packages repository rule), in a throw-away workspace
# that uses rules_distill as a local_repository, with tests/debian/packages.lock.json:
#
#   1. with the host's mirrors and a new --repository_cache: the fetch works and leaves every
#      locked sha256 in that cache;
#   a. a lock whose sha256 of one package has one hex digit flipped: the fetch fails with one
#      line naming the package, its version and architecture, the pool file, "sha256 mismatch",
#      the sha256 served and the one locked;
#   b. DISTILL_DEBIAN_MIRRORS at a local server (python3 -m http.server on 127.0.0.1) over a copy
#      of the pool: intact, the fetch works; with one byte of one .deb flipped, it fails naming
#      that package and file;
#   c. an unreachable mirror (127.0.0.1:1) and a fresh repository cache: "cannot download",
#      naming the package and the file;
#   d. the repository cache of step 1 makes the fetch offline: after `bazel clean --expunge`, the
#      build with the unreachable mirror succeeds.
set -euo pipefail
# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

NAME=fetch_test
LOCK="$DE_REPO/tests/debian/packages.lock.json"
UNREACHABLE="debian=http://127.0.0.1:1 debian-security=http://127.0.0.1:1"
# Building one small layer needs the whole repository, so every .deb is fetched.
TARGET=@deb//:netbase_amd64

tmp=""
e2e_tmpdir tmp fetch
ws="$tmp/ws"
root="$tmp/root"
mkdir -p "$ws" "$root"
cat >"$ws/WORKSPACE" <<WS
workspace(name = "debian_fetch_test")

local_repository(name = "rules_distill", path = "$DE_REPO")

# Bazel 4.2.3 resolves its Java toolchains on every build, which needs rules_java and rules_cc:
# Debian's rules_java and rules_distill's stand-in satisfy it offline.
local_repository(name = "rules_java", path = "/usr/share/bazel/rules/java")

local_repository(name = "rules_cc", path = "$DE_REPO/third_party/rules_cc")

load("@rules_distill//rules:repositories.bzl", "debian_packages", "distill_register_toolchains")

distill_register_toolchains()

debian_packages(
    name = "deb",
    lock = "//:packages.lock.json",
)
WS
echo 'exports_files(["packages.lock.json"])' >"$ws/BUILD.bazel"
echo "build --nosandbox_debug" >"$ws/.bazelrc"
cp "$LOCK" "$ws/packages.lock.json"
e2e_bazel_server "$ws" "$root"

# build CACHE MIRRORS [TARGET]: builds in the workspace with --repository_cache=CACHE and
# DISTILL_DEBIAN_MIRRORS=MIRRORS ("host": as this environment has it, usually unset, so that the
# host's apt sources decide).
build() {
  local cache="$1" mirrors="$2" target="${3:-$TARGET}"
  (
    if [ "$mirrors" != host ]; then export DISTILL_DEBIAN_MIRRORS="$mirrors"; fi
    e2e_bazel "$ws" "$root" build --repository_cache="$cache" "$target"
  )
}

# The failure's own message: Bazel repeats it ("Error in fail: ..." and "ERROR: ..."), so the
# lines are compared from "debian_packages deb: " on, and must all be the one message.
error_lines() { # LOG
  sed -n 's/^.*\(debian_packages deb: \)/\1/p' "$1" | sort -u
}

# pkg FIELD NAME ARCH: a field of a package of the lock.
pkg() {
  jq -er --arg f "$1" --arg n "$2" --arg a "$3" \
    '.packages[] | select(.name == $n and .for_architecture == $a) | .[$f]' "$LOCK"
}

e2e_step "1. fetching with the host's mirrors into a new repository cache"
debian_mirror="$(de_host_mirror debian)" || fail "a mirror for archive debian on this host" "none configured"
security_mirror="$(de_host_mirror debian-security)" || fail "a mirror for archive debian-security on this host" "none configured"
echo "    host mirrors: debian=$debian_mirror debian-security=$security_mirror"
cache="$tmp/repository-cache"
start=$SECONDS
e2e_run "fetch and build $TARGET with the host's mirrors" "$tmp/1.log" build "$cache" host
echo "    fetched and built in $((SECONDS - start))s"
missing=""
for sha in $(jq -r '.packages[].sha256' "$LOCK" | sort -u); do
  [ -f "$cache/content_addressable/sha256/$sha/file" ] || missing="$missing $sha"
done
assert_eq "every locked sha256 is in the repository cache" "" "$missing"
debs="$(e2e_bazel "$ws" "$root" info output_base 2>/dev/null)/external/deb/debs"
assert_eq "one .deb per pool file of the lock" "$(jq -r '.packages[].filename' "$LOCK" | sort -u | wc -l)" \
  "$(find "$debs" -name '*.deb' | wc -l)"

e2e_step "a. a lock with one hex digit of a sha256 flipped"
name=libexpat1 arch=amd64
version="$(pkg version "$name" "$arch")"
filename="$(pkg filename "$name" "$arch")"
sha="$(pkg sha256 "$name" "$arch")"
# The first digit, 0-9a-f rotated by one.
flipped="$(printf '%s' "${sha:0:1}" | tr '0-9a-f' '1-9a-f0')${sha:1}"
assert_ne "the sha256 is changed" "$sha" "$flipped"
jq --arg n "$name" --arg a "$arch" --arg s "$flipped" \
  '(.packages[] | select(.name == $n and .for_architecture == $a) | .sha256) = $s' \
  "$LOCK" >"$ws/packages.lock.json"
assert_eq "the tampered lock differs in one character" 1 \
  "$(cmp -l "$LOCK" "$ws/packages.lock.json" | wc -l)"
e2e_fails_with "the fetch fails" "$tmp/a.log" build "$cache" host
lines="$(error_lines "$tmp/a.log")"
echo "    $lines"
assert_eq "one error line" 1 "$(grep -c . <<<"$lines")"
assert_contains "it names the package, its version and architecture" "$lines" "debian_packages deb: $name $version ($arch): "
assert_contains "it names the pool file" "$lines" " $filename"
# Documented (docs/debian.md, rules/private/debian_repository.bzl): "a mismatch stops the fetch
# naming the package and file". Checked without stopping the test (see the report of the test).
e2e_expect_eq "it says sha256 mismatch, the sha256 served and the one locked" \
  "debian_packages deb: $name $version ($arch): sha256 mismatch for $filename: got $sha, the lock says $flipped; re-run the lock target if the archive changed" \
  "$lines"
cp "$LOCK" "$ws/packages.lock.json"

e2e_step "b. a local mirror serving a .deb with one byte flipped"
# The pool of both archives under one root (their paths differ: pool/updates/ for security),
# copied from the repository cache of step 1.
good="$tmp/mirror-good"
while read -r file sha; do
  mkdir -p "$good/$(dirname "$file")"
  cp "$cache/content_addressable/sha256/$sha/file" "$good/$file"
done < <(jq -r '.packages[] | "\(.filename) \(.sha256)"' "$LOCK" | sort -u)
de_http_serve "$good"
good_url="$HTTP_URL"
e2e_run "the intact local mirror serves the fetch" "$tmp/b-good.log" \
  build "$tmp/cache-b-good" "debian=$good_url debian-security=$good_url"

name=libssl3 arch=amd64
version="$(pkg version "$name" "$arch")"
filename="$(pkg filename "$name" "$arch")"
sha="$(pkg sha256 "$name" "$arch")"
bad="$tmp/mirror-bad"
cp -al "$good" "$bad"
rm "$bad/$filename"
cp "$good/$filename" "$bad/$filename"
size="$(stat -c %s "$bad/$filename")"
de_flip_byte "$bad/$filename" $((size / 2))
assert_eq "one byte of $name's .deb differs" 1 "$(cmp -l "$good/$filename" "$bad/$filename" | wc -l)"
got="$(sha256sum "$bad/$filename" | cut -d' ' -f1)"
de_http_serve "$bad"
bad_url="$HTTP_URL"
e2e_fails_with "the fetch fails" "$tmp/b.log" \
  build "$tmp/cache-b-bad" "debian=$bad_url debian-security=$bad_url"
lines="$(error_lines "$tmp/b.log")"
echo "    $lines"
assert_eq "one error line" 1 "$(grep -c . <<<"$lines")"
assert_contains "it names the package, its version and architecture" "$lines" "debian_packages deb: $name $version ($arch): "
assert_contains "it names the pool file" "$lines" " $filename"
e2e_expect_eq "it says sha256 mismatch, the sha256 served and the one locked" \
  "debian_packages deb: $name $version ($arch): sha256 mismatch for $filename: got $got, the lock says $sha; re-run the lock target if the archive changed" \
  "$lines"

e2e_step "c. an unreachable mirror and a fresh repository cache"
first="$(jq -c '.packages[0]' "$LOCK")"
name="$(jq -r .name <<<"$first")"
start=$SECONDS
e2e_fails_with "the fetch fails" "$tmp/c.log" build "$tmp/cache-c" "$UNREACHABLE"
echo "    failed in $((SECONDS - start))s"
lines="$(error_lines "$tmp/c.log")"
echo "    $lines"
assert_eq "one error line says cannot download, naming the package, the file and the mirror" \
  "debian_packages deb: $name $(jq -r .version <<<"$first") ($(jq -r .for_architecture <<<"$first")): cannot download $(jq -r .filename <<<"$first") from any mirror of \"$(jq -r .archive <<<"$first")\": http://127.0.0.1:1" \
  "$lines"

e2e_step "d. the repository cache of step 1 makes the fetch offline"
e2e_run "bazel clean --expunge" "$tmp/d-clean.log" e2e_bazel "$ws" "$root" clean --expunge
start=$SECONDS
e2e_run "fetch and build @deb//:packages_amd64 with the unreachable mirror from the repository cache" \
  "$tmp/d.log" build "$cache" "$UNREACHABLE" @deb//:packages_amd64
echo "    fetched and built in $((SECONDS - start))s"
assert_not_contains "no download was tried" "$(cat "$tmp/d.log")" "WARNING: Download from"
assert_eq "the repository holds every .deb again" "$(jq -r '.packages[].filename' "$LOCK" | sort -u | wc -l)" \
  "$(find "$debs" -name '*.deb' | wc -l)"

e2e_done "$NAME"
