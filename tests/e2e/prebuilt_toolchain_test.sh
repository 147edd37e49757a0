#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# The release path of the toolchain: distill built with the documented reproducible command is
# used through distill_register_toolchains(urls = ["file://..."], sha256 = ...) in a user-style
# workspace (rules_distill as local_repository). An image from scratch built there must be
# byte-identical to the same BUILD built with the from-source toolchain in a second workspace,
# and the prebuilt binary byte-identical to the one Bazel built from source. A wrong sha256 (in
# WORKSPACE, or a tampered binary at the URL) fails naming both sha256s; urls without sha256
# fails with rules_distill's own message.
set -euo pipefail
# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

NAME=prebuilt_toolchain_test

cd "$E2E_REPO"
tmp=""
e2e_tmpdir tmp prebuilt

# release_build DIR OUT: the release build of distill, run in the rules_distill tree DIR. The
# same command as distill_from_source in rules/repositories.bzl: keep the two in step.
release_build() {
  (cd "$1" && env CGO_ENABLED=0 GOFLAGS="-mod=vendor -buildvcs=false" GOPROXY=off GOTOOLCHAIN=local \
    go build -trimpath -ldflags='-s -w -buildid=' -o "$2" ./tools/cmd/distill)
}

e2e_step "go build distill (the release command)"
e2e_run "go build -trimpath distill" "$tmp/go.log" release_build "$E2E_REPO" "$tmp/distill"
sha="$(sha256sum <"$tmp/distill" | cut -d' ' -f1)"
echo "    sha256 $sha"
# The same files without .git, as a release archive gives them (built and compared at the end).
export_dir="$tmp/export/rules_distill"
mkdir -p "$export_dir"
git ls-files -z --cached --others --exclude-standard |
  while IFS= read -r -d '' f; do
    [ -e "$f" ] || [ -L "$f" ] || continue # deleted, not yet staged
    printf '%s\0' "$f"
  done |
  xargs -0 --no-run-if-empty cp -P --parents --target-directory="$export_dir"
assert_contains "the binary is static" "$(file -b "$tmp/distill")" "statically linked"

# Bazel 4.2.3 resolves toolchains for every target through @bazel_tools//tools/jdk:all, which
# needs @rules_java and @rules_cc; its built-in ones are downloaded from GitHub, which these
# machines cannot reach. Debian's bazel-rules-java package (tests/setup.sh) and rules_distill's
# rules_cc stand-in take their place when Debian's package is installed.
java_repo=""
if [ -d /usr/share/bazel/rules/java ]; then
  java_repo="local_repository(
    name = \"rules_java\",
    path = \"/usr/share/bazel/rules/java\",
)

local_repository(
    name = \"rules_cc\",
    path = \"$E2E_REPO/third_party/rules_cc\",
)
"
fi

# workspace DIR REGISTER: a user-style workspace whose WORKSPACE ends with REGISTER.
workspace() {
  local ws="$1" register="$2"
  mkdir -p "$ws"
  cat >"$ws/WORKSPACE" <<WS
workspace(name = "e2e_prebuilt")

local_repository(
    name = "rules_distill",
    path = "$E2E_REPO",
)

$java_repo
load("@rules_distill//rules:repositories.bzl", "distill_register_toolchains")

$register
WS
  echo "build --nosandbox_debug" >"$ws/.bazelrc"
  printf 'hello from a prebuilt toolchain\n' >"$ws/hello.txt"
  cat >"$ws/BUILD.bazel" <<'BUILD'
load("@rules_distill//rules:defs.bzl", "distroless_image", "image_layer")

image_layer(
    name = "files",
    directories = ["/var/empty"],
    files = {"hello.txt": "/etc/hello.txt"},
    owners = {"/var/empty": "65532:65532"},
)

distroless_image(
    name = "image",
    entrypoint = ["/nothing/to/run"],
    layers = [":files"],
    user = "65532",
)
BUILD
}

prebuilt="$tmp/prebuilt"
source_ws="$tmp/source"
workspace "$prebuilt" "distill_register_toolchains(
    urls = [\"file://$tmp/distill\"],
    sha256 = \"$sha\",
)"
workspace "$source_ws" "distill_register_toolchains()"
mkdir -p "$prebuilt.root" "$source_ws.root"
e2e_bazel_server "$prebuilt" "$prebuilt.root"
e2e_bazel_server "$source_ws" "$source_ws.root"

targets=(//:image //:image.digest //:image.tar)
e2e_step "bazel build with the prebuilt toolchain"
start=$SECONDS
e2e_run "build with distill_register_toolchains(urls, sha256)" "$tmp/prebuilt.log" \
  e2e_bazel "$prebuilt" "$prebuilt.root" build "${targets[@]}"
echo "    built in $((SECONDS - start))s"
e2e_step "bazel build with the from-source toolchain"
start=$SECONDS
e2e_run "build with distill_register_toolchains()" "$tmp/source.log" \
  e2e_bazel "$source_ws" "$source_ws.root" build "${targets[@]}"
echo "    built in $((SECONDS - start))s"

p_base="$(e2e_bazel "$prebuilt" "$prebuilt.root" info output_base 2>/dev/null)"
s_base="$(e2e_bazel "$source_ws" "$source_ws.root" info output_base 2>/dev/null)"
p_bin="$(e2e_bazel "$prebuilt" "$prebuilt.root" info bazel-bin 2>/dev/null)"
s_bin="$(e2e_bazel "$source_ws" "$source_ws.root" info bazel-bin 2>/dev/null)"

assert_contains "the prebuilt workspace uses the downloaded binary" \
  "$(head -n 1 "$p_base/external/distill/BUILD.bazel")" "prebuilt, sha256 $sha"
assert_contains "the source workspace built it" \
  "$(head -n 1 "$s_base/external/distill/BUILD.bazel")" "built from source"
assert_eq "sha256 of the downloaded helper" "$sha" "$(sha256sum <"$p_base/external/distill/distill" | cut -d' ' -f1)"
assert_eq "sha256 of the helper Bazel built from source = the release build's" "$sha" \
  "$(sha256sum <"$s_base/external/distill/distill" | cut -d' ' -f1)"

digest="$(cat "$p_bin/image.digest")"
echo "    image digest $digest"
assert_match "image.digest is a digest" "$digest" '^sha256:[0-9a-f]{64}$'
assert_eq "prebuilt and from-source toolchains give the same digest" "$digest" "$(cat "$s_bin/image.digest")"
assert_succeeds "and the same docker-archive bytes" cmp "$p_bin/image.tar" "$s_bin/image.tar"
assert_succeeds "and the same OCI layout" diff -r "$p_bin/image" "$s_bin/image"
out="$(crane validate --tarball "$p_bin/image.tar" 2>&1)" || fail "crane validate --tarball" "$out"
assert_contains "crane validate --tarball passes" "$out" "PASS"

# expect_fetch_error WHAT WANT BAZEL_ARGS...: the build in the prebuilt workspace fails and its
# output contains WANT.
expect_fetch_error() {
  local what="$1" want="$2" log="$tmp/fail.log"
  shift 2
  if e2e_bazel "$prebuilt" "$prebuilt.root" build "$@" "${targets[@]}" >"$log" 2>&1; then
    fail "$what" "the build succeeded"
  fi
  assert_contains "$what" "$(cat "$log")" "$want"
  echo "    $(grep -F -- "$want" "$log" | grep -v '^[[:space:]]*fail(' | head -n 1 | cut -c 1-400)"
}

e2e_step "a wrong sha256 in WORKSPACE"
wrong="$(printf 'not distill' | sha256sum | cut -d' ' -f1)"
workspace "$prebuilt" "distill_register_toolchains(
    urls = [\"file://$tmp/distill\"],
    sha256 = \"$wrong\",
)"
expect_fetch_error "a wrong sha256 fails naming both sha256s" "Checksum was $sha but wanted $wrong"

e2e_step "a tampered binary at the URL (no repository cache to answer from it)"
cp "$tmp/distill" "$tmp/distill.tampered"
printf '\0' >>"$tmp/distill.tampered"
tampered="$(sha256sum <"$tmp/distill.tampered" | cut -d' ' -f1)"
workspace "$prebuilt" "distill_register_toolchains(
    urls = [\"file://$tmp/distill.tampered\"],
    sha256 = \"$sha\",
)"
expect_fetch_error "a tampered binary fails naming both sha256s" "Checksum was $tampered but wanted $sha" \
  --repository_cache=

e2e_step "urls without sha256"
workspace "$prebuilt" "distill_register_toolchains(
    urls = [\"file://$tmp/distill\"],
)"
expect_fetch_error "urls without sha256 fails with rules_distill's message" \
  "distill_register_toolchains: urls needs sha256"

# Last, as it is the one that fails today: what a release publishes must not depend on the git
# state of the tree it was built in. Users get rules_distill as an archive, without .git; Bazel
# then builds the helper from source there, and it must be the released binary.
e2e_step "the release command in an exported copy of the tree (no .git, as a release archive)"
e2e_run "go build -trimpath distill in the exported copy" "$tmp/go-export.log" \
  release_build "$export_dir" "$tmp/distill.export"
echo "    VCS settings stamped into the checkout's build: $(go version -m "$tmp/distill" | awk '$1 == "build" && $2 ~ /^vcs/ { printf "%s ", $2 }')"
assert_eq "the helper built without .git is the released binary" "$sha" \
  "$(sha256sum <"$tmp/distill.export" | cut -d' ' -f1)"

e2e_done "$NAME"
