"""`deb_layer`: one Debian package → one layer."""

load(":layer.bzl", "COMPRESSION_ATTRS", "layer_action")
load(":toolchain.bzl", "DISTILL_TOOLCHAIN")

def _deb_layer_impl(ctx):
    arguments = ["--deb", ctx.file.deb.path]
    if ctx.attr.merged_usr:
        arguments.append("--merged-usr")
    if ctx.attr.keep_docs:
        arguments.append("--keep-docs")
    return layer_action(
        ctx,
        command = "deb-layer",
        arguments = arguments,
        inputs = [ctx.file.deb],
        mnemonic = "DistillDebLayer",
    )

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
            doc = "The `.deb` file.",
            mandatory = True,
            allow_single_file = [".deb"],
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
