#!/usr/bin/env bash
# Bad BUILD input fails at analysis time with one clear line naming the target and the culprit.
# Runs in a throw-away workspace that uses rules_distill as an external repository, the way users do.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'cd /; bazel --output_user_root="$work/root" shutdown >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
ws="$work/ws"
mkdir -p "$ws"
cat >"$ws/WORKSPACE" <<WS
workspace(name = "bad_input")

local_repository(name = "rules_distill", path = "$repo")

load("@rules_distill//rules:repositories.bzl", "distill_register_toolchains")

distill_register_toolchains()
WS
echo "build --nosandbox_debug" >"$ws/.bazelrc"
echo a >"$ws/a.txt"
echo b >"$ws/b.txt"
cat >"$ws/BUILD.bazel" <<'B'
load("@rules_distill//rules:defs.bzl", "distroless_image", "image_layer")

image_layer(name = "ok", srcs = ["a.txt"])

image_layer(name = "missing_src", srcs = ["nope.txt"])

image_layer(name = "escape", files = {"a.txt": "/app/../../etc/passwd"})

image_layer(name = "duplicate", files = {"a.txt": "/app/x", "b.txt": "/app/x"})

image_layer(name = "bad_mode", srcs = ["a.txt"], modes = {"/a.txt": "0999"})

image_layer(name = "bad_owner", srcs = ["a.txt"], owners = {"/a.txt": "root:root"})

image_layer(name = "unknown_compression", srcs = ["a.txt"], compression = "lz4")

distroless_image(name = "port", layers = [":ok"], exposed_ports = ["http"])

distroless_image(name = "arch", layers = [":ok"], architecture = "x86")
B
# A macro error stops the whole package, so shell-form entrypoints get a package of their own.
mkdir -p "$ws/shell"
cat >"$ws/shell/BUILD.bazel" <<'B'
load("@rules_distill//rules:defs.bzl", "distroless_image")

distroless_image(name = "image", entrypoint = "/app/server --port 8080")
B

cd "$ws"
passed=0
failed=0
expect_error() { # target, then a fixed string the error must contain
  local target=$1 want=$2 log="$work/log"
  if bazel --output_user_root="$work/root" build --nobuild "$target" >"$log" 2>&1; then
    echo "FAIL $target: built, but should have failed with: $want"
    failed=$((failed + 1))
  elif ! grep -qF -- "$want" "$log"; then
    echo "FAIL $target: failed without the expected error: $want"
    sed 's/^/    /' "$log" | tail -n 15
    failed=$((failed + 1))
  else
    echo "ok   $target: $(grep -F -- "$want" "$log" | head -n 1 | sed 's/^.*Error in fail: //')"
    passed=$((passed + 1))
  fi
}

bazel --output_user_root="$work/root" build //:ok >"$work/log" 2>&1 || { cat "$work/log"; echo "FAIL the valid layer did not build"; exit 1; }
expect_error //:missing_src "no such target '//:nope.txt'"
expect_error //:escape 'image_layer //:escape: path "/app/../../etc/passwd" escapes the image root'
expect_error //:duplicate 'image_layer //:duplicate: two different things at image path "/app/x": a.txt and b.txt'
expect_error //:bad_mode "image_layer //:bad_mode modes[\"/a.txt\"]: mode \"0999\" is not an octal mode"
expect_error //:bad_owner "owner \"root:root\" must be numeric \"uid:gid\""
expect_error //:unknown_compression "compression has to be one of 'gzip', 'zstd' or 'none' instead of 'lz4'"
expect_error //:port "distroless_image //:port: exposed_ports: \"http\" is not a port"
expect_error //:arch "architecture has to be one of"
expect_error //shell:image "distroless_image(name = \"image\"): entrypoint: a distroless image has no shell to run the shell-form command \"/app/server --port 8080\"; write it in exec form as a list, e.g. entrypoint = [\"/app/server\", \"--port\", \"8080\"]"
echo "bad_input: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
