"""Public API of an example ruleset.

Load everything from here.
"""

load("//private:macros.bzl", _pack = "pack")
load("//private:providers.bzl", _BundleInfo = "BundleInfo", _PlainInfo = "PlainInfo")
load("//private:rules.bzl", _bundle = "bundle", _stamp = "stamp")

bundle = _bundle
stamp = _stamp
BundleInfo = _BundleInfo
PlainInfo = _PlainInfo
pack = _pack

_PRIVATE = "not documented"

def _helper():
    pass

def bundle_all(name, srcs, compression = "gzip", *args, extra = {}, **kwargs):
    """Bundles every source, and a | in the text.

    Example:

        bundle_all(name = "all", srcs = glob(["*.txt"]))

    Args:
      name: target name.
      srcs: the sources; a long description that goes on
        over a second line | with a pipe.
      compression: "gzip" or "none".
      *args: ignored.
      extra: more entries,
        given as a dict.
      **kwargs: common attributes.

    Returns:
      Nothing: targets are created
      as a side effect.
    """
    _helper()
