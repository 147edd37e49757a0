"""The `distroless_image` macro: an image and its `.digest`, `.tar`, `.load` and `.push` targets."""

load(":image.bzl", "distroless_image_rule")
load(":outputs.bzl", "digest_filegroup", "image_load", "image_push", "image_tarball")
load(":sbom.bzl", "image_sbom")

_NO_SHELL = "a distroless image has no shell to run the shell-form command %r; write it in exec form as a list, e.g. %s = %s"

def _exec_form(name, attr, value):
    """Checks an entrypoint/cmd: None (inherit), or a list of strings."""
    if value == None:
        return []
    if type(value) == type(""):
        fail("distroless_image(name = %r): %s: %s" % (
            name,
            attr,
            _NO_SHELL % (value, attr, repr(value.split(" ")) if value else "[\"/app/server\"]"),
        ))
    if type(value) != type([]) or [v for v in value if type(v) != type("")]:
        fail("distroless_image(name = %r): %s must be a list of strings, e.g. [\"/app/server\", \"--port=8080\"]" % (name, attr))
    return value

def _env_list(name, env):
    if type(env) == type({}):
        return ["%s=%s" % (k, v) for k, v in env.items()]
    if type(env) == type([]):
        return env
    fail("distroless_image(name = %r): env must be a dict {\"KEY\": \"value\"} or a list [\"KEY=value\"]" % name)

def _default_tag(name):
    package = native.package_name()
    repository = ("bazel/" + package if package else "bazel").lower()
    return "%s:%s" % (repository, name.lower())

def distroless_image(
        name,
        base = None,
        layers = [],
        entrypoint = None,
        cmd = None,
        env = {},
        user = "",
        workdir = "",
        exposed_ports = [],
        labels = {},
        annotations = {},
        os = "linux",
        architecture = "amd64",
        variant = "",
        repo_tags = None,
        ref_name = "latest",
        repository = "",
        **kwargs):
    """A distroless image and its outputs.

    `distroless_image(name = "image", ...)` creates:

    | target | what |
    |---|---|
    | `:image` | OCI image layout directory (`index.json` annotated with `ref_name`) |
    | `:image.digest` | file with the manifest digest `sha256:…` |
    | `:image.tar` | docker-archive tarball for `docker load` / `podman load`, tagged `repo_tags` (built on demand) |
    | `:image.load` | `bazel run` loads the tarball into podman or docker |
    | `:image.push` | `bazel run :image.push -- --repository HOST/REPO [--tag T]` pushes and prints the digest |
    | `:image.spdx.json` | SPDX 2.3 JSON SBOM from the declared inputs: the image digest, every Debian package (version, arch, source, license, `.deb` sha256, purl) and every other file with its sha256 (built on demand; docs/sbom.md) |

    Example:

    ```starlark
    load("@rules_distill//rules:defs.bzl", "distroless_image", "image_layer")

    image_layer(name = "app", binaries = {":server": "/app/server"})

    distroless_image(
        name = "image",
        base = "//images:base_nonroot",
        layers = [":app"],
        entrypoint = ["/app/server"],
        exposed_ports = ["8080"],
    )
    ```

    Args:
      name: target name.
      base: base image (another `distroless_image`), or None for an image from scratch.
      layers: `image_layer` targets added on top of the base, in order.
      entrypoint: exec-form entrypoint (a list); None inherits the base's. A string fails: a
        distroless image has no shell to run it.
      cmd: exec-form default arguments (a list); None inherits the base's.
      env: dict (or list of "KEY=value"), applied in order onto the base's environment;
        "$KEY" / "${KEY}" expand from the environment built so far.
      user: numeric user ("65532" or "65532:65532"); empty inherits the base's.
      workdir: absolute working directory; empty inherits the base's.
      exposed_ports: e.g. ["8080", "53/udp"].
      labels: config labels (merged over the base's).
      annotations: manifest annotations.
      os: operating system.
      architecture: CPU architecture (amd64, arm64, ...).
      variant: CPU variant ("v8" for arm64).
      repo_tags: tags in the docker-archive tarball; default `bazel/<package>:<name>`.
      ref_name: the layout's `org.opencontainers.image.ref.name`.
      repository: default repository for `:<name>.push`.
      **kwargs: common attributes (visibility, tags, testonly, ...), given to every target.
    """
    visibility = kwargs.pop("visibility", None)
    distroless_image_rule(
        name = name,
        base = base,
        layers = layers,
        entrypoint = _exec_form(name, "entrypoint", entrypoint),
        set_entrypoint = entrypoint != None,
        cmd = _exec_form(name, "cmd", cmd),
        set_cmd = cmd != None,
        env = _env_list(name, env),
        user = user,
        workdir = workdir,
        exposed_ports = exposed_ports,
        labels = labels,
        annotations = annotations,
        os = os,
        architecture = architecture,
        variant = variant,
        ref_name = ref_name,
        visibility = visibility,
        **kwargs
    )
    digest_filegroup(name + ".digest", name, visibility, **kwargs)
    image_tarball(
        name = name + ".tar",
        image = name,
        repo_tags = repo_tags if repo_tags != None else [_default_tag(name)],
        visibility = visibility,
        **kwargs
    )
    image_load(
        name = name + ".load",
        tarball = name + ".tar",
        visibility = visibility,
        **kwargs
    )
    image_push(
        name = name + ".push",
        image = name,
        repository = repository,
        visibility = visibility,
        **kwargs
    )
    image_sbom(
        name = name + ".spdx.json",
        image = name,
        visibility = visibility,
        **kwargs
    )
