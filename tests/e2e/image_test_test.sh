#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# image_test catches what it promises, through Bazel: the image of tests/image_test (a shell, a
# setuid apt-get, a 0777 directory, root, a missing Cmd, a program without its C library) must
# FAIL :bad_test with one line per finding (rule, path, problem, fix), a stale waiver among them;
# a C++ program on the base image must FAIL :missing_lib_test (libstdc++ missing); the same bad
# image with every finding waived must pass :waived_test, each waiver's reason in the log.
set -eEuo pipefail
# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

NAME=image_test_test
cd "$E2E_REPO"
tmp=""
e2e_tmpdir tmp image-test
testlogs="$(bazel info bazel-testlogs 2>/dev/null)" || fail "bazel info bazel-testlogs" "failed"

# must_log TEST LINE...: each LINE is a whole line of TEST's log.
must_log() {
  local log="$testlogs/tests/image_test/$1/test.log" line
  shift
  for line in "$@"; do
    if grep -qxF -- "$line" "$log"; then
      _assert_ok "$line"
    else
      e2e_expect_eq "a line of the test log of $(basename "$(dirname "$log")")" "$line" "(missing)"
    fi
  done
}

e2e_step "bazel test //tests/image_test:bad_test must fail"
e2e_fails_with "bad_test fails" "$tmp/bad.log" bazel test //tests/image_test:bad_test
assert_match "Bazel reports bad_test as FAILED" "$(cat "$tmp/bad.log")" '//tests/image_test:bad_test +FAILED'
must_log bad_test \
  'shell /bin/sh: a shell: whoever gets into the container has a command line, and shell-form commands start to work; fix: remove it from the image (debug with the _debug variant or an ephemeral container), or waive "shell" with a reason' \
  'user config.User: empty: the container runs as root; fix: set user = "65532" (distroless nonroot) on the image, or nonroot = False on the test if it must run as root' \
  'setuid /usr/bin/apt-get: mode 4755 is setuid: running it gains its owner'"'"'s (0:0) rights; fix: give it mode 0755 (modes = {"/usr/bin/apt-get": "0755"} on its image_layer), or leave it out' \
  'world-writable /data: dir mode 0777 is writable by every user; fix: give it mode 0755 (modes = {"/data": "0755"}); only the shared temporary directories (/tmp, /var/tmp, /var/lock, /run/lock) may be world-writable, with the sticky bit (1777)' \
  'entrypoint config.Cmd: the executable "/app/missing" is not in the image; fix: add the program to a layer at that path, or fix the entrypoint' \
  'libraries /app/hello: its ELF interpreter /lib64/ld-linux-x86-64.so.2 is not in the image: the program cannot start; fix: build on an image with the C library (e.g. base or cc instead of static), or build the program statically' \
  'stale-waiver busybox: the waiver ("stale on purpose: the image has no busybox") accepts no finding: the image no longer has what it excuses; fix: remove "busybox" from waive' \
  'spec /etc/passwd: must exist, but the image has nothing there; fix: add it to a layer, or fix the path' \
  'waived package-manager /usr/bin/apt-get: a package manager: it can install anything into a running container (waiver "package-manager": the test shows a waiver'"'"'s reason in the log)' \
  '8 findings, 1 waived, 1 assertions'

e2e_step "bazel test //tests/image_test:missing_lib_test must fail"
e2e_fails_with "missing_lib_test fails" "$tmp/lib.log" bazel test //tests/image_test:missing_lib_test
must_log missing_lib_test \
  'libraries /app/hello_cxx: needs libstdc++.so.6, which is in none of /lib/x86_64-linux-gnu, /usr/lib/x86_64-linux-gnu, /lib, /usr/lib: the program cannot start; fix: add the package or layer that has the library (e.g. build on cc for libstdc++), or link it statically' \
  '1 findings, 0 waived, 0 assertions'

e2e_step "bazel test //tests/image_test:waived_test passes, printing the waivers"
e2e_run "waived_test passes" "$tmp/waived.log" bazel test //tests/image_test:waived_test
must_log waived_test \
  'waived shell /bin/sh: a shell: whoever gets into the container has a command line, and shell-form commands start to work (waiver "shell": test image: the fake /bin/sh is the point)' \
  'waived libraries /app/hello: its ELF interpreter /lib64/ld-linux-x86-64.so.2 is not in the image: the program cannot start (waiver "libraries": test image: no C library on purpose)' \
  '0 findings, 6 waived, 1 assertions'

e2e_done "$NAME"
