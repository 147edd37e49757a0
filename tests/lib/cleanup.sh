# shellcheck shell=bash
# defer: run commands when the test script exits, last deferred first, whatever the exit status.
# The other helpers register their own cleanup through it; a script that sets its own EXIT trap
# must call run_deferred from it.
[ -n "${_RULES_DISTILL_CLEANUP_SH:-}" ] && return 0
_RULES_DISTILL_CLEANUP_SH=1

_deferred=()

# defer CMD [ARGS...]: runs the command (a function name is fine) at exit.
defer() {
  local quoted
  printf -v quoted '%q ' "$@"
  _deferred+=("$quoted")
}

# run_deferred: runs and forgets the deferred commands; failures are reported, not fatal.
run_deferred() {
  local status=$? i
  for ((i = ${#_deferred[@]} - 1; i >= 0; i--)); do
    eval "${_deferred[i]}" || echo "cleanup: failed: ${_deferred[i]}" >&2
  done
  _deferred=()
  return "$status"
}

trap run_deferred EXIT
