#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# End to end, multi-arch images (docs/multiarch.md): builds the 56 `<name>_index` targets of
# //images/debian12 and //images/debian13 and the examples' `image_index` (go, flask, java, node, cc),
# and checks that every index lists exactly its amd64 image and its arm64/v8 image (by their
# `.digest`); the OCI layout and OCI archive of two indexes with skopeo; `bazel run :X_index.push`
# to a private registry: `crane validate --remote` passes and `crane digest --platform` gives each
# platform's image digest; the arm64 images' ELF files (python3.11, the Go server) are EM_AARCH64
# by Go's debug/elf (the amd64 ones EM_X86_64); `bazel run :image_index.load` loads the host's
# image into podman; the arm64 Go server answers "Hello World!" under qemu (through binfmt_misc
# when the kernel has an aarch64 handler, else with qemu-aarch64-static directly; skipped with a
# message without qemu); the arm64 C++ hello (cross-compiled by the host's aarch64 g++) is
# EM_AARCH64 and prints "Hello World!" under qemu-aarch64-static with the arm64 cc image's own
# rootfs (its layers untarred) as the library root. Bad input: two images of one platform, or
# arm64 without variant v8, fail at analysis time (in a throw-away workspace). Leaves nothing behind.
set -euo pipefail
# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
# shellcheck source=../lib/podman.sh
source "$E2E_REPO/tests/lib/podman.sh"
# shellcheck source=../lib/registry.sh
source "$E2E_REPO/tests/lib/registry.sh"

NAME=multiarch_test
RELEASES=(debian12 debian13)
IMAGES=(static base_nossl base cc python3 java nodejs)
VARIANTS=("" _nonroot _debug _debug_nonroot)
EXAMPLES=(go flask java node cc)
AMD64='{"architecture":"amd64","os":"linux"}'
ARM64='{"architecture":"arm64","os":"linux","variant":"v8"}'

cd "$E2E_REPO"
tmp=""
e2e_tmpdir tmp multiarch

# --- build -----------------------------------------------------------------------------------
# Each index needs its two images; their digests name what the index must list.
indexes=() # package:name of each index; its images are package:name and package:arm64_name
for r in "${RELEASES[@]}"; do
  for i in "${IMAGES[@]}"; do
    for v in "${VARIANTS[@]}"; do indexes+=("//images/$r:$i$v"); done
  done
done
assert_eq "the runtime images have 56 indexes" 56 "${#indexes[@]}"
for x in "${EXAMPLES[@]}"; do indexes+=("//examples/$x:image"); done
targets=()
for t in "${indexes[@]}"; do
  pkg="${t%%:*}" name="${t#*:}"
  targets+=("${t}_index" "${t}_index.digest" "$t.digest" "$pkg:arm64_$name.digest")
done
targets+=(//images/debian12:python3_nonroot_index.tar //examples/go:image_index.tar)
e2e_step "bazel build of ${#indexes[@]} indexes, their images' digests and two OCI archives"
start=$SECONDS
e2e_run "bazel build of every index" "$tmp/build.log" bazel build "${targets[@]}"
echo "    bazel build took $((SECONDS - start))s"
bin="$(bazel info bazel-bin 2>/dev/null)" || fail "bazel info bazel-bin" "failed"

# --- every index lists its amd64 and its arm64 image ------------------------------------------
e2e_step "each index lists linux/amd64 = <name>.digest, then linux/arm64/v8 = arm64_<name>.digest"
bad=""
for t in "${indexes[@]}"; do
  pkg="${t%%:*}" name="${t#*:}"
  dir="$bin/${pkg#//}"
  layout="$dir/${name}_index"
  digest="$(cat "$dir/${name}_index.digest")"
  blob="$layout/blobs/sha256/${digest#sha256:}"
  want="$(jq -cn --arg a "$(cat "$dir/$name.digest")" --arg b "$(cat "$dir/arm64_$name.digest")" \
    --argjson pa "$AMD64" --argjson pb "$ARM64" \
    '[{digest: $a, platform: $pa}, {digest: $b, platform: $pb}]')"
  got="$(jq -c '[.manifests[] | {digest, platform}]' "$blob" 2>/dev/null || echo "no index blob")"
  top="$(jq -c '[.manifests[] | [.mediaType, .digest, .annotations["org.opencontainers.image.ref.name"]]]' "$layout/index.json")"
  [ "$got" = "$want" ] || bad+=" $t:$got"
  [ "$top" = "[[\"application/vnd.oci.image.index.v1+json\",\"$digest\",\"latest\"]]" ] || bad+=" $t/index.json:$top"
  [ "$(sha256sum <"$blob" | cut -d' ' -f1)" = "${digest#sha256:}" ] || bad+=" $t:digest"
done
assert_eq "all ${#indexes[@]} indexes list exactly their two images, index.json names the index" "" "$bad"

# --- OCI layout and OCI archive, read by skopeo ------------------------------------------------
for t in //images/debian12:python3_nonroot //examples/go:image; do
  pkg="${t%%:*}" name="${t#*:}"
  dir="$bin/${pkg#//}"
  layout="$dir/${name}_index"
  archive="$dir/${name}_index.tar"
  digest="$(cat "$dir/${name}_index.digest")"
  e2e_step "skopeo on ${t}_index and ${t}_index.tar"
  assert_eq "oci-archive: the raw manifest is the index blob" \
    "$(cat "$layout/blobs/sha256/${digest#sha256:}")" "$(skopeo inspect --raw "oci-archive:$archive")"
  for p in amd64 arm64; do
    assert_eq "oci: the linux/$p image's config says $p" "$p" \
      "$(skopeo inspect --config --override-os linux --override-arch "$p" "oci:$layout:latest" | jq -r .architecture)"
  done
  out="$tmp/copy-$name"
  assert_succeeds "skopeo copy --all oci-archive → oci (every blob verified)" \
    skopeo copy --all --quiet "oci-archive:$archive" "oci:$out:x"
  config="$(skopeo inspect --config --override-arch arm64 --override-variant v8 "oci-archive:$archive")"
  assert_eq "oci-archive: the arm64/v8 image's config says arm64 v8" "arm64 v8" \
    "$(jq -r '"\(.architecture) \(.variant)"' <<<"$config")"
done

# --- push to a registry, read back per platform ------------------------------------------------
e2e_step "bazel run :X_index.push to a private registry"
registry_start
declare -A PUSHED=([python3]=//images/debian12:python3_nonroot [go]=//examples/go:image)
for key in python3 go; do
  t="${PUSHED[$key]}"
  pkg="${t%%:*}" name="${t#*:}"
  dir="$bin/${pkg#//}"
  repo="$REGISTRY/multiarch/$key"
  digest="$(cat "$dir/${name}_index.digest")"
  bazel run "${t}_index.push" -- --repository "$repo" --tag latest >"$tmp/push-$key.out" 2>"$tmp/push-$key.err" ||
    fail "bazel run ${t}_index.push" "$(tail -n 10 "$tmp/push-$key.err")"
  assert_eq "${t}_index.push prints REPO@<index digest>" "$repo@$digest" "$(cat "$tmp/push-$key.out")"
  out="$(crane validate --remote "$repo:latest" 2>&1)" || fail "crane validate --remote $repo:latest" "$out"
  assert_contains "crane validate --remote $repo:latest (the index and both images)" "$out" "PASS"
  assert_eq "crane digest $repo:latest = the index digest" "$digest" "$(crane digest "$repo:latest")"
  assert_eq "crane digest --platform linux/amd64 = $name.digest" "$(cat "$dir/$name.digest")" \
    "$(crane digest --platform linux/amd64 "$repo:latest")"
  assert_eq "crane digest --platform linux/arm64 = arm64_$name.digest" "$(cat "$dir/arm64_$name.digest")" \
    "$(crane digest --platform linux/arm64 "$repo:latest")"
  assert_eq "the registry's index media type" application/vnd.oci.image.index.v1+json \
    "$(crane manifest "$repo:latest" | jq -r .mediaType)"
done

# --- the arm64 images hold aarch64 code -------------------------------------------------------
e2e_step "ELF machine of the pushed images' files (Go's debug/elf)"
cat >"$tmp/elfmachine.go" <<'GO'
// elfmachine prints the ELF machine of each file argument, e.g. EM_AARCH64.
package main

import (
	"debug/elf"
	"fmt"
	"os"
)

func main() {
	for _, p := range os.Args[1:] {
		f, err := elf.Open(p)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Println(f.Machine)
		f.Close()
	}
}
GO
(cd "$tmp" && go build -o elfmachine elfmachine.go) || fail "go build elfmachine.go" "failed"
# extract PLATFORM REPO PATH DEST: the file PATH of REPO's image for PLATFORM.
extract() {
  mkdir -p "$4"
  crane export --platform "$1" "$2" - | tar -x -C "$4" "$3"
}
for p in amd64 arm64; do
  extract "linux/$p" "$REGISTRY/multiarch/python3:latest" usr/bin/python3.11 "$tmp/py-$p"
done
# go_image puts a binary at /app/<target name>: server, server_arm64.
extract linux/amd64 "$REGISTRY/multiarch/go:latest" app/server "$tmp/go-amd64"
extract linux/arm64 "$REGISTRY/multiarch/go:latest" app/server_arm64 "$tmp/go-arm64"
assert_eq "arm64 python3.11 and Go server are EM_AARCH64" "EM_AARCH64 EM_AARCH64 " \
  "$("$tmp/elfmachine" "$tmp/py-arm64/usr/bin/python3.11" "$tmp/go-arm64/app/server_arm64" | tr '\n' ' ')"
assert_eq "amd64 python3.11 and Go server are EM_X86_64" "EM_X86_64 EM_X86_64 " \
  "$("$tmp/elfmachine" "$tmp/py-amd64/usr/bin/python3.11" "$tmp/go-amd64/app/server" | tr '\n' ' ')"

# --- run the arm64 Go server ------------------------------------------------------------------
e2e_step "run the arm64 Go server (from the registry) under qemu"
server="$tmp/go-arm64/app/server_arm64"
handler=/proc/sys/fs/binfmt_misc/qemu-aarch64
run=()
if [ -r "$handler" ] && grep -qx enabled "$handler"; then
  echo "    path: binfmt_misc ($handler enabled): the kernel runs the aarch64 binary through qemu"
  run=("$server")
elif command -v qemu-aarch64-static >/dev/null; then
  echo "    path: qemu-aarch64-static directly (no aarch64 binfmt_misc handler on this machine: $handler absent)"
  run=(qemu-aarch64-static "$server")
else
  echo "    SKIP: neither an aarch64 binfmt_misc handler nor qemu-aarch64-static (tests/setup.sh installs qemu-user-static): the arm64 Go server was not run"
fi
if [ "${#run[@]}" -gt 0 ]; then
  port="$(free_port)"
  PORT="$port" "${run[@]}" >"$tmp/arm64-server.log" 2>&1 &
  pid=$!
  stop_server() { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }
  defer stop_server
  wait_http "http://127.0.0.1:$port/" 30 "$pid" || fail "arm64 Go server" "$(tail -n 5 "$tmp/arm64-server.log")"
  assert_eq "the arm64 Go server answers GET /" "Hello World!" "$(curl -fsS "http://127.0.0.1:$port/")"
  stop_server
fi

# --- run the arm64 C++ hello with the arm64 cc image's own libraries -----------------------------
e2e_step "run //examples/cc:arm64_image's /app/hello_arm64 under qemu-aarch64-static -L <its rootfs>"
layout="$bin/examples/cc/arm64_image"
rootfs="$tmp/cc-arm64-rootfs"
mkdir -p "$rootfs"
manifest="$(jq -r '.manifests[0].digest' "$layout/index.json")"
for d in $(jq -r '.layers[].digest' "$layout/blobs/sha256/${manifest#sha256:}"); do
  tar -xzf "$layout/blobs/sha256/${d#sha256:}" -C "$rootfs" || fail "untar layer $d of $layout" "failed"
done
assert_eq "the arm64 C++ hello is EM_AARCH64" EM_AARCH64 "$("$tmp/elfmachine" "$rootfs/app/hello_arm64")"
if command -v qemu-aarch64-static >/dev/null; then
  # -L: the image's ld-linux-aarch64.so.1, libstdc++, libgcc_s and libc, none of the host's.
  assert_eq "qemu-aarch64-static -L rootfs rootfs/app/hello_arm64 prints" "Hello World!" \
    "$(qemu-aarch64-static -L "$rootfs" "$rootfs/app/hello_arm64" 2>&1)"
else
  echo "    SKIP: no qemu-aarch64-static (tests/setup.sh installs qemu-user-static): the arm64 C++ hello was not run"
fi

# --- .load loads the host's image -------------------------------------------------------------
e2e_step "bazel run //examples/go:image_index.load (podman)"
podman_setup
e2e_run "bazel run //examples/go:image_index.load" "$tmp/load.log" bazel run //examples/go:image_index.load
case "$(uname -m)" in x86_64) host=amd64 ;; aarch64) host=arm64 ;; *) host="$(uname -m)" ;; esac
assert_eq "the loaded image is the host's ($host)" "$host" \
  "$(podman image inspect --format '{{.Architecture}}' bazel/examples/go:image)"

# --- bad input fails at analysis time ----------------------------------------------------------
e2e_step "image_index with two images of one platform, or arm64 without v8: analysis errors"
ws="$tmp/ws" root="$tmp/root"
mkdir -p "$ws/dup" "$ws/novariant"
cat >"$ws/WORKSPACE" <<WS
workspace(name = "multiarch_bad_input")

local_repository(name = "rules_distill", path = "$E2E_REPO")

local_repository(name = "rules_java", path = "/usr/share/bazel/rules/java")

local_repository(name = "rules_cc", path = "$E2E_REPO/third_party/rules_cc")

load("@rules_distill//rules:repositories.bzl", "distill_register_toolchains")

distill_register_toolchains()
WS
echo "build --nosandbox_debug" >"$ws/.bazelrc"
cat >"$ws/dup/BUILD.bazel" <<'BUILD'
load("@rules_distill//rules:defs.bzl", "distroless_image", "image_index")

distroless_image(name = "a")

distroless_image(name = "b")

image_index(name = "index", images = [":a", ":b"])
BUILD
cat >"$ws/novariant/BUILD.bazel" <<'BUILD'
load("@rules_distill//rules:defs.bzl", "distroless_image", "image_index")

distroless_image(name = "a")

distroless_image(name = "b", architecture = "arm64")

image_index(name = "index", images = [":a", ":b"])
BUILD
e2e_bazel_server "$ws" "$root"
e2e_fails_with "two linux/amd64 images in one index" "$tmp/dup.log" \
  e2e_bazel "$ws" "$root" build --nobuild //dup:index
assert_contains "the error names both images and the platform" "$(cat "$tmp/dup.log")" \
  "image_index //dup:index: images: //dup:a and //dup:b are both linux/amd64; an index holds one image per platform"
e2e_fails_with "an arm64 image without variant v8" "$tmp/novariant.log" \
  e2e_bazel "$ws" "$root" build --nobuild //novariant:index
assert_contains "the error says to set variant v8" "$(cat "$tmp/novariant.log")" \
  "//novariant:b is arm64 with variant \"\"; arm64 images in an index carry variant \"v8\": set variant = \"v8\" on it"

e2e_done "$NAME"
