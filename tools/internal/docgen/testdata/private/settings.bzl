"""Attributes shared by the rules."""

FORMATS = ["tar", "zip"]

COMMON_ATTRS = {
    "_epoch": attr.label(default = "//settings:epoch"),
    "owner": attr.string(doc = "Numeric \"uid:gid\" of every entry.", default = "0:0"),
}
