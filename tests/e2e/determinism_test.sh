#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Determinism matrix: every runtime image of //images/... (debian12 and debian13: static,
# base_nossl, base, cc, python3, java, nodejs × plain, _nonroot, _debug, _debug_nonroot, and
# whatever else //images/... defines with a .digest) and the Flask example, built three ways
# that share nothing but the Bazel repository (download) cache:
#
#   A        a copy of the working tree at one path, umask 022, TZ=UTC, LANG=C.UTF-8, default
#            --jobs, every image in ONE `bazel build` (parallel actions), no disk cache;
#   B cold   a copy at another, longer path, umask 077, TZ=Pacific/Chatham, another locale,
#            every file's mtime set to its own random date, --jobs=1, each image built by its
#            own `bazel build` one after the other, with an empty --disk_cache;
#   B warm   B again after `bazel clean` (B's own output root only), the disk cache now warm:
#            every cacheable action comes from it (the execution log says which ran).
#
# Every .digest must be the same in A, B cold and B warm. reproducible_test.sh checks the
# example and golden images (and their tarballs and the helper) across two copies; this one
# adds the runtime images, parallel vs one-by-one builds, --jobs, and the disk cache.
set -euo pipefail
# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

NAME=determinism_test
RELEASES=(debian12 debian13)
IMAGES=(static base_nossl base cc python3 java nodejs)
VARIANTS=("" _nonroot _debug _debug_nonroot)
EXTRA_TARGETS=(//examples/flask:image.digest)

cd "$E2E_REPO"
tmp=""
e2e_tmpdir tmp determinism

# Bazel's download cache of this machine's default output root: the Debian packages are not
# downloaded again (tests/e2e/common.sh).
mapfile -t repo_cache_flags < <(e2e_repo_cache_flag)

# A locale other than A's: German if the machine has it, else POSIX.
b_lang=POSIX
if locale -a 2>/dev/null | grep -qi '^de_DE\.utf-\?8$'; then b_lang=de_DE.UTF-8; fi

e2e_step "copying the working tree twice"
a="$tmp/a"
b="$tmp/b-a-longer-path/with/more/levels/checkout-b"
e2e_copy_tree "$a" 022 || fail "copy the working tree to $a" "cp failed"
e2e_copy_tree "$b" 077 || fail "copy the working tree to $b" "cp failed"
# Each file and directory of B gets its own random mtime between 1970 and 2038.
find "$b" -print0 | while IFS= read -r -d '' f; do
  touch -h -d "@$(((RANDOM << 16 | RANDOM << 1) % 2147483647))" "$f"
done
assert_eq "both copies hold the same files" "$(cd "$a" && find . -type f | LC_ALL=C sort)" \
  "$(cd "$b" && find . -type f | LC_ALL=C sort)"
assert_eq "copy b was written with umask 077" "700" "$(stat -c %a "$b/images")"
assert_ne "copy b's files have other mtimes" "$(stat -c %Y "$a/WORKSPACE")" "$(stat -c %Y "$b/WORKSPACE")"

# in_env DIR UMASK TZ LANG CMD...: runs CMD in DIR with that umask, time zone and locale.
in_env() {
  local dir="$1" mask="$2" tz="$3" lang="$4"
  shift 4
  (
    cd "$dir"
    umask "$mask"
    export TZ="$tz" LANG="$lang" LC_ALL="$lang"
    "$@"
  )
}
a_root="$tmp/a.root"
b_root="$tmp/b.root"
disk_cache="$tmp/disk-cache"
mkdir -p "$a_root" "$b_root" "$disk_cache"
e2e_bazel_server "$a" "$a_root"
e2e_bazel_server "$b" "$b_root"
bazel_a() { in_env "$a" 022 UTC C.UTF-8 bazel --output_user_root="$a_root" "$@"; }
bazel_b() { in_env "$b" 077 Pacific/Chatham "$b_lang" bazel --output_user_root="$b_root" "$@"; }

e2e_step "finding the runtime images"
bazel_a query 'filter("\.digest$", //images/...)' >"$tmp/targets" 2>"$tmp/query.log" ||
  fail "bazel query the .digest targets of //images/..." "$(tail -n 5 "$tmp/query.log")"
printf '%s\n' "${EXTRA_TARGETS[@]}" >>"$tmp/targets"
mapfile -t TARGETS <"$tmp/targets"
missing=()
for r in "${RELEASES[@]}"; do
  for i in "${IMAGES[@]}"; do
    for v in "${VARIANTS[@]}"; do
      grep -qxF "//images/$r:$i$v.digest" "$tmp/targets" || missing+=("//images/$r:$i$v.digest")
    done
  done
done
assert_eq "the $((${#RELEASES[@]} * ${#IMAGES[@]} * ${#VARIANTS[@]})) runtime images are among the ${#TARGETS[@]} targets" "" "${missing[*]}"

# digest_path TARGET: where TARGET's digest file is below bazel-bin.
digest_path() {
  local t="${1#//}"
  echo "${t%%:*}/${t#*:}"
}

e2e_step "A: umask 022, TZ=UTC, LANG=C.UTF-8, default --jobs, ${#TARGETS[@]} targets in one bazel build"
start=$SECONDS
e2e_run "A: one parallel bazel build" "$tmp/a.log" \
  bazel_a build --disk_cache= --remote_cache= "${repo_cache_flags[@]}" "${TARGETS[@]}"
echo "    A built in $((SECONDS - start))s: $(grep -E '^INFO: [0-9]+ processes' "$tmp/a.log" | tail -n 1)"
a_bin="$(bazel_a info bazel-bin 2>/dev/null)"

# One by one: the runtime images named above and the extra targets; then whatever else
# //images/... has (other architectures, indexes) in one more --jobs=1 build, to keep the time
# in CI small (each bazel invocation costs a second or two).
ONE_BY_ONE=()
for r in "${RELEASES[@]}"; do
  for i in "${IMAGES[@]}"; do
    for v in "${VARIANTS[@]}"; do ONE_BY_ONE+=("//images/$r:$i$v.digest"); done
  done
done
ONE_BY_ONE+=("${EXTRA_TARGETS[@]}")
mapfile -t REST < <(printf '%s\n' "${ONE_BY_ONE[@]}" | grep -vxF -f - "$tmp/targets" || true)
e2e_step "B cold: umask 077, TZ=Pacific/Chatham, LANG=$b_lang, random mtimes, --jobs=1, ${#ONE_BY_ONE[@]} bazel builds one by one (+ ${#REST[@]} targets in one), empty disk cache"
start=$SECONDS
build_one_by_one() {
  local t
  for t in "${ONE_BY_ONE[@]}"; do
    echo "=== $t"
    bazel_b build --jobs=1 --disk_cache="$disk_cache" --remote_cache= "${repo_cache_flags[@]}" "$t" || return 1
  done
  [ "${#REST[@]}" -eq 0 ] ||
    bazel_b build --jobs=1 --disk_cache="$disk_cache" --remote_cache= "${repo_cache_flags[@]}" "${REST[@]}"
}
e2e_run "B cold: ${#ONE_BY_ONE[@]} bazel builds, one by one, and one of ${#REST[@]} more" "$tmp/b.log" build_one_by_one
echo "    B cold built in $((SECONDS - start))s"
b_bin="$(bazel_b info bazel-bin 2>/dev/null)"
assert_ne "A and B have output trees of their own" "$a_bin" "$b_bin"
mkdir -p "$tmp/b-cold"
for t in "${TARGETS[@]}"; do
  p="$(digest_path "$t")"
  mkdir -p "$tmp/b-cold/$(dirname "$p")"
  cp "$b_bin/$p" "$tmp/b-cold/$p"
done

e2e_step "B warm: bazel clean in B, then every target from the disk cache"
e2e_run "B: bazel clean (B's output root only)" "$tmp/b-clean.log" bazel_b clean
assert_no_file "bazel clean removed B's outputs" "$b_bin/$(digest_path "${TARGETS[0]}")"
start=$SECONDS
e2e_run "B warm: one bazel build" "$tmp/b-warm.log" \
  bazel_b build --jobs=1 --disk_cache="$disk_cache" --remote_cache= "${repo_cache_flags[@]}" \
  --execution_log_json_file="$tmp/b-warm.exec.json" "${TARGETS[@]}"
processes="$(grep -E '^INFO: [0-9]+ processes' "$tmp/b-warm.log" | tail -n 1)"
echo "    B warm built in $((SECONDS - start))s: $processes"
# Every spawn, from the execution log: a cache hit (Bazel 4 counts disk cache hits as remote
# cache hits), or run again because its rule says it must not be cached (no-remote, no-cache:
# e.g. the layout writes, hard links that a cache would turn into copies), or a miss.
jq -s -r '.[] | if .remoteCacheHit then "hit" elif .remotable == false or .cacheable == false
  then "uncached-by-design \(.mnemonic)" else "miss \(.mnemonic)" end' "$tmp/b-warm.exec.json" |
  sort | uniq -c >"$tmp/b-warm.spawns"
sed 's/^/    /' "$tmp/b-warm.spawns"
assert_match "B warm: actions came from the disk cache" "$(cat "$tmp/b-warm.spawns")" '[0-9]+ hit'
assert_eq "B warm: every cacheable action came from the disk cache" "" "$(grep ' miss ' "$tmp/b-warm.spawns" || true)"

e2e_step "comparing ${#TARGETS[@]} digests"
same=0
for t in "${TARGETS[@]}"; do
  p="$(digest_path "$t")"
  da="$(cat "$a_bin/$p")"
  [[ "$da" =~ ^sha256:[0-9a-f]{64}$ ]] || fail "$t: A's digest" "'$da' is not sha256:<hex>"
  if [ "$da" = "$(cat "$tmp/b-cold/$p")" ] && [ "$da" = "$(cat "$b_bin/$p")" ]; then
    same=$((same + 1))
  else # each difference is told, and the test goes on
    e2e_expect_eq "$t: A = B cold" "$da" "$(cat "$tmp/b-cold/$p")"
    e2e_expect_eq "$t: A = B warm" "$da" "$(cat "$b_bin/$p")"
  fi
done
assert_eq "every digest is the same in A, B cold and B warm ($same of ${#TARGETS[@]})" "${#TARGETS[@]}" "$same"
echo "    //examples/flask:image $(cat "$a_bin/examples/flask/image.digest")"
echo "    //images/debian12:python3_nonroot $(cat "$a_bin/images/debian12/python3_nonroot.digest")"

e2e_done "$NAME"
