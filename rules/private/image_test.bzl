"""`image_test`: the hardening policy and structure assertions, checked on the built image itself."""

load(":launcher.bzl", "distill_launcher", "runfiles_path", "shell_quote")
load(":providers.bzl", "ImageInfo")
load(":toolchain.bzl", "DISTILL_TOOLCHAIN")

# The rules of tools/pkg/policy, in its order.
POLICY_RULES = ["shell", "package-manager", "busybox", "user", "setuid", "world-writable", "entrypoint", "libraries"]

def _check_waivers(where, waive):
    for key, reason in waive.items():
        rule, _, glob = key.partition(":")
        if rule not in POLICY_RULES:
            fail("%s: waive: %r is not a rule of the policy; waive one of %s, or \"RULE:/PATH/GLOB\"" % (where, rule, ", ".join(POLICY_RULES)))
        if ":" in key and not glob.startswith("/"):
            fail("%s: waive: %r: after the rule comes an absolute path pattern, e.g. \"setuid:/usr/bin/*\"" % (where, key))
        if not reason.strip():
            fail("%s: waive: %r has no reason; say why this image needs it, e.g. {%r: \"debug variant: busybox sh is the point\"}" % (where, key, key))

def _check_path(where, attr, p):
    if not p.startswith("/") or p.endswith("/") or "//" in p or "/./" in p or "/../" in p or p.endswith("/.."):
        fail("%s: %s: %r is not an absolute, clean path such as \"/etc/passwd\"" % (where, attr, p))

def _spec(ctx, where):
    """The structure assertions of the Starlark attributes, as a spec dict."""
    files = []
    for p in ctx.attr.files_exist:
        _check_path(where, "files_exist", p)
        files.append({"path": p})
    for p in ctx.attr.files_absent:
        _check_path(where, "files_absent", p)
        files.append({"path": p, "exists": False})
    for p, mode in ctx.attr.file_modes.items():
        _check_path(where, "file_modes", p)
        if len(mode) < 3 or len(mode) > 4 or [c for c in mode.elems() if c not in "01234567"]:
            fail("%s: file_modes: %r for %s is not octal permission bits such as \"0755\"" % (where, mode, p))
        files.append({"path": p, "mode": mode})
    for p, owner in ctx.attr.file_owners.items():
        _check_path(where, "file_owners", p)
        uid, sep, gid = owner.partition(":")
        if not sep or not uid.isdigit() or not gid.isdigit():
            fail("%s: file_owners: %r for %s is not a numeric \"UID:GID\" such as \"65532:65532\"" % (where, owner, p))
        files.append({"path": p, "owner": owner})
    for p, regex in ctx.attr.file_contains.items():
        _check_path(where, "file_contains", p)
        files.append({"path": p, "contains": [regex]})
    config = {}
    if ctx.attr.env:
        config["env"] = ctx.attr.env
    if ctx.attr.user:
        config["user"] = ctx.attr.user
    if ctx.attr.workdir:
        config["workdir"] = ctx.attr.workdir
    if ctx.attr.entrypoint:
        config["entrypoint"] = ctx.attr.entrypoint
    if ctx.attr.exposed_ports:
        config["exposed_ports"] = ctx.attr.exposed_ports
    if ctx.attr.labels:
        config["labels"] = ctx.attr.labels
    if not files and not config:
        return None
    return {"version": 1, "files": files, "config": config}

def _image_test_impl(ctx):
    where = "image_test %s" % ctx.label
    _check_waivers(where, ctx.attr.waive)
    image = ctx.attr.image[ImageInfo]
    args = ["--layout", '"$runfiles"/' + shell_quote(runfiles_path(ctx, image.layout))]
    data = [image.layout]
    if ctx.attr.nonroot:
        args.append("--nonroot")
    for key in sorted(ctx.attr.waive):
        args.extend(["--waive", shell_quote("%s=%s" % (key, ctx.attr.waive[key]))])
    if ctx.file.spec:
        args.extend(["--spec", '"$runfiles"/' + shell_quote(runfiles_path(ctx, ctx.file.spec))])
        data.append(ctx.file.spec)
    spec = _spec(ctx, where)
    if spec:
        f = ctx.actions.declare_file(ctx.label.name + ".spec.json")
        ctx.actions.write(f, json.encode(spec))
        args.extend(["--spec", '"$runfiles"/' + shell_quote(runfiles_path(ctx, f))])
        data.append(f)
    body = 'exec "$distill" check %s' % " ".join(args)
    return [distill_launcher(ctx, body, data)]

image_test = rule(
    implementation = _image_test_impl,
    doc = """Test: the image meets the hardening policy and the structure assertions, one line per finding.

Reads the built image (its OCI layout) with `distill check`: no container runtime, no Docker.
Each layer is decompressed once and the layers are flattened (whiteouts applied). The policy's
rules, each of which `waive` can excuse:

| rule | fails on |
|---|---|
| `shell` | an executable sh, bash, dash, ash, zsh, ksh, csh... anywhere (also through symlinks) |
| `package-manager` | apt, apt-*, dpkg, dpkg-*, rpm, yum, dnf, apk... in the bin directories or the image's PATH |
| `busybox` | a busybox binary (expected in `_debug` variants only) |
| `user` | with `nonroot`: a User that is empty, root (0) or a name instead of a number |
| `setuid` | a file with the setuid or setgid bit |
| `world-writable` | a file or directory writable by all, except /tmp, /var/tmp, /var/lock, /run/lock with the sticky bit |
| `entrypoint` | Entrypoint (else Cmd) as one shell-form string or through `sh -c`; its program missing, not a file, not executable by the image's user, built for another architecture, or a script whose `#!` interpreter is missing. An image with neither Entrypoint nor Cmd passes: it is a base, and the images built on it are checked with theirs |
| `libraries` | a dynamic executable whose ELF interpreter or `DT_NEEDED` libraries (and theirs) are missing, found as glibc's loader does: RPATH, the image's LD_LIBRARY_PATH, RUNPATH with `$ORIGIN`, /etc/ld.so.cache, the default directories |

A waiver that excuses nothing fails the test as a `stale-waiver` finding: remove it once its
reason is gone, so that the problem cannot come back unnoticed. Structure assertions come from a
YAML `spec` file and from the attributes below; see docs/hardening.md for the spec format.

```starlark
load("@rules_distill//rules:defs.bzl", "image_test")

image_test(
    name = "image_test",
    image = ":image",
    spec = "image_test.yaml",
    env = {"LANG": "C.UTF-8"},
    files_absent = ["/bin/sh"],
)

image_test(
    name = "debug_test",
    image = ":image_debug",
    nonroot = False,
    waive = {
        "shell": "debug variant: busybox sh is the point",
        "busybox": "debug variant",
        "package-manager:/busybox/*": "busybox applets (dpkg, rpm), debug variant",
    },
)
```
""",
    attrs = {
        "image": attr.label(doc = "The `distroless_image` to check.", mandatory = True, providers = [ImageInfo]),
        "nonroot": attr.bool(
            doc = "Require a numeric, non-zero User (the `user` rule). Set False for an image meant to run as root (a base image's root variant).",
            default = True,
        ),
        "waive": attr.string_dict(
            doc = "Rule → reason: the findings of the rule pass, each printed with the reason. A key \"RULE:/GLOB\" waives the rule at matching paths only, e.g. {\"setuid:/usr/bin/ping\": \"needs raw sockets\"}.",
        ),
        "spec": attr.label(
            doc = "A YAML file of structure assertions (files, modes, owners, contents, config); see docs/hardening.md.",
            allow_single_file = [".yaml", ".yml", ".json"],
        ),
        "files_exist": attr.string_list(doc = "Absolute paths that must exist."),
        "files_absent": attr.string_list(doc = "Absolute paths that must not exist."),
        "file_modes": attr.string_dict(doc = "Path → octal mode, e.g. {\"/app/server\": \"0755\"} (of what the path resolves to)."),
        "file_owners": attr.string_dict(doc = "Path → numeric \"UID:GID\", e.g. {\"/home/nonroot\": \"65532:65532\"}."),
        "file_contains": attr.string_dict(doc = "Path → a regular expression (Go RE2) the file's content must match."),
        "env": attr.string_dict(doc = "Environment variables the config must set to exactly these values."),
        "user": attr.string(doc = "The config's User must be this; empty: not checked."),
        "workdir": attr.string(doc = "The config's WorkingDir must be this; empty: not checked."),
        "entrypoint": attr.string_list(doc = "The config's Entrypoint must be this list; empty: not checked."),
        "exposed_ports": attr.string_list(doc = "The exact set of exposed ports, e.g. [\"8080\"] (tcp) or [\"53/udp\"]; empty: not checked."),
        "labels": attr.string_dict(doc = "Labels the config must have, with these values."),
    },
    test = True,
    toolchains = [DISTILL_TOOLCHAIN],
)
