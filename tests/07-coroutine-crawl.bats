#!/usr/bin/env bats
# 07-coroutine-crawl: the crawl as generator tasks on the sched.c poll() loop. It must
# report what 03 reports and overlap its fetches like 05.

load test_helper

setup_file() {
  start_labserver --pages 20 --delay 100
}

teardown_file() {
  stop_labserver
}

@test "07: the crawl reports the exact counts of the lab site" {
  run_example 20 07-coroutine-crawl -c 5 "$LAB_URL"
  [ "$status" -eq 0 ]
  [ "$(summary_value pages)" -eq 21 ]
  [ "$(summary_value errors)" -eq 1 ]
  [ "$(summary_value bytes)" -eq "$(site_bytes 20)" ]
  assert_summary_keys pages errors bytes wall cpu cpu% rss peak
  lines=$(printf '%s\n' "$output" | grep -E '^ +[0-9]+\.[0-9]{3}s +([0-9]{3}|ERR) ')
  [ "$(printf '%s\n' "$lines" | wc -l)" -eq 22 ]
  [ "$(printf '%s\n' "$lines" | awk '{print $3}' | sort | uniq -d | wc -l)" -eq 0 ]
  printf '%s\n' "$lines" | grep -qE ' 404 +http://127\.0\.0\.1:[0-9]+/page/missing '
  # The closing line counts the loop's work: task switches and poll() calls.
  [[ "$output" =~ made\ [0-9]+\ task\ switches\ and\ [0-9]+\ poll\(\)\ calls ]]
}

@test "07: fetches overlap: peak is above 1 and never above -c" {
  for c in 3 10; do
    run_example 20 07-coroutine-crawl -q -c "$c" "$LAB_URL"
    [ "$status" -eq 0 ]
    [ "$(summary_value pages)" -eq 21 ]
    peak=$(summary_value peak)
    [ "$peak" -gt 1 ] && [ "$peak" -le "$c" ] || { echo "-c $c: peak $peak"; return 1; }
  done
  run_example 20 07-coroutine-crawl -q -c 1 -n 3 "$LAB_URL"
  [ "$status" -eq 0 ]
  [ "$(summary_value peak)" -eq 1 ]
  [ "$(( $(summary_value pages) + $(summary_value errors) ))" -eq 3 ]
}

@test "07: -n bounds the fetches begun, however many workers are hired at once" {
  for n in 1 5 12; do
    run_example 20 07-coroutine-crawl -q -c 10 -n "$n" "$LAB_URL"
    [ "$status" -eq 0 ]
    fetches=$(( $(summary_value pages) + $(summary_value errors) ))
    [ "$fetches" -eq "$n" ] || { echo "-n $n: $fetches fetches"; return 1; }
  done
}

@test "07: the wall time is far below the sequential crawl's lower bound" {
  run_example 20 07-coroutine-crawl -q -c 10 "$LAB_URL"
  [ "$status" -eq 0 ]
  wall=$(summary_value wall)
  # 22 fetches at 100 ms take 03 at least 2.2 s; overlapping, 07 needs well under half.
  awk -v w="${wall%s}" 'BEGIN { exit !(w < 1.1) }'
}

@test "07: peak matches the server's own count of simultaneous connections" {
  start_labserver --pages 20 --delay 200 # a fresh server: its peak is this crawl's alone
  run_example 20 07-coroutine-crawl -q -c 4 "$LAB_URL"
  [ "$status" -eq 0 ]
  peak=$(summary_value peak)
  stop_labserver
  server_peak=$(sed -n 's/^server: requests=[0-9]* peak=\([0-9]*\)$/\1/p' "$LAB_LOG")
  [ "$peak" -eq 4 ]
  [ "$server_peak" -eq "$peak" ]
}

@test "07: --timeline shows overlapping bars" {
  run_example 20 07-coroutine-crawl -c 10 --timeline "$LAB_URL"
  rows=$(printf '%s\n' "$output" | sed -n '/^timeline:/,/^$/p' | grep '|')
  [ "$(printf '%s\n' "$rows" | wc -l)" -eq 22 ]
  # Some column has several fetches in flight at once.
  printf '%s\n' "$rows" | awk -F'|' '{ for (i = 1; i <= length($2); i++) if (substr($2, i, 1) == "=") n[i]++ }
                                     END { for (i in n) if (n[i] >= 3) exit 0; exit 1 }'
}

@test "07: -v narrates each task's waits with its descriptor" {
  run_example 20 07-coroutine-crawl -v -c 2 -n 3 "$LAB_URL"
  [ "$status" -eq 0 ]
  [[ "$output" =~ task\ 1\ +waits\ for\ fd\ [0-9]+\ to\ become\ writable ]]
  [[ "$output" =~ task\ 1\ +waits\ for\ fd\ [0-9]+\ to\ become\ readable ]]
  [[ "$output" =~ task\ 2\ +waits\ for\ fd\ [0-9]+\ to\ become\ readable ]]
  [[ "$output" =~ task\ [0-9]+\ +response\ complete ]]
  [[ "$output" =~ task\ [0-9]+\ +has\ no\ URL\ left ]]
}

@test "07: a fault page fails its own fetch, with the reason" {
  SECONDS=0
  run_example 20 07-coroutine-crawl -t 1 -c 5 "${LAB_URL}fault/never"
  [ "$status" -eq 1 ]
  [[ "$output" == *"ERR"*"timed out"* ]]
  [[ "$stderr" == "07-coroutine-crawl: timed out"* ]]
  [ "$SECONDS" -lt 5 ]
  for fault in close-mid-body:"connection closed mid-body (100 of 1000 bytes)" \
               close-early:"connection closed before the status line" \
               bad-status:"malformed status line" endless-header:"64 KiB" huge:"8 MiB"; do
    name=${fault%%:*} reason=${fault#*:}
    run_example 20 07-coroutine-crawl -t 2 -q "${LAB_URL}fault/$name"
    [ "$status" -eq 1 ] || { echo "$name: status $status"; return 1; }
    [ "$(summary_value errors)" -eq 1 ] || { echo "$name: $output"; return 1; }
    [[ "$stderr" == *"$reason"* ]] || { echo "$name: $stderr"; return 1; }
  done
}

@test "07: the fault pages in the middle of a crawl: only they fail" {
  run_example 30 07-coroutine-crawl -t 1 -c 20 "${LAB_URL}fault/tricky-links"
  [ "$status" -eq 0 ]
  [ "$(summary_value pages)" -ge 2 ]
}

@test "07: a refused start URL exits 1 with the cause" {
  run_example 5 07-coroutine-crawl http://127.0.0.1:1/
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"07-coroutine-crawl: connect 127.0.0.1:1: ECONNREFUSED Connection refused"* ]]
  [ "$(summary_value errors)" -eq 1 ]
}

@test "07: bad URLs and options are usage errors" {
  run_example 5 07-coroutine-crawl https://127.0.0.1/
  [ "$status" -eq 2 ]
  [[ "$stderr" == *"https is not supported"* ]]
  for url in ftp://x/ "http://:80/" "http://127.0.0.1:65536/"; do
    run_example 5 07-coroutine-crawl "$url"
    [ "$status" -eq 2 ] || { echo "$url: $status"; return 1; }
    [[ "$stderr" == "07-coroutine-crawl: bad URL '$url': "* ]] || { echo "$url: $stderr"; return 1; }
  done
  run_example 5 07-coroutine-crawl -c 0 "$LAB_URL"
  [ "$status" -eq 2 ]
  run_example 5 07-coroutine-crawl --bogus "$LAB_URL"
  [ "$status" -eq 2 ]
  [[ "$stderr" == *"unknown option '--bogus'"* ]]
  [[ "$stderr" == *"usage: 07-coroutine-crawl"* ]]
  run_example 5 07-coroutine-crawl --help
  [ "$status" -eq 0 ]
  [[ "$output" == *"usage: 07-coroutine-crawl"* ]]
  [[ "$output" == *"yields to a poll()"* ]]
}
