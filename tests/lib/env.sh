# shellcheck shell=bash disable=SC2034 # the pins below are read by tests/setup.sh
# Sourced by the test scripts: says where tests/setup.sh keeps the tools it installs and puts
# them (and the host Go) on PATH. Safe to source more than once.
#
#   RULES_DISTILL_TOOLS  cache root, kept across checkouts and CI runs on one machine
#                        (default: ${XDG_CACHE_HOME:-$HOME/.cache}/rules_distill)
#   RULES_DISTILL_BIN    its bin/: crane, registry, buildifier
#   RULES_DISTILL_GO_SDK the Go < 1.20 SDK that rules_go v0.34.0 builds with

: "${RULES_DISTILL_TOOLS:=${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/rules_distill}"
RULES_DISTILL_BIN="$RULES_DISTILL_TOOLS/bin"
: "${RULES_DISTILL_GO_SDK:=/usr/lib/go-1.19}"
export RULES_DISTILL_TOOLS RULES_DISTILL_BIN RULES_DISTILL_GO_SDK

# Pinned versions of the Go-installed tools (module@version, as `go install` takes them).
CRANE_MODULE=github.com/google/go-containerregistry/cmd/crane
CRANE_VERSION=v0.22.1
REGISTRY_MODULE=github.com/distribution/distribution/v3/cmd/registry
REGISTRY_VERSION=v3.1.2
SYFT_MODULE=github.com/anchore/syft/cmd/syft
SYFT_VERSION=v1.57.1
# syft checks for a newer release on every start unless told not to.
export SYFT_CHECK_FOR_APP_UPDATE=false
# buildtools tags are not valid versions of its (v0) Go module: take a pseudo-version.
BUILDIFIER_MODULE=github.com/bazelbuild/buildtools/buildifier
BUILDIFIER_VERSION=v0.0.0-20260904073137-eaa4d125b423

_rules_distill_path_add() {
  case ":$PATH:" in
    *":$1:"*) ;;
    *) PATH="$1:$PATH" ;;
  esac
}
[ -x /usr/local/go/bin/go ] && _rules_distill_path_add /usr/local/go/bin
_rules_distill_path_add /usr/sbin # runc on Debian
_rules_distill_path_add "$RULES_DISTILL_BIN"
unset -f _rules_distill_path_add
export PATH
