"""`ca_certificates_layer`: the CA bundle (and Java's cacerts) made from the ca-certificates package."""

load(":deb.bzl", "deb_file")
load(":layer.bzl", "COMPRESSION_ATTRS", "layer_action")
load(":toolchain.bzl", "DISTILL_TOOLCHAIN")

def _ca_certificates_layer_impl(ctx):
    deb = deb_file("ca_certificates_layer %s" % ctx.label, ctx.attr.package)
    arguments = ["--deb", deb.path]
    if ctx.attr.java_cacerts:
        arguments.append("--java-cacerts")
    return layer_action(ctx, "cacerts", arguments, [deb], "DistillCACerts")

ca_certificates_layer = rule(
    implementation = _ca_certificates_layer_impl,
    doc = """The CA bundle `/etc/ssl/certs/ca-certificates.crt`, made from the ca-certificates package
the way `update-ca-certificates` makes it (every certificate, concatenated), without running the
package's scripts; with `java_cacerts`, also `/etc/ssl/certs/java/cacerts`, a JKS keystore of the
same certificates. Set `SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt` in the image.

```starlark
ca_certificates_layer(
    name = "cacerts",
    package = "@debian12//:ca-certificates_amd64",
)
```
""",
    attrs = dict({
        "package": attr.label(
            doc = "The ca-certificates package: its `deb_layer` (from `debian_packages`) or its .deb file.",
            mandatory = True,
            allow_files = True,
        ),
        "java_cacerts": attr.bool(
            doc = "Also write /etc/ssl/certs/java/cacerts (JKS, password \"changeit\").",
        ),
    }, **COMPRESSION_ATTRS),
    toolchains = [DISTILL_TOOLCHAIN],
)
