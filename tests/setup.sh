#!/usr/bin/env bash
# Installs what rules_distill's builds and end-to-end tests need on a Debian or Ubuntu machine,
# as root: Bazel 4.2.3 (Debian's bazel-bootstrap) with skylib and rules_java, Debian's Go 1.19
# SDK for rules_go, a JDK 17 (examples/java compiles its jar with the host javac and jar), Debian's
# aarch64 cross g++ (examples/cc cross-compiles its arm64 binary with it), the container tools
# (skopeo, umoci, podman, runc), nginx for the remote cache test, and crane, distribution's
# registry, buildifier and syft built with the host Go into a cache that outlives the checkout
# (see tests/lib/env.sh).
#
# Idempotent: it skips what is already there and prints nothing but a closing summary unless a
# step fails, in which case it prints that step's output. Needs the host Go (>= 1.24) for the Go
# tools; the machine's apt sources and Go proxy settings are used as they are.
#
# Usage: tests/setup.sh          then, in test scripts: source tests/lib/env.sh
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source-path=SCRIPTDIR source=lib/env.sh
source "$here/lib/env.sh"

APT_PACKAGES=(
  bazel-bootstrap bazel-skylib bazel-rules-java
  golang-1.19-go
  openjdk-17-jdk-headless
  g++-aarch64-linux-gnu
  skopeo umoci podman runc
  qemu-user-static
  nginx
  pigz zstd time
  ca-certificates curl file git jq shellcheck
)

log="$(mktemp)"
trap 'rm -f "$log"' EXIT

die() {
  echo "tests/setup.sh: $*" >&2
  exit 1
}

# quietly runs a command; on failure prints its output and what failed, and exits.
quietly() {
  if ! "$@" >"$log" 2>&1; then
    cat "$log" >&2
    die "failed: $*"
  fi
}

installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'ok installed'
}

install_apt_packages() {
  local missing=() p
  for p in "${APT_PACKAGES[@]}"; do
    installed "$p" || missing+=("$p")
  done
  [ "${#missing[@]}" -eq 0 ] && return 0

  # Keep package scripts from starting services (nginx would take port 80) on machines that do
  # not already forbid it; remove the guard again afterwards.
  local guard=/usr/sbin/policy-rc.d made_guard=""
  if [ ! -e "$guard" ]; then
    printf '#!/bin/sh\n# Written by rules_distill tests/setup.sh while it installs packages.\nexit 101\n' >"$guard"
    chmod 0755 "$guard"
    made_guard=1
    # shellcheck disable=SC2064 # expand now: the paths are fixed
    trap "rm -f '$log' '$guard'" EXIT
  fi
  export DEBIAN_FRONTEND=noninteractive
  # Refresh the package lists when there are none or an install from the old ones fails.
  if ! compgen -G '/var/lib/apt/lists/*Packages*' >/dev/null ||
    ! apt-get install -y -q -o DPkg::Lock::Timeout=300 "${missing[@]}" >"$log" 2>&1; then
    quietly apt-get update -q -o DPkg::Lock::Timeout=300
    quietly apt-get install -y -q -o DPkg::Lock::Timeout=300 "${missing[@]}"
  fi
  [ -n "$made_guard" ] && rm -f "$guard"
  return 0
}

# go_tool NAME MODULE VERSION: go install MODULE@VERSION into $RULES_DISTILL_BIN unless the
# binary there was already built from that version.
go_tool() {
  local bin="$RULES_DISTILL_BIN/$1" module="$2" version="$3"
  if [ -x "$bin" ] && [ "$(go version -m "$bin" 2>/dev/null | awk '$1 == "mod" { print $3; exit }')" = "$version" ]; then
    return 0
  fi
  # Outside the checkout and without its GOFLAGS (-mod=vendor): `go install M@V` builds the
  # tool's own module graph.
  (cd / && quietly env GOBIN="$RULES_DISTILL_BIN" GOFLAGS= go install "$module@$version")
  [ -x "$bin" ] || die "go install $module@$version left no $bin"
}

[ "$(id -u)" -eq 0 ] || die "run as root: it installs Debian packages"
command -v apt-get >/dev/null || die "needs apt-get (Debian or Ubuntu)"

install_apt_packages
[ -x "$RULES_DISTILL_GO_SDK/bin/go" ] || die "no Go SDK at $RULES_DISTILL_GO_SDK after installing golang-1.19-go"
[ -d /usr/share/bazel/tools/skylib ] || die "no /usr/share/bazel/tools/skylib after installing bazel-skylib"

command -v go >/dev/null || die "needs the host Go (>= 1.24) on PATH or at /usr/local/go/bin/go to build crane, registry and buildifier"
mkdir -p "$RULES_DISTILL_BIN"
go_tool crane "$CRANE_MODULE" "$CRANE_VERSION"
go_tool registry "$REGISTRY_MODULE" "$REGISTRY_VERSION"
go_tool buildifier "$BUILDIFIER_MODULE" "$BUILDIFIER_VERSION"
go_tool syft "$SYFT_MODULE" "$SYFT_VERSION"

version_of() { dpkg-query -W -f='${Version}' "$1"; }
cat <<SUMMARY
tests/setup.sh: ready. Test scripts: source tests/lib/env.sh (puts $RULES_DISTILL_BIN on PATH).
  crane       $RULES_DISTILL_BIN/crane ($CRANE_VERSION)
  registry    $RULES_DISTILL_BIN/registry ($REGISTRY_VERSION)
  buildifier  $RULES_DISTILL_BIN/buildifier ($BUILDIFIER_VERSION)
  syft        $RULES_DISTILL_BIN/syft ($SYFT_VERSION)
  go          $(command -v go) ($(go env GOVERSION)); rules_go SDK $RULES_DISTILL_GO_SDK ($("$RULES_DISTILL_GO_SDK/bin/go" env GOVERSION))
  bazel       $(command -v bazel) ($(version_of bazel-bootstrap))
  podman      $(command -v podman) ($(version_of podman)), runc $(version_of runc), skopeo $(version_of skopeo), umoci $(version_of umoci), nginx $(version_of nginx)
SUMMARY
