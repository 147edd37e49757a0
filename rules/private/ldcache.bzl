"""`ld_so_cache_layer`: /etc/ld.so.cache for the libraries in an image's layers."""

load(":group.bzl", "flatten_layers")
load(":layer.bzl", "COMPRESSION_ATTRS", "layer_action")
load(":providers.bzl", "LayerInfo", "LayersInfo")
load(":toolchain.bzl", "DISTILL_TOOLCHAIN")

def _ld_so_cache_layer_impl(ctx):
    layers = flatten_layers(ctx.attr.layers)
    if not layers:
        fail("ld_so_cache_layer %s: layers is empty; give it every layer of the image" % ctx.label)
    arguments = ["--architecture", ctx.attr.architecture]
    for layer in layers:
        arguments.extend(["--layer", layer.blob.path])
    return layer_action(ctx, "ld-so-cache", arguments, [layer.blob for layer in layers], "DistillLdSoCache")

ld_so_cache_layer = rule(
    implementation = _ld_so_cache_layer_impl,
    doc = """`/etc/ld.so.cache` (0644 0:0) for the shared libraries in `layers`, byte for byte what
glibc's `ldconfig -X` (new cache format) writes for the same files, without running it.

It scans the directories ldconfig scans by default — `/lib/<triplet>`, `/usr/lib/<triplet>`,
`/lib`, `/usr/lib` — through the merged-/usr symlinks; `/etc/ld.so.conf`, hwcap subdirectories
and 32-bit libraries are not considered. Later layers override earlier ones (whiteouts too).
Give it every layer of the image, base images' layers included, and put it last.

```starlark
ld_so_cache_layer(
    name = "ld_so_cache",
    architecture = "amd64",
    layers = ["//images/debian12:python3_layers"],
)
```
""",
    attrs = dict({
        "layers": attr.label_list(
            doc = "Every layer of the image, in image order: `image_layer`, `deb_layer`, `layer_group`s.",
            providers = [[LayerInfo], [LayersInfo]],
            mandatory = True,
        ),
        "architecture": attr.string(
            doc = "The image's architecture: the ELF machine of the libraries to list.",
            default = "amd64",
            values = ["amd64", "arm64"],
        ),
    }, **COMPRESSION_ATTRS),
    toolchains = [DISTILL_TOOLCHAIN],
)
