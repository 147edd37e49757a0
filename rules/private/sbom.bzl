"""`image_sbom`: the SPDX 2.3 JSON SBOM of an image, from its declared inputs."""

load(":providers.bzl", "ImageInfo")
load(":settings.bzl", "SOURCE_DATE_EPOCH_ATTR", "source_date_epoch_env")
load(":toolchain.bzl", "DISTILL_TOOLCHAIN", "distill_binary")

def _label_string(label):
    """The label as `//pkg:name` (`@repo//pkg:name` outside the main repository), the same on every Bazel."""
    repo = "@" + label.workspace_name if label.workspace_name else ""
    return "%s//%s:%s" % (repo, label.package, label.name)

def _image_sbom_impl(ctx):
    where = "image_sbom %s" % ctx.label
    image = ctx.attr.image[ImageInfo]
    contents = getattr(image, "contents", None) or []
    if len(contents) != len(image.blobs) or None in contents:
        fail("%s: image %s has layers made without SBOM contents (a LayerInfo without `contents`); build every layer with image_layer, deb_layer or another rules_distill layer rule" % (
            where,
            ctx.attr.image.label,
        ))
    out = ctx.actions.declare_file(ctx.label.name)
    args = ctx.actions.args()
    args.add("sbom")
    args.add("--image", image.image)
    args.add("--name", _label_string(ctx.attr.image.label))
    args.add_all(contents, before_each = "--contents")
    args.add("--os", image.os)
    args.add("--architecture", image.architecture)
    args.add("--output", out)
    ctx.actions.run(
        executable = distill_binary(ctx),
        arguments = [args],
        inputs = [image.image] + contents,
        outputs = [out],
        env = source_date_epoch_env(ctx),
        mnemonic = "DistillSbom",
        progress_message = "Writing SBOM %s" % out.short_path,
    )
    return [DefaultInfo(files = depset([out]))]

image_sbom = rule(
    implementation = _image_sbom_impl,
    doc = """The SPDX 2.3 JSON SBOM of an image, made from its declared inputs rather than a scan.

The output file is named after the target (`<name>`, e.g. `image.spdx.json`).

`distroless_image(name = "image")` already has one: `:image.spdx.json`. The document describes
the image (its manifest digest) and lists every Debian package of its layers (name, version,
architecture, source package, the `.deb`'s sha256, the license its machine-readable copyright
file declares or NOASSERTION, a `pkg:deb/debian/...?arch=...&distro=...` purl) and every regular
file of its other layers with its sha256. Each layer action records this in the same pass that
writes the layer; this rule reads only those small records and the image descriptor. The
creation time is SOURCE_DATE_EPOCH and the namespace is derived from the image digest, so the
same image always gives the same bytes. See docs/sbom.md.

```starlark
image_sbom(
    name = "image.spdx.json",
    image = ":image",
)
```
""",
    attrs = dict({
        "image": attr.label(
            doc = "The image (a `distroless_image`).",
            mandatory = True,
            providers = [ImageInfo],
        ),
    }, **SOURCE_DATE_EPOCH_ATTR),
    toolchains = [DISTILL_TOOLCHAIN],
)
