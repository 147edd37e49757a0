"""Repository rules of the example."""

SHORT = "thing"

fetch_thing = repository_rule(
    implementation = lambda rctx: None,
    doc = "Fetches a thing.",
    attrs = {
        "urls": attr.string_list(doc = "Mirrors.", mandatory = True),
        "sha256": attr.string(doc = "Its sha256."),
    },
)
