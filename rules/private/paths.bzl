"""Validation of image paths, modes and owners, shared by the rules (analysis-time errors)."""

def image_path(where, path):
    """Normalises an image path to its tar form: relative to the root, no leading or trailing slash.

    Args:
      where: string naming the target and attribute, for error messages.
      path: the path as the user wrote it ("/app/server", "app/server/" ...).

    Returns:
      The normalised path ("app/server"); "" stands for the root itself.
    """
    parts = []
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            fail("%s: path %r escapes the image root; write it as an absolute path inside the image, e.g. \"/app/%s\"" % (
                where,
                path,
                path.split("/")[-1] or "file",
            ))
        parts.append(part)
    return "/".join(parts)

def parse_mode(where, mode):
    """Parses an octal mode string such as "0755" or "4755" into an int.

    Args:
      where: string naming the target and attribute, for error messages.
      mode: the octal string.

    Returns:
      The mode as an int.
    """
    digits = mode[1:] if mode.startswith("0o") else mode
    digits = digits[1:] if digits.startswith("o") else digits
    if not digits or len(digits) > 5:
        fail("%s: mode %r is not an octal mode; write it like \"0755\" or \"0644\"" % (where, mode))
    value = 0
    for c in digits.elems():
        if c not in "01234567":
            fail("%s: mode %r is not an octal mode; write it like \"0755\" or \"0644\"" % (where, mode))
        value = value * 8 + int(c)
    if value > 4095:
        fail("%s: mode %r has bits beyond 07777; write it like \"0755\" or \"0644\"" % (where, mode))
    return value

def parse_owner(where, owner):
    """Parses "uid:gid" (numbers only: a distroless image has no user database to look names up).

    Args:
      where: string naming the target and attribute, for error messages.
      owner: the "uid:gid" string.

    Returns:
      A (uid, gid) tuple of ints.
    """
    ids = owner.split(":")
    if len(ids) != 2 or not ids[0].isdigit() or not ids[1].isdigit():
        fail("%s: owner %r must be numeric \"uid:gid\", e.g. \"65532:65532\"" % (where, owner))
    return (int(ids[0]), int(ids[1]))
