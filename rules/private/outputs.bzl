"""What an image becomes on demand: a docker-archive tarball, a `load` into a runtime, a `push`."""

load(":launcher.bzl", "PUSH_ATTRS", "distill_launcher", "push_launcher", "runfiles_path", "shell_quote")
load(":providers.bzl", "ImageInfo")
load(":toolchain.bzl", "DISTILL_TOOLCHAIN", "distill_binary")

def _image_tarball_impl(ctx):
    image = ctx.attr.image[ImageInfo]
    tarball = ctx.actions.declare_file(ctx.label.name)
    args = ctx.actions.args()
    args.add("tarball")
    args.add("--layout", image.layout.path)
    args.add_all(ctx.attr.repo_tags, before_each = "--tag")
    args.add("--output", tarball)
    ctx.actions.run(
        executable = distill_binary(ctx),
        arguments = [args],
        inputs = [image.layout],
        outputs = [tarball],
        # A second copy of the whole image: made locally, never shipped through a remote cache.
        execution_requirements = {"no-remote": "1"},
        mnemonic = "DistillTarball",
        progress_message = "Writing docker-archive %s" % ctx.label,
    )
    return [DefaultInfo(files = depset([tarball]), runfiles = ctx.runfiles(files = [tarball]))]

image_tarball = rule(
    implementation = _image_tarball_impl,
    doc = "A docker-archive tarball of an image, for `docker load` / `podman load`. Built only when asked for.",
    attrs = {
        "image": attr.label(doc = "The `distroless_image`.", mandatory = True, providers = [ImageInfo]),
        "repo_tags": attr.string_list(doc = "Tags recorded in the tarball, e.g. \"bazel/app:image\".", mandatory = True),
    },
    toolchains = [DISTILL_TOOLCHAIN],
)

def _image_load_impl(ctx):
    tarball = ctx.file.tarball
    body = 'exec "$distill" load --tarball "$runfiles"/%s "$@"' % shell_quote(runfiles_path(ctx, tarball))
    return [distill_launcher(ctx, body, [tarball])]

image_load = rule(
    implementation = _image_load_impl,
    doc = "`bazel run` target: loads the image's tarball into podman or docker (whichever is installed).",
    attrs = {
        "tarball": attr.label(doc = "The `image_tarball`.", mandatory = True, allow_single_file = True),
    },
    executable = True,
    toolchains = [DISTILL_TOOLCHAIN],
)

def _image_push_impl(ctx):
    return [push_launcher(ctx, ctx.attr.image[ImageInfo].layout)]

image_push = rule(
    implementation = _image_push_impl,
    doc = "`bazel run` target: pushes the image; `-- --repository HOST/REPO [--tag T]` at run time.",
    attrs = dict(
        PUSH_ATTRS,
        image = attr.label(doc = "The `distroless_image`.", mandatory = True, providers = [ImageInfo]),
    ),
    executable = True,
    toolchains = [DISTILL_TOOLCHAIN],
)

def digest_filegroup(name, target, visibility, **kwargs):
    """`<target>.digest`: the file with the digest of an image or index target.

    Args:
      name: the filegroup's name.
      target: the image or index rule target, whose "digest" output group holds the file.
      visibility: its visibility.
      **kwargs: common attributes (tags, testonly, ...).
    """
    native.filegroup(
        name = name,
        srcs = [target],
        output_group = "digest",
        visibility = visibility,
        **kwargs
    )
