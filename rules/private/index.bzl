"""`image_index`: per-platform images → one OCI image index, with `.digest`, `.tar`, `.push`, `.load`."""

load(":launcher.bzl", "PUSH_ATTRS", "distill_launcher", "push_launcher", "runfiles_path", "shell_quote")
load(":outputs.bzl", "digest_filegroup")
load(":providers.bzl", "ImageInfo")
load(":toolchain.bzl", "DISTILL_TOOLCHAIN", "distill_binary")

ImageIndexInfo = provider(
    doc = "An OCI image index built by `image_index`.",
    fields = {
        "index": "File: the image index manifest blob (JSON).",
        "digest": "File: the index digest, `sha256:<hex>`.",
        "layout": "File: the OCI image layout directory holding the index and every image's blobs.",
        "platforms": "list of string: the images' platforms, `os/architecture[/variant]`, in index order.",
    },
)

# `uname -m` → the OCI architecture (and variant) it runs natively.
_UNAME = {
    "x86_64": "amd64",
    "aarch64": "arm64",
    "arm64": "arm64",
}

def _platform(image):
    return "/".join([image.os, image.architecture] + ([image.variant] if image.variant else []))

def _image_platforms(where, images):
    """The platform of each image; fails on a repeat or an arm64 image without its variant."""
    seen = {}
    platforms = []
    for target in images:
        image = target[ImageInfo]
        platform = _platform(image)
        if image.architecture == "arm64" and image.variant != "v8":
            fail("%s: images: %s is arm64 with variant %r; arm64 images in an index carry variant \"v8\": set variant = \"v8\" on it" % (
                where,
                target.label,
                image.variant,
            ))
        if platform in seen:
            fail("%s: images: %s and %s are both %s; an index holds one image per platform: keep one of them" % (
                where,
                seen[platform],
                target.label,
                platform,
            ))
        seen[platform] = target.label
        platforms.append(platform)
    return platforms

def _image_index_impl(ctx):
    where = "image_index %s" % ctx.label
    if not ctx.attr.images:
        fail("%s: images is empty; list the per-platform images, e.g. images = [\":image\", \":arm64_image\"]" % where)
    platforms = _image_platforms(where, ctx.attr.images)
    images = [target[ImageInfo] for target in ctx.attr.images]

    layout = ctx.actions.declare_directory(ctx.label.name)
    index = ctx.actions.declare_file(ctx.label.name + "_/index.json")
    digest = ctx.actions.declare_file(ctx.label.name + ".digest")
    args = ctx.actions.args()
    args.add("index")
    for platform, image in zip(platforms, images):
        args.add("--image", "%s=%s" % (platform, image.layout.path))
    args.add("--ref-name", ctx.attr.ref_name)
    args.add("--output", layout.path)
    args.add("--index-out", index)
    args.add("--digest-out", digest)
    ctx.actions.run(
        executable = distill_binary(ctx),
        arguments = [args],
        inputs = [image.layout for image in images],
        outputs = [layout, index, digest],
        # Outside the sandbox the blobs are hard links to the images' layouts: the sandbox's bind
        # mounts would make every one a copy (the whole of both images, for each index). Never
        # remote-cached: like an image's layout, it would ship both images through the cache again.
        execution_requirements = {"no-remote": "1", "no-sandbox": "1"},
        mnemonic = "DistillIndex",
        progress_message = "Writing OCI image index %s" % ctx.label,
    )
    return [
        DefaultInfo(files = depset([layout]), runfiles = ctx.runfiles(files = [layout])),
        OutputGroupInfo(digest = depset([digest]), index = depset([index])),
        ImageIndexInfo(index = index, digest = digest, layout = layout, platforms = platforms),
    ]

image_index_rule = rule(
    implementation = _image_index_impl,
    doc = "The rule behind the `image_index` macro; use the macro.",
    attrs = {
        "images": attr.label_list(
            doc = "The per-platform images (`distroless_image`), one per platform, in index order.",
            mandatory = True,
            providers = [ImageInfo],
        ),
        "ref_name": attr.string(
            doc = "The `org.opencontainers.image.ref.name` annotation of the index in the layout's index.json.",
            default = "latest",
        ),
    },
    toolchains = [DISTILL_TOOLCHAIN],
)

def _index_archive_impl(ctx):
    index = ctx.attr.index[ImageIndexInfo]
    archive = ctx.actions.declare_file(ctx.label.name)
    args = ctx.actions.args()
    args.add("index")
    args.add("--archive", index.layout.path)
    args.add("--output", archive)
    ctx.actions.run(
        executable = distill_binary(ctx),
        arguments = [args],
        inputs = [index.layout],
        outputs = [archive],
        mnemonic = "DistillOCIArchive",
        progress_message = "Writing OCI archive %s" % ctx.label,
    )
    return [DefaultInfo(files = depset([archive]), runfiles = ctx.runfiles(files = [archive]))]

index_archive = rule(
    implementation = _index_archive_impl,
    doc = "An OCI archive (a tar of the index's OCI layout) for `skopeo copy --all oci-archive:…`. Built only when asked for.",
    attrs = {
        "index": attr.label(doc = "The `image_index`.", mandatory = True, providers = [ImageIndexInfo]),
    },
    toolchains = [DISTILL_TOOLCHAIN],
)

def _index_push_impl(ctx):
    return [push_launcher(ctx, ctx.attr.index[ImageIndexInfo].layout)]

index_push = rule(
    implementation = _index_push_impl,
    doc = "`bazel run` target: pushes every image of the index, then the index; `-- --repository HOST/REPO [--tag T]` at run time.",
    attrs = dict(
        PUSH_ATTRS,
        index = attr.label(doc = "The `image_index`.", mandatory = True, providers = [ImageIndexInfo]),
    ),
    executable = True,
    toolchains = [DISTILL_TOOLCHAIN],
)

_LOAD = """case "$(uname -m)" in
{machines}
  *) echo "{label}: no image in the index runs on this $(uname -m) machine (the index has {platforms})" >&2; exit 1 ;;
esac
exec "$distill" load --tarball "$runfiles/$tarball" "$@"
"""

def _index_load_impl(ctx):
    where = "image_index_load %s" % ctx.label
    if len(ctx.files.tarballs) != len(ctx.attr.images):
        fail("%s: %d tarballs for %d images; give the `.tar` of each image, in the order of images" % (
            where,
            len(ctx.files.tarballs),
            len(ctx.attr.images),
        ))
    platforms = _image_platforms(where, ctx.attr.images)
    by_arch = {}
    for target, tarball in zip(ctx.attr.images, ctx.files.tarballs):
        image = target[ImageInfo]
        if image.os == "linux" and image.architecture not in by_arch:
            by_arch[image.architecture] = tarball
    machines = [
        "  %s) tarball=%s ;;" % (machine, shell_quote(runfiles_path(ctx, by_arch[arch])))
        for machine, arch in _UNAME.items()
        if arch in by_arch
    ]
    body = _LOAD.format(
        machines = "\n".join(machines),
        label = ctx.label,
        platforms = ", ".join(platforms),
    )
    return [distill_launcher(ctx, body, by_arch.values())]

index_load = rule(
    implementation = _index_load_impl,
    doc = "`bazel run` target: loads the image of the index that runs on this machine (by `uname -m`) into podman or docker.",
    attrs = {
        "images": attr.label_list(doc = "The images of the index.", mandatory = True, providers = [ImageInfo]),
        "tarballs": attr.label_list(doc = "The docker-archive `.tar` of each image, in the order of `images`.", mandatory = True, allow_files = [".tar"]),
    },
    executable = True,
    toolchains = [DISTILL_TOOLCHAIN],
)

def _sibling(label, suffix):
    """`label` + suffix: the `.tar` target the `distroless_image` macro makes next to an image."""
    label = str(label)
    if label.startswith("@") or label.startswith("//") or label.startswith(":"):
        if ":" in label:
            return label + suffix
        return "%s:%s%s" % (label, label.split("/")[-1], suffix)
    return ":" + label + suffix

def image_index(name, images, ref_name = "latest", repository = "", tags_to_push = [], **kwargs):
    """An OCI image index over per-platform images, and its outputs.

    Each image is a `distroless_image` built for one platform (`architecture`, and `variant =
    "v8"` for arm64); the index lists them with their platforms, so `docker pull`, podman and
    Kubernetes nodes pick the image of their own architecture from one reference.

    `image_index(name = "image_index", images = [":image", ":arm64_image"])` creates:

    | target | what |
    |---|---|
    | `:image_index` | OCI image layout directory: `index.json` → the index → every image's manifest, config and layers |
    | `:image_index.digest` | file with the index digest `sha256:…` |
    | `:image_index.tar` | OCI archive of that layout (`skopeo copy --all oci-archive:…`), built on demand. Not a docker-archive: that format holds images, not an index, so a multi-platform docker-archive would lose the index and its digest |
    | `:image_index.load` | `bazel run` loads the image for this machine's architecture (`uname -m`) into podman or docker |
    | `:image_index.push` | `bazel run :image_index.push -- --repository HOST/REPO [--tag T]` pushes every image, then the index, and prints `HOST/REPO@<index digest>` |

    Two images of the same platform fail at analysis time.

    Example:

    ```starlark
    load("@io_bazel_rules_go//go:def.bzl", "go_binary")
    load("@rules_distill//rules:defs.bzl", "go_image", "image_index")

    go_binary(name = "server", srcs = ["main.go"], pure = "on", static = "on")

    # goos/goarch: rules_go cross-compiles (a platform transition); pure Go needs no C toolchain.
    go_binary(name = "server_arm64", srcs = ["main.go"], goarch = "arm64", goos = "linux", pure = "on", static = "on")

    go_image(name = "image", binary = ":server")

    go_image(
        name = "arm64_image",
        architecture = "arm64",
        base = "@rules_distill//images/debian12:arm64_static_nonroot",
        binary = ":server_arm64",
        variant = "v8",
    )

    image_index(name = "image_index", images = [":image", ":arm64_image"])
    ```

    Args:
      name: target name.
      images: the per-platform images (`distroless_image` targets), one per platform, in
        index order. Their `<image>.tar` targets make the `.load`.
      ref_name: the layout's `org.opencontainers.image.ref.name` for the index.
      repository: default repository for `:<name>.push`.
      tags_to_push: default tags for `:<name>.push`.
      **kwargs: common attributes (visibility, tags, testonly, ...), given to every target.
    """
    visibility = kwargs.pop("visibility", None)
    image_index_rule(
        name = name,
        images = images,
        ref_name = ref_name,
        visibility = visibility,
        **kwargs
    )
    digest_filegroup(name + ".digest", name, visibility, **kwargs)
    index_archive(
        name = name + ".tar",
        index = name,
        visibility = visibility,
        **kwargs
    )
    index_load(
        name = name + ".load",
        images = images,
        tarballs = [_sibling(image, ".tar") for image in images],
        visibility = visibility,
        **kwargs
    )
    index_push(
        name = name + ".push",
        index = name,
        repository = repository,
        tags_to_push = tags_to_push,
        visibility = visibility,
        **kwargs
    )
