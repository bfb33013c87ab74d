#!/usr/bin/env bats
# 05-select-fetch: the concurrent crawl in one select() loop. The crawler contract (counts,
# -c and -n, overlap, faults, bad input) is in crawler.bash; the select-specific facts here.

load test_helper
load crawler

setup_file() {
  start_labserver --pages 20 --delay 100
}

teardown_file() {
  stop_labserver
}

@test "05: the crawl reports the exact counts of the lab site" {
  crawler_reports_exact_counts 05-select-fetch
  [[ "$output" =~ select\ woke\ up\ [0-9]+\ times\ for\ 22\ fetches ]]
}

@test "05: fetches overlap within -c; -n bounds the fetches" {
  crawler_respects_c_and_n 05-select-fetch
}

@test "05: the wall time is far below the sequential crawl's lower bound" {
  crawler_beats_sequential_bound 05-select-fetch
}

@test "05: peak matches the server's own count of simultaneous connections" {
  crawler_peak_matches_server 05-select-fetch
}

@test "05: --timeline shows overlapping bars" {
  crawler_timeline_overlaps 05-select-fetch
}

@test "05: each fault page fails its own fetch, with its reason, within -t" {
  crawler_fails_faults_alone 05-select-fetch
}

@test "05: a refused start URL exits 1 with the cause" {
  crawler_reports_refused_start 05-select-fetch
}

@test "05: bad URLs and options are usage errors" {
  crawler_rejects_bad_input 05-select-fetch
}

@test "05: -v narrates each state transition with its descriptor" {
  run_example 20 05-select-fetch -v -c 2 -n 3 "$LAB_URL"
  [ "$status" -eq 0 ]
  [[ "$output" =~ fd\ [0-9]+\ +connect\(\):\ in\ progress ]]
  [[ "$output" =~ fd\ [0-9]+\ +connect\(\):\ done ]]
  [[ "$output" =~ fd\ [0-9]+\ +send\(\):\ request\ sent ]]
  [[ "$output" =~ fd\ [0-9]+\ +recv\(\):\ response\ done ]]
}

@test "05: -c beyond FD_SETSIZE is refused, naming the limit" {
  run_example 5 05-select-fetch -c 5000 "$LAB_URL"
  [ "$status" -eq 2 ]
  [[ "$stderr" == *"FD_SETSIZE = 1024"* ]]
  [[ "$stderr" == *"at most -c 1021"* ]]
}

@test "05: -t is a deadline per fetch: a dripping server is cut off at -t 2" {
  crawler_cuts_off_drips 05-select-fetch
}

@test "05: SIGINT abandons the fetch in flight, SIGTERM stops the crawl: summary, 130/143" {
  crawler_stops_on_signal 05-select-fetch -c 3
}

@test "05: ulimit -n 64 and -c 200: no page lost to EMFILE on a 300-page site" {
  crawler_survives_few_descriptors 05-select-fetch
}

# run_with_descriptors_held LAST ARGS...: run 05 with descriptors 3..LAST held open
# (exec N</dev/null under ulimit -n 1100), so that its sockets get numbers from LAST + 1 on;
# skips where the hard limit does not allow it.
run_with_descriptors_held() {
  local last=$1 hard
  shift
  hard=$(ulimit -Hn)
  [ "$hard" = unlimited ] || [ "$hard" -ge 1100 ] ||
    skip "the hard limit on descriptors is $hard: this test needs 1100"
  run --separate-stderr bash -c '
    ulimit -n 1100 || exit 99
    for ((fd = 3; fd <= $0; fd++)); do eval "exec $fd</dev/null"; done
    exec timeout -k 2 30 "$@"' "$last" "$BIN_DIR/05-select-fetch" "$@"
  [ "$status" -ne 99 ] || skip "cannot raise the descriptor limit to 1100"
}

@test "05: sockets numbered FD_SETSIZE or more are put back, never given to select" {
  # With 1020..1023 free, the crawl's sockets reach 1024: the old loop wrote past its
  # arrays there and slept in select() for ever.
  run_with_descriptors_held 1019 -c 20 "$LAB_URL"
  [ "$status" -eq 0 ] || { echo "exit $status: $stderr"; return 1; }
  [ "$(summary_value pages)" -eq 21 ] && [ "$(summary_value errors)" -eq 1 ] ||
    { printf '%s\n' "$output" | tail -n 3; return 1; }
  [ "$(summary_value peak)" -le 4 ] # 1020..1023 are all select can take
  [[ "$output" =~ descriptor\ 102[4-9]\ is\ beyond\ FD_SETSIZE:\ waiting\ for\ one\ of\ [1-4]\ fetches ]]
  [ "$(grep -c 'beyond FD_SETSIZE' <<<"$output")" -eq 1 ] # narrated once
}

@test "05: a socket beyond FD_SETSIZE with nothing in flight fails its fetch, naming the limit" {
  run_with_descriptors_held 1023 -c 5 "$LAB_URL"
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"descriptor 1024 is beyond FD_SETSIZE (1024), the most select() can watch"* ]]
}

# A broken engine (finish() forgets to count the fetch out, so in_flight never reaches 0)
# hangs after -c fetches; it still obeys SIGTERM: the loop abandons what is in flight and
# ends with its counts, within a second.
@test "05: a hung engine still stops on SIGTERM within 1 s, with its counts" {
  [ -z "$SAN" ] || skip "the broken copy is built with the default flags"
  local src="$BATS_TEST_DIRNAME/../examples/05-select-fetch.c" broken="$BATS_TEST_TMPDIR/05-broken"
  grep -q '^    loop->in_flight--;$' "$src"
  sed 's/^    loop->in_flight--;$//' "$src" >"$broken.c"
  ${CC:-cc} -std=c11 -D_POSIX_C_SOURCE=200809L -D_DARWIN_C_SOURCE -pthread \
    -iquote "$BATS_TEST_DIRNAME/../common" "$broken.c" "$BIN_DIR/../lib/libcommon.a" -o "$broken"
  cp "$broken" "$BIN_DIR/05-broken-$$"
  run_and_signal TERM 2 "05-broken-$$" -q "$LAB_URL"
  rm -f "$BIN_DIR/05-broken-$$"
  [ "$status" -eq 143 ] || { echo "exit $status after ${took}s; $output"; return 1; }
  awk -v t="$took" 'BEGIN { exit !(t < 1) }' || { echo "exited ${took} s after SIGTERM"; return 1; }
  pages=$(summary_value pages) # stalled once -c fetches were never counted out
  [ "$pages" -ge 1 ] && [ "$pages" -lt 21 ] || { echo "$output"; return 1; }
  [[ "$output" == *"interrupted by SIGTERM after $pages pages"* ]]
}

# The same broken copy, made deaf to the first signal as well (its loop no longer looks):
# the first SIGINT changes nothing, the second ends it at once with 130, as Ctrl-C twice
# does for command-line tools.
@test "05: a second SIGINT ends a crawler that ignored the first, at once" {
  [ -z "$SAN" ] || skip "the broken copy is built with the default flags"
  local src="$BATS_TEST_DIRNAME/../examples/05-select-fetch.c" deaf="$BIN_DIR/05-deaf-$$" pid
  grep -q 'if (loop->in_flight == 0 || fetch_interrupted())' "$src"
  sed -e 's/^    loop->in_flight--;$//' \
    -e 's/if (loop->in_flight == 0 || fetch_interrupted())/if (loop->in_flight == 0)/' \
    "$src" >"$BATS_TEST_TMPDIR/deaf.c"
  ${CC:-cc} -std=c11 -D_POSIX_C_SOURCE=200809L -D_DARWIN_C_SOURCE -pthread \
    -iquote "$BATS_TEST_DIRNAME/../common" "$BATS_TEST_TMPDIR/deaf.c" \
    "$BIN_DIR/../lib/libcommon.a" -o "$deaf"
  "$deaf" -q "$LAB_URL" >/dev/null 2>&1 3>&- &
  pid=$!
  sleep 1.5
  kill -INT "$pid"
  sleep 1
  kill -0 "$pid" || { rm -f "$deaf"; echo "the deaf copy stopped at the first signal"; return 1; }
  kill -INT "$pid"
  status=0
  for _ in $(seq 1 10); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null && { rm -f "$deaf"; echo "still running after a second SIGINT"; return 1; }
  wait "$pid" || status=$?
  rm -f "$deaf"
  [ "$status" -eq 130 ]
}
