"""`golden_digests_test`: the digests of layers and images against a committed list."""

load("//rules:defs.bzl", "ImageInfo", "LayerInfo")

def _golden_digests_test_impl(ctx):
    checks = []
    files = [ctx.file.golden]
    for target in ctx.attr.layers:
        descriptor = target[LayerInfo].descriptor
        files.append(descriptor)
        checks.append("echo \"%s $(grep -o '\"digest\": *\"sha256:[0-9a-f]*\"' '%s' | grep -o 'sha256:[0-9a-f]*')\"" % (target.label.name, descriptor.short_path))
    for target in ctx.attr.images:
        digest = target[ImageInfo].digest
        files.append(digest)
        checks.append("echo \"%s $(cat '%s')\"" % (target.label.name, digest.short_path))
    script = ctx.actions.declare_file(ctx.label.name + ".sh")
    ctx.actions.write(script, """#!/usr/bin/env bash
set -euo pipefail
got=$( {{
{checks}
}} | LC_ALL=C sort)
if ! diff -u '{golden}' <(echo "$got"); then
  echo "FAIL: golden digests changed (-want +got). A change in tar, compression or JSON output changes every digest users have; if it is deliberate, run tests/golden/update.sh and say so in the change." >&2
  exit 1
fi
echo "golden: $(echo "$got" | wc -l) digests match"
""".format(checks = "\n".join(checks), golden = ctx.file.golden.short_path), is_executable = True)
    return [DefaultInfo(executable = script, runfiles = ctx.runfiles(files = files))]

golden_digests_test = rule(
    implementation = _golden_digests_test_impl,
    doc = "Compares `name digest` lines of the given layers and images with the `golden` file.",
    attrs = {
        "golden": attr.label(doc = "Sorted `name sha256:...` lines.", allow_single_file = True, mandatory = True),
        "layers": attr.label_list(doc = "`image_layer` targets.", providers = [LayerInfo]),
        "images": attr.label_list(doc = "`distroless_image` targets.", providers = [ImageInfo]),
    },
    test = True,
)
