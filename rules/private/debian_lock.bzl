"""`debian_lock`: `bazel run` target that re-resolves a package manifest into its lock file."""

load(":launcher.bzl", "distill_launcher", "shell_quote")
load(":toolchain.bzl", "DISTILL_TOOLCHAIN")

_BODY = """if [[ -z "${{BUILD_WORKSPACE_DIRECTORY:-}}" ]]; then
  echo "{label}: run me with 'bazel run {label}' so that I can rewrite {lock} in your workspace" >&2
  exit 2
fi
cd "$BUILD_WORKSPACE_DIRECTORY"
exec "$distill" lock --manifest {manifest} --output {lock} {keyrings}"$@"
"""

def _debian_lock_impl(ctx):
    manifest = ctx.file.manifest
    if not manifest.is_source:
        fail("debian_lock %s: manifest must be a source file in the workspace, not %s" % (ctx.label, manifest.short_path))
    package = ctx.label.package
    lock = (package + "/" if package else "") + ctx.attr.lock
    body = _BODY.format(
        label = ctx.label,
        manifest = shell_quote(manifest.short_path),
        lock = shell_quote(lock),
        keyrings = "".join(["--keyring %s " % shell_quote(k) for k in ctx.attr.keyrings]),
    )
    return [distill_launcher(ctx, body)]

debian_lock = rule(
    implementation = _debian_lock_impl,
    doc = """`bazel run` target that resolves a package manifest against the signed Debian archive and
rewrites its lock file (exact versions, pool paths, sha256s) in the source tree.

```starlark
debian_lock(
    name = "lock",
    manifest = "packages.yaml",
    lock = "packages.lock.json",
)
```

`bazel run //images/debian12:lock` then `git diff` shows what the archive changed. Extra flags go
to `distill lock`: `bazel run :lock -- --mirror debian=http://...`. See docs/debian.md.
""",
    attrs = {
        "manifest": attr.label(
            doc = "The package manifest (YAML, see docs/debian.md).",
            mandatory = True,
            allow_single_file = [".yaml", ".yml", ".json"],
        ),
        "lock": attr.string(
            doc = "The lock file to write, relative to this package.",
            default = "packages.lock.json",
        ),
        "keyrings": attr.string_list(
            doc = "OpenPGP keyrings (absolute paths) that sign the archives; default: those named in the manifest, else the host's Debian archive keyring.",
        ),
    },
    executable = True,
    toolchains = [DISTILL_TOOLCHAIN],
)
