#!/usr/bin/env bats
# 09-epoll-c10k: thousands of connections at once in one thread, and the descriptor limit.

load test_helper

setup_file() {
  start_labserver --delay 500
}

teardown_file() {
  stop_labserver
}

# hard_limit_at_least N: skip unless this machine lets a process open N descriptors.
hard_limit_at_least() {
  local hard
  hard=$(ulimit -Hn)
  [ "$hard" = unlimited ] || [ "$hard" -ge "$1" ] || skip "hard descriptor limit $hard < $1"
}

@test "09: 2000 connections at once all complete in about one delay, and the server saw them together" {
  hard_limit_at_least 2016
  start_labserver --delay 500 # a fresh server: its peak is this run's alone
  length=$(http_get / | tr -d '\r' | sed -n 's/^Content-Length: *//Ip')
  run_example 30 09-epoll-c10k -c 2000 "$LAB_URL"
  stop_labserver
  [ "$status" -eq 0 ]
  assert_summary_keys pages errors bytes wall cpu cpu% rss peak
  [ "$(summary_value pages)" -eq 2000 ]
  [ "$(summary_value errors)" -eq 0 ]
  [ "$(summary_value bytes)" -eq $((2000 * length)) ]
  [ "$(summary_value peak)" -eq 2000 ]
  server_peak=$(sed -n 's/^server: requests=[0-9]* peak=\([0-9]*\)$/\1/p' "$LAB_LOG")
  [ "$server_peak" -ge 2000 ]
  # Every answer is held back 500 ms, so no less than that; 2000 x 500 ms in turn would be
  # 1000 s: overlapped, a few seconds at the very most.
  wall=$(summary_value wall)
  awk -v w="${wall%s}" 'BEGIN { exit !(w >= 0.5 && w < 5) }'
}

@test "09: the report names the descriptors, the phases, the memory and select's limit" {
  hard_limit_at_least 1016
  run_example 20 09-epoll-c10k -c 1000 "$LAB_URL"
  [ "$status" -eq 0 ]
  [[ "$output" =~ descriptors\ in\ use\ with\ all\ open:\ [0-9]+\ =\ 1000\ sockets ]]
  [[ "$output" =~ opened\ 1000\ sockets\ in\ [0-9.]+\ s ]]
  [[ "$output" =~ complete:\ all\ by\ [0-9.]+\ s ]]
  [[ "$output" =~ memory:\ .*\ [0-9.]+\ KiB\ each ]]
  [[ "$output" == *"FD_SETSIZE = 1024"* ]]
  [[ "$output" =~ (epoll_wait|poll)\ woke\ the\ program ]]
}

@test "09: a low soft limit is raised to the hard limit" {
  hard_limit_at_least 1016
  run --separate-stderr bash -c 'ulimit -Sn 256 && exec timeout -k 2 20 "$@"' _ \
    "$BIN_DIR/09-epoll-c10k" -c 1000 "$LAB_URL"
  [ "$status" -eq 0 ]
  [[ "$output" == *"soft limit raised from 256 to the hard limit"* ]]
  [ "$(summary_value pages)" -eq 1000 ]
}

@test "09: -c above the hard descriptor limit: what the limit is, how to raise it, exit 1" {
  run --separate-stderr bash -c 'ulimit -n 1000 && exec timeout -k 2 5 "$@"' _ \
    "$BIN_DIR/09-epoll-c10k" -c 2000 "$LAB_URL"
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"09-epoll-c10k: -c 2000 needs 2016 descriptors"* ]]
  [[ "$stderr" == *"hard limit on open descriptors (RLIMIT_NOFILE) is 1000"* ]]
  [[ "$stderr" == *"ulimit -n 2016"* ]]
  [[ "$stderr" == *"-c 984 or fewer"* ]]
  [ -z "$output" ]
  # The same against this machine's own hard limit.
  hard=$(ulimit -Hn)
  if [ "$hard" != unlimited ] && [ "$hard" -lt 999000 ]; then
    run_example 5 09-epoll-c10k -c $((hard + 1)) "$LAB_URL"
    [ "$status" -eq 1 ]
    [[ "$stderr" == *"(RLIMIT_NOFILE) is $hard"* ]]
  fi
}

@test "09: connections that get no answer fail after -t" {
  run_example 10 09-epoll-c10k -c 3 -t 1 "${LAB_URL}fault/never"
  [ "$status" -eq 1 ]
  [ "$(summary_value errors)" -eq 3 ]
  [[ "$output" == *"ERR  connection 1: timed out: not complete 1 s after opening"* ]]
  [[ "$stderr" == *"timed out"* ]]
}

@test "09: -q prints the summary line only" {
  run_example 10 09-epoll-c10k -q -c 50 "$LAB_URL"
  [ "$status" -eq 0 ]
  [ "$(printf '%s\n' "$output" | wc -l)" -eq 1 ]
  assert_summary_keys pages errors bytes wall cpu cpu% rss peak
}

@test "09: a refused connection exits 1 with the cause" {
  run_example 5 09-epoll-c10k -c 20 http://127.0.0.1:1/
  [ "$status" -eq 1 ]
  [ "$(summary_value errors)" -eq 20 ]
  [[ "$stderr" == *"09-epoll-c10k: connect 127.0.0.1:1: ECONNREFUSED Connection refused"* ]]
}

@test "09: absurd -c, bad URLs and options are usage errors" {
  for c in 0 -5 2000000 many; do
    run_example 5 09-epoll-c10k -c "$c" "$LAB_URL"
    [ "$status" -eq 2 ] || { echo "-c $c: $status"; return 1; }
    [[ "$stderr" == *"usage: 09-epoll-c10k"* ]]
  done
  for url in https://127.0.0.1/ ftp://x/ "http://127.0.0.1:65536/"; do
    run_example 5 09-epoll-c10k "$url"
    [ "$status" -eq 2 ] || { echo "$url: $status"; return 1; }
  done
  run_example 5 09-epoll-c10k -t 0 "$LAB_URL"
  [ "$status" -eq 2 ]
  run_example 5 09-epoll-c10k --bogus
  [ "$status" -eq 2 ]
  run_example 5 09-epoll-c10k --help
  [ "$status" -eq 0 ]
  [[ "$output" == *"usage: 09-epoll-c10k"* ]]
  [[ "$output" == *"example:"* ]]
}
