"""The distroless image families: each image with its `_nonroot`, `_debug` and `_debug_nonroot` variants.

`distroless_release` declares every image of one Debian release and architecture
(images/debian12, images/debian13); `image_family` and `busybox_layers` are its parts.
"""

load("//images:busybox.bzl", "BUSYBOX_APPLETS_DEBIAN12")
load("//rules:defs.bzl", "ca_certificates_layer", "deb_layer", "distroless_base_layer", "distroless_image", "image_layer", "image_test", "ld_so_cache_layer")

NONROOT = "65532"
NONROOT_HOME = "/home/nonroot"

# Env of every distroless image.
PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
SSL_CERT_FILE = "/etc/ssl/certs/ca-certificates.crt"

# What a _debug variant's image_test excuses: the busybox it adds on purpose.
DEBUG_WAIVERS = {
    "busybox": "debug variant: busybox is what it adds",
    "package-manager:/busybox/*": "debug variant: busybox applets (dpkg, dpkg-deb, rpm) in /busybox",
    "shell": "debug variant: busybox sh is the point",
}

def _image_test(name, image, nonroot, debug, kwargs):
    """The image_test of one variant: the hardening policy and what every distroless image has."""
    image_test(
        name = name,
        size = "small",
        image = image,
        nonroot = nonroot,
        waive = DEBUG_WAIVERS if debug else {},
        env = {"SSL_CERT_FILE": SSL_CERT_FILE},
        files_exist = ["/etc/passwd", "/etc/group", "/etc/os-release", SSL_CERT_FILE],
        files_absent = [] if debug else ["/busybox"],
        file_modes = {"/tmp": "1777", NONROOT_HOME: "0700"},
        file_owners = {NONROOT_HOME: NONROOT + ":" + NONROOT, "/tmp": "0:0"},
        user = NONROOT if nonroot else "",
        workdir = NONROOT_HOME if nonroot else "",
        **{k: v for k, v in kwargs.items() if k in ["tags", "visibility", "target_compatible_with"]}
    )

def busybox_layers(name, busybox, applets = BUSYBOX_APPLETS_DEBIAN12, merged_usr = False, **kwargs):
    """The layers of a debug variant: the static busybox with a link per applet in /busybox.

    The binary stays where the package installs it: /bin/busybox (bookworm), or /usr/bin/busybox
    with `merged_usr` (trixie and later, where /bin is a symlink to usr/bin); /busybox/<applet>
    and /busybox/busybox link to it.

    Args:
      name: name prefix of the targets.
      busybox: the busybox-static deb_layer (e.g. "@debian12//:busybox-static_amd64").
      applets: the applets of that busybox (images/busybox.bzl, one list per release).
      merged_usr: the release is merged-usr (Debian 13 and later).
      **kwargs: common attributes (tags, visibility...) of both targets.

    Returns:
      The labels of the two layers.
    """
    binary = "usr/bin/busybox" if merged_usr else "bin/busybox"
    deb_layer(
        name = name + "_bin",
        deb = busybox,
        # The binary and its license (busybox is GPL-2.0).
        include = [
            binary,
            "usr/share/doc/busybox-static/copyright",
        ],
        merged_usr = merged_usr,
        **kwargs
    )
    image_layer(
        name = name + "_links",
        symlinks = dict(
            {"/busybox/" + applet: "/" + binary for applet in applets},
            **{"/busybox/busybox": "/" + binary}
        ),
        **kwargs
    )
    return [":" + name + "_bin", ":" + name + "_links"]

def image_family(name, debug_layers, base = None, layers = [], entrypoint = None, env = {}, **kwargs):
    """An image and its `_nonroot`, `_debug` and `_debug_nonroot` variants, as distroless ships them.

    The variants add no copy of the image's layers: `_nonroot` changes only the config (User
    65532, WorkingDir /home/nonroot), `_debug` adds the busybox layers on top (PATH gains
    :/busybox; an image without an entrypoint of its own gets ["/busybox/sh"]).

    Each of the four has an `image_test` named `<variant>_test`: the hardening policy (the
    `_nonroot` ones must run as 65532; the `_debug` ones waive their busybox shell) and what every
    distroless image holds (/etc/passwd, the CA bundle, /tmp 1777, /home/nonroot 0700 65532).

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
    for variant, nonroot, debug in [("", False, False), ("_nonroot", True, False), ("_debug", False, True), ("_debug_nonroot", True, True)]:
        _image_test(name + variant + "_test", ":" + name + variant, nonroot, debug, kwargs)

# The images of a release, in the order of their chain (each key of `packages`).
_IMAGES = ["static", "base_nossl", "base", "cc", "python3", "java", "nodejs"]

def _n(r, name):
    return r.prefix + name

def _deb(r, package):
    return "%s//:%s_%s" % (r.repo, package, r.arch)

def _closures(r, image):
    return [_deb(r, package) + "_closure" for package in r.packages[image]]

def distroless_release(
        repo,
        version_id,
        codename,
        packages,
        busybox_applets,
        arch = "amd64",
        merged_usr = False,
        python = None,
        java_version = None,
        name_prefix = "",
        **kwargs):
    """Every distroless image of one Debian release and architecture, with its variants.

    The chain is distroless': static → base_nossl → base → cc → python3 / nodejs, and
    base_nossl → java; each image also comes as `_nonroot`, `_debug` and `_debug_nonroot`
    (`image_family`). Targets (each name prefixed with `name_prefix`):

    | target | what |
    |---|---|
    | `static`, `base_nossl`, `base`, `cc`, `python3`, `java`, `nodejs` (+ variants) | the images (`distroless_image`, with `.tar`, `.digest`, `.load`, `.push`) |
    | `base_files` | /etc/passwd, /etc/group, /etc/nsswitch.conf, os-release, /root, /home/nonroot, /tmp |
    | `cacerts`, `java_cacerts` | the CA bundle; the same plus Java's JKS cacerts |
    | `locale` | the C.UTF-8 locale from libc-bin (python3, java) |
    | `python3_ld_so_cache` | /etc/ld.so.cache of every layer of python3 (its last layer) |
    | `busybox_bin`, `busybox_links` | the debug layers |
    | `java_link`, `node_link` | /usr/bin/java → the JRE; /nodejs/bin/node → /usr/bin/node |

    Args:
      repo: the `debian_packages` repository of the release's lock, e.g. "@debian12". It must
        lock ca-certificates, libc-bin, busybox-static and every package of `packages` for `arch`.
      version_id: os-release VERSION_ID, e.g. "12".
      codename: the release's code name, e.g. "bookworm".
      packages: dict image → Debian package names. "static": packages taken alone (no
        dependencies), e.g. base-files, netbase, tzdata, media-types; every other image
        ("base_nossl", "base", "cc", "python3", "java", "nodejs"): packages taken with their
        dependency closure (what the base image already has is not added again). "static",
        "base_nossl", "base" and "cc" are required; a runtime image whose key is absent is not
        declared.
      busybox_applets: the applets of the release's busybox-static (images/busybox.bzl).
      arch: Debian architecture of the packages and the images (amd64, arm64).
      merged_usr: the release is merged-usr (Debian 13 and later): the layers made here from
        packages (locale, busybox) keep the base's /bin, /sbin, /lib* → usr/ symlinks. Must agree
        with the lock's merged_usr.
      python: the interpreter of the python3 image, e.g. "python3.11" (Entrypoint
        /usr/bin/<python>); required with packages["python3"].
      java_version: the JRE's major version, e.g. "17": /usr/bin/java links to
        /usr/lib/jvm/java-<version>-openjdk-<arch>/bin/java, JAVA_VERSION=<version>; required with
        packages["java"].
      name_prefix: prefix of every target name (e.g. "arm64_" for a second architecture in one
        package).
      **kwargs: common attributes (tags, visibility...) of every target.
    """
    for key in packages:
        if key not in _IMAGES:
            fail("distroless_release: unknown image %r in packages (known: %s)" % (key, ", ".join(_IMAGES)))
    for key in ["static", "base_nossl", "base", "cc"]:
        if key not in packages:
            fail("distroless_release: packages needs %r (the chain up to cc is required)" % key)
    if "python3" in packages and not python:
        fail("distroless_release: packages[\"python3\"] needs python (e.g. \"python3.11\")")
    if "java" in packages and not java_version:
        fail("distroless_release: packages[\"java\"] needs java_version (e.g. \"17\")")

    r = struct(prefix = name_prefix, repo = repo, arch = arch, packages = packages)

    # Every distroless_image of the release: the architecture (and arm64's variant) of the packages.
    image_kwargs = dict(kwargs)
    image_kwargs["architecture"] = arch
    image_kwargs["variant"] = "v8" if arch == "arm64" else ""

    # --- common layers ---

    distroless_base_layer(
        name = _n(r, "base_files"),
        # os-release as distroless writes it, with its project's links.
        bug_report_url = "https://github.com/GoogleContainerTools/distroless/issues/new",
        codename = codename,
        home_url = "https://github.com/GoogleContainerTools/distroless",
        support_url = "https://github.com/GoogleContainerTools/distroless/blob/master/README.md",
        version_id = version_id,
        **kwargs
    )
    ca_certificates_layer(
        name = _n(r, "cacerts"),
        package = _deb(r, "ca-certificates"),
        **kwargs
    )
    ca_certificates_layer(
        name = _n(r, "java_cacerts"),
        java_cacerts = True,
        package = _deb(r, "ca-certificates"),
        **kwargs
    )

    # The C.UTF-8 locale, from libc-bin (the rest of libc-bin is tools a container never runs).
    deb_layer(
        name = _n(r, "locale"),
        include = [
            "usr/lib/locale/C.utf8/**",
            "usr/share/doc/libc-bin/copyright",
        ],
        deb = _deb(r, "libc-bin"),
        merged_usr = merged_usr,
        **kwargs
    )
    debug = busybox_layers(
        name = _n(r, "busybox"),
        busybox = _deb(r, "busybox-static"),
        applets = busybox_applets,
        merged_usr = merged_usr,
        **kwargs
    )

    # --- the images ---

    static_layers = [_deb(r, package) for package in packages["static"]] + [
        ":" + _n(r, "cacerts"),
        ":" + _n(r, "base_files"),
    ]
    image_family(
        name = _n(r, "static"),
        debug_layers = debug,
        env = {
            "PATH": PATH,
            "SSL_CERT_FILE": SSL_CERT_FILE,
        },
        layers = static_layers,
        **image_kwargs
    )
    image_family(
        name = _n(r, "base_nossl"),
        base = ":" + _n(r, "static"),
        debug_layers = debug,
        layers = _closures(r, "base_nossl"),
        **image_kwargs
    )
    image_family(
        name = _n(r, "base"),
        base = ":" + _n(r, "base_nossl"),
        debug_layers = debug,
        layers = _closures(r, "base"),
        **image_kwargs
    )
    image_family(
        name = _n(r, "cc"),
        base = ":" + _n(r, "base"),
        debug_layers = debug,
        layers = _closures(r, "cc"),
        **image_kwargs
    )

    if "python3" in packages:
        python3_layers = _closures(r, "python3") + [":" + _n(r, "locale")]

        # Distroless' python3 carries the /etc/ld.so.cache of ldconfig; made from every layer of
        # the image, the base chain's included, it comes last.
        ld_so_cache_layer(
            name = _n(r, "python3_ld_so_cache"),
            architecture = arch,
            layers = static_layers + _closures(r, "base_nossl") + _closures(r, "base") +
                     _closures(r, "cc") + python3_layers,
            **kwargs
        )
        image_family(
            name = _n(r, "python3"),
            base = ":" + _n(r, "cc"),
            debug_layers = debug,
            entrypoint = ["/usr/bin/" + python],
            env = {"LANG": "C.UTF-8"},
            layers = python3_layers + [":" + _n(r, "python3_ld_so_cache")],
            **image_kwargs
        )

    if "java" in packages:
        # Debian's update-alternatives would make /usr/bin/java at install time; distroless has it too.
        image_layer(
            name = _n(r, "java_link"),
            symlinks = {"/usr/bin/java": "/usr/lib/jvm/java-%s-openjdk-%s/bin/java" % (java_version, arch)},
            **kwargs
        )
        image_family(
            name = _n(r, "java"),
            base = ":" + _n(r, "base_nossl"),
            debug_layers = debug,
            entrypoint = [
                "/usr/bin/java",
                "-jar",
            ],
            env = {
                "JAVA_VERSION": java_version,
                "LANG": "C.UTF-8",
            },
            layers = _closures(r, "java") + [
                ":" + _n(r, "java_cacerts"),
                ":" + _n(r, "java_link"),
                ":" + _n(r, "locale"),
            ],
            **image_kwargs
        )

    if "nodejs" in packages:
        # Distroless puts node at /nodejs/bin/node; Debian's nodejs installs /usr/bin/node.
        image_layer(
            name = _n(r, "node_link"),
            symlinks = {"/nodejs/bin/node": "/usr/bin/node"},
            **kwargs
        )
        image_family(
            name = _n(r, "nodejs"),
            base = ":" + _n(r, "cc"),
            debug_layers = debug,
            entrypoint = ["/nodejs/bin/node"],
            layers = _closures(r, "nodejs") + [":" + _n(r, "node_link")],
            **image_kwargs
        )
