"""Rules of the example."""

load(":settings.bzl", "COMMON_ATTRS", "FORMATS")

def _bundle_impl(ctx):
    pass

bundle = rule(
    implementation = _bundle_impl,
    doc = """Bundles files into one archive.

```starlark
bundle(name = "b", srcs = ["a.txt"])
```
""",
    attrs = dict({
        "srcs": attr.label_list(doc = "Files to bundle.", allow_files = True),
        "out": attr.output(doc = "The archive.", mandatory = True),
        "format": attr.string(doc = "Archive format.", default = "tar", values = FORMATS),
        "_tool": attr.label(default = "//tools:bundler"),
    }, **COMMON_ATTRS),
)

_STAMP_ATTRS = {
    "stamp": attr.int(doc = "1 stamps, 0 does not, -1 follows --stamp.", default = -1, values = [-1, 0, 1]),
}

stamp = rule(
    implementation = _bundle_impl,
    doc = "Stamps a file.",
    attrs = _STAMP_ATTRS | {"flags": attr.string_dict(doc = "Key | value pairs.")},
)
