"""Language images: an app on the matching distroless runtime (nonroot) in a few lines."""

load(":distroless_image.bzl", "distroless_image")
load(":layer.bzl", "image_layer")

# The runtime each language macro builds on unless given `base`.
RUNTIMES = {
    "cc": Label("//images/debian12:cc_nonroot"),
    "go": Label("//images/debian12:static_nonroot"),
    "java": Label("//images/debian12:java_nonroot"),
    "nodejs": Label("//images/debian12:nodejs_nonroot"),
    "python3": Label("//images/debian12:python3_nonroot"),
}

def _app_layer(name, kwargs, **attrs):
    """The app's own layer, `<name>_app`."""
    image_layer(
        name = name + "_app",
        tags = kwargs.get("tags"),
        testonly = kwargs.get("testonly"),
        visibility = kwargs.get("visibility"),
        **attrs
    )
    return ":" + name + "_app"

def _basename(label):
    return label.split(":")[-1].split("/")[-1]

def python3_image(name, srcs, main, deps = [], base = None, **kwargs):
    """A Python app on the distroless python3 image: `/usr/bin/python3.11 /app/<main>`.

    ```starlark
    python3_image(
        name = "image",
        srcs = ["app.py"],
        main = "app.py",
        deps = ["@debian12//:python3-flask_amd64_closure"],  # Debian's python3-* packages
        exposed_ports = ["5000"],
    )
    ```

    Args:
      name: the image (with `.tar`, `.load`, `.push`, `.digest`).
      srcs: the app's files, placed in /app under their base names.
      main: the file (in srcs) that python runs.
      deps: layers of Debian python packages (`debian_packages` closures), installed under
        /usr/lib/python3/dist-packages where Debian's python finds them.
      base: the runtime image; default //images/debian12:python3_nonroot.
      **kwargs: more `distroless_image` attributes (env, exposed_ports, labels, ...).
    """
    app = _app_layer(name, kwargs, srcs = srcs, directory = "/app")
    distroless_image(
        name = name,
        base = base or RUNTIMES["python3"],
        layers = deps + [app],
        cmd = ["/app/" + main],
        workdir = "/app",
        **kwargs
    )

def nodejs_image(name, srcs, main, deps = [], base = None, **kwargs):
    """A Node.js app on the distroless nodejs image: `/nodejs/bin/node /app/<main>`.

    Args:
      name: the image.
      srcs: the app's files, placed in /app under their base names.
      main: the script (in srcs) node runs.
      deps: more layers (e.g. Debian node-* packages).
      base: the runtime image; default //images/debian12:nodejs_nonroot.
      **kwargs: more `distroless_image` attributes.
    """
    app = _app_layer(name, kwargs, srcs = srcs, directory = "/app")
    distroless_image(
        name = name,
        base = base or RUNTIMES["nodejs"],
        layers = deps + [app],
        cmd = ["/app/" + main],
        workdir = "/app",
        **kwargs
    )

def java_image(name, jar, deps = [], base = None, **kwargs):
    """An executable jar on the distroless java image: `java -jar /app/app.jar`.

    Args:
      name: the image.
      jar: the executable (fat) jar.
      deps: more layers.
      base: the runtime image; default //images/debian12:java_nonroot.
      **kwargs: more `distroless_image` attributes.
    """
    app = _app_layer(name, kwargs, files = {jar: "/app/app.jar"})
    distroless_image(
        name = name,
        base = base or RUNTIMES["java"],
        layers = deps + [app],
        cmd = ["/app/app.jar"],
        **kwargs
    )

def _binary_image(language, name, binary, deps, base, kwargs):
    path = "/app/" + _basename(binary)
    app = _app_layer(name, kwargs, binaries = {binary: path})
    distroless_image(
        name = name,
        base = base or RUNTIMES[language],
        layers = deps + [app],
        entrypoint = [path],
        **kwargs
    )

def go_image(name, binary, deps = [], base = None, **kwargs):
    """A Go binary (static, pure) on the distroless static image, run as /app/<binary name>.

    Args:
      name: the image.
      binary: the go_binary (build it with pure = "on", static = "on").
      deps: more layers.
      base: the runtime image; default //images/debian12:static_nonroot.
      **kwargs: more `distroless_image` attributes.
    """
    _binary_image("go", name, binary, deps, base, kwargs)

def cc_image(name, binary, deps = [], base = None, **kwargs):
    """A C/C++ binary on the distroless cc image (glibc, libstdc++), run as /app/<binary name>.

    Args:
      name: the image.
      binary: the cc_binary.
      deps: more layers (Debian libraries the binary links against).
      base: the runtime image; default //images/debian12:cc_nonroot.
      **kwargs: more `distroless_image` attributes.
    """
    _binary_image("cc", name, binary, deps, base, kwargs)
