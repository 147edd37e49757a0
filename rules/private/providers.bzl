"""Providers that carry layers and images between rules_distill rules."""

LayerInfo = provider(
    doc = "A layer built by `image_layer`: its compressed blob and its descriptor.",
    fields = {
        "blob": "File: the compressed layer tar (gzip, zstd or none).",
        "descriptor": "File: JSON descriptor (mediaType, digest, size, diffID) written with the blob.",
        "contents": "File: JSON of what the layer holds for the SBOM (its Debian package, or each regular file's path and sha256), written with the blob; None for a layer made otherwise.",
    },
)

ImageInfo = provider(
    doc = "An image built by `distroless_image`.",
    fields = {
        "image": "File: JSON with the manifest, config and layer descriptors (IMAGE.json).",
        "config": "File: the image config blob.",
        "manifest": "File: the image manifest blob.",
        "digest": "File: the manifest digest, `sha256:<hex>`.",
        "blobs": "list of File: every layer blob in image order, base layers first.",
        "contents": "list of File: the SBOM contents JSON of each layer, parallel to `blobs` (None for a layer without one).",
        "layout": "File: the OCI image layout directory.",
        "os": "string: the image's operating system.",
        "architecture": "string: the image's CPU architecture.",
        "variant": "string: the CPU variant, or empty.",
    },
)

LayersInfo = provider(
    doc = "An ordered group of layers (`layer_group`, the package sets of `debian_packages`).",
    fields = {
        "layers": "list of LayerInfo, in image order, without repeats.",
    },
)

DebInfo = provider(
    doc = "The Debian package behind a `deb_layer`.",
    fields = {
        "deb": "File: the .deb.",
    },
)
