"""`debian_packages`: the .deb files of a lock, fetched by sha256, as Bazel targets."""

load(":labels.bzl", "absolute_label")

def _run(rctx, what, command):
    result = rctx.execute(command, quiet = True)
    if result.return_code != 0:
        fail("debian_packages %s: %s failed: %s" % (rctx.attr.name, what, (result.stderr or result.stdout).strip()))
    return result.stdout

def _sha256(rctx, path):
    out = _run(rctx, "hashing " + str(path), ["sha256sum", str(path)])
    return out.split(" ")[0]

def _fetch(rctx, mirrors, package, output):
    """Downloads one .deb by sha256 (the repository cache makes a second fetch offline)."""
    roots = mirrors.get(package["archive"], [])
    if not roots:
        fail("debian_packages %s: no mirror for archive %r (package %s); set DISTILL_DEBIAN_MIRRORS=\"%s=URL\" or add it to the host's apt sources" % (
            rctx.attr.name,
            package["archive"],
            package["name"],
            package["archive"],
        ))
    urls = [root.rstrip("/") + "/" + package["filename"] for root in roots]
    result = rctx.download(url = urls, output = output, sha256 = package["sha256"], allow_fail = True)
    if result.success:
        return

    # Say which: a different file (the lock or the mirror is wrong) or no file at all. Bazel
    # refuses a download without a checksum over plain http, so the probe uses curl.
    probe = output + ".probe"
    curl = rctx.which("curl")
    for url in (urls if curl else []):
        if rctx.execute([curl, "-fsSL", "--max-time", "300", "-o", probe, url], quiet = True).return_code != 0:
            continue
        got = _sha256(rctx, rctx.path(probe))
        rctx.delete(probe)
        if got == package["sha256"]:
            continue
        fail("debian_packages %s: %s %s (%s): sha256 mismatch for %s: got %s, the lock says %s; re-run the lock target if the archive changed" % (
            rctx.attr.name,
            package["name"],
            package["version"],
            package["for_architecture"],
            package["filename"],
            got,
            package["sha256"],
        ))
    fail("debian_packages %s: %s %s (%s): cannot download %s from any mirror of %r: %s" % (
        rctx.attr.name,
        package["name"],
        package["version"],
        package["for_architecture"],
        package["filename"],
        package["archive"],
        ", ".join(roots),
    ))

def _debian_packages_impl(rctx):
    lock_path = rctx.path(rctx.attr.lock)
    lock = json.decode(rctx.read(lock_path))
    distill = rctx.path(rctx.attr.distill)
    mirrors = json.decode(_run(rctx, "distill mirrors", [distill, "mirrors"]))

    fetched = {}
    for package in lock["packages"]:
        filename = package["filename"]
        if filename in fetched:
            continue  # an architecture-independent package, already fetched for another arch
        fetched[filename] = True
        _fetch(rctx, mirrors, package, "debs/" + filename.split("/")[-1])

    _run(rctx, "distill debian-build", [
        distill,
        "debian-build",
        "--lock",
        lock_path,
        "--source",
        str(rctx.attr.lock),
        "--defs",
        absolute_label(rctx.attr._defs),
        "--output",
        rctx.path("BUILD.bazel"),
    ])

debian_packages = repository_rule(
    implementation = _debian_packages_impl,
    doc = """The Debian packages of a lock file, fetched and turned into layer targets.

Each `.deb` is downloaded through Bazel's downloader with the sha256 from the lock (so the
repository cache makes later fetches offline); mirrors come from configuration at fetch time
(`DISTILL_DEBIAN_MIRRORS`, else the host's apt sources; see docs/debian.md), never from the lock.
The generated BUILD file (written by `distill debian-build` through buildtools) has:

| target | what |
|---|---|
| `@NAME//:<pkg>_<arch>` | `deb_layer` of one package (an alias of `<pkg>_all` for architecture-independent ones) |
| `@NAME//:<pkg>_<arch>_closure` | `layer_group`: the package and all it depends on, dependencies first |
| `@NAME//:packages_<arch>` | `layer_group`: every package of the lock for that architecture |

```starlark
load("@rules_distill//rules:repositories.bzl", "debian_packages")

debian_packages(
    name = "debian12",
    lock = "//images/debian12:packages.lock.json",
)
```
""",
    attrs = {
        "lock": attr.label(
            doc = "The lock file written by `debian_lock` / `distill lock`.",
            mandatory = True,
            allow_single_file = [".json"],
        ),
        "distill": attr.label(
            doc = "The distill helper (from `distill_register_toolchains`).",
            default = Label("@distill//:distill"),
            allow_single_file = True,
            executable = True,
            cfg = "exec",
        ),
        "_defs": attr.label(default = Label("//rules:defs.bzl")),
    },
    environ = ["DISTILL_DEBIAN_MIRRORS"],
)
