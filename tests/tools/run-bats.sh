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
#
# After the tests, every process still running a program from the build directory
# (BUILD_DIR, default build/ beside tests/) that was not running before they started is a
# leftover: a test started it and did not stop it. They are listed, with their pids, and
# count as one failure. (Each test's teardown stops the lab servers it started.)
set -u
# say TEXT...: one message, folded at spaces within 80 columns, continued lines indented.
say() {
  printf '%s\n' "$*" | fold -s -w 76 | sed -e 's/ *$//' -e '2,$s/^/    /'
}

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
    say "run-bats: GNU parallel is not installed, so the files run one after another" \
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

# leftovers: "PID COMMAND" of each process running a program from $build_dir.
build_dir=$(cd "${BUILD_DIR:-$(dirname "$0")/../../build}" 2>/dev/null && pwd -P) || build_dir=""
leftovers() {
  [ -n "$build_dir" ] || return 0
  if [ -r /proc/self/exe ]; then
    local exe pid
    find /proc/[0-9]*/exe -maxdepth 0 -lname "$build_dir/*" 2>/dev/null |
      while read -r exe; do
        pid=${exe#/proc/} pid=${pid%/exe}
        printf '%s %s\n' "$pid" "$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)"
      done
  else
    ps -eo pid=,args= | awk -v d="$build_dir/" 'index($2, d) == 1 { $1 = $1; print }'
  fi
}
before=" $(leftovers | cut -d ' ' -f 1 | tr '\n' ' ')"

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
# Leftovers: give a process that is being stopped a moment to go.
left=""
for _ in 1 2 3 4 5 6; do
  left=$(leftovers | awk -v before="$before" 'index(before, " " $1 " ") == 0')
  [ -n "$left" ] || break
  sleep 0.5
done
if [ -n "$left" ]; then
  say "run-bats: left running by the tests (kill PID stops one):"
  printf '%s\n' "$left" | cut -c 1-76 | sed 's/^/  /'
  failed=$((failed + 1))
fi
# The slowest test, passed or failed (bats --timing appends "in N ms" to each result),
# and the wall time.
slowest=$(sed -n 's/^\(not \)\{0,1\}ok [0-9]* \(.*\) in \([0-9]*\)ms\( #.*\)\{0,1\}$/\3 \2/p' "$log" |
  sort -rn | head -n 1)
[ -z "$slowest" ] ||
  say "run-bats: slowest test $(awk -v ms="${slowest%% *}" 'BEGIN { printf "%.1f", ms / 1000 }') s:" \
    "${slowest#* }"
say "run-bats: $(awk -v ns="$((end - start))" 'BEGIN { printf "%.1f", ns / 1e9 }') s wall time, $how"
if [ "$skipped" -gt 0 ]; then
  echo "$passed passed, $failed failed, $skipped skipped"
else
  echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
