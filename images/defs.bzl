"""The distroless image families: each image with its `_nonroot`, `_debug` and `_debug_nonroot` variants."""

load("//images:busybox.bzl", "BUSYBOX_APPLETS")
load("//rules:defs.bzl", "deb_layer", "distroless_image", "image_layer")

NONROOT = "65532"
NONROOT_HOME = "/home/nonroot"

# Env of every distroless image.
PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
SSL_CERT_FILE = "/etc/ssl/certs/ca-certificates.crt"

def busybox_layers(name, busybox):
    """The layers of a debug variant: the static busybox at /busybox with a link per applet.

    Args:
      name: name prefix of the targets.
      busybox: the busybox-static deb_layer (e.g. "@debian12//:busybox-static_amd64").

    Returns:
      The labels of the two layers.
    """
    deb_layer(
        name = name + "_bin",
        deb = busybox,
        include = ["bin/busybox"],
    )
    image_layer(
        name = name + "_links",
        symlinks = dict(
            {"/busybox/" + applet: "/bin/busybox" for applet in BUSYBOX_APPLETS},
            **{"/busybox/busybox": "/bin/busybox"}
        ),
    )
    return [":" + name + "_bin", ":" + name + "_links"]

def image_family(name, debug_layers, base = None, layers = [], entrypoint = None, env = {}, **kwargs):
    """An image and its `_nonroot`, `_debug` and `_debug_nonroot` variants, as distroless ships them.

    The variants add no copy of the image's layers: `_nonroot` changes only the config (User
    65532, WorkingDir /home/nonroot), `_debug` adds the busybox layers on top (PATH gains
    :/busybox; an image without an entrypoint of its own gets ["/busybox/sh"]).

    Args:
      name: the image's name.
      debug_layers: the busybox layers (from busybox_layers).
      base: the image this one extends.
      layers: its own layers.
      entrypoint: its entrypoint; None inherits the base's.
      env: environment added to the base's.
      **kwargs: passed to every distroless_image.
    """
    distroless_image(
        name = name,
        base = base,
        layers = layers,
        entrypoint = entrypoint,
        env = env,
        **kwargs
    )
    distroless_image(
        name = name + "_nonroot",
        base = ":" + name,
        user = NONROOT,
        workdir = NONROOT_HOME,
        **kwargs
    )
    distroless_image(
        name = name + "_debug",
        base = ":" + name,
        layers = debug_layers,
        env = {"PATH": "$PATH:/busybox"},
        entrypoint = ["/busybox/sh"] if entrypoint == None else None,
        **kwargs
    )
    distroless_image(
        name = name + "_debug_nonroot",
        base = ":" + name + "_debug",
        user = NONROOT,
        workdir = NONROOT_HOME,
        **kwargs
    )
