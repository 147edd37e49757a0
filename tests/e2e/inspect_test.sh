#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# End to end: `distill inspect` and `distill diff` (the helper Bazel builds) on real images,
# //images/debian12:python3_nonroot and :base_nonroot, read as an OCI layout, a docker-archive and
# from a private registry (pushed with `bazel run :python3_nonroot.push`). The numbers are checked
# against the manifest and config, gunzip, and the flattened filesystem that `crane export` writes
# (read by Python's tarfile, not by distill): layer sizes and digests, per-package sizes, file
# counts. The three forms give the same report; diff base → python3 lists python3's packages as
# added and exits 1; an image diffed with itself (or its other forms) shows nothing and exits 0;
# a missing image exits 2; --platform picks an image of //examples/go:image_index (layout and OCI
# archive). Leaves nothing behind: registry, temp dirs.
set -eEuo pipefail
# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
# shellcheck source=../lib/registry.sh
source "$E2E_REPO/tests/lib/registry.sh"

NAME=inspect_test
cd "$E2E_REPO"
tmp=""
e2e_tmpdir tmp inspect

e2e_step "bazel build the python3_nonroot and base_nonroot images, their tarballs and distill"
e2e_run "bazel build" "$tmp/build.log" bazel build @distill//:distill \
  //images/debian12:python3_nonroot //images/debian12:python3_nonroot.tar //images/debian12:python3_nonroot.digest \
  //images/debian12:base_nonroot //images/debian12:base_nonroot.tar
bin="$(bazel info bazel-bin 2>/dev/null)" || fail "bazel info bazel-bin" "failed"
built="$(bazel info output_base 2>/dev/null)/external/distill/distill"
assert_file "the distill Bazel built" "$built"
# A copy: a later `bazel build` may fetch the repository again when a helper source changed.
distill="$tmp/distill"
cp "$built" "$distill"
py_layout="$bin/images/debian12/python3_nonroot"
py_tar="$bin/images/debian12/python3_nonroot.tar"
base_layout="$bin/images/debian12/base_nonroot"
base_tar="$bin/images/debian12/base_nonroot.tar"
digest="$(cat "$bin/images/debian12/python3_nonroot.digest")"
manifest="$py_layout/blobs/sha256/${digest#sha256:}"
config="$py_layout/blobs/sha256/$(jq -r .config.digest "$manifest" | cut -d: -f2)"

# --- inspect the layout ---------------------------------------------------------------------
e2e_step "distill inspect $py_layout"
"$distill" inspect --json "$py_layout" >"$tmp/layout.json"
j() { jq -r "$@" "$tmp/layout.json"; }
assert_eq "source kind" oci-layout "$(j .source.kind)"
assert_eq "digest = image.digest" "$digest" "$(j .source.digest)"
assert_eq "config digest = the manifest's" "$(jq -r .config.digest "$manifest")" "$(j .configDigest)"
assert_eq "layer digests = the manifest's" "$(jq -c '[.layers[].digest]' "$manifest")" "$(j -c '[.layers[].digest]')"
assert_eq "layer compressed sizes = the manifest's" "$(jq -c '[.layers[].size]' "$manifest")" "$(j -c '[.layers[].compressedSize]')"
assert_eq "layer diff_ids = the config's" "$(jq -c .rootfs.diff_ids "$config")" "$(j -c '[.layers[].diffID]')"
assert_eq "total compressed size = the manifest's sum" "$(jq '[.layers[].size] | add' "$manifest")" "$(j .totals.compressedSize)"
gunzipped="$(jq -r '.layers[].digest' "$manifest" | while read -r d; do
  gzip -dc "$py_layout/blobs/sha256/${d#sha256:}" | wc -c
done | paste -sd, -)"
assert_eq "layer uncompressed sizes = gzip -dc | wc -c" "$gunzipped" "$(j -r '[.layers[].uncompressedSize] | map(tostring) | join(",")')"
assert_eq "config user, workdir, entrypoint" '"65532" "/home/nonroot" ["/usr/bin/python3.11"]' \
  "$(j -c '[.config.user, .config.workingDir, .config.entrypoint] | map(tojson) | join(" ")')"

# The flattened filesystem as crane sees it, read by Python: per-package sizes, file counts.
crane export - "$tmp/fs.tar" <"$py_tar"
python3 - "$tmp/fs.tar" >"$tmp/fs.json" <<'PY'
import json, sys, tarfile
def clean(name):
    name = name[2:] if name.startswith("./") else name
    return name.lstrip("/")
members = {}
with tarfile.open(sys.argv[1]) as t:
    for m in t:
        members[clean(m.name)] = m
    def size(m):
        return members[clean(m.linkname)].size if m.islnk() else m.size
    files = {n: size(m) for n, m in members.items() if m.isreg() or m.islnk()}
    status = "var/lib/dpkg/status.d/"
    pkgs = {}
    for n in sorted(members):
        if n.startswith(status) and not n.endswith(".md5sums") and "/" not in n[len(status):]:
            pkg = n[len(status):]
            md5 = members.get(n + ".md5sums")
            listed = t.extractfile(md5).read().decode().splitlines() if md5 else []
            paths = [clean(l.split(None, 1)[1].lstrip("*")) for l in listed if l.strip()]
            present = [p for p in paths if p in files]
            pkgs[pkg] = {"size": sum(files[p] for p in present), "files": len(present), "listed": len(paths)}
print(json.dumps({"files": len(files), "fileBytes": sum(files.values()), "packages": pkgs}, sort_keys=True))
PY
assert_eq "regular files (crane export)" "$(jq .files "$tmp/fs.json")" "$(j .totals.files)"
assert_eq "bytes of regular files (crane export)" "$(jq .fileBytes "$tmp/fs.json")" "$(j .totals.fileBytes)"
assert_eq "package names (status.d in crane export)" "$(jq -c '.packages | keys' "$tmp/fs.json")" "$(j -c '[.packages[].name]')"
# shellcheck disable=SC2016 # $p is jq's
for pkg in python3.11-minimal libpython3.11-stdlib libc6; do
  assert_eq "$pkg: size and files = the sum over its md5sums files in crane export" \
    "$(jq -c --arg p "$pkg" '.packages[$p] | [.size, .files, .listed]' "$tmp/fs.json")" \
    "$(j -c --arg p "$pkg" '.packages[] | select(.name == $p) | [.size, .files, .listed]')"
done
assert_eq "every package's size = crane export's" \
  "$(jq -c '.packages | to_entries | map([.key, .value.size])' "$tmp/fs.json")" \
  "$(j -c '.packages | map([.name, .size])')"
assert_eq "the largest file is python3.11, of python3.11-minimal" "/usr/bin/python3.11 python3.11-minimal" \
  "$(j -r '.largestFiles[0] | "\(.path) \(.package)"')"
"$distill" inspect "$py_layout" >"$tmp/layout.txt"
assert_contains "text: the digest line" "$(cat "$tmp/layout.txt")" "digest:     $digest"
assert_match "text: python3.11-minimal's row" "$(cat "$tmp/layout.txt")" \
  $'\npython3.11-minimal +[^ ]+ +amd64 +[0-9.]+ MB +[0-9]+/[0-9]+ '

# --- the same image as a docker-archive and from a registry ---------------------------------
e2e_step "distill inspect $py_tar"
"$distill" inspect --json "$py_tar" >"$tmp/tar.json"
assert_eq "docker-archive: kind" docker-archive "$(jq -r .source.kind "$tmp/tar.json")"
assert_eq "docker-archive: no layer media types (it records none)" "[]" "$(jq -c '[.layers[].mediaType | values]' "$tmp/tar.json")"
assert_eq "docker-archive: the same report as the layout's (but the manifest digest and media types)" \
  "$(jq -S 'del(.source, .layers[].mediaType)' "$tmp/layout.json")" "$(jq -S 'del(.source)' "$tmp/tar.json")"

e2e_step "bazel run //images/debian12:python3_nonroot.push to a private registry; distill inspect it there"
registry_start
repo="$REGISTRY/distill-e2e/python3"
e2e_run "bazel run :python3_nonroot.push -- --repository $repo --tag e2e" "$tmp/push.log" \
  bazel run //images/debian12:python3_nonroot.push -- --repository "$repo" --tag e2e
"$distill" inspect --json "$repo:e2e" >"$tmp/registry.json"
assert_eq "registry: kind and digest" "registry $digest" "$(jq -r '"\(.source.kind) \(.source.digest)"' "$tmp/registry.json")"
assert_eq "registry: the same report as the layout's" \
  "$(jq -S 'del(.source.ref, .source.kind)' "$tmp/layout.json")" "$(jq -S 'del(.source.ref, .source.kind)' "$tmp/registry.json")"
assert_eq "crane and distill agree on the registry's manifest digest" "$(crane digest "$repo:e2e")" \
  "$(jq -r .source.digest "$tmp/registry.json")"

# --- diff -------------------------------------------------------------------------------------
e2e_step "distill diff"
status=0
"$distill" diff --json "$base_layout" "$py_layout" >"$tmp/diff.json" || status=$?
assert_eq "diff base_nonroot python3_nonroot exits 1 (differences)" 1 "$status"
base_pkgs="$("$distill" inspect --json "$base_tar" | jq -c '[.packages[].name]')"
# shellcheck disable=SC2016 # $base is jq's
assert_eq "packages added = python3's packages that base lacks" \
  "$(j -c --argjson base "$base_pkgs" '[.packages[].name] - $base')" \
  "$(jq -c '[.packages.added[].name]' "$tmp/diff.json")"
assert_contains "python3.11-minimal is added" "$(jq -c '[.packages.added[].name]' "$tmp/diff.json")" '"python3.11-minimal"'
assert_eq "nothing removed, upgraded or changed" "0 0 0 0 0" \
  "$(jq -r '[.packages.removed, .packages.upgraded, .packages.downgraded, .packages.changed, .files.removed] | map(length) | join(" ")' "$tmp/diff.json")"
assert_eq "entrypoint changed from none to python3.11" 'null ["/usr/bin/python3.11"]' \
  "$(jq -r '.config[] | select(.field == "entrypoint") | "\(.a) \(.b)"' "$tmp/diff.json")"
assert_contains "/usr/bin/python3.11 is an added file" "$(jq -c '[.files.added[].path]' "$tmp/diff.json")" '"/usr/bin/python3.11"'

for pair in "$py_layout $py_layout" "$py_layout $py_tar" "$py_tar $repo:e2e"; do
  read -r a b <<<"$pair"
  status=0
  "$distill" diff "$a" "$b" >"$tmp/same.txt" 2>&1 || status=$?
  assert_eq "diff ${a##*/} ${b##*/} exits 0" 0 "$status"
  assert_contains "diff ${a##*/} ${b##*/} shows no differences" "$(cat "$tmp/same.txt")" "no differences"
done

status=0
"$distill" diff "$py_layout" "$tmp/nope" >/dev/null 2>"$tmp/trouble.err" || status=$?
assert_eq "diff with a missing image exits 2 (trouble)" 2 "$status"
assert_contains "and says why" "$(cat "$tmp/trouble.err")" "no such file"
status=0
"$distill" inspect --platform linux/arm64 "$py_layout" >/dev/null 2>"$tmp/platform.err" || status=$?
assert_eq "inspect --platform linux/arm64 of an amd64 image fails" 1 "$status"
assert_contains "and says why" "$(cat "$tmp/platform.err")" "is for linux/amd64, not linux/arm64"

# --- a multi-arch index: --platform picks one image ------------------------------------------
e2e_step "distill inspect --platform on //examples/go:image_index (layout and OCI archive)"
e2e_run "bazel build //examples/go:image_index //examples/go:image_index.tar //examples/go:arm64_image.digest" \
  "$tmp/index.log" bazel build //examples/go:image_index //examples/go:image_index.tar //examples/go:arm64_image.digest
arm64_digest="$(cat "$bin/examples/go/arm64_image.digest")"
status=0
"$distill" inspect "$bin/examples/go/image_index" >/dev/null 2>"$tmp/index.err" || status=$?
assert_eq "inspect of an index of two images without --platform fails" 1 "$status"
assert_contains "and lists the platforms" "$(cat "$tmp/index.err")" "(linux/amd64, linux/arm64/v8): choose one with --platform"
for form in image_index image_index.tar; do
  assert_eq "inspect --platform linux/arm64 $form: the arm64 image" "$arm64_digest linux arm64" \
    "$("$distill" inspect --json --platform linux/arm64 "$bin/examples/go/$form" | jq -r '"\(.source.digest) \(.config.os) \(.config.architecture)"')"
done

e2e_done "$NAME"
