#!/usr/bin/env bats
# 08-thread-crawl: the crawl with a pool of threads sharing one frontier.

load test_helper

setup_file() {
  start_labserver --pages 20 --delay 100
}

teardown_file() {
  stop_labserver
}

# The per-fetch lines of $output (status or ERR), one per fetch.
fetch_lines() {
  printf '%s\n' "$output" | grep -E '^ +[0-9]+\.[0-9]{3}s +([0-9]{3}|ERR) '
}

@test "08: the crawl reports the exact counts of the lab site" {
  run_example 20 08-thread-crawl -c 5 "$LAB_URL"
  [ "$status" -eq 0 ]
  [ "$(summary_value pages)" -eq 21 ]
  [ "$(summary_value errors)" -eq 1 ]
  [ "$(summary_value bytes)" -eq "$(site_bytes 20)" ]
  assert_summary_keys pages errors bytes wall cpu cpu% rss peak
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

@test "08: fetches overlap: peak is above 1 and never above -c" {
  for c in 3 10; do
    run_example 20 08-thread-crawl -q -c "$c" "$LAB_URL"
    [ "$status" -eq 0 ]
    peak=$(summary_value peak)
    [ "$peak" -gt 1 ] && [ "$peak" -le "$c" ] || { echo "-c $c: peak $peak"; return 1; }
  done
}

@test "08: the wall time is far below the sequential crawl's lower bound" {
  run_example 20 08-thread-crawl -q -c 10 "$LAB_URL"
  [ "$status" -eq 0 ]
  wall=$(summary_value wall)
  # 22 fetches at 100 ms take 03 at least 2.2 s; overlapping, the pool needs well under half.
  awk -v w="${wall%s}" 'BEGIN { exit !(w < 1.1) }'
}

@test "08: each fetch names its thread, and the memory the threads cost is reported" {
  run_example 20 08-thread-crawl -c 4 "$LAB_URL"
  [ "$status" -eq 0 ]
  [ "$(fetch_lines | grep -cE '\(thread [1-4]\)$')" -eq 22 ]
  [[ "$output" =~ memory:\ 4\ threads\ x\ [0-9]+\ MiB\ default\ stack\ =\ [0-9]+\ MiB ]]
  [[ "$output" =~ measured\ peak\ RSS\ [0-9.]+\ MiB ]]
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

@test "08: a fault page fails its own fetch while the others complete" {
  run_example 20 08-thread-crawl -t 1 -c 5 "${LAB_URL}fault/never"
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"timed out"* ]]
  for fault in close-mid-body close-early bad-status endless-header huge; do
    run_example 20 08-thread-crawl -t 2 -q "${LAB_URL}fault/$fault"
    [ "$status" -eq 1 ] || { echo "$fault: $status"; return 1; }
    [ "$(summary_value errors)" -eq 1 ]
  done
  run_example 30 08-thread-crawl -t 1 -c 20 "${LAB_URL}fault/tricky-links"
  [ "$status" -eq 0 ]
  [ "$(summary_value pages)" -ge 2 ]
}

@test "08: a refused start URL exits 1 with the cause" {
  run_example 5 08-thread-crawl http://127.0.0.1:1/
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"08-thread-crawl: connect 127.0.0.1:1: ECONNREFUSED Connection refused"* ]]
}

@test "08: bad URLs and options are usage errors" {
  for url in https://127.0.0.1/ ftp://x/ "http://:80/" "http://127.0.0.1:65536/"; do
    run_example 5 08-thread-crawl "$url"
    [ "$status" -eq 2 ] || { echo "$url: $status"; return 1; }
  done
  run_example 5 08-thread-crawl -c 0 "$LAB_URL"
  [ "$status" -eq 2 ]
  run_example 5 08-thread-crawl --help
  [ "$status" -eq 0 ]
  [[ "$output" == *"usage: 08-thread-crawl"* ]]
}

@test "08: ThreadSanitizer finds no race in the pool (when the SAN=thread build exists)" {
  # The SAN=thread variant sits beside this run's binaries: BUILD/san-thread/bin.
  build=${BIN_DIR%/bin}
  tsan_bin="${build%/san-*}/san-thread/bin/08-thread-crawl"
  [ -x "$tsan_bin" ] || skip "no SAN=thread build: make SAN=thread $tsan_bin"
  run --separate-stderr timeout -k 2 60 env TSAN_OPTIONS=halt_on_error=0 "$tsan_bin" -c 10 "$LAB_URL"
  if [ "$status" -ne 0 ] && [[ "$stderr" == *"unexpected memory mapping"* ]]; then
    run --separate-stderr timeout -k 2 60 env TSAN_OPTIONS=halt_on_error=0 setarch "$(uname -m)" -R "$tsan_bin" -c 10 "$LAB_URL"
  fi
  [ "$status" -eq 0 ]
  [[ "$stderr" != *"ThreadSanitizer"* ]]
  [ "$(summary_value pages)" -eq 21 ]
}
