# shellcheck shell=bash source-path=SCRIPTDIR
# Shared by the end-to-end tests in this directory (sourced, never run): finds the checkout,
# loads tests/lib/ and adds helpers for temporary directories and throw-away Bazel workspaces.
#
#   E2E_REPO                 the checkout (absolute)
#   e2e_tmpdir VAR NAME      sets VAR to a new temporary directory, removed at exit (not in a
#                            $(...) subshell: the removal would be registered there)
#   e2e_step TEXT            prints "==> TEXT"
#   e2e_run WHAT LOG CMD...  runs CMD with stdout and stderr in LOG; counts a pass, or fails the
#                            test printing the last lines of LOG
#   e2e_bazel_server WS ROOT shuts the Bazel server of workspace WS with --output_user_root=ROOT
#                            down at exit (call it before the first e2e_bazel WS ROOT ...)
#   e2e_bazel WS ROOT ARGS.. runs `bazel --output_user_root=ROOT ARGS...` in WS
#   e2e_fails_with WHAT LOG CMD...
#                            runs CMD with its output in LOG; it must fail (else the test fails)
#   e2e_expect_eq WHAT WANT GOT
#                            assert_eq that does not stop the test: a failure is counted (the
#                            test fails at e2e_done) and the checks after it still run
#   e2e_done NAME            prints the elapsed time and the closing summary line
#
# E2E_KEEP=1 in the environment keeps the temporary directories and prints their paths.
# An unexpected failing command (set -e) prints "FAIL: unexpected error: ..." and the summary.
[ -n "${_RULES_DISTILL_E2E_COMMON_SH:-}" ] && return 0
_RULES_DISTILL_E2E_COMMON_SH=1

E2E_REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export E2E_REPO

# shellcheck source=../lib/env.sh
source "$E2E_REPO/tests/lib/env.sh"
# shellcheck source=../lib/cleanup.sh
source "$E2E_REPO/tests/lib/cleanup.sh"
# shellcheck source=../lib/assert.sh
source "$E2E_REPO/tests/lib/assert.sh"
# shellcheck source=../lib/net.sh
source "$E2E_REPO/tests/lib/net.sh"

# A command that fails outside any assert_* stops the test (set -e in the scripts); say which one,
# and close with the summary line as a failed assertion does. -E: also inside functions.
_e2e_err() {
  local status=$?
  # Once: in the test's own shell (not in $(...) as well), for the innermost failing command,
  # and not for the exit after a failed assertion, which has said what failed.
  [ "$BASHPID" = "$$" ] && [ -z "${_e2e_err_seen:-}" ] && [ "$ASSERT_FAILED" -eq "$_e2e_soft_failed" ] || return 0
  _e2e_err_seen=1
  ASSERT_FAILED=$((ASSERT_FAILED + 1))
  echo "FAIL: unexpected error: '$BASH_COMMAND' exited $status (${BASH_SOURCE[1]:-?}:${BASH_LINENO[0]:-?})" >&2
  assert_summary "" >&2
}
_e2e_soft_failed=0
set -E
trap _e2e_err ERR

# Bazel makes its outputs read-only; a non-root user could not remove them without this.
_e2e_rm() {
  if [ -n "${E2E_KEEP:-}" ]; then
    echo "kept: $1" >&2
    return 0
  fi
  chmod -R u+w "$1" 2>/dev/null || true
  rm -rf "$1"
}

# e2e_repo_cache_flag: prints --repository_cache=<this machine's default Bazel download cache>
# when it exists (nothing otherwise), so that a copy with its own output base does not download
# the Debian packages again.
e2e_repo_cache_flag() {
  local cache="${XDG_CACHE_HOME:-$HOME/.cache}/bazel/_bazel_${USER:-$(id -un)}/cache/repos"
  if [ -d "$cache" ]; then echo "--repository_cache=$cache"; fi
}

# e2e_copy_tree DEST UMASK: copies the working tree's files (tracked, minus deleted ones, plus
# untracked ones git does not ignore: uncommitted work is tested too) to DEST, creating files and
# directories under UMASK. Run from the repository root.
e2e_copy_tree() {
  local dest="$1" mask="$2"
  mkdir -p "$dest"
  (
    umask "$mask"
    git ls-files -z --cached --others --exclude-standard |
      while IFS= read -r -d '' f; do
        [ -e "$f" ] || [ -L "$f" ] || continue # deleted, not yet staged
        printf '%s\0' "$f"
      done |
      xargs -0 --no-run-if-empty cp -P --parents --target-directory="$dest"
  )
}

e2e_tmpdir() {
  local dir
  dir="$(mktemp -d "${TMPDIR:-/tmp}/rules_distill-e2e-$2.XXXXXX")" || fail "mktemp" "no temporary directory"
  defer _e2e_rm "$dir"
  printf -v "$1" '%s' "$dir"
}

e2e_step() {
  echo "==> $*"
}

e2e_run() {
  local what="$1" log="$2" status=0
  shift 2
  "$@" >"$log" 2>&1 || status=$?
  if [ "$status" -eq 0 ]; then
    _assert_ok "$what"
  else
    echo "---- last lines of $log ($*) ----" >&2
    tail -n 30 "$log" >&2
    fail "$what" "'$*' exited $status"
  fi
}

e2e_fails_with() {
  local what="$1" log="$2" status=0
  shift 2
  "$@" >"$log" 2>&1 || status=$?
  if [ "$status" -ne 0 ]; then
    _assert_ok "$what (exit $status)"
  else
    echo "---- last lines of $log ($*) ----" >&2
    tail -n 30 "$log" >&2
    fail "$what" "'$*' succeeded but must fail"
  fi
}

e2e_expect_eq() {
  if [ "$2" = "$3" ]; then
    _assert_ok "$1"
  else
    ASSERT_FAILED=$((ASSERT_FAILED + 1))
    _e2e_soft_failed=$((_e2e_soft_failed + 1))
    echo "FAIL: $1: want '$(_assert_short "$2")', got '$(_assert_short "$3")' (${BASH_SOURCE[1]:-?}:${BASH_LINENO[0]:-?})" >&2
  fi
}

_e2e_shutdown() {
  [ -d "$1" ] && [ -d "$2" ] || return 0
  (cd "$1" && bazel --output_user_root="$2" shutdown >/dev/null 2>&1) || true
}

e2e_bazel_server() {
  defer _e2e_shutdown "$1" "$2"
}

e2e_bazel() {
  local ws="$1" root="$2"
  shift 2
  (cd "$ws" && bazel --output_user_root="$root" "$@")
}

e2e_done() {
  echo "$1: took ${SECONDS}s"
  assert_summary "$1"
  # Every failure has been told: the ERR trap (also run for the exit status the EXIT trap
  # passes on) must not add an "unexpected error".
  _e2e_err_seen=1
  [ "$ASSERT_FAILED" -eq 0 ] || exit 1
}
