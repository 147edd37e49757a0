"""Stand-in for @rules_cc//cc:defs.bzl: forwards every rule to the one built into Bazel.

On Bazel 4.2.3 the native rules are the real implementation, hence the buildifier suppressions.
"""

def cc_binary(**attrs):
    """Forwards to the native cc_binary."""
    native.cc_binary(**attrs)  # buildifier: disable=native-cc-binary

def cc_test(**attrs):
    """Forwards to the native cc_test."""
    native.cc_test(**attrs)  # buildifier: disable=native-cc-test

def cc_library(**attrs):
    """Forwards to the native cc_library."""
    native.cc_library(**attrs)  # buildifier: disable=native-cc-library

def cc_import(**attrs):
    """Forwards to the native cc_import."""
    native.cc_import(**attrs)  # buildifier: disable=native-cc-import

def cc_proto_library(**attrs):
    """Forwards to the native cc_proto_library."""
    native.cc_proto_library(**attrs)  # buildifier: disable=native-cc-proto

def cc_toolchain(**attrs):
    """Forwards to the native cc_toolchain."""
    native.cc_toolchain(**attrs)  # buildifier: disable=native-cc-toolchain

def cc_toolchain_suite(**attrs):
    """Forwards to the native cc_toolchain_suite."""
    native.cc_toolchain_suite(**attrs)  # buildifier: disable=native-cc-toolchain-suite

def fdo_profile(**attrs):
    """Forwards to the native fdo_profile."""
    native.fdo_profile(**attrs)  # buildifier: disable=native-cc-fdo-profile

def fdo_prefetch_hints(**attrs):
    """Forwards to the native fdo_prefetch_hints."""
    native.fdo_prefetch_hints(**attrs)  # buildifier: disable=native-cc-fdo-prefetch-hints

def objc_library(**attrs):
    """Forwards to the native objc_library."""
    native.objc_library(**attrs)  # buildifier: disable=native-cc-objc-library

def objc_import(**attrs):
    """Forwards to the native objc_import."""
    native.objc_import(**attrs)  # buildifier: disable=native-cc-objc-import
