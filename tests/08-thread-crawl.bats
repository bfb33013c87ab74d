#!/usr/bin/env bats
# 08-thread-crawl: the crawl with a pool of threads sharing one frontier. The crawler
# contract is in crawler.bash; the pool's own facts here; ThreadSanitizer in sanitizers.bats.

load test_helper
load crawler

setup_file() {
  start_labserver --pages 20 --delay 100
}

teardown_file() {
  stop_labserver
}

@test "08: the crawl reports the exact counts of the lab site" {
  crawler_reports_exact_counts 08-thread-crawl
}

@test "08: no URL is fetched twice and none is lost, with many threads racing for the frontier" {
  for c in 3 10 40; do
    run_example 20 08-thread-crawl -c "$c" "$LAB_URL"
    [ "$status" -eq 0 ]
    lines=$(fetch_lines)
    [ "$(printf '%s\n' "$lines" | wc -l)" -eq 22 ] || { echo "-c $c: $(printf '%s\n' "$lines" | wc -l) lines"; return 1; }
    [ "$(printf '%s\n' "$lines" | awk '{print $3}' | sort -u | wc -l)" -eq 22 ] || { echo "-c $c: duplicates"; return 1; }
    [ "$(summary_value pages)" -eq 21 ]
  done
}

@test "08: fetches overlap within -c; -n bounds the fetches" {
  crawler_respects_c_and_n 08-thread-crawl
}

@test "08: the wall time is far below the sequential crawl's lower bound" {
  crawler_beats_sequential_bound 08-thread-crawl
}

@test "08: peak matches the server's own count of simultaneous connections" {
  crawler_peak_matches_server 08-thread-crawl
}

@test "08: --timeline shows overlapping bars" {
  crawler_timeline_overlaps 08-thread-crawl
}

@test "08: each fetch names its thread, and the memory the threads cost is reported" {
  run_example 20 08-thread-crawl -c 4 "$LAB_URL"
  [ "$status" -eq 0 ]
  [ "$(fetch_lines | grep -cE '\(thread [1-4]\)$')" -eq 22 ]
  [[ "$output" =~ memory:\ 4\ threads\ x\ [0-9]+\ MiB\ default\ stack\ =\ [0-9]+\ MiB ]]
  [[ "$output" =~ measured\ peak\ RSS\ [0-9.]+\ MiB ]]
}

@test "08: --stack KIB sets each thread's stack, in KiB; below the minimum it is refused" {
  run_example 20 08-thread-crawl -q -c 4 --stack 1024 "$LAB_URL"
  [ "$status" -eq 0 ]
  [ "$(summary_value pages)" -eq 21 ]
  grep -qx 'memory: 4 threads x 1 MiB stack = 4 MiB of address space reserved' <<<"$output"
  if [ -z "${SAN:-}" ]; then # a sanitizer's frames are bigger: the minimum is not theirs
    run_example 20 08-thread-crawl -q -c 4 --stack 64 "$LAB_URL"
    [ "$status" -eq 0 ]
    grep -qx 'memory: 4 threads x 64.0 KiB stack = 256.0 KiB of address space reserved' <<<"$output"
  fi
  # 16 KiB: the receive buffer alone fills it. Refused, with the minimum named.
  run_example 5 08-thread-crawl --stack 16 "$LAB_URL"
  [ "$status" -eq 2 ]
  [[ "$stderr" =~ ^08-thread-crawl:\ --stack\ 16:\ below\ the\ ([0-9]+)\ KiB\ a\ worker\ needs ]]
  min=${BASH_REMATCH[1]}
  [ "$min" -gt 32 ] # 32 KiB stacks crash
  run_example 20 08-thread-crawl -q -c 2 --stack "$min" "$LAB_URL"
  [ -n "${SAN:-}" ] || [ "$status" -eq 0 ]
  run_example 5 08-thread-crawl --stack "$((min - 1))" "$LAB_URL"
  [ "$status" -eq 2 ]
  run_example 5 08-thread-crawl --stack "$LAB_URL"
  [ "$status" -eq 2 ]
}

@test "08: -v shows threads sleeping on the condition variable and all of them exiting" {
  run_example 20 08-thread-crawl -v -c 3 "$LAB_URL"
  [ "$status" -eq 0 ]
  [[ "$output" == *"sleeping"* ]]
  [ "$(printf '%s\n' "$output" | grep -c 'nothing in flight: exiting')" -eq 3 ]
}

@test "08: -n bounds the fetches started, and the threads still all exit" {
  run_example 20 08-thread-crawl -q -c 10 -n 7 "$LAB_URL"
  [ "$status" -eq 0 ]
  [ $(($(summary_value pages) + $(summary_value errors))) -eq 7 ]
}

@test "08: each fault page fails its own fetch, with its reason, within -t" {
  crawler_fails_faults_alone 08-thread-crawl
}

@test "08: a refused start URL exits 1 with the cause" {
  crawler_reports_refused_start 08-thread-crawl
}

@test "08: bad URLs and options are usage errors" {
  crawler_rejects_bad_input 08-thread-crawl
}

@test "08: -t is a deadline per fetch: a dripping server is cut off at -t 2" {
  crawler_cuts_off_drips 08-thread-crawl
}

@test "08: SIGINT abandons the fetch in flight, SIGTERM stops the crawl: summary, 130/143" {
  crawler_stops_on_signal 08-thread-crawl -c 3
}

@test "08: ulimit -n 64 and -c 200: no page lost to EMFILE on a 300-page site" {
  crawler_survives_few_descriptors 08-thread-crawl
}

@test "08: a connect that gets no answer ends at -t (SO_SNDTIMEO, and the portable timer)" {
  crawler_connect_bounded_by_t 08-thread-crawl -c 2
}
