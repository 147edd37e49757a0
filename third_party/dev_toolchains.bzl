"""Second phase of the development repositories: rules_go's own dependencies and the Go SDK.

Load this only after dev_dependencies() (from dev_deps.bzl) has declared @io_bazel_rules_go.
"""

load("@io_bazel_rules_go//go:deps.bzl", "go_local_sdk", "go_rules_dependencies")

def dev_toolchains(go_sdk_path = "/usr/lib/go-1.19"):
    """Declares rules_go's dependencies and registers a Go SDK from this machine.

    Args:
      go_sdk_path: GOROOT of a Go SDK older than 1.20 (rules_go v0.34.0 needs its precompiled
        standard library and `pack` tool); Debian's golang-1.19-go installs one here.
    """
    go_rules_dependencies()
    if "go_sdk" not in native.existing_rules():
        go_local_sdk(
            name = "go_sdk",
            path = go_sdk_path,
        )
