"""Providers of the example."""

BundleInfo = provider(
    doc = """What a bundle holds.

    Indented lines are dedented.
    """,
    fields = {
        "archive": "File: the archive.",
        "count": "int: how many files it holds.",
    },
)

PlainInfo = provider("A provider with a positional doc and plain fields.", fields = ["a", "b"])
