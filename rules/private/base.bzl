"""`distroless_base_layer`: the files every distroless image has (users, groups, homes, /tmp, os-release)."""

load(":layer.bzl", "COMPRESSION_ATTRS", "layer_action")
load(":toolchain.bzl", "DISTILL_TOOLCHAIN")

# The exact texts of Google's distroless images.
PASSWD = """root:x:0:0:root:/root:/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin
nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin
"""

GROUP = """root:x:0:
nobody:x:65534:
tty:x:5:
staff:x:50:
nonroot:x:65532:
"""

NSSWITCH = """# /etc/nsswitch.conf
#
# Example configuration of GNU Name Service Switch functionality.
# If you have the `glibc-doc-reference' and `info' packages installed, try:
# `info libc "Name Service Switch"' for information about this file.

passwd:         compat
group:          compat
shadow:         compat
gshadow:        files

hosts:          files dns
networks:       files

protocols:      db files
services:       db files
ethers:         db files
rpc:            db files

netgroup:       nis
"""

def _os_release(ctx):
    fields = [
        ("PRETTY_NAME", ctx.attr.pretty_name),
        ("NAME", "Debian GNU/Linux"),
        ("ID", "debian"),
        ("VERSION_ID", ctx.attr.version_id),
        ("VERSION", "Debian GNU/Linux %s (%s)" % (ctx.attr.version_id, ctx.attr.codename)),
        ("HOME_URL", ctx.attr.home_url),
        ("SUPPORT_URL", ctx.attr.support_url),
        ("BUG_REPORT_URL", ctx.attr.bug_report_url),
    ]
    return "".join(["%s=\"%s\"\n" % (k, v) for k, v in fields if v])

def _distroless_base_layer_impl(ctx):
    files = {
        "etc/group": (ctx.attr.group, 420),
        "etc/nsswitch.conf": (ctx.attr.nsswitch, 420),
        "etc/passwd": (ctx.attr.passwd, 420),
        "usr/lib/os-release": (_os_release(ctx), 365),
    }
    records = []
    inputs = []
    for path, (content, mode) in files.items():
        f = ctx.actions.declare_file("%s_/%s" % (ctx.label.name, path))
        ctx.actions.write(f, content)
        inputs.append(f)
        records.append({"kind": "file", "path": path, "src": f.path, "mode": mode, "uid": 0, "gid": 0})
    records += [
        {"kind": "dir", "path": "home", "mode": 493, "uid": 0, "gid": 0},
        {"kind": "dir", "path": "home/nonroot", "mode": 448, "uid": 65532, "gid": 65532},
        {"kind": "dir", "path": "root", "mode": 448, "uid": 0, "gid": 0},
        {"kind": "dir", "path": "tmp", "mode": 1023, "uid": 0, "gid": 0},
        {"kind": "symlink", "path": "etc/os-release", "target": "../usr/lib/os-release", "uid": 0, "gid": 0},
    ]
    spec = ctx.actions.declare_file(ctx.label.name + "_/entries.json")
    ctx.actions.write(spec, json.encode({"entries": records}) + "\n")
    return layer_action(ctx, "layer", ["--entries", spec.path], [spec] + inputs, "DistillLayer")

distroless_base_layer = rule(
    implementation = _distroless_base_layer_impl,
    doc = """The files every distroless image has, as one layer.

| path | content |
|---|---|
| `/etc/passwd` | root, nobody, nonroot (65532), shells `/sbin/nologin` (0644) |
| `/etc/group` | root, nobody, tty, staff, nonroot (0644) |
| `/etc/nsswitch.conf` | glibc's name service switch: `compat` users, `files dns` hosts (0644) |
| `/usr/lib/os-release` | `PRETTY_NAME="Distroless"`, Debian's NAME/ID/VERSION (0555); `/etc/os-release` links to it |
| `/root` | 0700 0:0 |
| `/home`, `/home/nonroot` | 0755 0:0; 0700 65532:65532 |
| `/tmp` | 1777 0:0 |

The texts default to Google's distroless images byte for byte.

```starlark
distroless_base_layer(
    name = "base_files",
    codename = "bookworm",
    version_id = "12",
)
```
""",
    attrs = dict({
        "version_id": attr.string(doc = "Debian's VERSION_ID, e.g. \"12\".", mandatory = True),
        "codename": attr.string(doc = "Debian's code name, e.g. \"bookworm\".", mandatory = True),
        "pretty_name": attr.string(doc = "PRETTY_NAME of os-release.", default = "Distroless"),
        "home_url": attr.string(doc = "HOME_URL of os-release (omitted when empty)."),
        "support_url": attr.string(doc = "SUPPORT_URL of os-release (omitted when empty)."),
        "bug_report_url": attr.string(doc = "BUG_REPORT_URL of os-release (omitted when empty)."),
        "passwd": attr.string(doc = "Content of /etc/passwd.", default = PASSWD),
        "group": attr.string(doc = "Content of /etc/group.", default = GROUP),
        "nsswitch": attr.string(doc = "Content of /etc/nsswitch.conf.", default = NSSWITCH),
    }, **COMPRESSION_ATTRS),
    toolchains = [DISTILL_TOOLCHAIN],
)
