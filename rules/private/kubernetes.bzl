"""`kubernetes_manifest`: an image's digest → a hardened Deployment + Service (`<name>.yaml`)."""

load(":launcher.bzl", "distill_launcher", "runfiles_path", "shell_quote")
load(":providers.bzl", "ImageInfo")
load(":toolchain.bzl", "DISTILL_TOOLCHAIN", "distill_binary")

SERVICE_TYPES = ["LoadBalancer", "ClusterIP", "NodePort"]

_LOWER = "abcdefghijklmnopqrstuvwxyz"
_DNS_LABEL = _LOWER + "0123456789-"
_REPOSITORY = _LOWER + "0123456789-._/:"

def _check_repository(where, repository):
    if not repository:
        fail("%s: repository is empty; give where the image is pushed, e.g. \"registry.example.com/team/app\"" % where)
    if "@" in repository:
        fail("%s: repository %r already names a digest; give the repository only: the manifest pins the image to the built digest" % (where, repository))
    colon = repository.rfind(":")
    if colon > repository.rfind("/"):
        fail("%s: repository %r names a tag; give the repository only (%r): the manifest pins the image by digest, never by a tag that can move" % (
            where,
            repository,
            repository[:colon],
        ))
    bad = [c for c in repository.elems() if c not in _REPOSITORY]
    if bad:
        fail("%s: repository %r has %r; a repository is lower case, e.g. \"registry.example.com/team/app\"" % (where, repository, bad[0]))

def _app_name(where, app_name, repository):
    """The Deployment's name: app_name, or the last part of the repository."""
    name = app_name
    if not name:
        name = repository.split("/")[-1].replace("_", "-").replace(".", "-")
    if not name or len(name) > 63 or name[0] not in _LOWER or name[-1] == "-" or [c for c in name.elems() if c not in _DNS_LABEL]:
        fail("%s: %r cannot name a Deployment and a Service: it must be lower case letters, digits and '-', start with a letter and have at most 63 characters; set app_name, e.g. app_name = \"hello\"" % (
            where,
            name,
        ))
    return name

def _check_user(where, user):
    uid, _, gid = user.partition(":")
    gid = gid or uid
    if not uid.isdigit() or not gid.isdigit():
        fail("%s: user %r must be a numeric uid, e.g. \"65532\": runAsNonRoot needs a number" % (where, user))
    if int(uid) == 0:
        fail("%s: user %r is root: runAsNonRoot refuses uid 0; use a non-root uid such as \"65532\" (distroless nonroot)" % (where, user))
    if int(gid) == 0:
        fail("%s: user %r runs in group 0, root's group; give a non-zero gid such as \"65532:65532\"" % (where, user))

def _check_port(where, attr, port):
    if port < 1 or port > 65535:
        fail("%s: %s = %d is not a port; give 1 to 65535" % (where, attr, port))

def _kubernetes_manifest_impl(ctx):
    where = "kubernetes_manifest %s" % ctx.label
    _check_repository(where, ctx.attr.repository)
    app = _app_name(where, ctx.attr.app_name, ctx.attr.repository)
    _check_user(where, ctx.attr.user)
    _check_port(where, "container_port", ctx.attr.container_port)
    _check_port(where, "service_port", ctx.attr.service_port)
    if ctx.attr.replicas < 0:
        fail("%s: replicas = %d; give 0 or more pods" % (where, ctx.attr.replicas))
    if ctx.attr.service_type not in SERVICE_TYPES:
        fail("%s: service_type %r is not one of %s" % (where, ctx.attr.service_type, ", ".join(SERVICE_TYPES)))
    if "app" in ctx.attr.labels:
        fail("%s: labels: \"app\" is set to the app name (%r) and selects the pods; choose another key" % (where, app))

    image = ctx.attr.image[ImageInfo]
    out = ctx.actions.declare_file(ctx.label.name + ".yaml")
    args = ctx.actions.args()
    args.add("kubernetes")
    args.add("--name", app)
    args.add("--image", ctx.attr.repository)
    args.add("--digest-file", image.digest)
    args.add("--replicas", str(ctx.attr.replicas))
    args.add("--container-port", str(ctx.attr.container_port))
    args.add("--service-port", str(ctx.attr.service_port))
    args.add("--service-type", ctx.attr.service_type)
    args.add("--user", ctx.attr.user)
    args.add_all(["%s=%s" % (k, ctx.attr.labels[k]) for k in sorted(ctx.attr.labels)], before_each = "--label")
    args.add("--probes=%s" % ("true" if ctx.attr.probes else "false"))
    args.add("--cpu-request", ctx.attr.cpu_request)
    args.add("--memory-request", ctx.attr.memory_request)
    args.add("--cpu-limit", ctx.attr.cpu_limit)
    args.add("--memory-limit", ctx.attr.memory_limit)
    args.add("--output", out)
    ctx.actions.run(
        executable = distill_binary(ctx),
        arguments = [args],
        inputs = [image.digest],
        outputs = [out],
        mnemonic = "DistillKubernetes",
        progress_message = "Writing Kubernetes manifest %s" % ctx.label,
    )
    return [DefaultInfo(files = depset([out]), runfiles = ctx.runfiles(files = [out]))]

kubernetes_manifest = rule(
    implementation = _kubernetes_manifest_impl,
    doc = """A Kubernetes manifest `<name>.yaml` for an image: a hardened Deployment and a Service.

The Deployment runs `replicas` pods of the image pinned by digest (`repository@sha256:…`, the
digest of the `image` target, so `kubectl apply` deploys exactly what was built), as the numeric
`user` (runAsNonRoot, runAsUser/runAsGroup/fsGroup), with the RuntimeDefault seccomp profile, a
read-only root filesystem, no privilege escalation, every capability dropped and no service account
token; with readiness and liveness probes (HTTP GET / on `container_port`) and small resource
requests. The Service (`service_type`) forwards `service_port` to `container_port` of the pods
labelled `app=<app_name>`. See docs/kubernetes.md.

Example: the Flask "Hello World!" service behind a load balancer on port 80:

```starlark
load("@rules_distill//rules:defs.bzl", "kubernetes_manifest")

kubernetes_manifest(
    name = "kubernetes",
    image = ":image",
    repository = "registry.example.com/hello/flask",
    container_port = 5000,
)
```

Then `bazel run :image.push -- --repository registry.example.com/hello/flask` and
`kubectl apply -f bazel-bin/<package>/kubernetes.yaml`.
""",
    attrs = {
        "image": attr.label(
            doc = "The `distroless_image` to deploy; its digest pins the image in the manifest.",
            mandatory = True,
            providers = [ImageInfo],
        ),
        "repository": attr.string(
            doc = "Where the image is pushed, without tag or digest, e.g. \"registry.example.com/team/app\".",
            mandatory = True,
        ),
        "app_name": attr.string(
            doc = "Name of the Deployment, the Service and the container, and the `app` label the Service selects; default: the last part of `repository` (\"app\" above), with `_` and `.` turned into `-`.",
        ),
        "replicas": attr.int(doc = "Number of pods.", default = 2),
        "container_port": attr.int(
            doc = "The port the app listens on (the image's exposed port); the probes and the Service target it.",
            mandatory = True,
        ),
        "service_port": attr.int(doc = "The port the Service listens on.", default = 80),
        "service_type": attr.string(
            doc = "The Service type: \"LoadBalancer\" (an external IP, as in the seed), \"ClusterIP\" (inside the cluster only) or \"NodePort\".",
            default = "LoadBalancer",
        ),
        "user": attr.string(
            doc = "Numeric \"uid\" or \"uid:gid\" the pods run as (runAsUser, runAsGroup, fsGroup); never 0. The distroless nonroot user is \"65532\".",
            default = "65532",
        ),
        "labels": attr.string_dict(
            doc = "Labels added to the Deployment, its pods and the Service, next to `app`.",
        ),
        "probes": attr.bool(
            doc = "Whether the container gets readiness and liveness probes: HTTP GET / on `container_port`. Turn off for an app that does not answer HTTP on /.",
            default = True,
        ),
        "cpu_request": attr.string(doc = "CPU request (a Kubernetes quantity); empty requests none.", default = "50m"),
        "memory_request": attr.string(doc = "Memory request (a Kubernetes quantity); empty requests none.", default = "64Mi"),
        "cpu_limit": attr.string(doc = "CPU limit; empty sets none."),
        "memory_limit": attr.string(doc = "Memory limit, e.g. \"128Mi\"; empty sets none."),
    },
    toolchains = [DISTILL_TOOLCHAIN],
)

def _kubernetes_manifest_test_impl(ctx):
    manifest = ctx.file.manifest
    args = ["--check", '"$runfiles"/' + shell_quote(runfiles_path(ctx, manifest))]
    data = [manifest]
    if ctx.attr.image:
        digest = ctx.attr.image[ImageInfo].digest
        args.extend(["--digest-file", '"$runfiles"/' + shell_quote(runfiles_path(ctx, digest))])
        data.append(digest)
    body = 'exec "$distill" kubernetes %s' % " ".join(args)
    return [distill_launcher(ctx, body, data)]

kubernetes_manifest_test = rule(
    implementation = _kubernetes_manifest_test_impl,
    doc = """Test: `distill kubernetes --check` on a manifest, one line per missing hardening setting.

Checks every Deployment, StatefulSet, DaemonSet, ReplicaSet and Pod of the manifest (non-root
numeric user and group, RuntimeDefault seccomp, read-only root filesystem, no privilege escalation,
capabilities dropped, no service account token, images pinned by digest) and that each Service
selects pods of the manifest.

```starlark
load("@rules_distill//rules:defs.bzl", "kubernetes_manifest_test")

kubernetes_manifest_test(
    name = "kubernetes_test",
    manifest = ":kubernetes",
    image = ":image",
)
```
""",
    attrs = {
        "manifest": attr.label(
            doc = "The manifest: a `kubernetes_manifest` target or a YAML file.",
            mandatory = True,
            allow_single_file = [".yaml", ".yml"],
        ),
        "image": attr.label(
            doc = "Optional `distroless_image`: every container image must be pinned to its digest.",
            providers = [ImageInfo],
        ),
    },
    test = True,
    toolchains = [DISTILL_TOOLCHAIN],
)
