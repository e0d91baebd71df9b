# Shared by the command-line test scripts (sourced): a temporary folder removed on exit, and
# check NAME CONDITION... which counts passes and prints each failure; finish prints the tally
# and fails when anything did.
tmp=$(mktemp -d)
trap '[ -n "${KEEP_TMP:-}" ] || rm -rf "$tmp"' EXIT
pass=0
fail=0
check() {
  local name=$1
  shift
  if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAILED: $name"; fi
}
finish() {
  echo "$pass passed, $fail failed"
  test "$fail" -eq 0
}
