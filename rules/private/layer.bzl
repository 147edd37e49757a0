"""`image_layer`: declared files, binaries, directories and symlinks → one reproducible layer."""

load(":paths.bzl", "image_path", "parse_mode", "parse_owner")
load(":providers.bzl", "LayerInfo")
load(":settings.bzl", "SOURCE_DATE_EPOCH_ATTR", "source_date_epoch_env")
load(":toolchain.bzl", "DISTILL_TOOLCHAIN", "distill_binary")

_EXTENSIONS = {"gzip": ".tar.gz", "none": ".tar", "zstd": ".tar.zst"}

# Mode -1 asks distill to choose: 0755 when the source file is executable by its owner, else 0644.
_AUTO_MODE = -1

def _join(directory, name):
    return directory + "/" + name if directory else name

def _add(entries, where, entry, origin):
    """Adds one entry, failing on two different things at one image path."""
    path = entry["path"]
    if not path:
        fail("%s: %s maps to the image root itself; give it a file name, e.g. \"/app/file\"" % (where, origin))
    old = entries.get(path)
    if old == None:
        entries[path] = dict(entry, origin = origin)
        return
    if old.get("src") == entry.get("src") and old["kind"] == entry["kind"] and old.get("target") == entry.get("target"):
        return
    fail("%s: two different things at image path \"/%s\": %s and %s; map one of them elsewhere" % (
        where,
        path,
        old["origin"],
        origin,
    ))

def _runfiles_tree(runfiles_dir, workspace_name, f):
    """Where a runfile lives below `<binary>.runfiles/` (the layout Bazel's runfiles libraries expect)."""
    if f.short_path.startswith("../"):
        return _join(runfiles_dir, f.short_path[len("../"):])
    return _join(runfiles_dir, workspace_name + "/" + f.short_path)

def _collect(ctx, where):
    entries = {}
    inputs = []
    directory = image_path(where + " directory", ctx.attr.directory)

    for target in ctx.attr.srcs:
        for f in target.files.to_list():
            inputs.append(f)
            _add(entries, where, {"kind": "file", "path": _join(directory, f.basename), "src": f.path, "mode": _AUTO_MODE}, f.short_path)

    for target, path in ctx.attr.files.items():
        path = image_path(where + " files", path)
        files = target.files.to_list()
        for f in files:
            inputs.append(f)
            dest = path if len(files) == 1 else _join(path, f.basename)
            _add(entries, where, {"kind": "file", "path": dest, "src": f.path, "mode": _AUTO_MODE}, f.short_path)

    for target, path in ctx.attr.binaries.items():
        path = image_path(where + " binaries", path)
        executable = target[DefaultInfo].files_to_run.executable
        if executable == None:
            fail("%s: binaries: %s is not executable; put plain files in srcs or files" % (where, target.label))
        inputs.append(executable)
        _add(entries, where, {"kind": "file", "path": path, "src": executable.path, "mode": 493}, str(target.label))
        runfiles = target[DefaultInfo].default_runfiles
        if runfiles == None:
            continue
        tree = path + ".runfiles"
        for f in runfiles.files.to_list():
            dest = _runfiles_tree(tree, ctx.workspace_name, f)
            if f == executable:
                # The executable's own runfile points back at it rather than storing it twice.
                _add(entries, where, {"kind": "symlink", "path": dest, "target": "/" + path}, "runfile " + f.short_path)
                continue
            inputs.append(f)
            _add(entries, where, {"kind": "file", "path": dest, "src": f.path, "mode": _AUTO_MODE}, "runfile " + f.short_path)
        for link in runfiles.symlinks.to_list():
            inputs.append(link.target_file)
            _add(entries, where, {"kind": "file", "path": _join(tree, ctx.workspace_name + "/" + link.path), "src": link.target_file.path, "mode": _AUTO_MODE}, "runfile " + link.path)
        for link in runfiles.root_symlinks.to_list():
            inputs.append(link.target_file)
            _add(entries, where, {"kind": "file", "path": _join(tree, link.path), "src": link.target_file.path, "mode": _AUTO_MODE}, "runfile " + link.path)

    for d in ctx.attr.directories:
        _add(entries, where, {"kind": "dir", "path": image_path(where + " directories", d), "mode": 493}, "directory " + d)

    for link, target in ctx.attr.symlinks.items():
        if not target:
            fail("%s: symlink %r has an empty target" % (where, link))
        _add(entries, where, {"kind": "symlink", "path": image_path(where + " symlinks", link), "target": target}, "symlink " + link)

    _apply(entries, where, "modes", ctx.attr.modes, parse_mode)
    _apply(entries, where, "owners", ctx.attr.owners, parse_owner)
    return entries, inputs

def _apply(entries, where, attr_name, values, parse):
    """Applies per-path modes or owners; a parent directory named there becomes explicit."""
    for raw, value in values.items():
        path = image_path("%s %s" % (where, attr_name), raw)
        parsed = parse("%s %s[%r]" % (where, attr_name, raw), value)
        if path not in entries:
            prefix = path + "/"
            if not [p for p in entries if p.startswith(prefix)]:
                fail("%s: %s names %r, which is not in this layer; add it to srcs, files, binaries, directories or symlinks" % (
                    where,
                    attr_name,
                    raw,
                ))
            entries[path] = {"kind": "dir", "path": path, "mode": 493, "origin": "parent directory " + raw}
        entry = entries[path]
        if entry["kind"] == "symlink" and attr_name == "modes":
            fail("%s: modes names the symlink %r; a symlink has no mode of its own" % (where, raw))
        if attr_name == "modes":
            entry["mode"] = parsed
        else:
            entry["uid"], entry["gid"] = parsed[0], parsed[1]

def _image_layer_impl(ctx):
    where = "image_layer %s" % ctx.label
    entries, inputs = _collect(ctx, where)
    if not entries:
        fail("%s: the layer is empty; give it srcs, files, binaries, directories or symlinks" % where)

    records = []
    for path in sorted(entries):
        e = entries[path]
        record = {"kind": e["kind"], "path": path, "uid": e.get("uid", 0), "gid": e.get("gid", 0)}
        if e["kind"] == "file":
            record["src"] = e["src"]
            record["mode"] = e["mode"]
        elif e["kind"] == "dir":
            record["mode"] = e["mode"]
        else:
            record["target"] = e["target"]
        records.append(record)

    spec = ctx.actions.declare_file(ctx.label.name + "_/entries.json")
    ctx.actions.write(spec, json.encode({"entries": records}) + "\n")
    return layer_action(
        ctx,
        command = "layer",
        arguments = ["--entries", spec.path],
        inputs = [spec] + inputs,
        mnemonic = "DistillLayer",
    )

def layer_action(ctx, command, arguments, inputs, mnemonic):
    """Runs one `distill` layer-writing command; returns the providers of a layer target.

    Args:
      ctx: the rule context; uses ctx.attr.compression, compression_level and _source_date_epoch.
      command: the distill subcommand ("layer", "deb-layer").
      arguments: the command's own flags (strings).
      inputs: list of input Files.
      mnemonic: the action mnemonic.

    The action also writes `<name>_/contents.json` (`--contents`): what the layer holds, for
    the SBOM (`distill sbom`).

    Returns:
      [DefaultInfo, OutputGroupInfo(contents), LayerInfo]
    """
    blob = ctx.actions.declare_file(ctx.label.name + "_/layer" + _EXTENSIONS[ctx.attr.compression])
    descriptor = ctx.actions.declare_file(ctx.label.name + "_/descriptor.json")
    contents = ctx.actions.declare_file(ctx.label.name + "_/contents.json")
    args = ctx.actions.args()
    args.add(command)
    args.add_all(arguments)
    args.add("--output", blob)
    args.add("--descriptor", descriptor)
    args.add("--contents", contents)
    args.add("--compression", ctx.attr.compression)
    if ctx.attr.compression_level >= 0:
        args.add("--level", str(ctx.attr.compression_level))
    ctx.actions.run(
        executable = distill_binary(ctx),
        arguments = [args],
        inputs = depset(inputs),
        outputs = [blob, descriptor, contents],
        env = source_date_epoch_env(ctx),
        mnemonic = mnemonic,
        progress_message = "Building layer %s" % ctx.label,
    )
    return [
        DefaultInfo(files = depset([blob, descriptor]), runfiles = ctx.runfiles(files = [blob, descriptor])),
        OutputGroupInfo(contents = depset([contents])),
        LayerInfo(blob = blob, descriptor = descriptor, contents = contents),
    ]

COMPRESSION_ATTRS = dict({
    "compression": attr.string(
        doc = "Layer compression: \"gzip\" (default, readable by every runtime), \"zstd\" or \"none\".",
        default = "gzip",
        values = ["gzip", "zstd", "none"],
    ),
    "compression_level": attr.int(
        doc = "Compression level; -1 keeps distill's pinned default. Changing it changes the digest.",
        default = -1,
    ),
}, **SOURCE_DATE_EPOCH_ATTR)

image_layer = rule(
    implementation = _image_layer_impl,
    doc = """One reproducible image layer from declared files, binaries, directories and symlinks.

Every entry is owned by 0:0 with mode 0755 (directories, executables) or 0644 (other files) unless
`modes` or `owners` say otherwise; timestamps are SOURCE_DATE_EPOCH (default 0); parent
directories are added as 0755 root-owned directories. One action writes the compressed blob and its
descriptor (digest, diff_id, size, media type) in a single streaming pass.

```starlark
image_layer(
    name = "app_layer",
    binaries = {"//app:server": "/app/server"},  # + /app/server.runfiles/...
    files = {"config.yaml": "/etc/app/config.yaml"},
    directories = ["/var/cache/app"],
    symlinks = {"/usr/bin/server": "/app/server"},
    modes = {"/etc/app/config.yaml": "0440"},
    owners = {"/var/cache/app": "65532:65532"},
)
```
""",
    attrs = dict({
        "srcs": attr.label_list(
            doc = "Files placed in `directory` under their base names.",
            allow_files = True,
        ),
        "directory": attr.string(
            doc = "Image directory that receives `srcs` (default: the root).",
            default = "/",
        ),
        "files": attr.label_keyed_string_dict(
            doc = "Target → image path. A target with one file lands exactly there; a target with several files lands inside that directory under their base names.",
            allow_files = True,
        ),
        "binaries": attr.label_keyed_string_dict(
            doc = "Executable target (a `*_binary`) → image path of its executable (mode 0755). Its runfiles follow at `<path>.runfiles/<workspace>/...`, where Bazel's runfiles libraries look for them.",
            cfg = "target",
        ),
        "directories": attr.string_list(
            doc = "Empty directories to create (mode 0755, owner 0:0 unless `modes`/`owners` say otherwise).",
        ),
        "symlinks": attr.string_dict(
            doc = "Image path of a symlink → its target, written verbatim (absolute or relative).",
        ),
        "modes": attr.string_dict(
            doc = "Image path → octal mode (\"0755\", \"0440\", \"1777\"). The path must be in the layer or be a parent directory of something in it.",
        ),
        "owners": attr.string_dict(
            doc = "Image path → numeric \"uid:gid\" (\"65532:65532\"). The path must be in the layer or be a parent directory of something in it.",
        ),
    }, **COMPRESSION_ATTRS),
    toolchains = [DISTILL_TOOLCHAIN],
)
