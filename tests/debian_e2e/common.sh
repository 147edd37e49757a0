# shellcheck shell=bash source-path=SCRIPTDIR
# Shared by the end-to-end tests of the Debian pipeline in this directory (sourced, never run):
# finds the checkout, loads tests/lib/ and adds helpers for temporary directories, throw-away
# Bazel workspaces, copies of the working tree and a loopback HTTP server.
#
#   DE_REPO                   the checkout (absolute)
#   de_tmpdir VAR NAME        sets VAR to a new temporary directory, removed at exit (not in a
#                             $(...) subshell: the removal would be registered there)
#   de_step TEXT              prints "==> TEXT"
#   de_run WHAT LOG CMD...    runs CMD with stdout and stderr in LOG; counts a pass, or fails the
#                             test printing the last lines of LOG
#   de_fails_with WHAT LOG CMD...
#                             runs CMD with its output in LOG; it must fail (else the test fails)
#   de_bazel_server WS ROOT   shuts the Bazel server of workspace WS with --output_user_root=ROOT
#                             down at exit (call it before the first de_bazel WS ROOT ...)
#   de_bazel WS ROOT ARGS...  runs `bazel --output_user_root=ROOT ARGS...` in WS
#   de_copy_tree DEST [UMASK] copies the working tree (tracked files minus deleted ones, plus
#                             untracked ones git does not ignore) to DEST
#   de_host_mirror ARCHIVE    prints the first mirror URL of ARCHIVE (debian, debian-security) as
#                             configured on this host (DISTILL_DEBIAN_MIRRORS, else the apt
#                             sources), asked from `distill mirrors`; never written to a file
#   de_http_serve DIR         serves DIR on 127.0.0.1 (python3 -m http.server); sets HTTP_URL,
#                             HTTP_PID; stopped at exit or with de_http_stop PID
#   de_flip_byte FILE OFFSET  flips the lowest bit of the byte at OFFSET of FILE, in place
#   de_expect_eq WHAT WANT GOT
#                             assert_eq that does not stop the test: a failure is counted (the
#                             test fails at de_done) and the checks after it still run
#   de_done NAME              prints the elapsed time and the closing summary line
#
# DE_KEEP=1 in the environment keeps the temporary directories and prints their paths.
# An unexpected failing command (set -e) prints "FAIL: unexpected error: ..." and the summary.
[ -n "${_RULES_DISTILL_DE_COMMON_SH:-}" ] && return 0
_RULES_DISTILL_DE_COMMON_SH=1

DE_REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export DE_REPO

# shellcheck source=../lib/env.sh
source "$DE_REPO/tests/lib/env.sh"
# shellcheck source=../lib/cleanup.sh
source "$DE_REPO/tests/lib/cleanup.sh"
# shellcheck source=../lib/assert.sh
source "$DE_REPO/tests/lib/assert.sh"
# shellcheck source=../lib/net.sh
source "$DE_REPO/tests/lib/net.sh"

# syft asks for a newer release on every start unless told not to (env.sh says so too).
export SYFT_CHECK_FOR_APP_UPDATE=false

# A command that fails outside any assert_* stops the test (set -e in the scripts); say which one,
# and close with the summary line as a failed assertion does. -E: also inside functions.
_de_err() {
  local status=$?
  # Once: in the test's own shell (not in $(...) as well), for the innermost failing command,
  # and not for the exit after a failed assertion, which has said what failed.
  [ "$BASHPID" = "$$" ] && [ -z "${_de_err_seen:-}" ] && [ "$ASSERT_FAILED" -eq "$_de_soft_failed" ] || return 0
  _de_err_seen=1
  ASSERT_FAILED=$((ASSERT_FAILED + 1))
  echo "FAIL: unexpected error: '$BASH_COMMAND' exited $status (${BASH_SOURCE[1]:-?}:${BASH_LINENO[0]:-?})" >&2
  assert_summary "" >&2
}
_de_soft_failed=0
set -E
trap _de_err ERR

# Bazel makes its outputs read-only; a non-root user could not remove them without this.
# DE_KEEP=1 keeps the temporary directories (for debugging a failure) and says where they are.
_de_rm() {
  if [ -n "${DE_KEEP:-}" ]; then
    echo "kept: $1" >&2
    return 0
  fi
  chmod -R u+w "$1" 2>/dev/null || true
  rm -rf "$1"
}

de_tmpdir() {
  local dir
  dir="$(mktemp -d "${TMPDIR:-/tmp}/rules_distill-deb-$2.XXXXXX")" || fail "mktemp" "no temporary directory"
  defer _de_rm "$dir"
  printf -v "$1" '%s' "$dir"
}

de_step() {
  echo "==> $*"
}

de_run() {
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

de_fails_with() {
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

_de_shutdown() {
  [ -d "$1" ] && [ -d "$2" ] || return 0
  (cd "$1" && bazel --output_user_root="$2" shutdown >/dev/null 2>&1) || true
}

de_bazel_server() {
  defer _de_shutdown "$1" "$2"
}

de_bazel() {
  local ws="$1" root="$2"
  shift 2
  (cd "$ws" && bazel --output_user_root="$root" "$@")
}

de_copy_tree() {
  local dest="$1" mask="${2:-022}"
  mkdir -p "$dest"
  (
    cd "$DE_REPO" || exit 1
    umask "$mask"
    git ls-files -z --cached --others --exclude-standard |
      while IFS= read -r -d '' f; do
        # Deleted but not yet staged files are still listed by --cached.
        [ -e "$f" ] || [ -L "$f" ] || continue
        printf '%s\0' "$f"
      done |
      xargs -0 --no-run-if-empty cp -P --parents --target-directory="$dest"
  )
}

# The distill helper that `distill mirrors` runs: this checkout's, built by Bazel from source.
_de_distill() {
  local base
  base="$(cd "$DE_REPO" && bazel info output_base 2>/dev/null)" || return 1
  if [ ! -x "$base/external/distill/distill" ]; then
    (cd "$DE_REPO" && bazel fetch @distill//:distill >/dev/null 2>&1) || return 1
  fi
  printf '%s\n' "$base/external/distill/distill"
}

de_host_mirror() {
  local distill
  distill="$(_de_distill)" || {
    echo "de_host_mirror: cannot build the distill helper" >&2
    return 1
  }
  "$distill" mirrors | jq -er --arg a "$1" '.[$a][0]'
}

de_http_serve() {
  local dir="$1" port pid log
  log="$(mktemp "${TMPDIR:-/tmp}/rules_distill-deb-http.XXXXXX")"
  defer rm -f "$log"
  for _ in 1 2 3 4 5; do
    port="$(free_port)" || return 1
    python3 -m http.server --bind 127.0.0.1 --directory "$dir" "$port" >"$log" 2>&1 </dev/null &
    pid=$!
    if wait_http "http://127.0.0.1:$port/" 30 "$pid" 2>/dev/null; then
      defer de_http_stop "$pid"
      HTTP_URL="http://127.0.0.1:$port"
      HTTP_PID="$pid"
      export HTTP_URL HTTP_PID
      return 0
    fi
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  echo "de_http_serve: python3 -m http.server did not come up; its log:" >&2
  cat "$log" >&2
  return 1
}

de_http_stop() {
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

de_flip_byte() {
  local file="$1" offset="$2" byte
  byte="$(od -An -tu1 -j "$offset" -N1 "$file" | tr -d ' ')"
  [ -n "$byte" ] || {
    echo "de_flip_byte: $file has no byte at $offset" >&2
    return 1
  }
  printf '%b' "\\0$(printf '%03o' $((byte ^ 1)))" |
    dd of="$file" bs=1 seek="$offset" count=1 conv=notrunc status=none
}

de_expect_eq() {
  if [ "$2" = "$3" ]; then
    _assert_ok "$1"
  else
    ASSERT_FAILED=$((ASSERT_FAILED + 1))
    _de_soft_failed=$((_de_soft_failed + 1))
    echo "FAIL: $1: want '$(_assert_short "$2")', got '$(_assert_short "$3")' (${BASH_SOURCE[1]:-?}:${BASH_LINENO[0]:-?})" >&2
  fi
}

de_done() {
  echo "$1: took ${SECONDS}s"
  assert_summary "$1"
  # Every failure has been told: the ERR trap (also run for the exit status the EXIT trap
  # passes on) must not add an "unexpected error".
  _de_err_seen=1
  [ "$ASSERT_FAILED" -eq 0 ] || exit 1
}
