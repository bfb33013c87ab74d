#!/usr/bin/env bats
# 04-busy-loop: spinning on non-blocking sockets.

load test_helper
load crawler

setup_file() {
  start_labserver --pages 5 --delay 100
}

teardown_file() {
  stop_labserver
}

@test "04: does 03's job by default (every page, one at a time), and counts the retries" {
  run_example 20 04-busy-loop "$LAB_URL"
  [ "$status" -eq 0 ]
  [ "$(summary_value pages)" -eq 6 ]
  [ "$(summary_value errors)" -eq 1 ]
  [ "$(summary_value bytes)" -eq "$(site_bytes 5)" ]
  [ "$(summary_value peak)" -eq 1 ]
  assert_summary_keys pages errors bytes wall cpu cpu% rss peak
  recv=$(printf '%s\n' "$output" | sed -n 's/^recv would block \([0-9,]*\) times$/\1/p' | tr -d ,)
  # at least one retry per fetch, each held back 100 ms (docs/04's exercise 2 sleeps 1 ms
  # between tries: a few hundred; spinning: millions)
  [ "$recv" -gt 7 ]
  # 7 fetches one after another, each held back 100 ms: as slow as 03
  awk -v w="$(summary_value wall)" 'BEGIN { exit !(w + 0 >= 0.7) }'
  run_example 20 03-blocking-fetch -q "$LAB_URL"
  [ "$(summary_value bytes)" -eq "$(site_bytes 5)" ]
  [ "$(summary_value pages)" -eq 6 ]
  # a site larger than the old 20-fetch default: every page, as 03 does
  start_labserver --pages 20 --delay 10
  run_example 20 04-busy-loop -q "$LAB_URL"
  stop_labserver
  [ "$(summary_value pages)" -eq 21 ] && [ "$(summary_value errors)" -eq 1 ]
}

@test "04: -c without --juggle is refused with the reason, exit 2, and taken with it" {
  run_example 5 04-busy-loop -c 5 "$LAB_URL"
  [ "$status" -eq 2 ]
  [[ "$stderr" == *"04-busy-loop: -c 5 needs --juggle: without it, 04 fetches one page at a time"* ]]
  [[ "$stderr" == *"[--juggle]"* ]] # the usage is made from the options, the flag included
  run_example 20 04-busy-loop -q -c 5 --juggle "$LAB_URL"
  [ "$status" -eq 0 ]
  [ "$(summary_value peak)" -le 5 ] && [ "$(summary_value pages)" -eq 6 ]
}

@test "04: spinning uses far more CPU than select on the same work" {
  # CPU seconds, not cpu%: on a busy machine a spinner gets only its share of a core, so
  # its cpu% falls with the load; twenty times select's CPU (at least 40 ms) it still burns.
  # A loop that sleeps 1 ms between tries (docs/04's exercise 2) burns about 10 ms: it fails.
  run_example 20 04-busy-loop -q "$LAB_URL"
  busy=$(summary_value cpu)
  run_example 20 05-select-fetch -q -c 1 "$LAB_URL"
  calm=$(summary_value cpu)
  echo "04 cpu $busy, 05 cpu $calm"
  awk -v b="${busy%s}" -v c="${calm%s}" 'BEGIN { exit !(b > 20 * (c > 0.002 ? c : 0.002)) }'
}

@test "04: --juggle overlaps the fetches: peak > 1, wall far below the sequential bound" {
  run_example 20 04-busy-loop --juggle -c 4 "$LAB_URL"
  [ "$status" -eq 0 ]
  [ "$(summary_value pages)" -eq 6 ]
  peak=$(summary_value peak)
  [ "$peak" -gt 1 ] && [ "$peak" -le 4 ]
  wall=$(summary_value wall)
  awk -v w="${wall%s}" 'BEGIN { exit !(w < 0.6) }' # sequential: >= 0.7 s
  [[ "$output" == *"select() (05) waits for all sockets without spinning"* ]]
  [[ "$output" == *"up to 4 at once"* ]] # the number, not a literal "-c"
}

@test "04: -t is the deadline of each fetch: a silent server ends the spinning at -t" {
  SECONDS=0
  run_example 10 04-busy-loop -t 0.5 "${LAB_URL}fault/never"
  [ "$status" -eq 1 ]
  [ "$SECONDS" -lt 4 ]
  [[ "$stderr" == *"04-busy-loop: GET ${LAB_URL}fault/never: timed out after 0.5 s while receiving the headers" ]]
  recv=$(printf '%s\n' "$output" | sed -n 's/^recv would block \([0-9,]*\) times$/\1/p' | tr -d ,)
  [ "$recv" -gt 0 ]
  [ "$(summary_value errors)" -eq 1 ]
}

@test "04: a refused port exits 1 with the cause; bad input is a usage error" {
  run_example 5 04-busy-loop http://127.0.0.1:1/
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"connect 127.0.0.1:1: ECONNREFUSED Connection refused"* ]]
  run_example 5 04-busy-loop https://127.0.0.1/
  [ "$status" -eq 2 ]
  run_example 5 04-busy-loop --bogus
  [ "$status" -eq 2 ]
  run_example 5 04-busy-loop --help
  [ "$status" -eq 0 ]
  [[ "$output" == *"--juggle"* ]]
}

@test "04: -t is a deadline per fetch: a dripping server is cut off at -t 2" {
  crawler_cuts_off_drips 04-busy-loop
}

@test "04: SIGINT abandons the fetch in flight, SIGTERM stops the crawl: summary, 130/143" {
  crawler_stops_on_signal 04-busy-loop
}

@test "04 --juggle: the same deadline per fetch while juggling" {
  run_example 15 04-busy-loop --juggle -c 3 -t 2 "${LAB_URL}fault/drip-body"
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"timed out after 2 s while receiving the body" ]]
}
