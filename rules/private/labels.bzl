"""Label helpers for code that writes BUILD files into other repositories."""

def absolute_label(label):
    """A label string that means the same from inside another repository.

    Args:
      label: a Label.

    Returns:
      "@@canonical//pkg:name" on Bazel 6+; "@repo//pkg:name" (or "@//pkg:name" for the main
      repository) on Bazel 4 and 5.
    """
    if str(label).startswith("@@"):
        return str(label)
    return "@%s//%s:%s" % (label.workspace_name, label.package, label.name)
