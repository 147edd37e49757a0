"""`host_cross_cc_binary`: a C++ program cross-compiled for arm64 by the host's aarch64 g++.

The C++ example's amd64 binary is an ordinary `cc_binary`, built by the host gcc through Bazel's
auto-configured C++ toolchain. Bazel 4.2.3 resolves that toolchain from `--crosstool_top`/`--cpu`
for the whole build, so an arm64 `cc_binary` next to it would need a second `cc_toolchain`, its
`cc_toolchain_config`, a platform and a transition. This rule is the small local route instead, as
`examples/java/host_java_jar.bzl` is for the jar: one action runs Debian's cross compiler
`aarch64-linux-gnu-g++` (package g++-aarch64-linux-gnu, installed by tests/setup.sh) from the
PATH of the build. It is not hermetic — the binary depends on the host's cross gcc and its arm64
glibc and libstdc++, Debian 12's, as the arm64 cc image's are — but it is reproducible on one
host: -O2, no debug info, the execution root mapped to "." (`-ffile-prefix-map`), a fixed
`-frandom-seed` and no GNU build-id note, so building twice gives the same bytes.
"""

_SCRIPT = """\
set -euo pipefail
cxx="$1" out="$2" seed="$3"
shift 3
command -v "$cxx" >/dev/null || {
  echo "host_cross_cc_binary: no $cxx on PATH: install the cross compiler (Debian: g++-aarch64-linux-gnu)" >&2
  exit 1
}
"$cxx" -O2 -ffile-prefix-map="$PWD"=. -fdebug-prefix-map="$PWD"=. -frandom-seed="$seed" \\
  -Wl,--build-id=none -o "$out" "$@"
"""

def _host_cross_cc_binary_impl(ctx):
    if not ctx.files.srcs:
        fail("host_cross_cc_binary %s: srcs is empty; give it the .cc sources" % ctx.label)
    out = ctx.actions.declare_file(ctx.label.name)
    args = ctx.actions.args()
    args.add(ctx.attr.compiler)
    args.add(out)
    args.add(out.short_path)
    args.add_all(ctx.attr.copts)
    args.add_all(ctx.files.srcs)
    ctx.actions.run_shell(
        command = _SCRIPT,
        arguments = [args],
        inputs = ctx.files.srcs,
        outputs = [out],
        # The cross compiler comes from the PATH of the build: the host's, on purpose.
        use_default_shell_env = True,
        mnemonic = "HostCrossCc",
        progress_message = "Cross-compiling %s with the host's %s" % (ctx.label, ctx.attr.compiler),
    )
    return [DefaultInfo(files = depset([out]), executable = out)]

host_cross_cc_binary = rule(
    implementation = _host_cross_cc_binary_impl,
    executable = True,
    doc = """A dynamically linked C++ program cross-compiled by the host's cross g++ (arm64 by default).

Uses the compiler on the PATH, not a Bazel C++ toolchain. For small examples only: one
compile-and-link step over `srcs`, no headers, no deps. Output: `<name>`, an ELF executable for the compiler's
target (it does not run on the build machine without emulation).

```starlark
host_cross_cc_binary(name = "hello_arm64", srcs = ["hello.cc"])
```""",
    attrs = {
        "compiler": attr.string(
            doc = "The cross compiler's command name, looked up on the PATH of the build.",
            default = "aarch64-linux-gnu-g++",
        ),
        "copts": attr.string_list(
            doc = "More compiler and linker flags, after the fixed ones (-O2, prefix maps, no build-id).",
        ),
        "srcs": attr.label_list(
            doc = "The C++ sources (compiled and linked in one step).",
            allow_files = [".cc", ".cpp", ".cxx"],
        ),
    },
)
