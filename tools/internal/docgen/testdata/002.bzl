load(":private/repos.bzl", "fetch_thing", _SHORT = "SHORT")

def register(name = _SHORT):
    """Registers a thing.

    Args:
      name: the repository name.
    """
    fetch_thing(name = name)

local_thing = repository_rule(
    implementation = lambda rctx: None,
    doc = "A thing from the local disk " +
          "(doc given as two literals).",
)

fetch = fetch_thing
