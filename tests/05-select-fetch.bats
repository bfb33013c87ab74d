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
  [[ "$output" =~ fd\ [0-9]+\ +connecting\ .*connect\ started ]]
  [[ "$output" == *"connected"* ]]
  [[ "$output" =~ fd\ [0-9]+\ +sending\ .*request\ sent ]]
  [[ "$output" =~ fd\ [0-9]+\ +reading\ .*response\ complete ]]
}

@test "05: -c beyond FD_SETSIZE is refused, naming the limit" {
  run_example 5 05-select-fetch -c 5000 "$LAB_URL"
  [ "$status" -eq 2 ]
  [[ "$stderr" == *"FD_SETSIZE = 1024"* ]]
  [[ "$stderr" == *"at most -c 1021"* ]]
}

