#!/usr/bin/env bats
# 03-blocking-fetch: the sequential crawl. One lab server for the file (20 pages, 100 ms),
# one full crawl in setup_file whose output several tests read.

load test_helper
load crawler

# What a correct crawl of the lab site with --pages 20 reports (docs/00-labserver.md).
SITE_PAGES=21   # / and /page/1..20, all 200
SITE_ERRORS=1   # /page/missing, the one dead link (404)
SITE_FETCHES=22

setup_file() {
  start_labserver --pages 20 --delay 100
  run_example 30 03-blocking-fetch --timeline "$LAB_URL"
  printf '%s\n' "$status" >"$BATS_FILE_TMPDIR/status"
  printf '%s\n' "$output" >"$BATS_FILE_TMPDIR/output"
  printf '%s\n' "$stderr" >"$BATS_FILE_TMPDIR/stderr"
}

teardown_file() {
  stop_labserver
}

load_crawl() {
  status=$(cat "$BATS_FILE_TMPDIR/status")
  output=$(cat "$BATS_FILE_TMPDIR/output")
  stderr=$(cat "$BATS_FILE_TMPDIR/stderr")
}

@test "03: the crawl of the lab site reports the exact counts" {
  load_crawl
  [ "$status" -eq 0 ]
  [ "$(summary_value pages)" -eq "$SITE_PAGES" ]
  [ "$(summary_value errors)" -eq "$SITE_ERRORS" ]
  [ "$(summary_value bytes)" -eq "$(site_bytes 20)" ]
  [ "$(summary_value peak)" -eq 1 ]
}

@test "03: the summary line has exactly the contract's keys, in order, with typed values" {
  load_crawl
  assert_summary_keys pages errors bytes wall cpu cpu% rss peak
  [[ "$(summary_value wall)" =~ ^[0-9]+\.[0-9]{3}s$ ]]
  [[ "$(summary_value cpu)" =~ ^[0-9]+\.[0-9]{3}s$ ]]
  [[ "$(summary_value 'cpu%')" =~ ^[0-9]+\.[0-9]$ ]]
  [[ "$(summary_value rss)" =~ ^[0-9]+\.[0-9]MiB$ ]]
}

@test "03: one line per fetch, each URL once, the dead link as a 404" {
  load_crawl
  lines=$(printf '%s\n' "$output" | grep -E '^ +[0-9]+\.[0-9]{3}s +([0-9]{3}|ERR) ')
  [ "$(printf '%s\n' "$lines" | wc -l)" -eq "$SITE_FETCHES" ]
  [ "$(printf '%s\n' "$lines" | awk '{print $3}' | sort | uniq -d | wc -l)" -eq 0 ]
  printf '%s\n' "$lines" | grep -qE ' 404 +/page/missing '
  ! printf '%s\n' "$output" | grep -q 'offsite.invalid'
  ! printf '%s\n' "$lines" | grep -q '#'
}

@test "03: sequential means the wall time is at least the sum of the delays" {
  load_crawl
  wall=$(summary_value wall)
  # 22 fetches, each held back 100 ms by the server: no less than 2.2 s in all.
  awk -v w="${wall%s}" 'BEGIN { exit !(w >= 2.2) }'
}

@test "03: the per-fetch note shows the time went to waiting for the first byte" {
  load_crawl
  line=$(printf '%s\n' "$output" | grep -A1 -E ' 200 +/page/1 ')
  wait_ms=$(printf '%s\n' "$line" | sed -n 's/.*wait \([0-9.]*\) ms.*/\1/p')
  awk -v w="$wait_ms" 'BEGIN { exit !(w >= 100) }'
}

@test "03: --timeline draws a staircase: each fetch starts after the previous one" {
  load_crawl
  rows=$(printf '%s\n' "$output" | sed -n '/^timeline:/,/^$/p' | grep '|')
  [ "$(printf '%s\n' "$rows" | wc -l)" -eq "$SITE_FETCHES" ]
  # Column of each bar's first mark: never decreasing, and the last well right of the first.
  printf '%s\n' "$rows" | awk -F'|' '{ s = match($2, /[=x]/); if (s < prev) exit 1; prev = s; if (NR == 1) first = s }
                                     END { exit !(prev > first + 40) }'
}

@test "03: -n bounds the number of fetches" {
  run_example 10 03-blocking-fetch -q -n 5 "$LAB_URL"
  [ "$status" -eq 0 ]
  [ "$(( $(summary_value pages) + $(summary_value errors) ))" -eq 5 ]
  [ "${#lines[@]}" -eq 1 ] # -q: only the summary
}

@test "03: LAB_URL is the default start URL" {
  LAB_URL="${LAB_URL}page/3" run_example 10 03-blocking-fetch -n 1
  [ "$status" -eq 0 ]
  [[ "$output" == *"/page/3 "* ]]
}

@test "03: -v shows the HTTP text: request as sent, status line and headers as received" {
  run_example 10 03-blocking-fetch -v -n 2 "$LAB_URL"
  [ "$status" -eq 0 ]
  # Each line of the text ends in the two bytes CR LF, shown as \r\n.
  [[ "$output" == *'> GET / HTTP/1.0\r\n'* ]]
  [[ "$output" == *'> GET /page/1 HTTP/1.0\r\n'* ]]
  local host=${LAB_URL#http://}
  host=${host%/}
  [ "$(grep -cF "> Host: $host\r\n" <<<"$output")" -eq 2 ]
  [ "$(grep -cF '< HTTP/1.0 200 OK\r\n' <<<"$output")" -eq 2 ]
  [ "$(grep -cxE ' +[<>] \\r\\n' <<<"$output")" -eq 4 ] # the empty line ends each head
  # The request comes before the response; each body is only summarised, by its size,
  # and those sizes add up to the summary's bytes.
  [ "$(grep -nF '> GET /page/1' <<<"$output" | cut -d: -f1)" -lt \
    "$(grep -nF '< HTTP/1.0 200 OK' <<<"$output" | tail -1 | cut -d: -f1)" ]
  body=$(sed -n 's/^ *< \[body: \([0-9]*\) bytes, not shown\]$/\1/p' <<<"$output" | awk '{ s += $1 } END { print s + 0 }')
  [ "$body" -eq "$(summary_value bytes)" ]
  [[ "$output" != *"<html"* ]]
  # Without -v, none of it.
  run_example 10 03-blocking-fetch -n 2 "$LAB_URL"
  [[ "$output" != *"HTTP/1.0"* ]]
}

@test "03: -v's HTTP text fits 80 columns and shows a broken status line as it came" {
  run_example 10 03-blocking-fetch -v -t 2 -n 1 "${LAB_URL}fault/bad-status"
  [ "$status" -eq 1 ]
  # As it came: as far as the parser took it before refusing it (all of the line with the
  # default receive size; its first 16 bytes with docs/03's exercise 2, a 16-byte recv).
  [[ "$output" == *'< this is not an H'* ]]
  run_example 10 03-blocking-fetch -v -t 2 -n 3 "${LAB_URL}fault/tricky-links"
  [ "$status" -eq 0 ]
  ! grep -v '^summary:' <<<"$output" | awk 'length($0) > 80 { print; bad = 1 } END { exit !bad }'
}

# --- faults: each fails its own fetch with a clear reason, bounded by -t ----------------

fault() { # fault NAME: crawl from /fault/NAME with a 1 s timeout
  run_example 15 03-blocking-fetch -t 1 -n 3 "${LAB_URL}fault/$1"
}

@test "03: a server that never answers times out after -t, exit 1" {
  SECONDS=0
  fault never
  [ "$status" -eq 1 ]
  [[ "$output" == *"ERR"*"timed out"* ]]
  [[ "$stderr" == "03-blocking-fetch: GET ${LAB_URL}fault/never: timed out"* ]]
  [ "$SECONDS" -lt 5 ]
}

@test "03: blocked waiting counts the whole time asleep in recv, not only until the first byte" {
  # /fault/drip-body sends its head at once, then a byte at a time for longer than -t 1:
  # the fetch sleeps in recv() for the whole second, and the line says so, in the singular.
  run_example 20 03-blocking-fetch -t 1 "${LAB_URL}fault/drip-body"
  [ "$status" -eq 1 ]
  line=$(printf '%s\n' "$output" | grep '^1 fetch one after another: blocked waiting ') ||
    { echo "$output"; return 1; }
  waited=$(printf '%s\n' "$line" | sed -n 's/.*blocked waiting \([0-9.]*\) s of.*/\1/p')
  awk -v w="$waited" 'BEGIN { exit !(w >= 0.9) }' || { echo "$line"; return 1; }
}

@test "03: a connection closed mid-body is an error naming it" {
  fault close-mid-body
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"connection closed mid-body (100 of 1000 bytes)"* ]]
}

@test "03: a connection closed before the status line is an error" {
  fault close-early
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"connection closed before the status line"* ]]
}

@test "03: a garbage status line is reported as malformed" {
  fault bad-status
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"malformed status line"* ]]
}

@test "03: a 50 MB body is refused at the cap, not stored" {
  fault huge
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"8 MiB"* ]]
  rss=$(summary_value rss)
  awk -v r="${rss%MiB}" 'BEGIN { exit !(r < 40) }'
}

@test "03: endless headers are cut off at the header cap" {
  fault endless-header
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"64 KiB"* ]]
}

@test "03: a redirect to itself is fetched once, not followed forever" {
  fault redirect-self
  [ "$status" -eq 0 ]
  [ "$(summary_value pages)" -eq 1 ]
  [ "$(summary_value errors)" -eq 0 ]
}

@test "03: a redirect is followed onto the site" {
  run_example 30 03-blocking-fetch -q -n 3 "${LAB_URL}fault/redirect"
  [ "$status" -eq 0 ]
  [ "$(summary_value pages)" -eq 3 ]
}

# --- bad input -------------------------------------------------------------------------

@test "03: https is refused with its own message, exit 2" {
  run_example 5 03-blocking-fetch https://127.0.0.1/
  [ "$status" -eq 2 ]
  [[ "$stderr" == *"https is not supported"* ]]
  [[ "$stderr" == *"usage: 03-blocking-fetch"* ]]
}

@test "03: other schemes, a missing host and bad ports are usage errors" {
  for url in ftp://127.0.0.1/ "http:///x" "http://127.0.0.1:0/" "http://127.0.0.1:65536/" \
             "http://127.0.0.1:abc/" "127.0.0.1/"; do
    run_example 5 03-blocking-fetch "$url"
    [ "$status" -eq 2 ] || { echo "$url: status $status"; return 1; }
    [[ "$stderr" == "03-blocking-fetch: bad URL '$url': "* ]] || { echo "$url: $stderr"; return 1; }
  done
}

@test "03: a refused port exits 1 naming the operation and the cause" {
  run_example 5 03-blocking-fetch http://127.0.0.1:1/
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"03-blocking-fetch: connect 127.0.0.1:1: ECONNREFUSED Connection refused"* ]]
  [ "$(summary_value errors)" -eq 1 ]
}

@test "03: --help explains and exits 0; a bad option or -c exits 2 with usage" {
  run_example 5 03-blocking-fetch --help
  [ "$status" -eq 0 ]
  [[ "$output" == *"usage: 03-blocking-fetch"* ]]
  run_example 5 03-blocking-fetch --bogus "$LAB_URL"
  [ "$status" -eq 2 ]
  [[ "$stderr" == *"unknown option '--bogus'"* ]]
  run_example 5 03-blocking-fetch -c 4 "$LAB_URL"
  [ "$status" -eq 2 ]
  run_example 5 03-blocking-fetch -n 0 "$LAB_URL"
  [ "$status" -eq 2 ]
  [[ "$stderr" == *"-n '0': expected a whole number from 1 to"* ]]
  run_example 5 03-blocking-fetch -t abc "$LAB_URL"
  [ "$status" -eq 2 ]
}

@test "03: no URL and no LAB_URL is a usage error with a hint" {
  LAB_URL= run_example 5 03-blocking-fetch
  [ "$status" -eq 2 ]
  [[ "$stderr" == *"make run-NN"* ]]
}

@test "03: -t is a deadline per fetch: a dripping server is cut off at -t 2" {
  crawler_cuts_off_drips 03-blocking-fetch
}

@test "03: SIGINT abandons the fetch in flight, SIGTERM stops the crawl: summary, 130/143" {
  crawler_stops_on_signal 03-blocking-fetch
}

@test "03: no poll, select or epoll: the process sleeps inside connect, send and recv" {
  command -v strace >/dev/null || skip "strace is not installed"
  strace -o /dev/null true 2>/dev/null || skip "strace cannot trace here (ptrace not permitted)"
  local trace="$BATS_TEST_TMPDIR/trace"
  # LeakSanitizer cannot run under ptrace: leaks are checked by the other tests.
  run timeout -k 2 30 env ASAN_OPTIONS=detect_leaks=0 strace -f -qq -o "$trace" \
    -e trace=connect,poll,ppoll,select,pselect6,epoll_create,epoll_create1,epoll_wait,epoll_pwait \
    "$BIN_DIR/03-blocking-fetch" -q -n 5 "$LAB_URL"
  [ "$status" -eq 0 ]
  [ "$(grep -c 'connect(' "$trace")" -ge 5 ] || { cat "$trace"; return 1; }
  ! grep -E '(poll|select|epoll_[a-z0-9_]+)\(' "$trace" || { echo "a wait for events in 03"; return 1; }
}

# On a terminal of 50 columns the summary is broken at spaces, the pairs indented under
# the first, so that no key=value is split; into a pipe it stays one line (the runs above).
@test "03: summary: on a terminal wraps between key=value pairs, never inside one" {
  command -v script >/dev/null || skip "script(1) is not installed"
  run script -qec "stty cols 50; timeout 20 '$BIN_DIR/03-blocking-fetch' -q '$LAB_URL'" /dev/null
  [ "$status" -eq 0 ]
  rows=$(printf '%s\n' "$output" | tr -d '\r' | sed -n '/^summary: /,$p')
  [ "$(printf '%s\n' "$rows" | wc -l)" -ge 2 ] || { echo "$rows"; return 1; }
  printf '%s\n' "$rows" | awk 'length($0) > 50 { bad = 1 } END { exit bad }' || { echo "$rows"; return 1; }
  joined=$(printf '%s\n' "$rows" | tr -s ' \n' ' ' | sed 's/ $//')
  [[ "$joined" =~ ^summary:\ pages=[0-9]+\ errors=[0-9]+\ bytes=[0-9]+\ wall=[0-9.]+s\ cpu=[0-9.]+s\ cpu%=[0-9.]+\ rss=[0-9.]+MiB\ peak=[0-9]+$ ]] ||
    { echo "$joined"; return 1; }
}

@test "03: a connect that gets no answer ends at -t (SO_SNDTIMEO, and the portable timer)" {
  crawler_connect_bounded_by_t 03-blocking-fetch
}
