# shellcheck shell=bash
# A private OCI registry (distribution's `registry`, installed by tests/setup.sh) on 127.0.0.1,
# with filesystem storage in a temporary directory.
#
#   registry_start     starts it; exports REGISTRY (host:port), REGISTRY_PID, REGISTRY_DIR and
#                      stops it at exit (see cleanup.sh)
#   registry_stop      stops it and removes its storage
#
# Plain HTTP: crane and skopeo (--dest-tls-verify=false) reach 127.0.0.1 without TLS.
[ -n "${_RULES_DISTILL_REGISTRY_SH:-}" ] && return 0
_RULES_DISTILL_REGISTRY_SH=1

# shellcheck source-path=SCRIPTDIR source=cleanup.sh
source "$(dirname "${BASH_SOURCE[0]}")/cleanup.sh"
# shellcheck source-path=SCRIPTDIR source=net.sh
source "$(dirname "${BASH_SOURCE[0]}")/net.sh"

registry_start() {
  local bin port
  bin="$(command -v registry)" || {
    echo "registry_start: no 'registry' on PATH: run tests/setup.sh and source tests/lib/env.sh" >&2
    return 1
  }
  REGISTRY_DIR="$(mktemp -d "${TMPDIR:-/tmp}/rules_distill-registry.XXXXXX")"
  defer registry_stop
  for _ in 1 2 3 4 5; do
    port="$(free_port)" || return 1
    cat >"$REGISTRY_DIR/config.yml" <<CONFIG
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $REGISTRY_DIR/data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
CONFIG
    # No telemetry exporters: nothing of the registry's leaves the machine.
    OTEL_SDK_DISABLED=true OTEL_TRACES_EXPORTER=none OTEL_METRICS_EXPORTER=none OTEL_LOGS_EXPORTER=none \
      "$bin" serve "$REGISTRY_DIR/config.yml" >"$REGISTRY_DIR/registry.log" 2>&1 </dev/null &
    REGISTRY_PID=$!
    if wait_http "http://127.0.0.1:$port/v2/" 30 "$REGISTRY_PID" 2>/dev/null; then
      REGISTRY="127.0.0.1:$port"
      export REGISTRY REGISTRY_PID REGISTRY_DIR
      return 0
    fi
    # Most likely the port was taken in between: try another one.
    kill "$REGISTRY_PID" 2>/dev/null || true
    wait "$REGISTRY_PID" 2>/dev/null || true
    REGISTRY_PID=""
  done
  echo "registry_start: the registry did not come up; its log:" >&2
  cat "$REGISTRY_DIR/registry.log" >&2
  return 1
}

registry_stop() {
  if [ -n "${REGISTRY_PID:-}" ]; then
    kill "$REGISTRY_PID" 2>/dev/null || true
    wait "$REGISTRY_PID" 2>/dev/null || true
  fi
  if [ -n "${REGISTRY_DIR:-}" ]; then
    rm -rf "$REGISTRY_DIR"
  fi
  REGISTRY="" REGISTRY_PID="" REGISTRY_DIR=""
}
