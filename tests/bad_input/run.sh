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

# Bazel 4.2.3 resolves its Java toolchains on every build, which needs rules_java and rules_cc:
# Debian's rules_java and our stand-in satisfy it offline.
local_repository(name = "rules_java", path = "/usr/share/bazel/rules/java")

local_repository(name = "rules_cc", path = "$repo/third_party/rules_cc")

# Test rules (image_test) need @remote_coverage_tools: our stand-in.
local_repository(name = "remote_coverage_tools", path = "$repo/third_party/remote_coverage_tools")

load("@rules_distill//rules:repositories.bzl", "distill_register_toolchains")

distill_register_toolchains()

load("@rules_distill//rules:repositories.bzl", "debian_packages")

# The bad-input corpus's lock whose sha256 for hello is not that of the mirror's file (testdata/gen).
debian_packages(name = "wrong_sha256", lock = "//:wrong-sha256.lock.json")
WS
echo "build --nosandbox_debug" >"$ws/.bazelrc"
echo a >"$ws/a.txt"
echo b >"$ws/b.txt"
# One package per case: some errors (attribute values, macros) stop the whole package.
case_build() { # name, then BUILD content below the load line
  mkdir -p "$ws/$1"
  printf 'load("@rules_distill//rules:defs.bzl", "distroless_image", "image_layer")\n\n%s\n' "$2" >"$ws/$1/BUILD.bazel"
  cp "$ws/a.txt" "$ws/b.txt" "$ws/$1/"
}
case_build ok 'image_layer(name = "ok", srcs = ["a.txt"])'
case_build missing_src 'image_layer(name = "missing_src", srcs = ["nope.txt"])'
case_build escape 'image_layer(name = "escape", files = {"a.txt": "/app/../../etc/passwd"})'
case_build duplicate 'image_layer(name = "duplicate", files = {"a.txt": "/app/x", "b.txt": "/app/x"})'
case_build bad_mode 'image_layer(name = "bad_mode", srcs = ["a.txt"], modes = {"/a.txt": "0999"})'
case_build bad_owner 'image_layer(name = "bad_owner", srcs = ["a.txt"], owners = {"/a.txt": "root:root"})'
case_build unknown_compression 'image_layer(name = "unknown_compression", srcs = ["a.txt"], compression = "lz4")'
case_build port 'image_layer(name = "ok", srcs = ["a.txt"])

distroless_image(name = "port", layers = [":ok"], exposed_ports = ["http"])'
case_build arch 'distroless_image(name = "arch", architecture = "x86")'
case_build shell 'distroless_image(name = "shell", entrypoint = "/app/server --port 8080")'
case_build cmd 'distroless_image(name = "cmd", cmd = "--port 8080")'
case_build waiver 'load("@rules_distill//rules:defs.bzl", "image_test")

distroless_image(name = "image")

image_test(name = "unknown_rule", image = ":image", waive = {"shells": "debug"})

image_test(name = "no_reason", image = ":image", waive = {"shell": ""})

image_test(name = "bad_mode", image = ":image", file_modes = {"/app": "rwx"})'

# The bad-input corpus (testdata/gen): the lock with a wrong sha256, and its test archive,
# served on a free port of 127.0.0.1 as the mirror.
if ! (cd "$repo" && go build -o "$work/gen" ./testdata/gen) || ! "$work/gen" -out "$work/corpus"; then
  echo "FAIL generating the bad-input corpus"
  exit 1
fi
cp "$work/corpus/lock/wrong-sha256.lock.json" "$ws/"
touch "$ws/BUILD.bazel"

cd "$ws"
passed=0
failed=0
expect_error() { # target, then a fixed string the error must contain
  local target=$1 want=$2 log="$work/log"
  if bazel --output_user_root="$work/root" build "$target" >"$log" 2>&1; then
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

bazel --output_user_root="$work/root" build //ok >"$work/log" 2>&1 || { cat "$work/log"; echo "FAIL the valid layer did not build"; exit 1; }
expect_error //missing_src "missing input file '//missing_src:nope.txt'"
expect_error //escape 'image_layer //escape:escape files: path "/app/../../etc/passwd" escapes the image root'
expect_error //duplicate 'image_layer //duplicate:duplicate: two different things at image path "/app/x": duplicate/a.txt and duplicate/b.txt'
expect_error //bad_mode 'image_layer //bad_mode:bad_mode modes["/a.txt"]: mode "0999" is not an octal mode'
expect_error //bad_owner 'owner "root:root" must be numeric "uid:gid"'
expect_error //unknown_compression "//unknown_compression:unknown_compression: invalid value in 'compression' attribute: has to be one of 'gzip', 'zstd' or 'none' instead of 'lz4'"
expect_error //port:port 'distroless_image //port:port: exposed_ports: "http" is not a port'
expect_error //arch "//arch:arch: invalid value in 'architecture' attribute: has to be one of"
expect_error //shell 'distroless_image(name = "shell"): entrypoint: a distroless image has no shell to run the shell-form command "/app/server --port 8080"; write it in exec form as a list, e.g. entrypoint = ["/app/server", "--port", "8080"]'
expect_error //cmd 'distroless_image(name = "cmd"): cmd: a distroless image has no shell'
expect_error //waiver:unknown_rule 'image_test //waiver:unknown_rule: waive: "shells" is not a rule of the policy; waive one of shell, package-manager,'
expect_error //waiver:no_reason 'image_test //waiver:no_reason: waive: "shell" has no reason'
expect_error //waiver:bad_mode 'image_test //waiver:bad_mode: file_modes: "rwx" for /app is not octal permission bits'
"$work/gen" -serve "$work/corpus/archive" -port-file "$work/port" &
mirror_pid=$!
for _ in $(seq 100); do [[ -s "$work/port" ]] && break; sleep 0.1; done
DISTILL_DEBIAN_MIRRORS="debian=http://127.0.0.1:$(cat "$work/port")/good"
export DISTILL_DEBIAN_MIRRORS
expect_error @wrong_sha256//... "debian_packages wrong_sha256: hello 1.0-1 (amd64): sha256 mismatch for pool/main/h/hello/hello_1.0-1_amd64.deb: got $(sha256sum <"$work/corpus/debs/hello.deb" | cut -d' ' -f1), the lock says $(jq -r '.packages[0].sha256' "$ws/wrong-sha256.lock.json"); re-run the lock target if the archive changed"
unset DISTILL_DEBIAN_MIRRORS
kill "$mirror_pid"
echo "bad_input: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
