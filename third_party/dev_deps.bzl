"""Repositories that rules_distill's own examples and tests need (not its users).

Everything comes from this machine: Debian's bazel-skylib and bazel-rules-java packages, stand-in
repositories under third_party/, rules_go through the Go module proxy (see go_module.bzl) and
Debian's Go 1.19 SDK. Nothing is downloaded from GitHub, which is not reachable here.

WORKSPACE use, in two phases (the second loads from @io_bazel_rules_go):

```python
load("//third_party:dev_deps.bzl", "dev_dependencies")

dev_dependencies()

load("//third_party:dev_toolchains.bzl", "dev_toolchains")

dev_toolchains()
```
"""

load("//third_party:go_module.bzl", "go_module")

# rules_go v0.34.0 is the newest release that loads on Bazel 4.2.3; it needs a Go SDK < 1.20.
RULES_GO_VERSION = "v0.34.0"
RULES_GO_SUM = "h1:cmObMtgIOaEU944SqXtJ9DnlS8IPGGa7pdRnsrpQzXM="

def _maybe(rule, name, **kwargs):
    if name not in native.existing_rules():
        rule(name = name, **kwargs)

def dev_dependencies(debian_bazel = "/usr/share/bazel"):
    """Declares the first phase of the development repositories.

    A repository already declared under the same name is left as it is.

    Args:
      debian_bazel: where Debian's bazel-skylib and bazel-rules-java packages put their trees.
    """
    _maybe(
        native.local_repository,
        name = "bazel_skylib",
        path = debian_bazel + "/tools/skylib",
    )
    _maybe(
        native.local_repository,
        name = "rules_java",
        path = debian_bazel + "/rules/java",
    )
    _maybe(
        native.local_repository,
        name = "rules_cc",
        path = "third_party/rules_cc",
    )
    _maybe(
        native.local_repository,
        name = "remote_coverage_tools",
        path = "third_party/remote_coverage_tools",
    )
    _maybe(
        go_module,
        name = "io_bazel_rules_go",
        module = "github.com/bazelbuild/rules_go",
        version = RULES_GO_VERSION,
        sum = RULES_GO_SUM,
    )
