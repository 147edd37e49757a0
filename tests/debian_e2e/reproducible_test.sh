#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# The images of tests/debian are reproducible: the working tree is copied to two directories at
# different paths, with different umasks (022 / 077), time zones, locales and file mtimes; each
# copy builds in a fresh output base (its own --output_user_root, no disk or remote cache; only
# Bazel's repository cache of downloads is shared), one with the default --jobs and one with
# --jobs=1. The digests of packages_amd64, packages_arm64 and python3_amd64 must be equal between
# the copies, and equal to this checkout's.
set -euo pipefail
# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

NAME=reproducible_test
IMAGES=(packages_amd64 packages_arm64 python3_amd64)
TARGETS=()
for image in "${IMAGES[@]}"; do TARGETS+=("//tests/debian:$image.digest"); done

tmp=""
e2e_tmpdir tmp repro
cd "$DE_REPO"
repository_cache="$(bazel info repository_cache 2>/dev/null)"

e2e_step "copying the working tree twice"
a="$tmp/a/rules_distill"
b="$tmp/b/some/deeper/path/checkout-two"
de_copy_tree "$a" 022
de_copy_tree "$b" 077
# Every file of copy b gets another mtime, in the past.
find "$b" -exec touch -h -d '2001-02-03 04:05:06.789' {} +
assert_eq "both copies hold the same files" "$(cd "$a" && find . -type f | LC_ALL=C sort)" \
  "$(cd "$b" && find . -type f | LC_ALL=C sort)"
assert_eq "copy a was written with umask 022" 755 "$(stat -c %a "$a/tests/debian")"
assert_eq "copy b was written with umask 077" 700 "$(stat -c %a "$b/tests/debian")"

# Right after the copies, so that edits of this tree have the least time to come in between.
e2e_step "building in this checkout"
e2e_run "bazel build in this checkout" "$tmp/main.log" bazel build "${TARGETS[@]}"
mkdir -p "$tmp/main"
main_bin="$(bazel info bazel-bin 2>/dev/null)"
for image in "${IMAGES[@]}"; do cp "$main_bin/tests/debian/$image.digest" "$tmp/main/"; done

# build_copy DIR UMASK TZ LANG [FLAGS...]: builds TARGETS in DIR, in a fresh output base, in a
# shell with that umask and environment.
build_copy() {
  local dir="$1" mask="$2" tz="$3" lang="$4" root="$1.root"
  shift 4
  mkdir -p "$root"
  e2e_bazel_server "$dir" "$root"
  (
    umask "$mask"
    export TZ="$tz" LANG="$lang" LC_ALL="$lang"
    e2e_bazel "$dir" "$root" build --disk_cache= --remote_cache= --repository_cache="$repository_cache" \
      "$@" "${TARGETS[@]}"
  )
}

e2e_step "building in copy a (umask 022, TZ=UTC, LANG=C.UTF-8, default --jobs)"
start=$SECONDS
e2e_run "bazel build in copy a" "$tmp/a.log" build_copy "$a" 022 UTC C.UTF-8
echo "    copy a built in $((SECONDS - start))s"
e2e_step "building in copy b (umask 077, TZ=Pacific/Chatham, LANG=POSIX, mtimes 2001, --jobs=1)"
start=$SECONDS
e2e_run "bazel build in copy b" "$tmp/b.log" build_copy "$b" 077 Pacific/Chatham POSIX --jobs=1
echo "    copy b built in $((SECONDS - start))s"

a_base="$(e2e_bazel "$a" "$a.root" info output_base 2>/dev/null)"
b_base="$(e2e_bazel "$b" "$b.root" info output_base 2>/dev/null)"
main_base="$(bazel info output_base 2>/dev/null)"
assert_ne "the copies have output bases of their own" "$a_base" "$b_base"
assert_ne "copy a does not use this checkout's output base" "$main_base" "$a_base"
a_bin="$(e2e_bazel "$a" "$a.root" info bazel-bin 2>/dev/null)"
b_bin="$(e2e_bazel "$b" "$b.root" info bazel-bin 2>/dev/null)"
# The layers were built in each copy, not taken from elsewhere.
assert_match "copy b ran the layer actions itself" "$(grep -E '^INFO: [0-9]+ processes' "$tmp/b.log")" \
  '[0-9]+ (linux-sandbox|processwrapper-sandbox|local)'

e2e_step "comparing"
for image in "${IMAGES[@]}"; do
  out="tests/debian/$image.digest"
  assert_match "$image: a digest" "$(cat "$a_bin/$out")" '^sha256:[0-9a-f]{64}$'
  assert_eq "$image: copy a = copy b" "$(cat "$a_bin/$out")" "$(cat "$b_bin/$out")"
  assert_eq "$image: copy a = this checkout" "$(cat "$a_bin/$out")" "$(cat "$tmp/main/$image.digest")"
  echo "    $image $(cat "$a_bin/$out")"
done

e2e_done "$NAME"
