#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Reproducibility across checkouts: the working tree (committed files plus uncommitted changes
# and new files that git does not ignore) is copied to two directories at different paths, with
# different umasks (022 / 077), time zones, locales and file mtimes, each built with its own
# Bazel output root, Go build cache and no disk or remote cache (they share only the Go module
# and Bazel repository download caches). The digests and docker-archive tarballs of the example
# and golden images must be byte-identical between the copies and equal to this checkout's.
set -euo pipefail
# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

NAME=reproducible_test
TARGETS=(
  //examples/go:image.digest
  //examples/go:image.tar
  //tests/golden:image.digest
  //tests/golden:image.tar
  //tests/golden:child.digest
  //tests/golden:child.tar
)
# The files those targets produce, below bazel-bin.
OUTPUTS=(
  examples/go/image.digest
  examples/go/image.tar
  tests/golden/image.digest
  tests/golden/image.tar
  tests/golden/child.digest
  tests/golden/child.tar
)
# The image layouts, compared as whole directories.
LAYOUTS=(examples/go/image tests/golden/image tests/golden/child)

cd "$E2E_REPO"
tmp=""
e2e_tmpdir tmp repro

# Bazel's download cache of this machine's default output root: the Debian packages are not
# downloaded again (tests/e2e/common.sh).
mapfile -t repo_cache_flags < <(e2e_repo_cache_flag)

e2e_step "copying the working tree twice"
a="$tmp/a/rules_distill"
b="$tmp/b/some/deeper/path/checkout-two"
e2e_copy_tree "$a" 022 || fail "copy the working tree to $a" "cp failed"
e2e_copy_tree "$b" 077 || fail "copy the working tree to $b" "cp failed"
# Every file in copy b gets another mtime, in the past.
find "$b" -exec touch -h -d '2001-02-03 04:05:06.789' {} +
assert_eq "both copies hold the same files" "$(cd "$a" && find . -type f | LC_ALL=C sort)" \
  "$(cd "$b" && find . -type f | LC_ALL=C sort)"
assert_eq "copy b was written with umask 077" "700" "$(stat -c %a "$b/tests")"
assert_eq "copy a was written with umask 022" "755" "$(stat -c %a "$a/tests")"

# This checkout right after the copies, so that other edits of the tree have the least time to
# come in between.
e2e_step "building the targets in this checkout"
e2e_run "bazel build in this checkout" "$tmp/main.log" bazel build "${TARGETS[@]}"
# Kept aside: a later build in this checkout must not change them while the copies build.
main_bin="$(bazel info bazel-bin 2>/dev/null)" || fail "bazel info bazel-bin" "failed"
mkdir -p "$tmp/main"
(cd "$main_bin" && cp -R --parents "${OUTPUTS[@]}" "${LAYOUTS[@]}" "$tmp/main/") ||
  fail "keep this checkout's outputs" "cp failed"
main_bin="$tmp/main"
cp "$(bazel info output_base 2>/dev/null)/external/distill/distill" "$tmp/main-distill"

# build_copy DIR UMASK TZ LANG: builds TARGETS in DIR in a shell with that umask and environment.
build_copy() {
  local dir="$1" mask="$2" tz="$3" lang="$4" root="$1.root"
  mkdir -p "$root" "$1.gocache"
  e2e_bazel_server "$dir" "$root"
  (
    umask "$mask"
    export TZ="$tz" LANG="$lang" LC_ALL="$lang" GOCACHE="$1.gocache"
    e2e_bazel "$dir" "$root" build --disk_cache= --remote_cache= "${repo_cache_flags[@]}" "${TARGETS[@]}"
  )
}

e2e_step "building in copy a (umask 022, TZ=UTC, LANG=C.UTF-8)"
start=$SECONDS
e2e_run "bazel build in copy a" "$tmp/a.log" build_copy "$a" 022 UTC C.UTF-8
echo "    copy a built in $((SECONDS - start))s"
e2e_step "building in copy b (umask 077, TZ=Asia/Kolkata, LANG=POSIX, mtimes 2001)"
start=$SECONDS
e2e_run "bazel build in copy b" "$tmp/b.log" build_copy "$b" 077 Asia/Kolkata POSIX
echo "    copy b built in $((SECONDS - start))s"

a_bin="$(e2e_bazel "$a" "$a.root" info bazel-bin 2>/dev/null)" || fail "bazel info bazel-bin in copy a" "failed"
b_bin="$(e2e_bazel "$b" "$b.root" info bazel-bin 2>/dev/null)" || fail "bazel info bazel-bin in copy b" "failed"
assert_ne "the copies have output trees of their own" "$a_bin" "$b_bin"

e2e_step "comparing"
for out in "${OUTPUTS[@]}"; do
  assert_succeeds "$out: copy a = copy b" cmp "$a_bin/$out" "$b_bin/$out"
  assert_succeeds "$out: copy a = this checkout" cmp "$a_bin/$out" "$main_bin/$out"
done
for layout in "${LAYOUTS[@]}"; do
  assert_succeeds "layout $layout: copy a = copy b" diff -r "$a_bin/$layout" "$b_bin/$layout"
  assert_succeeds "layout $layout: copy a = this checkout" diff -r "$a_bin/$layout" "$main_bin/$layout"
done
a_distill="$(e2e_bazel "$a" "$a.root" info output_base 2>/dev/null)/external/distill/distill"
b_distill="$(e2e_bazel "$b" "$b.root" info output_base 2>/dev/null)/external/distill/distill"
assert_succeeds "the distill helper built from source: copy a = copy b" cmp "$a_distill" "$b_distill"
for out in examples/go/image.digest tests/golden/image.digest tests/golden/child.digest; do
  echo "    $out $(cat "$a_bin/$out")"
done
# Last, as it is the one that fails today: the helper is an input of every distill action, so
# a checkout (a git repository) and a copy of the same files must build the same binary, or
# their actions never share a remote cache.
echo "    VCS settings in this checkout's helper: $(go version -m "$tmp/main-distill" | awk '$1 == "build" && $2 ~ /^vcs/ { printf "%s ", $2 }')"
assert_succeeds "the distill helper built from source: copy a = this checkout" cmp "$a_distill" "$tmp/main-distill"

e2e_done "$NAME"
