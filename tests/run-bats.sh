#!/usr/bin/env bash
# run-bats.sh [FILES or DIRS...] — run the bats suite, report its wall time and end with
# "N passed, M failed".
#
# Where GNU parallel is installed, the files run side by side (bats --jobs; JOBS=N sets
# how many, default 3 per core: most tests wait on a lab server, not on a CPU), the tests
# inside one file one after another, in order, as they are written. Without it the files
# run one after another, and a note says how to get the faster run. WITHIN_FILES=1 lets the
# tests of one file run side by side too (for files whose tests share nothing).
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

cores=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)
jobs=${JOBS:-$((3 * cores))}
how="one file after another"
parallel_opts=()
if [ "$jobs" -gt 1 ]; then
  if parallel --version 2>/dev/null | grep -q '^GNU parallel'; then
    parallel_opts=(--jobs "$jobs" --no-parallelize-within-files)
    how="up to $jobs files at a time"
    if [ "${WITHIN_FILES:-}" = 1 ]; then
      parallel_opts=(--jobs "$jobs")
      how="up to $jobs tests at a time"
    fi
  else
    echo "run-bats: GNU parallel is not installed, so the files run one after another" \
      "(apt-get install parallel for a faster run)" >&2
  fi
fi

# Side by side, the longest file decides the wall time, so the biggest files (most tests)
# start first; the results are numbered in that order.
if [ ${#parallel_opts[@]} -gt 0 ]; then
  files=()
  for arg in "$@"; do
    if [ -d "$arg" ]; then files+=("$arg"/*.bats); else files+=("$arg"); fi
  done
  mapfile -t files < <(for f in "${files[@]}"; do echo "$(wc -c <"$f") $f"; done |
    sort -rn | cut -d ' ' -f 2-)
  set -- "${files[@]}"
fi

start=$(date +%s%N)
bats --tap --timing "${parallel_opts[@]}" "$@" | tee "$log"
end=$(date +%s%N)
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
# The slowest test (bats --timing appends "in N ms" to each result) and the wall time.
slowest=$(sed -n 's/^ok [0-9]* \(.*\) in \([0-9]*\)ms\( #.*\)\{0,1\}$/\2 \1/p' "$log" |
  sort -rn | head -n 1)
[ -z "$slowest" ] ||
  printf 'run-bats: slowest test %.1f s: %.60s\n' "$(awk -v ms="${slowest%% *}" 'BEGIN { print ms / 1000 }')" \
    "${slowest#* }"
printf 'run-bats: %.1f s wall time, %s\n' "$(awk -v ns="$((end - start))" 'BEGIN { print ns / 1e9 }')" "$how"
if [ "$skipped" -gt 0 ]; then
  echo "$passed passed, $failed failed, $skipped skipped"
else
  echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
