# shellcheck shell=bash source-path=SCRIPTDIR
# Shared by the end-to-end tests of the Debian pipeline in this directory (sourced, never run):
# finds the checkout, loads tests/lib/ and adds helpers for temporary directories, throw-away
# Bazel workspaces, copies of the working tree and a loopback HTTP server.
#
#   DE_REPO                   the checkout (absolute)
#   tests/e2e/common.sh       everything else: e2e_tmpdir, e2e_step, e2e_run, e2e_fails_with,
#                             e2e_expect_eq, e2e_bazel_server, e2e_bazel, e2e_done (E2E_KEEP=1
#                             keeps the temporary directories)
#   de_copy_tree DEST [UMASK] copies the working tree (tracked files minus deleted ones, plus
#                             untracked ones git does not ignore) to DEST
#   de_host_mirror ARCHIVE    prints the first mirror URL of ARCHIVE (debian, debian-security) as
#                             configured on this host (DISTILL_DEBIAN_MIRRORS, else the apt
#                             sources), asked from `distill mirrors`; never written to a file
#   de_http_serve DIR         serves DIR on 127.0.0.1 (python3 -m http.server); sets HTTP_URL,
#                             HTTP_PID; stopped at exit or with de_http_stop PID
#   de_flip_byte FILE OFFSET  flips the lowest bit of the byte at OFFSET of FILE, in place
[ -n "${_RULES_DISTILL_DE_COMMON_SH:-}" ] && return 0
_RULES_DISTILL_DE_COMMON_SH=1

DE_REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export DE_REPO

# The generic helpers (temporary directories, steps, runs, Bazel servers, the summary) are the
# end-to-end suite's.
# shellcheck source=../e2e/common.sh
source "$DE_REPO/tests/e2e/common.sh"

# syft asks for a newer release on every start unless told not to (env.sh says so too).
export SYFT_CHECK_FOR_APP_UPDATE=false

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
