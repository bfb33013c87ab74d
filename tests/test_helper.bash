# test_helper.bash — loaded by every tests/*.bats file.
#
# BIN_DIR and UNIT_DIR come from `make test` (they differ per SAN= variant); run by hand,
# the default build is used. Every example runs under `timeout`, so no test can hang.

bats_require_minimum_version 1.5.0

TESTS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TOP_DIR="$(cd "$TESTS_DIR/.." && pwd)"
BIN_DIR="${BIN_DIR:-$TOP_DIR/build/bin}"
UNIT_DIR="${UNIT_DIR:-$TOP_DIR/build/unit}"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

# run_example SECONDS NAME [ARGS...]: run build/bin/NAME with a hard time limit, through
# bats' `run` with stdout and stderr apart ($output and $stderr, $status).
run_example() {
  local limit=$1 name=$2
  shift 2
  run --separate-stderr timeout -k 2 "$limit" "$BIN_DIR/$name" "$@"
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
    for fd in $(ls /proc/$BASHPID/fd 2>/dev/null); do
      [ "$fd" -gt 2 ] && eval "exec $fd>&-"
    done
    exec "$BIN_DIR/00-labserver" --port 0 --port-file "$dir/port" "$@" >"$LAB_LOG" 2>&1 </dev/null
  ) 3>&- &
  LAB_PID=$!
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

# tsan_binary NAME: the SAN=thread build of NAME beside this run's build (BUILD/san-thread/
# bin), or skip the test with the command that makes it. Tests never build anything.
tsan_binary() {
  local build=${BIN_DIR%/bin}
  build=${build%/san-*}
  TSAN_BIN="$build/san-thread/bin/$1"
  [ -x "$TSAN_BIN" ] || skip "no SAN=thread build: make SAN=thread BUILD=$build all"
}

# run_tsan SECONDS ARGS...: run $TSAN_BIN under ThreadSanitizer, reporting every warning
# (not stopping at the first); on kernels whose address-space layout TSan refuses, again
# with randomisation off (setarch -R), as docs/02-threads.md explains.
run_tsan() {
  local limit=$1
  shift
  run --separate-stderr timeout -k 2 "$limit" env TSAN_OPTIONS="halt_on_error=0 exitcode=66" \
    "$TSAN_BIN" "$@"
  if [[ "$stderr" == *"unexpected memory mapping"* ]]; then
    run --separate-stderr timeout -k 2 "$limit" env TSAN_OPTIONS="halt_on_error=0 exitcode=66" \
      setarch "$(uname -m)" -R "$TSAN_BIN" "$@"
  fi
}
