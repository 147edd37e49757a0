"""The toolchain that provides the `distill` helper binary."""

DISTILL_TOOLCHAIN = str(Label("//rules:toolchain_type"))

def _distill_toolchain_impl(ctx):
    return [platform_common.ToolchainInfo(distill = ctx.executable.distill)]

distill_toolchain = rule(
    implementation = _distill_toolchain_impl,
    doc = """Declares a `distill` helper binary for `toolchain()`.

Usually created for you by `distill_register_toolchains()`. Example:

```starlark
distill_toolchain(name = "distill_linux_amd64", distill = ":distill")

toolchain(
    name = "toolchain",
    toolchain = ":distill_linux_amd64",
    toolchain_type = "@rules_distill//rules:toolchain_type",
)
```
""",
    attrs = {
        "distill": attr.label(
            doc = "The `distill` executable (a static binary for the execution platform).",
            mandatory = True,
            allow_single_file = True,
            executable = True,
            cfg = "exec",
        ),
    },
)

def distill_binary(ctx):
    """Returns the `distill` executable File of the resolved toolchain."""
    return ctx.toolchains[DISTILL_TOOLCHAIN].distill
