# shellcheck shell=bash
# Tiny assertions for the end-to-end tests. Each prints "ok: WHAT" when it holds and otherwise one
# line "FAIL: WHAT: why (file:line)" on stderr, then exits 1. assert_summary prints the closing
# "N passed, N failed" line that CI reads.
[ -n "${_RULES_DISTILL_ASSERT_SH:-}" ] && return 0
_RULES_DISTILL_ASSERT_SH=1

ASSERT_PASSED=0
ASSERT_FAILED=0
ASSERT_QUIET="${ASSERT_QUIET:-}"

_assert_where() {
  # The caller of the assert_* function that called us.
  echo "${BASH_SOURCE[3]:-?}:${BASH_LINENO[2]:-?}"
}

_assert_ok() {
  ASSERT_PASSED=$((ASSERT_PASSED + 1))
  [ -n "$ASSERT_QUIET" ] || echo "ok: $1"
}

_assert_fail() {
  ASSERT_FAILED=$((ASSERT_FAILED + 1))
  echo "FAIL: $1: $2 ($(_assert_where))" >&2
  assert_summary "" >&2
  exit 1
}

# fail WHAT WHY: fails the test outright.
fail() {
  ASSERT_FAILED=$((ASSERT_FAILED + 1))
  echo "FAIL: $1: ${2:-failed} (${BASH_SOURCE[1]:-?}:${BASH_LINENO[0]:-?})" >&2
  assert_summary "" >&2
  exit 1
}

# assert_eq WHAT WANT GOT
assert_eq() {
  if [ "$2" = "$3" ]; then _assert_ok "$1"; else _assert_fail "$1" "want '$2', got '$3'"; fi
}

# assert_ne WHAT UNWANTED GOT
assert_ne() {
  if [ "$2" != "$3" ]; then _assert_ok "$1"; else _assert_fail "$1" "got '$3', which it must not be"; fi
}

# assert_contains WHAT HAYSTACK NEEDLE
assert_contains() {
  if [[ "$2" == *"$3"* ]]; then _assert_ok "$1"; else _assert_fail "$1" "'$3' not found in '$(_assert_short "$2")'"; fi
}

# assert_not_contains WHAT HAYSTACK NEEDLE
assert_not_contains() {
  if [[ "$2" != *"$3"* ]]; then _assert_ok "$1"; else _assert_fail "$1" "'$3' found in '$(_assert_short "$2")'"; fi
}

# assert_match WHAT STRING ERE
assert_match() {
  if [[ "$2" =~ $3 ]]; then _assert_ok "$1"; else _assert_fail "$1" "'$(_assert_short "$2")' does not match /$3/"; fi
}

# assert_file WHAT PATH: PATH exists.
assert_file() {
  if [ -e "$2" ]; then _assert_ok "$1"; else _assert_fail "$1" "$2 does not exist"; fi
}

# assert_no_file WHAT PATH: PATH does not exist.
assert_no_file() {
  if [ ! -e "$2" ] && [ ! -L "$2" ]; then _assert_ok "$1"; else _assert_fail "$1" "$2 exists"; fi
}

# assert_succeeds WHAT CMD [ARGS...]: the command exits 0 (its output is shown on failure).
assert_succeeds() {
  local what="$1" out
  shift
  if out="$("$@" 2>&1)"; then
    _assert_ok "$what"
  else
    _assert_fail "$what" "'$*' exited $?: $(_assert_short "$out")"
  fi
}

# assert_fails WHAT CMD [ARGS...]: the command exits non-zero.
assert_fails() {
  local what="$1" out
  shift
  if out="$("$@" 2>&1)"; then
    _assert_fail "$what" "'$*' succeeded but must fail: $(_assert_short "$out")"
  else
    _assert_ok "$what"
  fi
}

# assert_summary [NAME]: prints "[NAME: ]N passed, N failed".
assert_summary() {
  echo "${1:+$1: }$ASSERT_PASSED passed, $ASSERT_FAILED failed"
}

# Long outputs are cut to one readable line.
_assert_short() {
  local s="${1//$'\n'/\\n}"
  if [ "${#s}" -gt 300 ]; then s="${s:0:300}..."; fi
  printf '%s' "$s"
}
