#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# The seed's scenario end to end: //examples/flask:image (Flask from Debian's python3-flask on the
# distroless python3 image) runs under podman, answers "Hello World!" on port 5000, logs its request
# lines, runs as 65532, has no shell, stays under the seed's 23.36 MB, and its kubernetes.yaml is
# pinned to the built digest and hardened.
set -eEuo pipefail
# shellcheck source=common.sh
source "$(dirname "$0")/common.sh"
# shellcheck source=../lib/podman.sh
source "$E2E_REPO/tests/lib/podman.sh"
cd "$E2E_REPO"

e2e_step "bazel build //examples/flask:image.tar //examples/flask:kubernetes"
bazel build //examples/flask:image //examples/flask:image.tar //examples/flask:image.digest //examples/flask:kubernetes >/dev/null 2>&1
digest=$(cat bazel-bin/examples/flask/image.digest)
tarball=bazel-bin/examples/flask/image.tar
assert_succeeds "crane validate --tarball" crane validate --tarball "$tarball"

compressed=$(jq '[.layers[].size] | add' bazel-bin/examples/flask/image_/manifest.json)
assert_succeeds "compressed size $compressed bytes is under the seed's 23.36 MB" test "$compressed" -lt 23360000

config=$(skopeo inspect --config "docker-archive:$tarball")
assert_eq "user" "65532" "$(jq -r .config.User <<<"$config")"
assert_eq "entrypoint" '["/usr/bin/python3.11"]' "$(jq -c .config.Entrypoint <<<"$config")"
assert_eq "cmd" '["/app/app.py"]' "$(jq -c .config.Cmd <<<"$config")"
assert_eq "exposed port" '["5000/tcp"]' "$(jq -c '.config.ExposedPorts | keys' <<<"$config")"

e2e_step "kubernetes.yaml"
manifest=bazel-bin/examples/flask/kubernetes.yaml
assert_contains "image pinned to the built digest" "$(cat "$manifest")" "@$digest"
assert_succeeds "distill kubernetes --check" bazel run //examples/flask:kubernetes_test

e2e_step "podman run"
podman_setup
assert_succeeds "podman load" podman load -q -i "$tarball"
if port_in_use 5000; then
  fail "port 5000" "something else listens on 127.0.0.1:5000; the Flask app needs it"
fi
id=$(podman run -d bazel/examples/flask:image)
stop_app() { podman rm --force --time 0 "$id" >/dev/null 2>&1 || true; }
defer stop_app
assert_succeeds "the app answers on 5000" wait_http "http://127.0.0.1:5000/" 60
assert_eq "GET /" "Hello World!" "$(curl -fsS http://127.0.0.1:5000/)"
pid=$(podman inspect --format '{{.State.Pid}}' "$id")
assert_match "process uid" "$(grep '^Uid:' "/proc/$pid/status")" $'^Uid:\t65532\t'
assert_fails "podman exec /bin/sh" podman exec "$id" /bin/sh -c true
assert_contains "no shell to exec" "$(podman exec "$id" /bin/sh 2>&1 || true)" "no such file or directory"
assert_contains "request line in the log" "$(podman logs "$id" 2>&1)" '"GET / HTTP/1.1" 200'

e2e_done flask_test
