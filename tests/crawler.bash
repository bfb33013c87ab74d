# crawler.bash — the contract every concurrent crawler (05, 07, 08) meets, written once.
#
# Load it after test_helper from a crawler's bats file whose setup_file started a lab
# server with --pages 20 --delay 100, then call one function per @test with the example's
# name. Each function asserts facts, not wording: exact counts, exit codes, bounds.

# The per-fetch lines of $output: "   0.101s  200  /page/3 ..." or "   1.003s  ERR  /fault/...".
fetch_lines() {
  printf '%s\n' "$output" | grep -E '^ +[0-9]+\.[0-9]{3}s +([0-9]{3}|ERR) '
}

# The --pages 20 site: 21 pages and the one dead link, every URL exactly once.
crawler_reports_exact_counts() {
  local name=$1
  run_example 20 "$name" -c 5 "$LAB_URL"
  [ "$status" -eq 0 ]
  [ "$(summary_value pages)" -eq 21 ]
  [ "$(summary_value errors)" -eq 1 ]
  [ "$(summary_value bytes)" -eq "$(site_bytes 20)" ]
  assert_summary_keys pages errors bytes wall cpu cpu% rss peak
  [ "$(fetch_lines | wc -l)" -eq 22 ]
  [ "$(fetch_lines | awk '{print $3}' | sort | uniq -d | wc -l)" -eq 0 ]
  fetch_lines | grep -qE ' 404 +/page/missing '
}

# Fetches overlap: peak above 1 and never above -c; -n bounds the fetches started.
crawler_respects_c_and_n() {
  local name=$1 c n peak fetches
  for c in 3 10; do
    run_example 20 "$name" -q -c "$c" "$LAB_URL"
    [ "$status" -eq 0 ]
    [ "$(summary_value pages)" -eq 21 ]
    peak=$(summary_value peak)
    [ "$peak" -gt 1 ] && [ "$peak" -le "$c" ] || { echo "-c $c: peak $peak"; return 1; }
  done
  for n in 1 7; do
    run_example 20 "$name" -q -c 10 -n "$n" "$LAB_URL"
    [ "$status" -eq 0 ]
    fetches=$(($(summary_value pages) + $(summary_value errors)))
    [ "$fetches" -eq "$n" ] || { echo "-n $n: $fetches fetches"; return 1; }
  done
}

# 22 fetches at 100 ms take a sequential crawl at least 2.2 s; overlapping, well under half.
crawler_beats_sequential_bound() {
  run_example 20 "$1" -q -c 10 "$LAB_URL"
  [ "$status" -eq 0 ]
  local wall
  wall=$(summary_value wall)
  awk -v w="${wall%s}" 'BEGIN { exit !(w < 1.1) }' || { echo "wall $wall"; return 1; }
}

# The crawler's peak equals the lab server's own count of simultaneous connections.
crawler_peak_matches_server() {
  start_labserver --pages 20 --delay 200 # a fresh server: its peak is this crawl's alone
  run_example 20 "$1" -q -c 4 "$LAB_URL"
  [ "$status" -eq 0 ]
  local peak server_peak
  peak=$(summary_value peak)
  stop_labserver
  server_peak=$(sed -n 's/^server: requests=[0-9]* peak=\([0-9]*\)$/\1/p' "$LAB_LOG")
  [ "$peak" -eq 4 ]
  [ "$server_peak" -eq "$peak" ] || { echo "crawler peak $peak, server peak $server_peak"; return 1; }
}

# --timeline: one row per fetch, and some column with at least 3 fetches in flight.
crawler_timeline_overlaps() {
  run_example 20 "$1" -c 10 --timeline "$LAB_URL"
  local rows
  rows=$(printf '%s\n' "$output" | sed -n '/^timeline:/,/^$/p' | grep '|')
  [ "$(printf '%s\n' "$rows" | wc -l)" -eq 22 ]
  printf '%s\n' "$rows" | awk -F'|' '{ for (i = 1; i <= length($2); i++) if (substr($2, i, 1) == "=") n[i]++ }
                                     END { for (i in n) if (n[i] >= 3) exit 0; exit 1 }'
}

# Each fault page as the start URL fails its own fetch with its reason, bounded by -t;
# from /fault/tricky-links the crawl goes on over the site.
crawler_fails_faults_alone() {
  local name=$1 fault fault_name reason
  SECONDS=0
  run_example 20 "$name" -t 1 -c 5 "${LAB_URL}fault/never"
  [ "$status" -eq 1 ]
  [[ "$output" == *"ERR"*"timed out"* ]]
  [[ "$stderr" == "$name: GET ${LAB_URL}fault/never: timed out"* ]]
  [ "$SECONDS" -lt 5 ]
  for fault in close-mid-body:"connection closed mid-body (100 of 1000 bytes)" \
    close-early:"connection closed before the status line" \
    bad-status:"malformed status line" endless-header:"64 KiB" huge:"8 MiB"; do
    fault_name=${fault%%:*} reason=${fault#*:}
    run_example 20 "$name" -t 2 -q "${LAB_URL}fault/$fault_name"
    [ "$status" -eq 1 ] || { echo "$fault_name: status $status"; return 1; }
    [ "$(summary_value errors)" -eq 1 ] || { echo "$fault_name: $output"; return 1; }
    [[ "$stderr" == *"$reason"* ]] || { echo "$fault_name: $stderr"; return 1; }
  done
  run_example 30 "$name" -t 1 -c 20 -q "${LAB_URL}fault/tricky-links"
  [ "$status" -eq 0 ]
  [ "$(summary_value pages)" -ge 2 ]
}

# A refused start URL: exit 1, the operation and the cause on stderr.
crawler_reports_refused_start() {
  run_example 5 "$1" http://127.0.0.1:1/
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"$1: connect 127.0.0.1:1: ECONNREFUSED Connection refused"* ]]
  [ "$(summary_value errors)" -eq 1 ]
}

# Bad URLs and options: exit 2 with a reason and the usage line; --help exits 0.
crawler_rejects_bad_input() {
  local name=$1 url
  run_example 5 "$name" https://127.0.0.1/
  [ "$status" -eq 2 ]
  [[ "$stderr" == *"https is not supported"* ]]
  for url in ftp://x/ "http://:80/" "http://127.0.0.1:65536/"; do
    run_example 5 "$name" "$url"
    [ "$status" -eq 2 ] || { echo "$url: $status"; return 1; }
    [[ "$stderr" == "$name: bad URL '$url': "* ]] || { echo "$url: $stderr"; return 1; }
  done
  run_example 5 "$name" -c 0 "$LAB_URL"
  [ "$status" -eq 2 ]
  run_example 5 "$name" --bogus "$LAB_URL"
  [ "$status" -eq 2 ]
  [[ "$stderr" == *"unknown option '--bogus'"* ]]
  [[ "$stderr" == *"usage: $name"* ]]
  run_example 5 "$name" --help
  [ "$status" -eq 0 ]
  [[ "$output" == *"usage: $name"* ]]
}

# --- the -t deadline, descriptors, signals (every crawler, 03 and 04 included) -------------

# now: seconds since the epoch, with fractions.
now() {
  date +%s.%N
}

# A server that drips one byte every 200 ms (headers: ~16 s, body: 20 s) is cut off at
# -t 2, from the start of the fetch, with the phase it was in; a timer restarted by every
# byte would wait it out. /fault/slow (~1 s of dripping) still arrives at the default -t.
crawler_cuts_off_drips() {
  local name=$1 fault reason start took
  for fault in drip-headers:"receiving the headers" drip-body:"receiving the body"; do
    reason=${fault#*:} fault=${fault%%:*}
    start=$(now)
    run_example 15 "$name" -t 2 "${LAB_URL}fault/$fault"
    took=$(awk -v s="$start" -v e="$(now)" 'BEGIN { printf "%.2f", e - s }')
    [ "$status" -eq 1 ] || { echo "$fault: exit $status"; return 1; }
    [[ "$stderr" == "$name: GET ${LAB_URL}fault/$fault: timed out after 2 s while $reason" ]] ||
      { echo "$fault: stderr '$stderr'"; return 1; }
    [[ "$output" == *" ERR "*"timed out after 2 s while $reason"* ]] || { echo "$output"; return 1; }
    awk -v t="$took" 'BEGIN { exit !(t >= 2 && t < 5) }' || { echo "$fault: took $took s"; return 1; }
  done
  run_example 15 "$name" -q "${LAB_URL}fault/slow"
  [ "$status" -eq 0 ] && [ "$(summary_value pages)" -eq 1 ] || { echo "slow: $stderr"; return 1; }
}

# With only 64 descriptors and -c 200, a crawl of a 300-page site loses no page: a fetch
# that gets no socket (EMFILE) while others are in flight is put back and started again
# once one of them has ended. The lab server starts before the limit is lowered.
crawler_survives_few_descriptors() {
  local name=$1
  start_labserver --pages 300 --delay 20
  run --separate-stderr bash -c 'ulimit -n 64 && exec timeout -k 2 90 "$0" -c 200 "$1"' \
    "$BIN_DIR/$name" "$LAB_URL"
  stop_labserver
  [ "$status" -eq 0 ] || { echo "exit $status: $stderr"; return 1; }
  [ "$(summary_value pages)" -eq 301 ] && [ "$(summary_value errors)" -eq 1 ] ||
    { printf '%s\n' "$output" | grep -E 'ERR|summary' | head; return 1; }
  [[ "$output" == *"EMFILE"*": waiting for one of "*" fetches to finish"* ]] ||
    { echo "no put-back narration"; return 1; }
}

# run_and_signal SIG AFTER NAME ARGS...: run NAME in the background, send it SIG after
# AFTER seconds and wait for it (killed after 15 s). Sets $status, $output, $stderr and
# $took, the seconds from the signal to the exit.
run_and_signal() {
  local sig=$1 after=$2 name=$3 pid sent i
  shift 3
  "$BIN_DIR/$name" "$@" >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" 3>&- &
  pid=$!
  sleep "$after"
  sent=$(now)
  kill -"$sig" "$pid"
  for i in $(seq 1 150); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  status=0
  wait "$pid" || status=$?
  took=$(awk -v s="$sent" -v e="$(now)" 'BEGIN { printf "%.2f", e - s }')
  output=$(cat "$BATS_TEST_TMPDIR/out")
  stderr=$(cat "$BATS_TEST_TMPDIR/err")
}

# SIGINT abandons the fetch in flight at once (here one that would wait 30 s), says so,
# prints the summary, exits 130; SIGTERM mid-crawl: the pages so far, exit 143.
crawler_stops_on_signal() {
  local name=$1 pages
  shift
  run_and_signal INT 0.5 "$name" -t 30 "$@" "${LAB_URL}fault/never"
  [ "$status" -eq 130 ] || { echo "SIGINT: exit $status; $output"; return 1; }
  [[ "$output" == *"interrupted by SIGINT after 0 pages"* ]] || { echo "$output"; return 1; }
  assert_summary_keys pages errors bytes wall cpu cpu% rss peak
  awk -v t="$took" 'BEGIN { exit !(t < 3) }' || { echo "SIGINT: exit $took s later"; return 1; }
  start_labserver --pages 20 --delay 300
  run_and_signal TERM 1 "$name" "$@" "$LAB_URL"
  stop_labserver
  [ "$status" -eq 143 ] || { echo "SIGTERM: exit $status; $output"; return 1; }
  assert_summary_keys pages errors bytes wall cpu cpu% rss peak
  pages=$(summary_value pages)
  [[ "$output" == *"interrupted by SIGTERM after $pages pages"* ]] || { echo "$output"; return 1; }
  [ "$pages" -ge 1 ] && [ "$pages" -lt 21 ] || { echo "SIGTERM: pages=$pages"; return 1; }
}

# A listener whose backlog is full and which never accepts: a connect() to it gets no
# answer at all, so only -t can end it. Starts it in the background; sets $full_port.
start_full_listener() {
  command -v python3 >/dev/null || skip "python3 is needed for a listener with a full backlog"
  python3 - "$BATS_TEST_TMPDIR/full.port" <<'PY' 3>&- &
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(0)
port = s.getsockname()[1]
fill = []
for i in range(8):  # more than the backlog: the later SYNs are dropped
    c = socket.socket(); c.setblocking(False)
    try: c.connect(("127.0.0.1", port))
    except BlockingIOError: pass
    fill.append(c)
time.sleep(0.2)
open(sys.argv[1] + ".tmp", "w").write(str(port))
import os; os.rename(sys.argv[1] + ".tmp", sys.argv[1])
time.sleep(30)
PY
  full_pid=$!
  for _ in $(seq 1 50); do [ -s "$BATS_TEST_TMPDIR/full.port" ] && break; sleep 0.1; done
  full_port=$(cat "$BATS_TEST_TMPDIR/full.port")
}

# A blocking crawler's connect() ends at -t, both ways it can be bounded: SO_SNDTIMEO
# (Linux) and the interrupt timer (interrupt.h: macOS's way, forced here by
# $ASYNCLAB_CONNECT_TIMER so that Linux runs it too).
crawler_connect_bounded_by_t() {
  local name=$1 way
  start_full_listener
  for way in sndtimeo timer; do
    SECONDS=0
    if [ "$way" = timer ]; then
      ASYNCLAB_CONNECT_TIMER=1 run_example 15 "$name" -t 1 "http://127.0.0.1:$full_port/"
    else
      run_example 15 "$name" -t 1 "http://127.0.0.1:$full_port/"
    fi
    [ "$status" -eq 1 ] || { echo "$way: exit $status; $output"; kill "$full_pid"; return 1; }
    [[ "$stderr" == *"timed out after 1 s while connecting"* ]] ||
      { echo "$way: $stderr"; kill "$full_pid"; return 1; }
    [ "$SECONDS" -lt 4 ] || { echo "$way: took $SECONDS s"; kill "$full_pid"; return 1; }
  done
  kill "$full_pid" 2>/dev/null || true
}
