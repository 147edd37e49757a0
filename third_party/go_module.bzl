"""go_module: a repository rule that fetches a Go module through the host `go` command.

The module is fetched with `go mod download -json MODULE@VERSION`, so it comes from wherever the
host's Go configuration says (GOPROXY, GOPRIVATE, GONOSUMDB, GOFLAGS... from the environment or
`go env -w`), lands in the shared Go module cache (GOMODCACHE) and is checked against `sum`. A
fresh Bazel output base therefore costs one zip extraction once the module is in that cache.
"""

_GO_FALLBACK = "/usr/local/go/bin/go"

def _find_go(rctx):
    if rctx.attr.go:
        return rctx.path(rctx.attr.go)
    go = rctx.which("go")
    if go:
        return go
    fallback = rctx.path(_GO_FALLBACK)
    if fallback.exists:
        return fallback
    fail("go_module(%s): no `go` command on PATH and none at %s; install Go or set go = \"/path/to/go\"" % (rctx.name, _GO_FALLBACK))

def _go_module_impl(rctx):
    spec = "%s@%s" % (rctx.attr.module, rctx.attr.version)
    go = _find_go(rctx)

    # Run outside any module or workspace and without GOFLAGS (the checkout's helper builds use
    # -mod=vendor). The proxy settings come from the environment or the go env file, never from
    # here; with GOPROXY=off a module already in the module cache is still found.
    env = {
        "GO111MODULE": "on",
        "GOFLAGS": "",
        "GOTOOLCHAIN": "local",
        "GOWORK": "off",
    }
    result = rctx.execute(
        [go, "mod", "download", "-json", spec],
        environment = env,
        timeout = rctx.attr.timeout,
        quiet = True,
    )

    # On failure `go` still prints the JSON object, with an Error field.
    info = {}
    if result.stdout.strip().startswith("{"):
        info = json.decode(result.stdout)
    if result.return_code != 0 or info.get("Error"):
        fail("go_module(%s): `go mod download -json %s` failed (exit %d): %s %s" % (
            rctx.name,
            spec,
            result.return_code,
            info.get("Error", ""),
            result.stderr.strip(),
        ))

    got = info.get("Sum", "")
    if got != rctx.attr.sum:
        fail("go_module(%s): %s has sum %r, but sum = %r was expected; check the version, then set sum = %r" % (
            rctx.name,
            spec,
            got,
            rctx.attr.sum,
            got,
        ))

    # The module zip holds exactly the module's files under "PATH@VERSION/"; extracting it gives
    # writable copies (the unpacked Dir in the module cache is read-only).
    zip_path = info.get("Zip", "")
    if zip_path and rctx.path(zip_path).exists:
        rctx.extract(zip_path, stripPrefix = spec)
    else:
        result = rctx.execute(["cp", "-R", info["Dir"] + "/.", "."])
        if result.return_code != 0:
            fail("go_module(%s): copying %s: %s" % (rctx.name, info["Dir"], result.stderr))
        rctx.execute(["chmod", "-R", "u+w", "."])

    if not rctx.path("WORKSPACE").exists and not rctx.path("WORKSPACE.bazel").exists:
        rctx.file("WORKSPACE", "workspace(name = %r)\n" % rctx.name)

go_module = repository_rule(
    implementation = _go_module_impl,
    doc = """Fetches a Go module with `go mod download -json` and makes it a Bazel repository.

Meant for Bazel rule sets published as Go modules (rules_go, gazelle) on machines that reach
only a Go module proxy. The content is pinned by the module's go.sum hash.

Example:

```python
load("//third_party:go_module.bzl", "go_module")

go_module(
    name = "io_bazel_rules_go",
    module = "github.com/bazelbuild/rules_go",
    version = "v0.34.0",
    sum = "h1:cmObMtgIOaEU944SqXtJ9DnlS8IPGGa7pdRnsrpQzXM=",
)
```
""",
    attrs = {
        "module": attr.string(
            mandatory = True,
            doc = "The Go module path, e.g. `github.com/bazelbuild/rules_go`.",
        ),
        "version": attr.string(
            mandatory = True,
            doc = "The exact module version, e.g. `v0.34.0` (no queries such as `latest`).",
        ),
        "sum": attr.string(
            mandatory = True,
            doc = "The module's go.sum hash (`h1:...`), as `go mod download -json` prints it as `Sum`.",
        ),
        "go": attr.string(
            doc = "Absolute path of the `go` command to use. Default: `go` on PATH, then " + _GO_FALLBACK + ".",
        ),
        "timeout": attr.int(
            default = 600,
            doc = "Seconds to allow `go mod download`.",
        ),
    },
)
