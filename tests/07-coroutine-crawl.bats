#!/usr/bin/env bats
# 07-coroutine-crawl: the crawl as generator tasks on the sched.c poll() loop. The crawler
# contract (counts, -c and -n, overlap, faults, bad input) is in crawler.bash; the facts of
# the coroutine version here.

load test_helper
load crawler

setup_file() {
  start_labserver --pages 20 --delay 100
}

teardown_file() {
  stop_labserver
}

@test "07: the crawl reports the exact counts of the lab site" {
  crawler_reports_exact_counts 07-coroutine-crawl
  # The closing line counts the loop's work: task switches and poll() calls.
  [[ "$output" =~ fetched\ 22\ URLs.*made\ [0-9]+\ task\ switches\ and\ [0-9]+\ poll\(\)\ calls ]]
}

@test "07: fetches overlap within -c; -n bounds the fetches" {
  crawler_respects_c_and_n 07-coroutine-crawl
}

@test "07: -n holds however many workers are hired at once; -c 1 is sequential" {
  for n in 5 12; do
    run_example 20 07-coroutine-crawl -q -c 10 -n "$n" "$LAB_URL"
    [ "$status" -eq 0 ]
    fetches=$(( $(summary_value pages) + $(summary_value errors) ))
    [ "$fetches" -eq "$n" ] || { echo "-n $n: $fetches fetches"; return 1; }
  done
  run_example 20 07-coroutine-crawl -q -c 1 -n 3 "$LAB_URL"
  [ "$status" -eq 0 ]
  [ "$(summary_value peak)" -eq 1 ]
}

@test "07: the wall time is far below the sequential crawl's lower bound" {
  crawler_beats_sequential_bound 07-coroutine-crawl
}

@test "07: peak matches the server's own count of simultaneous connections" {
  crawler_peak_matches_server 07-coroutine-crawl
}

@test "07: --timeline shows overlapping bars" {
  crawler_timeline_overlaps 07-coroutine-crawl
}

@test "07: each fault page fails its own fetch, with its reason, within -t" {
  crawler_fails_faults_alone 07-coroutine-crawl
}

@test "07: a refused start URL exits 1 with the cause" {
  crawler_reports_refused_start 07-coroutine-crawl
}

@test "07: bad URLs and options are usage errors" {
  crawler_rejects_bad_input 07-coroutine-crawl
  [[ "$output" == *"yields to a poll()"* ]]
}

@test "07: -v narrates each task's waits with its descriptor" {
  run_example 20 07-coroutine-crawl -v -c 2 -n 3 "$LAB_URL"
  [ "$status" -eq 0 ]
  [[ "$output" =~ task\ 1\ +fd\ [0-9]+\ +connect\(\):\ in\ progress,\ wait\ for\ writable ]]
  [[ "$output" =~ task\ 1\ +fd\ [0-9]+\ +recv\(\):\ would\ block,\ wait\ for\ readable ]]
  [[ "$output" =~ task\ 2\ +fd\ [0-9]+\ +recv\(\):\ would\ block,\ wait\ for\ readable ]]
  [[ "$output" =~ task\ [0-9]+\ +fd\ [0-9]+\ +recv\(\):\ response\ done ]]
  [[ "$output" =~ task\ [0-9]+\ +has\ no\ URL\ left ]]
}

@test "07: -t is a deadline per fetch: a dripping server is cut off at -t 2" {
  crawler_cuts_off_drips 07-coroutine-crawl
}

@test "07: SIGINT abandons the fetch in flight, SIGTERM stops the crawl: summary, 130/143" {
  crawler_stops_on_signal 07-coroutine-crawl -c 3
}

@test "07: ulimit -n 64 and -c 200: no page lost to EMFILE on a 300-page site" {
  crawler_survives_few_descriptors 07-coroutine-crawl
}
