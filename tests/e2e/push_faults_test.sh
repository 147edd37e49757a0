#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# `bazel run //examples/go:image.push` to a real registry (tests/lib/registry.sh) through a proxy
# that injects faults (tools/internal/faultproxy/cmd/faultproxy): connections reset mid-upload,
# 5xx on a blob, a HEAD and the manifest. The push retries, finishes, and the registry holds the
# built digest; a second push through the proxy uploads no blob. Then a registry that resets
# every blob upload: the push exits non-zero with one error line naming the blob and the
# attempts, and the tag does not exist. Go unit tests cover the many fault schedules
# (tools/pkg/push/faults_test.go); this checks the same through the real command line.
set -euo pipefail
# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
# shellcheck source=../lib/registry.sh
source "$E2E_REPO/tests/lib/registry.sh"

NAME=push_faults_test
cd "$E2E_REPO"
tmp=""
e2e_tmpdir tmp push-faults

e2e_step "building the image and the fault proxy"
e2e_run "bazel build //examples/go:image //examples/go:image.digest" "$tmp/build.log" \
  bazel build //examples/go:image //examples/go:image.digest
bin="$(bazel info bazel-bin 2>/dev/null)" || fail "bazel info bazel-bin" "failed"
digest="$(cat "$bin/examples/go/image.digest")"
assert_match "image.digest holds one sha256 digest" "$digest" '^sha256:[0-9a-f]{64}$'
layers="$(jq '.layers | length' "$bin/examples/go/image/blobs/sha256/${digest#sha256:}")"
e2e_run "go build the fault proxy" "$tmp/go-build.log" \
  go build -o "$tmp/faultproxy" ./tools/internal/faultproxy/cmd/faultproxy
registry_start

PROXY="" PROXY_PID=""
# proxy_start SCHEDULE: starts the fault proxy in front of the registry; sets PROXY (host:port).
proxy_start() {
  rm -f "$tmp/proxy.addr" "$tmp/records.json"
  "$tmp/faultproxy" --upstream "http://$REGISTRY" --faults "$1" --addr-file "$tmp/proxy.addr" \
    --records "$tmp/records.json" 2>"$tmp/proxy.log" &
  PROXY_PID=$!
  local i
  for i in $(seq 100); do
    [ -s "$tmp/proxy.addr" ] && break
    kill -0 "$PROXY_PID" 2>/dev/null || fail "start the fault proxy" "$(cat "$tmp/proxy.log")"
    sleep 0.1
  done
  [ -s "$tmp/proxy.addr" ] || fail "start the fault proxy" "no address after 10s (tried $i times)"
  PROXY="$(cat "$tmp/proxy.addr")"
}
# proxy_stop: stops it; it writes the requests it saw to records.json.
proxy_stop() {
  [ -n "$PROXY_PID" ] || return 0
  kill "$PROXY_PID" 2>/dev/null || true
  wait "$PROXY_PID" 2>/dev/null || true
  PROXY_PID=""
}
defer proxy_stop
# records FILTER: jq over the requests the proxy saw (stopped first).
records() { jq -r "$1" "$tmp/records.json"; }
# The registry's own answer, not through the proxy.
registry_status() { curl -s -o /dev/null -w '%{http_code}' -H 'Accept: application/vnd.oci.image.manifest.v1+json' "http://$REGISTRY$1"; }

e2e_step "push through resets and 5xx mid-upload"
schedule='PATCH upload #1 after=4096 reset; PATCH upload #2 after=1 503; HEAD blob #1 500; PUT manifest #1 503; PUT manifest #2 after=64 reset'
proxy_start "$schedule"
bazel run //examples/go:image.push -- --repository "$PROXY/e2e/go" --tag v1 --retry-wait 50ms \
  >"$tmp/push1.out" 2>"$tmp/push1.err" || fail "bazel run :image.push through faults" "$(tail -n 10 "$tmp/push1.err")"
_assert_ok "bazel run //examples/go:image.push -- --repository PROXY/e2e/go --tag v1 (through: $schedule)"
proxy_stop
assert_eq "push prints PROXY/REPO@DIGEST with the built digest" "$PROXY/e2e/go@$digest" "$(cat "$tmp/push1.out")"
assert_eq "every fault of the schedule happened" "5" "$(records '[.[] | select(.Fault != "") | .Fault] | unique | length')"
retries="$(grep -c 'failed, retrying in' "$tmp/push1.err" || true)"
assert_match "each fault was retried (retries logged: $retries)" "$retries" '^([5-9]|[1-9][0-9]+)$'
assert_eq "the registry itself has the tag" "200" "$(registry_status /v2/e2e/go/manifests/v1)"
assert_eq "crane digest REGISTRY/e2e/go:v1 = the built digest" "$digest" "$(crane digest "$REGISTRY/e2e/go:v1")"
out="$(crane validate --remote "$REGISTRY/e2e/go:v1" 2>&1)" || fail "crane validate --remote" "$out"
assert_contains "crane validate --remote passes (every blob has its digest)" "$out" "PASS"

e2e_step "a second push through the proxy uploads no blob"
proxy_start ""
bazel run //examples/go:image.push -- --repository "$PROXY/e2e/go" --tag v2 \
  >"$tmp/push2.out" 2>"$tmp/push2.err" || fail "second bazel run :image.push" "$(tail -n 10 "$tmp/push2.err")"
proxy_stop
assert_eq "the second push prints the same digest" "$PROXY/e2e/go@$digest" "$(cat "$tmp/push2.out")"
assert_eq "the second push made no upload request" "0" "$(records '[.[] | select(.Kind == "upload")] | length')"
assert_eq "the second push checked the config and $layers layers with one HEAD each" "$((layers + 1))" \
  "$(records '[.[] | select(.Kind == "blob" and .Method == "HEAD") | .Digest] | unique | length')"
assert_eq "... and no blob twice" "$((layers + 1))" \
  "$(records '[.[] | select(.Kind == "blob" and .Method == "HEAD")] | length')"

e2e_step "a push that cannot finish"
proxy_start 'PATCH upload #1+ after=1024 reset'
status=0
bazel run //examples/go:image.push -- --repository "$PROXY/e2e/gofail" --tag v1 --attempts 3 --retry-wait 10ms \
  >"$tmp/push3.out" 2>"$tmp/push3.err" || status=$?
proxy_stop
assert_ne "the push exits non-zero" "0" "$status"
assert_eq "it prints nothing on stdout" "" "$(cat "$tmp/push3.out")"
last="$(tail -n 1 "$tmp/push3.err")"
echo "    $last"
assert_match "its last line names the repository, the blob and the attempts" "$last" \
  "^distill push: pushing $PROXY/e2e/gofail:v1: uploading blob sha256:[0-9a-f]{64} \\([0-9]+ bytes\\): gave up after 3 attempts in [^:]+: "
assert_eq "no tag in the registry" "404" "$(registry_status /v2/e2e/gofail/manifests/v1)"
assert_eq "no manifest in the registry" "404" "$(registry_status "/v2/e2e/gofail/manifests/$digest")"

e2e_done "$NAME"
