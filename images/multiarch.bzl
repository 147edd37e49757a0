"""Every distroless image of a release for amd64 and arm64, and an `<name>_index` of the two.

`multiarch_release` calls `distroless_release` (defs.bzl) once per architecture — amd64 under
the plain names, arm64 under the prefix "arm64_" — and adds one `image_index` per image.
"""

load("//images:defs.bzl", "distroless_release")
load("//rules:defs.bzl", "image_index")

# The images of a release in the order of defs.bzl's chain, and the variants of each.
_IMAGES = ["static", "base_nossl", "base", "cc", "python3", "java", "nodejs"]
_VARIANTS = ["", "_nonroot", "_debug", "_debug_nonroot"]

ARM64_PREFIX = "arm64_"

def multiarch_release(packages, **kwargs):
    """`distroless_release` for amd64 and arm64, and `<name>_index` for every image.

    | target | what |
    |---|---|
    | `<name>` (e.g. `python3_nonroot`) | the amd64 image, as `distroless_release` makes it |
    | `arm64_<name>` | the arm64 image (variant v8), from the lock's arm64 packages |
    | `<name>_index` | the OCI image index of the two (`image_index`: `.digest`, `.tar`, `.load`, `.push`) |

    Args:
      packages: dict image → Debian package names, as `distroless_release` takes it.
      **kwargs: every other `distroless_release` argument except `arch` and `name_prefix`.
    """
    if "arch" in kwargs or "name_prefix" in kwargs:
        fail("multiarch_release: arch and name_prefix are set here (amd64 plain, arm64 under %r); remove them" % ARM64_PREFIX)
    distroless_release(packages = packages, arch = "amd64", **kwargs)
    distroless_release(packages = packages, arch = "arm64", name_prefix = ARM64_PREFIX, **kwargs)
    common = {k: v for k, v in kwargs.items() if k in ("tags", "visibility", "testonly")}
    for image in _IMAGES:
        if image not in packages:
            continue
        for variant in _VARIANTS:
            name = image + variant
            image_index(
                name = name + "_index",
                images = [":" + name, ":" + ARM64_PREFIX + name],
                **common
            )
