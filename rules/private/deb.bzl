"""`deb_layer`: one Debian package → one layer."""

load(":layer.bzl", "COMPRESSION_ATTRS", "layer_action")
load(":providers.bzl", "DebInfo")
load(":toolchain.bzl", "DISTILL_TOOLCHAIN")

def deb_file(where, attr):
    """The .deb of a `deb` attribute.

    Args:
      where: the rule and target, for error messages.
      attr: the attribute's target: a .deb file, or a target with DebInfo (a deb_layer).

    Returns:
      The .deb File.
    """
    if DebInfo in attr:
        return attr[DebInfo].deb
    files = attr.files.to_list()
    if len(files) != 1 or not files[0].basename.endswith(".deb"):
        fail("%s: deb: %s is neither a .deb file nor a deb_layer" % (where, attr.label))
    return files[0]

def _deb_layer_impl(ctx):
    deb = deb_file("deb_layer %s" % ctx.label, ctx.attr.deb)
    arguments = ["--deb", deb.path]
    if ctx.attr.merged_usr:
        arguments.append("--merged-usr")
    if ctx.attr.keep_docs:
        arguments.append("--keep-docs")
    for pattern in ctx.attr.include:
        arguments.extend(["--include", pattern])
    for pattern in ctx.attr.exclude:
        arguments.extend(["--exclude", pattern])
    return layer_action(
        ctx,
        command = "deb-layer",
        arguments = arguments,
        inputs = [deb],
        mnemonic = "DistillDebLayer",
    ) + [DebInfo(deb = deb)]

deb_layer = rule(
    implementation = _deb_layer_impl,
    doc = """One layer from one Debian package, with the dpkg metadata scanners read.

The package's files keep their modes, owners, symlinks and hardlinks; every timestamp is
SOURCE_DATE_EPOCH. `/var/lib/dpkg/status.d/<pkg>` holds the control file and
`/var/lib/dpkg/status.d/<pkg>.md5sums` the md5sums, so syft, trivy and grype see the package.
Documentation is dropped except `/usr/share/doc/<pkg>/copyright` (the license). Entries that
escape the root, device nodes and broken archives fail the build; setuid/setgid files are reported.

`debian_packages` generates one `deb_layer` per locked package; write one by hand only for a
`.deb` of your own:

```starlark
deb_layer(
    name = "mytool",
    deb = "mytool_1.0_amd64.deb",
)
```
""",
    attrs = dict({
        "deb": attr.label(
            doc = "The `.deb` file, or another `deb_layer` (e.g. `@debian12//:libc-bin_amd64`) to take its package with other filters.",
            mandatory = True,
            allow_files = True,
        ),
        "include": attr.string_list(
            doc = "Keep only entries matching these globs (image paths without the leading slash; `**` spans directories), plus their parents and the dpkg metadata, e.g. `[\"usr/lib/locale/C.utf8/**\"]`.",
        ),
        "exclude": attr.string_list(
            doc = "Drop entries matching these globs.",
        ),
        "merged_usr": attr.bool(
            doc = "Move /bin, /sbin, /lib* entries under /usr and never write those top-level directories, so the merged-usr symlinks of the base stay symlinks (Debian 13 and later).",
        ),
        "keep_docs": attr.bool(
            doc = "Keep /usr/share/doc, man and info pages (default: only each package's copyright file).",
        ),
    }, **COMPRESSION_ATTRS),
    toolchains = [DISTILL_TOOLCHAIN],
)
