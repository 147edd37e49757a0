"""Macros of the example."""

def pack(name, visibility = None):
    """Packs.

    Args:
      name: target name.
      visibility: who may depend on it.
    """
    native.filegroup(name = name, visibility = visibility)
