#!/usr/bin/env bash
# run-bats.sh [FILES or DIRS...] — run the bats suite and end with "N passed, M failed".
#
# bats' TAP output has no closing count, so this script counts the "ok" and "not ok" lines
# itself (skipped tests are reported apart). Exit status: 0 only if nothing failed and
# at least one test ran.
set -u
if ! command -v bats >/dev/null 2>&1; then
  echo "run-bats: bats is not installed: apt-get install bats" >&2
  echo "0 passed, 1 failed"
  exit 1
fi
[ $# -gt 0 ] || set -- tests
log=$(mktemp "${TMPDIR:-/tmp}/asynclab-tap.XXXXXX")
trap 'rm -f "$log"' EXIT

bats --tap "$@" | tee "$log"
passed=$(grep -c -E '^ok [0-9]+ ' "$log" | head -1)
skipped=$(grep -c -E '^ok [0-9]+ .*# skip' "$log" | head -1)
failed=$(grep -c -E '^not ok [0-9]+ ' "$log" | head -1)
planned=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' "$log" | head -n 1)
passed=$((passed - skipped))
# A test file that fails to load makes bats stop short of its plan: count what never ran.
missing=$(( ${planned:-0} - passed - skipped - failed ))
[ "$missing" -gt 0 ] && failed=$((failed + missing))
if [ "$((passed + failed))" -eq 0 ]; then
  echo "run-bats: no test ran" >&2
  failed=1
fi
if [ "$skipped" -gt 0 ]; then
  echo "$passed passed, $failed failed, $skipped skipped"
else
  echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
