# shellcheck shell=bash
# Fallback runner for when podman cannot be used: unpack an OCI image layout into a runtime
# bundle with umoci and run it with runc directly. The container shares the host network
# namespace, so a server in it answers on 127.0.0.1.
#
#   runc_setup                        private runc state dir; exports RUNC_ROOT; cleans at exit
#   oci_layout_from_tarball TAR DIR TAG
#                                     docker-archive tarball -> OCI layout (skopeo)
#   runc_bundle LAYOUT TAG BUNDLE [JQ]
#                                     umoci unpack + config.json tweaks (terminal off, no network
#                                     namespace) and an optional extra jq filter, e.g.
#                                     '.process.env += ["PORT=9090"]'
#   runc_start BUNDLE ID              runs detached; stdout and stderr go to $RUNC_ROOT/ID.log
#   runc_logs ID                      prints that log
#   runc_stop ID [SECONDS]            SIGTERM, then SIGKILL after SECONDS (10), then delete
#   runc_cleanup                      deletes every container started here and the state dir
[ -n "${_RULES_DISTILL_RUNC_SH:-}" ] && return 0
_RULES_DISTILL_RUNC_SH=1

# shellcheck source-path=SCRIPTDIR source=cleanup.sh
source "$(dirname "${BASH_SOURCE[0]}")/cleanup.sh"

_runc_ids=()

runc_setup() {
  local tool
  for tool in runc umoci jq; do
    command -v "$tool" >/dev/null || {
      echo "runc_setup: no $tool on PATH: run tests/setup.sh" >&2
      return 1
    }
  done
  RUNC_ROOT="$(mktemp -d "${TMPDIR:-/tmp}/rules_distill-runc.XXXXXX")"
  export RUNC_ROOT
  defer runc_cleanup
}

oci_layout_from_tarball() {
  local tar="$1" dir="$2" tag="$3"
  skopeo copy --quiet "docker-archive:$tar" "oci:$dir:$tag" >/dev/null
}

runc_bundle() {
  local layout="$1" tag="$2" bundle="$3" extra="${4:-.}" tmp
  [ -f "$layout/index.json" ] || {
    echo "runc_bundle: $layout is not an OCI image layout (no index.json)" >&2
    return 1
  }
  # umoci finds images by the org.opencontainers.image.ref.name annotation. A layout without it
  # (one manifest, no name) is copied and named TAG; the original is never changed.
  if ! jq -e --arg tag "$tag" \
    '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == $tag)' \
    "$layout/index.json" >/dev/null; then
    if [ "$(jq '.manifests | length' "$layout/index.json")" != 1 ]; then
      echo "runc_bundle: $layout has no manifest named '$tag' and more than one manifest" >&2
      return 1
    fi
    tmp="$(mktemp -d "${RUNC_ROOT:-${TMPDIR:-/tmp}}/layout.XXXXXX")"
    cp -R "$layout/." "$tmp/"
    chmod -R u+w "$tmp"
    jq --arg tag "$tag" '.manifests[0].annotations["org.opencontainers.image.ref.name"] = $tag' \
      "$layout/index.json" >"$tmp/index.json"
    layout="$tmp"
  fi
  umoci unpack --image "$layout:$tag" "$bundle" >/dev/null || {
    echo "runc_bundle: umoci unpack --image $layout:$tag $bundle failed" >&2
    return 1
  }
  jq ".process.terminal = false
      | .linux.namespaces |= map(select(.type != \"network\"))
      | $extra" "$bundle/config.json" >"$bundle/config.json.new"
  mv "$bundle/config.json.new" "$bundle/config.json"
}

runc_start() {
  local bundle="$1" id="$2"
  [ -n "${RUNC_ROOT:-}" ] || {
    echo "runc_start: call runc_setup first" >&2
    return 1
  }
  runc --root "$RUNC_ROOT" run --detach --bundle "$bundle" "$id" \
    >"$RUNC_ROOT/$id.log" 2>&1 </dev/null || {
    echo "runc_start: runc run $id failed:" >&2
    cat "$RUNC_ROOT/$id.log" >&2
    return 1
  }
  _runc_ids+=("$id")
}

runc_logs() {
  cat "$RUNC_ROOT/$1.log"
}

# runc_status ID: prints created, running, stopped or nothing when runc does not know ID.
runc_status() {
  runc --root "$RUNC_ROOT" state "$1" 2>/dev/null | jq -r .status
}

runc_stop() {
  local id="$1" seconds="${2:-10}" deadline
  if [ "$(runc_status "$id")" = running ]; then
    runc --root "$RUNC_ROOT" kill "$id" TERM 2>/dev/null || true
    deadline=$((SECONDS + seconds))
    while [ "$(runc_status "$id")" = running ] && ((SECONDS < deadline)); do
      sleep 0.1
    done
  fi
  runc --root "$RUNC_ROOT" delete --force "$id" 2>/dev/null || true
}

runc_cleanup() {
  [ -n "${RUNC_ROOT:-}" ] && [ -d "$RUNC_ROOT" ] || return 0
  local id
  for id in "${_runc_ids[@]}"; do
    runc --root "$RUNC_ROOT" delete --force "$id" >/dev/null 2>&1 || true
  done
  _runc_ids=()
  rm -rf "$RUNC_ROOT"
  unset RUNC_ROOT
}
