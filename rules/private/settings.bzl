"""Build settings shared by the rules."""

SourceDateEpochInfo = provider(
    doc = "The timestamp written into every tar entry and the image config.",
    fields = {"value": "string: seconds since the Unix epoch, decimal digits only."},
)

def _source_date_epoch_impl(ctx):
    value = ctx.build_setting_value
    if not value.isdigit() or len(value) > 12 or int(value) > 253402300799:
        fail("%s: %r is not a valid SOURCE_DATE_EPOCH; give whole seconds since 1970-01-01 UTC, e.g. --%s=1700000000" % (
            ctx.label,
            value,
            ctx.label,
        ))
    return [SourceDateEpochInfo(value = value)]

source_date_epoch_setting = rule(
    implementation = _source_date_epoch_impl,
    doc = "A string flag holding SOURCE_DATE_EPOCH for every layer and image (default 0).",
    build_setting = config.string(flag = True),
)

def source_date_epoch_env(ctx):
    """Returns the action environment that pins the timestamp of an action's output."""
    return {"SOURCE_DATE_EPOCH": ctx.attr._source_date_epoch[SourceDateEpochInfo].value}

SOURCE_DATE_EPOCH_ATTR = {
    "_source_date_epoch": attr.label(
        default = Label("//rules:source_date_epoch"),
        providers = [SourceDateEpochInfo],
    ),
}
