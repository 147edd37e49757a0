#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# End to end, with real clients: builds //examples/go:image (layout, docker-archive, digest) in
# this checkout and checks the tarball (crane, skopeo), the OCI layout (skopeo, umoci and the
# unpacked root filesystem), running it (podman after `bazel run :image.load`, and runc on the
# umoci bundle), and `bazel run :image.push` to a private registry (crane reads it back; a second
# push uploads no blob). Leaves nothing behind: registry, podman store, containers, temp dirs.
set -euo pipefail
# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
# shellcheck source=../lib/podman.sh
source "$E2E_REPO/tests/lib/podman.sh"
# shellcheck source=../lib/registry.sh
source "$E2E_REPO/tests/lib/registry.sh"
# shellcheck source=../lib/runc.sh
source "$E2E_REPO/tests/lib/runc.sh"

NAME=go_example_test
TAG=bazel/examples/go:image
DISTROLESS_PASSWD='root:x:0:0:root:/root:/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin
nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin'

cd "$E2E_REPO"
tmp=""
e2e_tmpdir tmp go

e2e_step "bazel build //examples/go:image //examples/go:image.tar //examples/go:image.digest"
e2e_run "bazel build of the image, its tarball and digest" "$tmp/build.log" \
  bazel build //examples/go:image //examples/go:image.tar //examples/go:image.digest
bin="$(bazel info bazel-bin 2>/dev/null)" || fail "bazel info bazel-bin" "failed"
layout="$bin/examples/go/image"
tarball="$bin/examples/go/image.tar"
digest="$(cat "$bin/examples/go/image.digest")"
assert_match "image.digest holds one sha256 digest" "$digest" '^sha256:[0-9a-f]{64}$'
manifest_blob="$layout/blobs/sha256/${digest#sha256:}"
assert_file "the layout holds the manifest named by image.digest" "$manifest_blob"
config_digest="$(jq -r .config.digest "$manifest_blob")"

# --- docker-archive tarball -----------------------------------------------------------------
e2e_step "docker-archive $tarball"
out="$(crane validate --tarball "$tarball" 2>&1)" || fail "crane validate --tarball" "$out"
assert_contains "crane validate --tarball passes" "$out" "PASS"
assert_eq "manifest.json RepoTags" '["bazel/examples/go:image"]' \
  "$(tar -xOf "$tarball" manifest.json | jq -c '[.[].RepoTags[]]')"
tar_config="$(tar -xOf "$tarball" manifest.json | jq -r '.[0].Config')"
assert_eq "manifest.json Config is the layout's config blob" "$config_digest" \
  "sha256:$(tar -xOf "$tarball" "$tar_config" | sha256sum | cut -d' ' -f1)"
assert_succeeds "skopeo finds the image by its repo tag $TAG" \
  skopeo inspect "docker-archive:$tarball:$TAG"
assert_fails "skopeo finds no other tag" skopeo inspect "docker-archive:$tarball:bazel/examples/go:nope"
config="$(skopeo inspect --config "docker-archive:$tarball:$TAG")" || fail "skopeo inspect --config" "failed"
assert_eq "config User" 65532 "$(jq -r .config.User <<<"$config")"
assert_eq "config Entrypoint" '["/app/server"]' "$(jq -c .config.Entrypoint <<<"$config")"
assert_eq "config ExposedPorts" '["8080/tcp"]' "$(jq -c '.config.ExposedPorts | keys' <<<"$config")"
assert_eq "config WorkingDir" /home/nonroot "$(jq -r .config.WorkingDir <<<"$config")"
assert_eq "config created" 1970-01-01T00:00:00Z "$(jq -r .created <<<"$config")"

# --- OCI image layout -------------------------------------------------------------------------
e2e_step "OCI layout $layout"
assert_eq "oci-layout" '{"imageLayoutVersion":"1.0.0"}' "$(jq -c . "$layout/oci-layout")"
assert_eq "index.json has one manifest, the digest in image.digest" "$digest" \
  "$(jq -r '[.manifests[].digest] | join(",")' "$layout/index.json")"
assert_eq "index.json ref.name" latest \
  "$(jq -r '.manifests[0].annotations["org.opencontainers.image.ref.name"]' "$layout/index.json")"
bad_blobs=""
for blob in "$layout"/blobs/sha256/*; do
  [ "$(sha256sum <"$blob" | cut -d' ' -f1)" = "${blob##*/}" ] || bad_blobs+=" ${blob##*/}"
done
assert_eq "every blob's sha256 is its file name" "" "$bad_blobs"
assert_eq "every layer and the config have a blob" "" "$(
  jq -r '.config.digest, .layers[].digest' "$manifest_blob" | while read -r d; do
    [ -f "$layout/blobs/sha256/${d#sha256:}" ] || echo -n " $d"
  done
)"
inspect="$(skopeo inspect "oci:$layout:latest")" || fail "skopeo inspect oci:$layout:latest" "failed"
assert_eq "skopeo inspect oci:LAYOUT:latest digest = image.digest" "$digest" "$(jq -r .Digest <<<"$inspect")"
assert_eq "layout config = tarball config" "$config" "$(skopeo inspect --config "oci:$layout:latest")"

# umoci takes a lock in the layout and Bazel's outputs are read-only: unpack a writable copy.
cp -R "$layout" "$tmp/layout"
chmod -R u+w "$tmp/layout"
e2e_run "umoci unpack --image COPY:latest" "$tmp/umoci.log" \
  umoci unpack --image "$tmp/layout:latest" "$tmp/bundle"
rootfs="$tmp/bundle/rootfs"
mode() { stat -c '%F %a %u:%g' "$1"; }
assert_eq "/app/server" "regular file 755 0:0" "$(mode "$rootfs/app/server")"
assert_contains "/app/server is a static executable" "$(file -b "$rootfs/app/server")" "statically linked"
assert_eq "/etc/passwd is the distroless text" "$DISTROLESS_PASSWD" "$(cat "$rootfs/etc/passwd")"
assert_eq "/etc/passwd" "regular file 644 0:0" "$(mode "$rootfs/etc/passwd")"
assert_contains "/etc/group has nonroot" "$(cat "$rootfs/etc/group")" "nonroot:x:65532:"
assert_eq "/home/nonroot" "directory 700 65532:65532" "$(mode "$rootfs/home/nonroot")"
assert_eq "/root" "directory 700 0:0" "$(mode "$rootfs/root")"
assert_eq "/tmp" "directory 1777 0:0" "$(mode "$rootfs/tmp")"
assert_no_file "no /bin/sh" "$rootfs/bin/sh"
assert_eq "no shell anywhere in the image" "" \
  "$(cd "$rootfs" && find . \( -name sh -o -name bash -o -name dash -o -name busybox \) -print)"

# --- podman: bazel run :image.load, then run it -----------------------------------------------
e2e_step "bazel run //examples/go:image.load (podman)"
podman_setup
assert_fails "the fresh podman store lacks $TAG" podman image exists "$TAG"
e2e_run "bazel run //examples/go:image.load" "$tmp/load.log" bazel run //examples/go:image.load
assert_contains "the load says what it loaded" "$(cat "$tmp/load.log")" "$TAG"
assert_succeeds "podman image exists $TAG" podman image exists "$TAG"
assert_eq "podman's image ID is the config digest" "${config_digest#sha256:}" \
  "$(podman image inspect --format '{{.Id}}' "$TAG")"

# Without podman or docker on PATH the same load fails with one clear line. The script that
# `bazel run` would run (--script_path) is run with such a PATH: a bazel run with another PATH
# would re-run the repository rules that depend on PATH in this checkout's output base.
bazel run --script_path="$tmp/load.sh" //examples/go:image.load >"$tmp/script_path.log" 2>&1 ||
  fail "bazel run --script_path" "$(tail -n 5 "$tmp/script_path.log")"
mkdir "$tmp/nopodman"
for tool in bash env; do ln -s "$(command -v "$tool")" "$tmp/nopodman/$tool"; done
status=0
env -i HOME="$tmp" PATH="$tmp/nopodman" "$tmp/load.sh" >"$tmp/noload.out" 2>"$tmp/noload.err" || status=$?
assert_ne "load without podman/docker on PATH fails" 0 "$status"
assert_eq "that failure is one line" 1 "$(wc -l <"$tmp/noload.err")"
assert_match "that line says to install podman or docker" "$(cat "$tmp/noload.err")" \
  '^distill load: .*install podman or docker'

e2e_step "podman run $TAG"
port="$(free_port)"
id="$(podman run -d -e PORT="$port" "$TAG")" || fail "podman run" "failed"
stop_container() { podman rm --force --time 0 "$1" >/dev/null 2>&1 || true; }
defer stop_container "$id"
wait_http "http://127.0.0.1:$port/" 30 || fail "podman: the server answers" "$(podman logs "$id" 2>&1)"
assert_eq "podman: GET / answers" "Hello World!" "$(curl -fsS "http://127.0.0.1:$port/")"
pid="$(podman inspect --format '{{.State.Pid}}' "$id")"
assert_eq "podman: the process runs as uid 65532" "65532 65532 65532 65532" \
  "$(awk '$1 == "Uid:" { print $2, $3, $4, $5 }' "/proc/$pid/status")"
assert_eq "podman: and gid 65532" "65532 65532 65532 65532" \
  "$(awk '$1 == "Gid:" { print $2, $3, $4, $5 }' "/proc/$pid/status")"
status=0
exec_out="$(podman exec "$id" /bin/sh -c true 2>&1)" || status=$?
assert_ne "podman exec /bin/sh fails" 0 "$status"
assert_contains "podman exec /bin/sh: no such file" "$exec_out" "/bin/sh: no such file or directory"
assert_contains "podman logs show the request" "$(podman logs "$id" 2>&1)" '"GET / HTTP/1.1" 200'

# --- runc on the umoci bundle -----------------------------------------------------------------
e2e_step "runc on the umoci bundle"
runc_setup
port="$(free_port)"
runc_bundle "$tmp/layout" latest "$tmp/runc-bundle" ".process.env += [\"PORT=$port\"]" ||
  fail "runc_bundle" "failed"
assert_eq "bundle process user" '{"uid":65532,"gid":65532}' \
  "$(jq -c '.process.user | {uid, gid}' "$tmp/runc-bundle/config.json")"
runc_start "$tmp/runc-bundle" e2e-go || fail "runc_start" "failed"
wait_http "http://127.0.0.1:$port/" 30 || fail "runc: the server answers" "$(runc_logs e2e-go)"
assert_eq "runc: GET / answers" "Hello World!" "$(curl -fsS "http://127.0.0.1:$port/")"
pid="$(runc --root "$RUNC_ROOT" state e2e-go | jq -r .pid)"
assert_eq "runc: the process runs as uid 65532" "65532 65532 65532 65532" \
  "$(awk '$1 == "Uid:" { print $2, $3, $4, $5 }' "/proc/$pid/status")"
runc_stop e2e-go

# --- push to a private registry ---------------------------------------------------------------
e2e_step "bazel run //examples/go:image.push to a private registry"
registry_start
repo="$REGISTRY/examples/go"
# Each blob the pusher finds missing shows up as a HEAD answered "blob unknown" in the registry's
# log (level warn); an upload (re)writes the repository's _layers/.../link files.
missing_blobs() { grep -c 'err.code="blob unknown".*http.request.method=HEAD' "$REGISTRY_DIR/registry.log" || true; }
blob_files() {
  find "$REGISTRY_DIR/data" -path '*/_manifests' -prune -o -type f -printf '%p %T@ %s\n' | LC_ALL=C sort
}
bazel run //examples/go:image.push -- --repository "$repo" --tag v1 >"$tmp/push1.out" 2>"$tmp/push1.err" ||
  fail "bazel run :image.push" "$(tail -n 10 "$tmp/push1.err")"
_assert_ok "bazel run //examples/go:image.push -- --repository $repo --tag v1"
assert_eq "push prints REPO@DIGEST with the digest of image.digest" "$repo@$digest" "$(cat "$tmp/push1.out")"
layer_count="$(jq '[.layers[].digest] | unique | length' "$manifest_blob")"
assert_eq "the first push found the config and all $layer_count layers missing" "$((layer_count + 1))" "$(missing_blobs)"
assert_eq "crane digest $repo:v1" "$digest" "$(crane digest "$repo:v1")"
crane manifest "$repo:v1" >"$tmp/manifest.pulled" || fail "crane manifest" "failed"
assert_succeeds "crane manifest gives the layout's manifest bytes" cmp "$tmp/manifest.pulled" "$manifest_blob"
out="$(crane validate --remote "$repo:v1" 2>&1)" || fail "crane validate --remote" "$out"
assert_contains "crane validate --remote passes" "$out" "PASS"
e2e_run "crane pull --format=oci" "$tmp/pull.log" crane pull --format=oci "$repo:v1" "$tmp/pulled"
differ=""
for blob in "$layout"/blobs/sha256/*; do
  cmp -s "$blob" "$tmp/pulled/blobs/sha256/${blob##*/}" || differ+=" ${blob##*/}"
done
assert_eq "every blob read back equals the layout's" "" "$differ"

before_missing="$(missing_blobs)"
before_files="$(blob_files)"
bazel run //examples/go:image.push -- --repository "$repo" --tag v1 >"$tmp/push2.out" 2>"$tmp/push2.err" ||
  fail "second bazel run :image.push" "$(tail -n 10 "$tmp/push2.err")"
_assert_ok "a second push succeeds"
assert_eq "the second push prints the same digest" "$repo@$digest" "$(cat "$tmp/push2.out")"
assert_eq "the second push found no blob missing" "$before_missing" "$(missing_blobs)"
assert_eq "the second push uploaded no blob (blob and link files unchanged)" "$before_files" "$(blob_files)"
assert_eq "crane digest after the second push" "$digest" "$(crane digest "$repo:v1")"

e2e_done "$NAME"
