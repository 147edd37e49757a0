"""`distroless_image`: layers + config → image (config, manifest) → OCI layout."""

load(":group.bzl", "flatten_layers")
load(":providers.bzl", "ImageInfo", "LayerInfo", "LayersInfo")
load(":settings.bzl", "SOURCE_DATE_EPOCH_ATTR", "source_date_epoch_env")
load(":toolchain.bzl", "DISTILL_TOOLCHAIN", "distill_binary")

OPERATING_SYSTEMS = ["linux", "windows", "freebsd"]
ARCHITECTURES = ["amd64", "arm64", "arm", "386", "ppc64le", "s390x", "riscv64"]

def _port(where, port):
    number, _, protocol = port.partition("/")
    protocol = protocol or "tcp"
    if not number.isdigit() or not (int(number) > 0 and int(number) < 65536) or protocol not in ("tcp", "udp", "sctp"):
        fail("%s: exposed_ports: %r is not a port; write \"8080\" or \"8080/tcp\" (tcp, udp or sctp)" % (where, port))
    return "%s/%s" % (int(number), protocol)

def _env(where, env):
    for entry in env:
        key, eq, _ = entry.partition("=")
        if not key or not eq:
            fail("%s: env entry %r must be \"KEY=value\"" % (where, entry))
    return env

def _distroless_image_impl(ctx):
    where = "distroless_image %s" % ctx.label
    distill = distill_binary(ctx)
    base = ctx.attr.base[ImageInfo] if ctx.attr.base else None
    if base and (base.os, base.architecture, base.variant) != (ctx.attr.os, ctx.attr.architecture, ctx.attr.variant):
        fail("%s: the base %s is %s/%s%s but this image says %s/%s%s; set os/architecture/variant to match the base" % (
            where,
            ctx.attr.base.label,
            base.os,
            base.architecture,
            "/" + base.variant if base.variant else "",
            ctx.attr.os,
            ctx.attr.architecture,
            "/" + ctx.attr.variant if ctx.attr.variant else "",
        ))
    if ctx.attr.workdir and not ctx.attr.workdir.startswith("/"):
        fail("%s: workdir %r must be an absolute path, e.g. \"/app\"" % (where, ctx.attr.workdir))

    # A layer the base already has is not added again (package closures overlap).
    in_base = {blob.path: True for blob in base.blobs} if base else {}
    layers = [layer for layer in flatten_layers(ctx.attr.layers) if layer.blob.path not in in_base]
    spec = {
        "base": {"image": base.image.path, "config": base.config.path} if base else None,
        "layers": [layer.descriptor.path for layer in layers],
        "entrypoint": ctx.attr.entrypoint if ctx.attr.set_entrypoint else None,
        "cmd": ctx.attr.cmd if ctx.attr.set_cmd else None,
        "env": _env(where, ctx.attr.env),
        "user": ctx.attr.user,
        "workdir": ctx.attr.workdir,
        "exposedPorts": [_port(where, p) for p in ctx.attr.exposed_ports],
        "labels": ctx.attr.labels,
        "annotations": ctx.attr.annotations,
        "os": ctx.attr.os,
        "architecture": ctx.attr.architecture,
        "variant": ctx.attr.variant,
    }
    prefix = ctx.label.name + "_/"
    spec_file = ctx.actions.declare_file(prefix + "spec.json")
    ctx.actions.write(spec_file, json.encode(spec) + "\n")

    config = ctx.actions.declare_file(prefix + "config.json")
    manifest = ctx.actions.declare_file(prefix + "manifest.json")
    image = ctx.actions.declare_file(prefix + "image.json")
    digest = ctx.actions.declare_file(ctx.label.name + ".digest")

    # The image action reads descriptors only: layer blobs are not inputs.
    args = ctx.actions.args()
    args.add("image")
    args.add("--spec", spec_file)
    args.add("--config-out", config)
    args.add("--manifest-out", manifest)
    args.add("--descriptor-out", image)
    args.add("--digest-out", digest)
    ctx.actions.run(
        executable = distill,
        arguments = [args],
        inputs = [spec_file] + [layer.descriptor for layer in layers] + ([base.image, base.config] if base else []),
        outputs = [config, manifest, image, digest],
        env = source_date_epoch_env(ctx),
        mnemonic = "DistillImage",
        progress_message = "Assembling image %s" % ctx.label,
    )

    blobs = (base.blobs if base else []) + [layer.blob for layer in layers]

    # The SBOM contents of every layer, parallel to blobs (the base's list first).
    contents = []
    if base:
        contents = getattr(base, "contents", None) or [None] * len(base.blobs)
    contents = contents + [getattr(layer, "contents", None) for layer in layers]

    layout = ctx.actions.declare_directory(ctx.label.name)
    args = ctx.actions.args()
    args.add("layout")
    args.add("--image", image)
    args.add("--config", config)
    args.add("--manifest", manifest)
    args.add_all(blobs, before_each = "--blob")
    args.add("--ref-name", ctx.attr.ref_name)
    args.add("--output", layout.path)
    ctx.actions.run(
        executable = distill,
        arguments = [args],
        inputs = [image, config, manifest] + blobs,
        outputs = [layout],
        # Hard links to the layer blobs, done in milliseconds. Unsandboxed: from inside a sandbox
        # the link would cross a mount and turn into a copy. Never remote-cached or executed: every
        # rebuild would ship the whole image (base layers included) through the cache again.
        # Measured in bench/run.sh (P2, P5) and docs/performance.md.
        execution_requirements = {"no-remote": "1", "no-sandbox": "1"},
        mnemonic = "DistillLayout",
        progress_message = "Writing OCI layout %s" % ctx.label,
    )

    return [
        DefaultInfo(files = depset([layout]), runfiles = ctx.runfiles(files = [layout])),
        OutputGroupInfo(digest = depset([digest]), image = depset([image, config, manifest])),
        ImageInfo(
            image = image,
            config = config,
            manifest = manifest,
            digest = digest,
            blobs = blobs,
            contents = contents,
            layout = layout,
            os = ctx.attr.os,
            architecture = ctx.attr.architecture,
            variant = ctx.attr.variant,
        ),
    ]

distroless_image_rule = rule(
    implementation = _distroless_image_impl,
    doc = "The rule behind the `distroless_image` macro; use the macro.",
    attrs = dict({
        "base": attr.label(
            doc = "Base image (another `distroless_image`); none builds from scratch.",
            providers = [ImageInfo],
        ),
        "layers": attr.label_list(
            doc = "Layers (`image_layer`, `deb_layer`, `layer_group`) added on top of the base, in order; a layer the base already has is skipped.",
            providers = [[LayerInfo], [LayersInfo]],
        ),
        "entrypoint": attr.string_list(doc = "Exec-form entrypoint."),
        "set_entrypoint": attr.bool(doc = "Whether `entrypoint` replaces the base's (set by the macro)."),
        "cmd": attr.string_list(doc = "Exec-form default arguments."),
        "set_cmd": attr.bool(doc = "Whether `cmd` replaces the base's (set by the macro)."),
        "env": attr.string_list(doc = "\"KEY=value\" entries applied in order onto the base's environment."),
        "user": attr.string(doc = "User (numeric \"uid\" or \"uid:gid\" in a distroless image); empty inherits the base's."),
        "workdir": attr.string(doc = "Working directory (absolute); empty inherits the base's."),
        "exposed_ports": attr.string_list(doc = "Ports such as \"8080\" or \"53/udp\"."),
        "labels": attr.string_dict(doc = "Config labels, merged over the base's."),
        "annotations": attr.string_dict(doc = "Manifest annotations."),
        "os": attr.string(doc = "Operating system.", default = "linux", values = OPERATING_SYSTEMS),
        "architecture": attr.string(doc = "CPU architecture.", default = "amd64", values = ARCHITECTURES),
        "variant": attr.string(doc = "CPU variant, e.g. \"v8\" for arm64."),
        "ref_name": attr.string(
            doc = "The `org.opencontainers.image.ref.name` annotation in the layout's index.json.",
            default = "latest",
        ),
    }, **SOURCE_DATE_EPOCH_ATTR),
    toolchains = [DISTILL_TOOLCHAIN],
)
