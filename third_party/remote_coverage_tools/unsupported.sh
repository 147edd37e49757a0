#!/bin/sh
# Stand-in for Bazel's coverage tools (see WORKSPACE).
echo "coverage is not supported in this workspace: remote_coverage_tools is a stand-in" >&2
exit 1
