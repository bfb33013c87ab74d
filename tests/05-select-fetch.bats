#!/usr/bin/env bats
# 05-select-fetch: the concurrent crawl in one select() loop.

load test_helper

setup_file() {
  start_labserver --pages 20 --delay 100
}

teardown_file() {
  stop_labserver
}

@test "05: the crawl reports the exact counts of the lab site" {
  run_example 20 05-select-fetch -c 5 "$LAB_URL"
  [ "$status" -eq 0 ]
  [ "$(summary_value pages)" -eq 21 ]
  [ "$(summary_value errors)" -eq 1 ]
  [ "$(summary_value bytes)" -eq "$(site_bytes 20)" ]
  assert_summary_keys pages errors bytes wall cpu cpu% rss peak
  lines=$(printf '%s\n' "$output" | grep -E '^ +[0-9]+\.[0-9]{3}s +([0-9]{3}|ERR) ')
  [ "$(printf '%s\n' "$lines" | wc -l)" -eq 22 ]
  [ "$(printf '%s\n' "$lines" | awk '{print $3}' | sort | uniq -d | wc -l)" -eq 0 ]
}

@test "05: fetches overlap: peak is above 1 and never above -c" {
  for c in 3 10; do
    run_example 20 05-select-fetch -q -c "$c" "$LAB_URL"
    [ "$status" -eq 0 ]
    peak=$(summary_value peak)
    [ "$peak" -gt 1 ] && [ "$peak" -le "$c" ] || { echo "-c $c: peak $peak"; return 1; }
  done
}

@test "05: the wall time is far below the sequential crawl's lower bound" {
  run_example 20 05-select-fetch -q -c 10 "$LAB_URL"
  wall=$(summary_value wall)
  # 22 fetches at 100 ms take 03 at least 2.2 s; overlapping, 05 needs well under half.
  awk -v w="${wall%s}" 'BEGIN { exit !(w < 1.1) }'
}

@test "05: peak matches the server's own count of simultaneous connections" {
  start_labserver --pages 20 --delay 200 # a fresh server: its peak is this crawl's alone
  run_example 20 05-select-fetch -q -c 4 "$LAB_URL"
  [ "$status" -eq 0 ]
  peak=$(summary_value peak)
  stop_labserver
  server_peak=$(sed -n 's/^server: requests=[0-9]* peak=\([0-9]*\)$/\1/p' "$LAB_LOG")
  [ "$peak" -eq 4 ]
  [ "$server_peak" -eq "$peak" ]
}

@test "05: --timeline shows overlapping bars" {
  run_example 20 05-select-fetch -c 10 --timeline "$LAB_URL"
  rows=$(printf '%s\n' "$output" | sed -n '/^timeline:/,/^$/p' | grep '|')
  [ "$(printf '%s\n' "$rows" | wc -l)" -eq 22 ]
  # Some column has several fetches in flight at once.
  printf '%s\n' "$rows" | awk -F'|' '{ for (i = 1; i <= length($2); i++) if (substr($2, i, 1) == "=") n[i]++ }
                                     END { for (i in n) if (n[i] >= 3) exit 0; exit 1 }'
}

@test "05: -v narrates each state transition with its descriptor" {
  run_example 20 05-select-fetch -v -c 2 -n 3 "$LAB_URL"
  [ "$status" -eq 0 ]
  [[ "$output" =~ fd\ [0-9]+\ +connecting\ .*connect\ started ]]
  [[ "$output" == *"connected"* ]]
  [[ "$output" =~ fd\ [0-9]+\ +sending\ .*request\ sent ]]
  [[ "$output" =~ fd\ [0-9]+\ +reading\ .*response\ complete ]]
}

@test "05: a fault page fails its own fetch while the others complete" {
  # /fault/tricky-links links onto the site; a never-answering start page is on its own.
  run_example 20 05-select-fetch -t 1 -c 5 "${LAB_URL}fault/never"
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"timed out"* ]]
  for fault in close-mid-body close-early bad-status endless-header huge; do
    run_example 20 05-select-fetch -t 2 -q "${LAB_URL}fault/$fault"
    [ "$status" -eq 1 ] || { echo "$fault: $status"; return 1; }
    [ "$(summary_value errors)" -eq 1 ]
  done
}

@test "05: the fault pages in the middle of a crawl: only they fail" {
  run_example 30 05-select-fetch -t 1 -c 20 "${LAB_URL}fault/tricky-links"
  [ "$status" -eq 0 ]
  [ "$(summary_value pages)" -ge 2 ]
}

@test "05: -c beyond FD_SETSIZE is refused, naming the limit" {
  run_example 5 05-select-fetch -c 5000 "$LAB_URL"
  [ "$status" -eq 2 ]
  [[ "$stderr" == *"FD_SETSIZE = 1024"* ]]
  [[ "$stderr" == *"at most -c 1021"* ]]
}

@test "05: a refused start URL exits 1 with the cause" {
  run_example 5 05-select-fetch http://127.0.0.1:1/
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"05-select-fetch: connect 127.0.0.1:1: ECONNREFUSED Connection refused"* ]]
}

@test "05: bad URLs and options are usage errors" {
  for url in https://127.0.0.1/ ftp://x/ "http://:80/" "http://127.0.0.1:65536/"; do
    run_example 5 05-select-fetch "$url"
    [ "$status" -eq 2 ] || { echo "$url: $status"; return 1; }
  done
  run_example 5 05-select-fetch -c 0 "$LAB_URL"
  [ "$status" -eq 2 ]
  run_example 5 05-select-fetch --help
  [ "$status" -eq 0 ]
  [[ "$output" == *"usage: 05-select-fetch"* ]]
}
