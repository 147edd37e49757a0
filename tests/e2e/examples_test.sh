#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# End to end, every example image but flask (tests/e2e/flask_test.sh, with the seed's own checks):
# builds //examples/<x>:image.tar for go, java, node and cc, checks each tarball with `crane validate`, loads it into a private podman store and runs it.
# The servers (podman run -d; PORT from a free port) must answer GET / with exactly "Hello World!", log the request, run as uid/gid 65532
# and have no /bin/sh for `podman exec` (go, java and node must also stop on SIGTERM); the cc program must print exactly "Hello World!" as user
# 65532 and the image must have no /bin/sh either. Prints each image's compressed size (the sum of
# its layers). Leaves nothing behind: podman store, containers, temp dirs.
set -euo pipefail
# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
# shellcheck source=../lib/podman.sh
source "$E2E_REPO/tests/lib/podman.sh"

NAME=examples
EXAMPLES=(go java node cc)
# How each server learns its port: "env" reads $PORT, a number is a port the app always uses.
declare -A SERVER_PORT=([go]=env [java]=env [node]=env)
# The servers that stop on SIGTERM by themselves (as PID 1, python's default ignores it).
declare -A STOPS_ON_SIGTERM=([go]=1 [java]=1 [node]=1)
NONROOT="65532 65532 65532 65532"

cd "$E2E_REPO"
tmp=""
e2e_tmpdir tmp examples

targets=()
for x in "${EXAMPLES[@]}"; do targets+=("//examples/$x:image.tar"); done
e2e_step "bazel build ${targets[*]}"
e2e_run "bazel build of every example's tarball" "$tmp/build.log" bazel build "${targets[@]}"
bin="$(bazel info bazel-bin 2>/dev/null)" || fail "bazel info bazel-bin" "failed"

podman_setup
stop_container() { podman rm --force --time 0 "$1" >/dev/null 2>&1 || true; }

# uids/gids PID: the real, effective, saved and filesystem uids, then the gids, of a process.
uids() { awk '$1 == "Uid:" { print $2, $3, $4, $5 }' "/proc/$1/status"; }
gids() { awk '$1 == "Gid:" { print $2, $3, $4, $5 }' "/proc/$1/status"; }

# load X: validates and loads examples/X's tarball; sets TAG.
load() {
  local x="$1" tarball="$bin/examples/$1/image.tar" out layers
  out="$(crane validate --tarball "$tarball" 2>&1)" || fail "$x: crane validate --tarball" "$out"
  assert_contains "$x: crane validate --tarball passes" "$out" "PASS"
  TAG="bazel/examples/$x:image"
  e2e_run "$x: podman load -i examples/$x/image.tar" "$tmp/$x-load.log" podman load -i "$tarball"
  assert_eq "$x: the image's user is nonroot" 65532 "$(podman image inspect --format '{{.Config.User}}' "$TAG")"
  layers="$(jq '[.layers[].size] | add' "$bin/examples/$x/image_/manifest.json")"
  echo "    $x: $(jq '.layers | length' "$bin/examples/$x/image_/manifest.json") layers, $layers bytes compressed ($((layers / 1024)) KiB)"
}

# check_server X: runs examples/X's server detached and asks it for its page.
check_server() {
  local x="$1" port id pid status out start
  if [ "${SERVER_PORT[$x]}" = env ]; then
    port="$(free_port)"
    id="$(podman run -d -e PORT="$port" "$TAG")" || fail "$x: podman run -d" "failed"
  else
    port="${SERVER_PORT[$x]}"
    # Host network: the app's fixed port must be free on this machine.
    ! port_in_use "$port" || fail "$x: port $port" "something on this host listens on $port already"
    id="$(podman run -d "$TAG")" || fail "$x: podman run -d" "failed"
  fi
  defer stop_container "$id"
  wait_http "http://127.0.0.1:$port/" 60 || fail "$x: the server answers on $port" "$(podman logs "$id" 2>&1)"
  assert_eq "$x: GET / answers exactly" "Hello World!" "$(curl -fsS "http://127.0.0.1:$port/")"
  pid="$(podman inspect --format '{{.State.Pid}}' "$id")"
  assert_eq "$x: the server runs as uid 65532" "$NONROOT" "$(uids "$pid")"
  assert_eq "$x: and gid 65532" "$NONROOT" "$(gids "$pid")"
  status=0
  out="$(podman exec "$id" /bin/sh -c true 2>&1)" || status=$?
  assert_ne "$x: podman exec /bin/sh fails" 0 "$status"
  assert_contains "$x: podman exec /bin/sh: no such file" "$out" "/bin/sh: no such file or directory"
  assert_contains "$x: podman logs show the request" "$(podman logs "$id" 2>&1)" '"GET / HTTP/1.1" 200'
  if [ -n "${STOPS_ON_SIGTERM[$x]:-}" ]; then
    start=$SECONDS
    podman stop --time 20 "$id" >/dev/null || fail "$x: podman stop" "failed"
    assert_succeeds "$x: SIGTERM stops the server well before podman's SIGKILL (20 s)" test $((SECONDS - start)) -lt 10
  fi
  stop_container "$id"
}

# check_program X: runs examples/X's program to completion and reads what it printed.
check_program() {
  local x="$1" name="e2e-examples-$1" status out
  status=0
  out="$(podman run --name "$name" "$TAG" 2>"$tmp/$x-run.err")" || status=$?
  defer stop_container "$name"
  assert_eq "$x: the program exits 0" 0 "$status"
  assert_eq "$x: it prints exactly" "Hello World!" "$out"
  assert_eq "$x: with nothing on stderr" "" "$(cat "$tmp/$x-run.err")"
  assert_eq "$x: the container ran as user 65532" 65532 "$(podman inspect --format '{{.Config.User}}' "$name")"
  stop_container "$name"
  status=0
  out="$(podman run --rm --entrypoint /bin/sh "$TAG" -c true 2>&1)" || status=$?
  assert_ne "$x: podman run --entrypoint /bin/sh fails" 0 "$status"
  assert_contains "$x: /bin/sh: no such file" "$out" "/bin/sh: no such file or directory"
}

for x in "${EXAMPLES[@]}"; do
  e2e_step "examples/$x"
  load "$x"
  if [ -n "${SERVER_PORT[$x]:-}" ]; then
    check_server "$x"
  else
    check_program "$x"
  fi
done

e2e_done "$NAME"
