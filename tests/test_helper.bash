# test_helper.bash — loaded by every tests/*.bats file.
#
# BIN_DIR and UNIT_DIR come from `make test` (they differ per SAN= variant); run by hand,
# the default build is used. Every example runs under `timeout`, so no test can hang, and
# a crawler (run_crawler) is also stopped as soon as it stops making progress: the test
# that saw it fails saying so, and the later tests of its file are skipped.

bats_require_minimum_version 1.5.0

TESTS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TOP_DIR="$(cd "$TESTS_DIR/.." && pwd)"
BIN_DIR="${BIN_DIR:-$TOP_DIR/build/bin}"
UNIT_DIR="${UNIT_DIR:-$TOP_DIR/build/unit}"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

# run_example SECONDS NAME [ARGS...]: run build/bin/NAME with a hard time limit, through
# bats' `run` with stdout and stderr apart ($output and $stderr, $status). A crawler (an
# example that includes crawl.h: it prints a line per fetch) is watched for progress too:
# see run_crawler.
run_example() {
  local limit=$1 name=$2
  if grep -qs '^#include "crawl.h"' "$TOP_DIR/examples/$name.c" && prints_per_fetch "$@"; then
    run_crawler "$@"
    return
  fi
  shift 2
  run --separate-stderr timeout -k 2 "$limit" "$BIN_DIR/$name" "$@"
}

# prints_per_fetch SECONDS NAME [ARGS...]: whether this run prints a line per fetch, which
# is what run_crawler watches: not with -q, and never 09 (10,000 lines would hide its point).
prints_per_fetch() {
  [ "$2" != 09-epoll-c10k ] || return 1
  local a
  for a in "${@:3}"; do [ "$a" != -q ] || return 1; done
}

# --- hangs: a crawl that stops making progress ------------------------------------------
#
# run_crawler SECONDS NAME [ARGS...]: run_example for a crawler, watched. A crawler prints a
# line per fetch, so output that stops growing for longer than the arguments allow (their
# -t deadline, or the crawler's default 10 s when a /fault/ page is fetched without -t)
# plus HANG_SLACK seconds (default 4; three times that under a sanitizer) is a hang: the
# crawler is stopped (SIGTERM, SIGKILL 1 s later) and the test fails with
#   05-select-fetch did not finish in 4.6 s: the crawl stopped making progress after
#   10 of 32 pages (no output for 4 s, where the test allows 0 s)
# ("of 32": the start page and every new link its lines reported). The hang is written to
# $BATS_FILE_TMPDIR/hung, and every later test of the file is then skipped at once with
# "skipped: an earlier test hung" (setup below), so a broken engine fails its file in
# seconds instead of running each test into its timeout.
run_crawler() {
  local limit=$1 name=$2
  shift 2
  watch_run "$limit" "$name" "$BIN_DIR/$name" "$@"
}

# watch_run SECONDS NAME PROGRAM [ARGS...]: run_crawler's work, for any build of NAME
# (run_tsan runs the SAN=thread one through it).
watch_run() {
  local limit=$1 name=$2 program=$3
  shift 3
  skip_if_hung
  local dir=$BATS_TEST_TMPDIR quiet slack
  quiet=$(declared_wait "$@")
  slack=${HANG_SLACK:-4}
  [ -z "${SAN:-}" ] || slack=$((slack * 3))
  : >"$dir/crawl.out"
  : >"$dir/crawl.err"
  rm -f "$dir/crawl.hung"
  local start
  start=$(date +%s%N)
  timeout -k 2 "$limit" "$program" "$@" >"$dir/crawl.out" 2>"$dir/crawl.err" </dev/null 3>&- &
  local pid=$!
  # The watcher: every half second, the size of what the crawler wrote; silence longer
  # than allowed stops it. (Its descriptor 3 closed: bats waits for that pipe; and none
  # of bats' traps, which would report a result of their own for the test.)
  (
    exec 3>&-
    trap - ERR EXIT
    set +eE
    local size=-1 now_size silent=0 allowed=$(((quiet + slack) * 2))
    while kill -0 "$pid" 2>/dev/null; do
      sleep 0.5
      now_size=$(($(wc -c <"$dir/crawl.out") + $(wc -c <"$dir/crawl.err")))
      if [ "$now_size" -ne "$size" ]; then
        size=$now_size silent=0
      elif [ $((silent += 1)) -ge "$allowed" ]; then
        echo "$((silent / 2))" >"$dir/crawl.hung"
        kill -TERM "$pid" 2>/dev/null # timeout passes it on to the crawler
        sleep 1 # time to print its summary; a hung one may not obey SIGTERM:
        kill -KILL -- "-$pid" 2>/dev/null # timeout's process group: it and the crawler
        exit 0
      fi
    done
  ) &
  local watcher=$!
  status=0
  wait "$pid" 2>/dev/null || status=$? # (no "Killed" notice from bash)
  # (SIGKILL: a SIGTERM could reach it before it has reset the traps it got from bats.)
  kill -KILL "$watcher" 2>/dev/null || true
  wait "$watcher" 2>/dev/null || true
  output=$(cat "$dir/crawl.out")
  stderr=$(cat "$dir/crawl.err")
  # The arrays bats' run sets too (empty for no output).
  # shellcheck disable=SC2034 # read by the test
  {
    lines=() stderr_lines=()
    [ -z "$output" ] || mapfile -t lines <<<"$output"
    [ -z "$stderr" ] || mapfile -t stderr_lines <<<"$stderr"
  }
  if [ ! -s "$dir/crawl.hung" ]; then
    # Cut off by its time limit (timeout's 124, or 137 after -k): said for a failing test.
    [ "$status" -eq 124 ] || [ "$status" -eq 137 ] || return 0
    echo "$name did not finish in its $limit s: stopped after $(crawl_progress <"$dir/crawl.out")"
    return 0
  fi
  local took progress message
  took=$(awk -v ns="$(($(date +%s%N) - start))" 'BEGIN { printf "%.1f", ns / 1e9 }')
  progress=$(crawl_progress <"$dir/crawl.out")
  message="$name did not finish in $took s: the crawl stopped making progress after"
  message+=" $progress (no output for $(cat "$dir/crawl.hung") s, where the test allows"
  message+=" $quiet s)"
  printf '%s\n%s\n' "$BATS_TEST_DESCRIPTION" "$message" >>"$BATS_FILE_TMPDIR/hung"
  printf '%s\n' "$message" | fold -s -w 78
  echo "its last lines:"
  printf '%s\n' "$output" | tail -n 5 | cut -c 1-78
  [ -z "$stderr" ] || { echo "stderr:" && printf '%s\n' "$stderr" | head -n 5 | cut -c 1-78; }
  return 1
}

# declared_wait ARGS...: the longest silence a crawl with these arguments may keep between
# two of its lines, in whole seconds: its -t (one fetch may take that long), else 10 (the
# crawlers' default -t) when it fetches a /fault/ page, else 0.
declared_wait() {
  local t="" fault=""
  while [ $# -gt 0 ]; do
    case $1 in
      -t) t=${2:-0} && shift ;;
      *"/fault/"*) fault=1 ;;
    esac
    shift
  done
  if [ -n "$t" ]; then
    awk -v t="$t" 'BEGIN { n = int(t); if (n < t) n++; print n }'
  elif [ -n "$fault" ]; then
    echo 10
  else
    echo 0
  fi
}

# crawl_progress < OUTPUT: "10 of 32 pages" from a crawl's per-fetch lines ("   0.101s
# 200  /  1314 B  9 links,  6 new": the pages known are the start page and every new one).
crawl_progress() {
  awk '/^ +[0-9]+\.[0-9][0-9][0-9]s +([0-9][0-9][0-9]|ERR) / {
         done++
         for (i = 2; i <= NF; i++) if ($i == "new" || $i == "new,") known += $(i - 1)
       }
       END {
         if (done == 0) print "0 pages (not one fetch line)"
         else if (known > 0) printf "%d of %d pages\n", done, known + 1
         else printf "%d page%s\n", done, done == 1 ? "" : "s"
       }'
}

# skip_if_hung: skip the test if an earlier test of this file hung (see run_crawler).
skip_if_hung() {
  [ -s "${BATS_FILE_TMPDIR:-/nonexistent}/hung" ] || return 0
  skip "skipped: an earlier test hung: $(head -n 1 "$BATS_FILE_TMPDIR/hung")"
}

# --- what a test starts, its teardown stops ---------------------------------------------
#
# setup and teardown for every test (a file that defines its own should call these):
# skip after a hang; stop every lab server the test started (start_labserver records it)
# and did not stop, whether the test passed or failed.
setup() {
  skip_if_hung
}

teardown() {
  stop_started
}

# started PID: remember a process this test started, for teardown to stop.
started() {
  [ -n "${BATS_TEST_TMPDIR:-}" ] || return 0 # setup_file: teardown_file stops it
  echo "$1" >>"$BATS_TEST_TMPDIR/started"
}

# stop_started: SIGTERM to each process the test started and left running, SIGKILL to any
# still there 2 s later.
stop_started() {
  local file=${BATS_TEST_TMPDIR:-/nonexistent}/started pid alive i
  [ -s "$file" ] || return 0
  for i in $(seq 1 20); do
    alive=""
    while read -r pid; do
      kill -0 "$pid" 2>/dev/null && alive+=" $pid"
    done <"$file"
    [ -n "$alive" ] || break
    # shellcheck disable=SC2086 # a list of pids
    [ "$i" -eq 1 ] && kill -TERM $alive 2>/dev/null
    sleep 0.1
  done
  # shellcheck disable=SC2086 # a list of pids
  [ -z "$alive" ] || kill -KILL $alive 2>/dev/null
  rm -f "$file"
  return 0
}

# summary_value KEY: the value of KEY in the last "summary:" line of $output.
summary_value() {
  local line
  line=$(printf '%s\n' "$output" | grep '^summary: ' | tail -n 1)
  printf '%s\n' "$line" | tr ' ' '\n' | sed -n "s/^$1=//p"
}

# assert_summary_keys KEY...: the last line of stdout is a summary with exactly these
# keys, in this order.
assert_summary_keys() {
  local last keys
  last=$(printf '%s\n' "$output" | tail -n 1)
  [[ "$last" == summary:\ * ]] || { echo "last line is not a summary: $last"; return 1; }
  keys=$(printf '%s\n' "${last#summary: }" | tr ' ' '\n' | sed 's/=.*//' | tr '\n' ' ')
  [ "$keys" = "$* " ] || { echo "summary keys: '$keys', expected '$* '"; return 1; }
}

# clean_make_env: unset make's own variables and the harness's knobs (BUILD, SAN, WERROR,
# ...), which `make test WERROR=1` exports, so that a make run here builds as from a shell.
clean_make_env() {
  unset MAKEFLAGS MFLAGS MAKEOVERRIDES MAKELEVEL BUILD SAN V TESTS ARGS URL PAGES DELAY \
    EXAMPLES_UNDER_TEST WERROR CC OPT CFLAGS CPPFLAGS POLLER PORTABLE
}

# copy_tree DIR: the sources (Makefile, examples, common, tests) copied into DIR, to build
# there as a fresh checkout would (clean_make_env first).
copy_tree() {
  clean_make_env
  mkdir -p "$1"
  cp -r "$TOP_DIR/Makefile" "$TOP_DIR/examples" "$TOP_DIR/common" "$TOP_DIR/tests" "$1/"
}

# under_test NAME: true unless `make test-NN` restricted the run to other examples
# (EXAMPLES_UNDER_TEST="05-select-fetch"): files that loop over every example, such as
# robustness.bats, test only those.
under_test() {
  [ -z "${EXAMPLES_UNDER_TEST:-}" ] && return 0
  [[ " $EXAMPLES_UNDER_TEST " == *" $1 "* ]]
}

# tests_may_overlap: called from setup_file of a file whose tests share nothing they
# change (they only read its lab server, and assert no counts of it) and that is slow
# because its tests wait: with `make test`'s bats --jobs, that file's tests then run side
# by side too. (bats 1.8.2 reads this variable after setup_file; other files keep theirs
# in order.) Not in a sanitizer build (SAN=...): there every program runs several times
# slower, the time bounds are nearer, and more at once would crowd them.
tests_may_overlap() {
  [ -z "${SAN:-}" ] || return 0
  BATS_NO_PARALLELIZE_WITHIN_FILE=False
}

# --- the lab server, for files that need one --------------------------------------------
#
# start_labserver [OPTIONS...]: start 00-labserver on a free port and set LAB_URL,
# LAB_PORT, LAB_PID and LAB_LOG. Call it from setup_file and stop_labserver from
# teardown_file. The server runs in a subshell whose descriptors above 2 are closed
# (bats waits for its output pipe, fd 3, to close: an inherited copy would hang the run)
# and that `exec`s the server, so LAB_PID is the server itself.
start_labserver() {
  local dir
  dir=$(mktemp -d "${BATS_FILE_TMPDIR:-${TMPDIR:-/tmp}}/lab.XXXXXX")
  LAB_LOG="$dir/server.log"
  (
    # /proc/PID/fd where there is one (Linux); else /dev/fd (macOS), which lists the
    # descriptors of ls: the subshell's, plus one of its own that closes harmlessly.
    local fds=/proc/$BASHPID/fd
    [ -d "$fds" ] || fds=/dev/fd
    for fd in $(ls "$fds" 2>/dev/null); do
      [ "$fd" -gt 2 ] && eval "exec $fd>&-"
    done
    exec "$BIN_DIR/00-labserver" --port 0 --port-file "$dir/port" "$@" >"$LAB_LOG" 2>&1 </dev/null
  ) 3>&- &
  LAB_PID=$!
  started "$LAB_PID"
  local i
  for i in $(seq 1 100); do
    [ -s "$dir/port" ] && break
    sleep 0.05
  done
  [ -s "$dir/port" ] || { echo "lab server did not start: $(cat "$LAB_LOG")" >&2; return 1; }
  LAB_PORT=$(cat "$dir/port")
  LAB_URL="http://127.0.0.1:$LAB_PORT/"
  export LAB_URL LAB_PORT LAB_PID LAB_LOG
}

# stop_labserver: SIGTERM, then wait (at most 5 s) for it to print its report and exit.
stop_labserver() {
  [ -n "${LAB_PID:-}" ] || return 0
  kill -TERM "$LAB_PID" 2>/dev/null || return 0
  local i
  for i in $(seq 1 100); do
    kill -0 "$LAB_PID" 2>/dev/null || break
    sleep 0.05
  done
  kill -KILL "$LAB_PID" 2>/dev/null || true
}

# http_raw DATA [SECONDS]: send DATA to the lab server exactly as given, over bash's
# /dev/tcp (no curl needed), and print the whole answer, headers included.
http_raw() {
  local data=$1 limit=${2:-5}
  timeout "$limit" bash -c '
    exec 3<>"/dev/tcp/127.0.0.1/$0" || exit 1
    printf "%s" "$1" >&3
    cat <&3' "$LAB_PORT" "$data"
}

# http_get PATH [SECONDS]: a plain HTTP/1.0 GET of PATH from the lab server.
http_get() {
  local request
  printf -v request 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "$1"
  http_raw "$request" "${2:-5}"
}

# no_zombies_of PID: no process whose parent is PID is a zombie.
no_zombies_of() {
  ! ps -o stat=,ppid= -e | awk -v p="$1" '$2 == p && $1 ~ /^Z/' | grep -q .
}

# site_bytes N: the body bytes a correct crawl of the lab site (--pages N) must report, as
# docs/00-labserver.md states them (tests/00-labserver.bats checks the server against it).
site_bytes() {
  case $1 in
    0) echo 1195 ;;
    5) echo 7511 ;;
    20) echo 26624 ;;
    30) echo 39406 ;;
    *) echo "site_bytes: docs/00-labserver.md gives no figure for --pages $1" >&2; return 1 ;;
  esac
}

# tsan_binary NAME: the SAN=thread build of NAME (TSAN_BIN_DIR, which make test and
# make test-NN build before the tests; by hand, BUILD/san-thread/bin beside this run's
# build), or skip the test with the command that makes it. Tests never build anything.
# Under make test-NN, the tests of other examples skip.
tsan_binary() {
  under_test "$1" || skip "make test-NN runs the ThreadSanitizer tests of NN only"
  local build=${BIN_DIR%/bin}
  build=${build%/san-*}
  TSAN_BIN="${TSAN_BIN_DIR:-$build/san-thread/bin}/$1"
  [ -x "$TSAN_BIN" ] || skip "no SAN=thread build: make SAN=thread BUILD=$build all"
}

# assert_tsan_clean: the last run_tsan exited 0 and ThreadSanitizer reported nothing; else
# fail, showing the first lines of its report (the two accesses that race, and where).
assert_tsan_clean() {
  [ "$status" -eq 0 ] && [[ "$stderr" != *"ThreadSanitizer"* ]] && return 0
  echo "exit $status; ThreadSanitizer says:"
  if [[ "$stderr" == *"WARNING: ThreadSanitizer"* ]]; then
    printf '%s\n' "$stderr" | sed -n '/WARNING: ThreadSanitizer/,$p' | head -n 24 | cut -c 1-78
  else
    printf '%s\n' "$stderr" | head -n 12 | cut -c 1-78
  fi
  return 1
}

# run_tsan SECONDS ARGS...: run $TSAN_BIN under ThreadSanitizer, reporting every warning
# (not stopping at the first); on kernels whose address-space layout TSan refuses, again
# with randomisation off (setarch -R), as docs/02-threads.md explains.
run_tsan() {
  local limit=$1 name
  shift
  name=$(basename "$TSAN_BIN")
  # A crawler is watched for progress as run_example watches it (with a sanitizer's slack).
  if grep -qs '^#include "crawl.h"' "$TOP_DIR/examples/$name.c"; then
    SAN=thread TSAN_OPTIONS="halt_on_error=0 exitcode=66" watch_run "$limit" "$name" "$TSAN_BIN" "$@"
  else
    run --separate-stderr timeout -k 2 "$limit" env TSAN_OPTIONS="halt_on_error=0 exitcode=66" \
      "$TSAN_BIN" "$@"
  fi
  if [[ "$stderr" == *"unexpected memory mapping"* ]]; then
    run --separate-stderr timeout -k 2 "$limit" env TSAN_OPTIONS="halt_on_error=0 exitcode=66" \
      setarch "$(uname -m)" -R "$TSAN_BIN" "$@"
  fi
}
