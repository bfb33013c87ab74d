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
  [[ "$output" =~ (epoll_wait|kqueue|poll)\ woke\ the\ program ]]
}

# fits_80 TEXT: every line of TEXT but the summary fits 80 columns.
fits_80() {
  ! printf '%s\n' "$1" | grep -v '^summary:' | awk 'length($0) > 80 { print "too wide: " $0; bad = 1 } END { exit !bad }'
}

@test "09: --poller select stops at descriptor FD_SETSIZE, finishes what it watches, exits 1" {
  hard_limit_at_least 2016
  run_example 30 09-epoll-c10k --poller select -c 2000 "$LAB_URL"
  [ "$status" -eq 1 ]
  [[ "$stderr" =~ descriptor\ 1024\ is\ beyond\ FD_SETSIZE\ \(1024\): ]]
  [[ "$stderr" =~ select\ can\ watch\ no\ more\ than\ ([0-9]+)\ of\ these\ connections ]]
  watched=${BASH_REMATCH[1]}
  echo "select watched $watched"
  [ "$watched" -gt 1000 ] && [ "$watched" -lt 1024 ]
  [ "$(summary_value pages)" -eq "$watched" ]
  [ "$(summary_value errors)" -eq 0 ]
  [[ "$output" == *"waiting with select"* ]]
  fits_80 "$output"
  fits_80 "$stderr"
}

@test "09: --poller poll and epoll go on to all 10,000 connections" {
  hard_limit_at_least 10016
  local backend
  for backend in poll epoll; do
    if [ "$backend" = epoll ] && ! "$BIN_DIR/09-epoll-c10k" --help | grep -q 'epoll poll select'; then
      continue # a build without epoll (make POLLER=poll)
    fi
    run_example 60 09-epoll-c10k --poller "$backend" -c 10000 "$LAB_URL"
    [ "$status" -eq 0 ] || { echo "$backend: exit $status: $stderr"; return 1; }
    [[ "$output" == *"waiting with $backend"* ]]
    [ "$(summary_value pages)" -eq 10000 ]
    [ "$(summary_value peak)" -eq 10000 ]
    [[ "$output" =~ highest:\ ([0-9]+) ]]
    [ "${BASH_REMATCH[1]}" -ge 10000 ]
    fits_80 "$output"
  done
}

@test "09: a big page costs no more memory than a small one: bodies are counted, not kept" {
  hard_limit_at_least 2016
  run_example 60 09-epoll-c10k -c 2000 "${LAB_URL}fault/many-links"
  [ "$status" -eq 0 ]
  [ "$(summary_value pages)" -eq 2000 ]
  [ "$(summary_value bytes)" -eq $((2000 * 857852)) ]
  [[ "$output" =~ memory:\ peak\ RSS\ grew\ by\ [0-9.]+\ MiB\ for\ 2000\ connections:\ ([0-9.]+)\ KiB\ each ]]
  echo "KiB per connection on /fault/many-links: ${BASH_REMATCH[1]}"
  # 857,852 bytes a body: kept, that would be 838 KiB each
  awk -v k="${BASH_REMATCH[1]}" 'BEGIN { exit !(k < 16) }'
  fits_80 "$output"
}

@test "09: a body over the shared cap (8 MiB) is refused as every client refuses it" {
  run_example 30 09-epoll-c10k -c 2 "${LAB_URL}fault/huge"
  [ "$status" -eq 1 ]
  [ "$(summary_value errors)" -eq 2 ]
  [[ "$stderr" == *"body larger than 8 MiB"* ]]
}

@test "09: everything printed fits 80 columns (--help, a normal run, errors)" {
  run_example 5 09-epoll-c10k --help
  fits_80 "$output"
  run_example 20 09-epoll-c10k -c 20 "$LAB_URL"
  fits_80 "$output"
  run_example 10 09-epoll-c10k -c 3 -t 1 "${LAB_URL}fault/never"
  fits_80 "$output"
  run_example 5 09-epoll-c10k --poller kqueue "$LAB_URL"
  [ "$status" -eq 2 ]
  fits_80 "$stderr"
}

@test "09: --poller kqueue runs where kqueue exists; on Linux one clear line, exit 2" {
  run_example 20 09-epoll-c10k --poller kqueue -c 20 "$LAB_URL"
  if [ "$(uname)" = Linux ]; then
    [ "$status" -eq 2 ]
    [[ "$stderr" == "09-epoll-c10k: kqueue is not on this system, which has "*"poll select"* ]]
  else
    [ "$status" -eq 0 ]
    [[ "$output" == *"waiting with kqueue"* ]]
    [ "$(summary_value pages)" -eq 20 ]
  fi
  run_example 5 09-epoll-c10k --poller kpoll "$LAB_URL"
  [ "$status" -eq 2 ]
  [[ "$stderr" == *"--poller wants one of:"* ]]
}

@test "09: a low soft limit is raised to what the run needs" {
  hard_limit_at_least 1016
  run --separate-stderr bash -c 'ulimit -Sn 256 && exec timeout -k 2 20 "$@"' _ \
    "$BIN_DIR/09-epoll-c10k" -c 1000 "$LAB_URL"
  [ "$status" -eq 0 ]
  [[ "$output" == *"descriptor limit: 1016 (raised from 256); wanted 1016"* ]]
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
  [[ "$output" == *"ERR  #1  timed out: not complete 1 s after opening"* ]]
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
