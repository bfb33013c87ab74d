#!/usr/bin/env bash
# tests/tools/memcheck.sh — what `make memcheck` does: every example under valgrind.
#
# Starts one lab server (itself under valgrind), runs every example found in $BIN_DIR
# under valgrind's memcheck with small arguments (the fetch examples crawl that server),
# then stops the server with SIGTERM. A program passes when valgrind reports no error,
# no definitely or indirectly lost block, no descriptor open at exit other than 0, 1, 2,
# and the program itself exits 0. One line per program, then "N passed, M failed".
# Logs: $MEMCHECK_DIR (default: a temporary directory, kept when something failed).
#
#   BIN_DIR=build/bin  MEMCHECK_ONLY="03 05"  MEMCHECK_TIMEOUT=300
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
bin_dir=${BIN_DIR:-$top/build/bin}
case $bin_dir in /*) ;; *) bin_dir="$top/$bin_dir" ;; esac
limit=${MEMCHECK_TIMEOUT:-300}

if [ -n "${SAN:-}" ]; then
  echo "make memcheck: valgrind cannot run a SAN= build; run it without SAN=" >&2
  exit 2
fi
if ! command -v valgrind >/dev/null 2>&1; then
  echo "make memcheck: valgrind not found (apt-get install valgrind)" >&2
  exit 1
fi

# Small arguments per example number: enough to go through every code path once, small
# enough for valgrind's 20-50x slowdown. LAB_URL is filled in once the server is up.
args_for() {
  case $1 in
    01) echo "-n 20" ;;
    02) echo "-t 2 -m 20000 --runs 1 -n 20 -p 20000" ;;
    03) echo "-t 30 $LAB_URL" ;;
    04) echo "-t 120 $LAB_URL" ;; # one fetch at a time (-c needs --juggle); it spins, valgrind is slow
    09) echo "-c 50 -t 30 $LAB_URL" ;;
    10) echo "-n 0.001 -r 1 -q" ;;
    *)
      if grep -q '^ \* Lab server:' "$top/examples/$2.c" 2>/dev/null; then
        echo "-c 4 -t 30 $LAB_URL"
      fi
      ;;
  esac
}

work=${MEMCHECK_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/memcheck.XXXXXX")}
mkdir -p "$work" || exit 1
server_pid=
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -KILL "$server_pid" 2>/dev/null
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# shellcheck disable=SC2054 # the commas are valgrind's
valgrind_opts=(--leak-check=full --show-leak-kinds=definite,indirect
  --errors-for-leak-kinds=definite,indirect --track-fds=yes --error-exitcode=99
  --trace-children=no --child-silent-after-fork=yes)

# run_closed SECONDS LOG COMMAND...: become valgrind running COMMAND (under `timeout
# SECONDS` unless SECONDS is 0) with every descriptor above 2 closed first, so that "open
# at exit" means opened by the program (the one inherited descriptor left is valgrind's
# log). It execs: call it in a subshell, `( run_closed ... )` or `run_closed ... &`.
run_closed() {
  local seconds=$1 log=$2 fd
  shift 2
  for fd in /proc/"$BASHPID"/fd/*; do
    fd=${fd##*/}
    [ "$fd" -gt 2 ] && eval "exec $fd>&-"
  done
  local guard=(timeout -k 5 "$seconds")
  [ "$seconds" -ne 0 ] || guard=() # the server: a signal must reach valgrind itself
  exec "${guard[@]}" valgrind "${valgrind_opts[@]}" --log-file="$log" "$@"
}

# verdict NAME LOG STATUS SECONDS: read valgrind's report, print one line, return 0 if clean.
verdict() {
  local name=$1 log=$2 status=$3 seconds=$4 errors fds lost problems=""
  errors=$(sed -n 's/.*ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' "$log" | tail -n 1)
  lost=$(awk '/definitely lost:|indirectly lost:/ { gsub(",", "", $4); n += $4 } END { print n + 0 }' "$log")
  # "Open file descriptor 4: /path", "Open AF_INET socket 5: ...": any but 0-2 and the log.
  fds=$(awk -v logfile="$log" 'match($0, /Open (file descriptor|[A-Za-z0-9_]+ socket) [0-9]+:.*/) {
      text = substr($0, RSTART + 5); sub(/: *$/, "", text)
      n = text; sub(/^[^0-9]*/, "", n); n = n + 0
      if (n > 2 && index($0, logfile) == 0) { printf "%s%s", sep, text; sep = "; " } }' "$log")
  [ -n "$errors" ] || problems+=" no valgrind report;"
  [ "${errors:-0}" -eq 0 ] || problems+=" $errors errors;"
  [ "$lost" -eq 0 ] || problems+=" $lost bytes lost;"
  [ -z "$fds" ] || problems+=" open at exit: $fds;"
  [ "$status" -eq 0 ] || problems+=" exit $status;"
  if [ -z "$problems" ]; then
    printf 'ok   %-24s %5.1fs  errors=0 lost=0 fds=0 exit=0\n' "$name" "$seconds"
    return 0
  fi
  printf 'FAIL %-24s %5.1fs %s log: %s\n' "$name" "$seconds" "${problems%;}" "$log"
  grep -m 6 -E '^==[0-9]+== (Invalid|Conditional|Syscall|Mismatched|[0-9,]+ bytes in)' "$log" |
    sed 's/^/       /'
  return 1
}

# --- the lab server, under valgrind too ---------------------------------------------------
server_log="$work/00-labserver.valgrind"
run_closed 0 "$server_log" "$bin_dir/00-labserver" --port 0 --port-file "$work/port" \
  --pages 5 --delay 10 >"$work/00-labserver.out" 2>&1 </dev/null &
server_pid=$!
for _ in $(seq 1 400); do # valgrind takes a few seconds to start
  [ -s "$work/port" ] && break
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.05
done
if [ ! -s "$work/port" ]; then
  echo "memcheck: the lab server did not start under valgrind:" >&2
  cat "$work/00-labserver.out" "$server_log" >&2
  exit 1
fi
LAB_URL="http://127.0.0.1:$(cat "$work/port")/"
export LAB_URL

passed=0 failed=0
cd "$top" || exit 1 # 01 execs `find examples ...` by default
for bin in "$bin_dir"/[0-9][0-9]-*; do
  name=$(basename "$bin")
  number=${name%%-*}
  [ "$number" = 00 ] && continue
  if [ -n "${MEMCHECK_ONLY:-}" ] && [[ " $MEMCHECK_ONLY " != *" $number "* ]]; then
    continue
  fi
  read -r -a args <<<"$(args_for "$number" "$name")"
  log="$work/$name.valgrind"
  t0=$(date +%s.%N)
  (run_closed "$limit" "$log" "$bin" "${args[@]}" >"$work/$name.out" 2>"$work/$name.err" </dev/null)
  status=$?
  t1=$(date +%s.%N)
  [ "$status" -eq 99 ] && status=0 # valgrind's own code: the report says why
  if verdict "$name" "$log" "$status" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
  fi
done

# The server: SIGTERM must end it cleanly, with its report line, exit 0 and a clean log.
t0=$(date +%s.%N)
kill -TERM "$server_pid"
wait "$server_pid"
status=$?
server_pid=
t1=$(date +%s.%N)
report=$(grep '^server:' "$work/00-labserver.out" | tail -n 1)
if [ -z "$report" ]; then
  echo "     00-labserver printed no 'server:' line on SIGTERM"
  [ "$status" -ne 0 ] || status=1
fi
if verdict "00-labserver (SIGTERM)" "$server_log" "$status" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')"; then
  passed=$((passed + 1))
else
  failed=$((failed + 1))
fi
[ -n "$report" ] && echo "     $report"

if [ "$failed" -eq 0 ] && [ -z "${MEMCHECK_DIR:-}" ]; then
  rm -rf "$work"
  echo "memcheck took $SECONDS s"
else
  echo "memcheck took $SECONDS s; logs in $work"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
