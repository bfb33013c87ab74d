#!/usr/bin/env bash
# bench.sh — what `make bench` does: example 10's cost table and `make compare`'s crawl
# table, measured now on this machine, written to docs/results.md with a description of the
# machine, so that the docs quote figures from a real run.
#
# BIN_DIR: the built examples (make passes its own); RESULTS: where to write (default
# docs/results.md); PAGES and DELAY pass through to tests/tools/compare.sh.
# Exit status: 0 when both tables were produced, 1 otherwise (the file is written anyway,
# with the failure in it).
set -u
cd "$(dirname "$0")/../.."
bin_dir=${BIN_DIR:-build/bin}
results=${RESULTS:-docs/results.md}
cost="$bin_dir/10-cost-of-concurrency"
[ -x "$cost" ] || { echo "bench: $cost is not built (run make first)" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/asynclab-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

# ---- the machine -------------------------------------------------------------------------
cpu_model() {
  if [ -r /proc/cpuinfo ]; then
    sed -n 's/^model name[[:space:]]*: *//p' /proc/cpuinfo | head -n 1
  elif command -v sysctl >/dev/null 2>&1; then
    sysctl -n machdep.cpu.brand_string hw.model 2>/dev/null | head -n 1
  fi
}
memory_total() {
  if [ -r /proc/meminfo ]; then
    awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo
  elif command -v sysctl >/dev/null 2>&1; then
    sysctl -n hw.memsize hw.physmem 2>/dev/null | head -n 1 | awk '{ printf "%.1f GiB", $1 / 1073741824 }'
  fi
}
# The compiler that built the binaries, as it recorded itself in them; else $CC's banner.
compiler() {
  local comment
  if command -v readelf >/dev/null 2>&1; then
    comment=$(readelf -p .comment "$cost" 2>/dev/null | sed -n 's/^ *\[ *[0-9a-f]*\] *//p' | sort -u | paste -sd ';' -)
  fi
  [ -n "${comment:-}" ] && { echo "$comment"; return; }
  "${CC:-cc}" --version 2>/dev/null | head -n 1
}
load_average() {
  [ -r /proc/loadavg ] && cut -d ' ' -f 1-3 /proc/loadavg && return
  uptime 2>/dev/null | sed -n 's/.*load averages*: *//p'
}

started=$(date -u '+%Y-%m-%d %H:%M UTC')
load_before=$(load_average)
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
git diff --quiet HEAD -- examples common 2>/dev/null || commit="$commit (with local changes)"

# ---- the two tables ---------------------------------------------------------------------
status=0
# On a terminal, one line on stderr updated in place says what is being measured
# (tests/tools/progress.bash); compare.sh's own line goes there too.
# shellcheck source=tests/tools/progress.bash
source tests/tools/progress.bash
export PROGRESS_FD=2
echo "bench: 10-cost-of-concurrency with its defaults (a few seconds)..." >&2
timeout 300 "$cost" >"$work/cost.out" 2>"$work/cost.err" &
cost_pid=$!
progress_while $cost_pid "bench: measuring what a process, a thread and a generator cost"
wait $cost_pid
rc=$?
if [ $rc -eq 0 ]; then
  # From the per-round lines on: the explanation above them is in docs/10-cost-of-concurrency.md.
  sed -n '/^times (/,$p' "$work/cost.out" >"$work/cost.table"
else
  status=1
  { echo "10-cost-of-concurrency FAILED (exit $rc):"; cat "$work/cost.err"; } >"$work/cost.table"
fi
cat "$work/cost.table"

echo "bench: make compare (every crawler against one lab server)..." >&2
BIN_DIR="$bin_dir" timeout 900 tests/tools/compare.sh >"$work/compare.out" 2>"$work/compare.err"
rc=$?
if [ $rc -ne 0 ]; then
  status=1
  { echo "(make compare exited with status $rc:)"; cat "$work/compare.err"; } >>"$work/compare.out"
fi
cat "$work/compare.out"

# ---- docs/results.md ----------------------------------------------------------------------
{
  echo "# Results: asynclab measured on one machine"
  echo
  echo "Written by \`make bench\` (tests/tools/bench.sh) from a real run: example 10's cost table and"
  echo "\`make compare\`'s crawl table, exactly as they were printed. Run \`make bench\` on your"
  echo "own machine to replace them with its figures."
  echo
  echo "## The machine"
  echo
  echo "| | |"
  echo "|---|---|"
  echo "| date | $started |"
  echo "| system | $(uname -srm) |"
  echo "| cores online | $(getconf _NPROCESSORS_ONLN 2>/dev/null || nproc) |"
  echo "| CPU | $(cpu_model) |"
  echo "| memory | $(memory_total) |"
  echo "| compiler | $(compiler) |"
  echo "| binaries | \`$bin_dir\`, commit $commit |"
  echo "| load average before the run | $load_before |"
  echo
  echo "## What a process, a thread and a generator cost (10-cost-of-concurrency)"
  echo
  echo "\`10-cost-of-concurrency\` with its defaults. What each row measures and why the figures"
  echo "come out as they do: [10-cost-of-concurrency.md](10-cost-of-concurrency.md)."
  echo
  echo '```'
  cat "$work/cost.table"
  echo '```'
  echo
  echo "## Every crawler against one lab server (make compare)"
  echo
  echo "\`tests/tools/compare.sh\` with its defaults: one lab server, each crawler in turn."
  echo
  echo '```'
  cat "$work/compare.out"
  echo '```'
} >"$work/results.md"
mv "$work/results.md" "$results"
echo "bench: wrote $results" >&2
exit $status
