"""`layer_group`: several layers under one label."""

load(":providers.bzl", "LayerInfo", "LayersInfo")

def flatten_layers(targets):
    """The layers of targets, in order, without repeats.

    Args:
      targets: targets that provide LayerInfo (one layer) or LayersInfo (a group).

    Returns:
      A list of LayerInfo.
    """
    layers = []
    seen = {}
    for target in targets:
        group = [target[LayerInfo]] if LayerInfo in target else target[LayersInfo].layers
        for layer in group:
            if layer.descriptor.path not in seen:
                seen[layer.descriptor.path] = True
                layers.append(layer)
    return layers

def _layer_group_impl(ctx):
    layers = flatten_layers(ctx.attr.layers)
    files = [f for layer in layers for f in (layer.blob, layer.descriptor)]
    return [
        DefaultInfo(files = depset(files), runfiles = ctx.runfiles(files = files)),
        LayersInfo(layers = layers),
    ]

layer_group = rule(
    implementation = _layer_group_impl,
    doc = """Several layers under one label, usable wherever a layer is (`distroless_image.layers`).

A layer that appears twice (directly or through nested groups) is kept once, at its first place.

```starlark
layer_group(
    name = "python_runtime",
    layers = ["@debian12//:python3.11-minimal_amd64_closure", ":site_packages"],
)
```
""",
    attrs = {
        "layers": attr.label_list(
            doc = "Layers (`image_layer`, `deb_layer`) and other `layer_group`s, in order.",
            providers = [[LayerInfo], [LayersInfo]],
        ),
    },
)
