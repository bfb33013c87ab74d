#!/usr/bin/env bats
# ThreadSanitizer: the deliberate race in 02 is the only report in the suite; the thread
# pool (08) and the lab server are clean. make test builds the SAN=thread programs these
# tests run (`tsan_binary NAME`); a compiler without ThreadSanitizer makes them skip,
# saying so. make test-NN runs the test of NN, and builds NN's SAN=thread program, for:
# make test-NN runs the test of: 08-thread-crawl

load test_helper

setup_file() {
  start_labserver --pages 20 --delay 50
}

teardown_file() {
  stop_labserver
}

@test "tsan: 02's unlocked counter is reported, as the one and deliberate data race" {
  tsan_binary 02-threads
  run_tsan 120 -m 20000 --runs 1 -n 20 -p 20000
  [ "$status" -eq 66 ] # TSan's exit code: it found something
  [ "$(grep -c 'WARNING: ThreadSanitizer: data race' <<<"$stderr")" -eq 1 ]
  [[ "$stderr" == *"unlocked_counter"* ]]
  [[ "$stderr" == *"ThreadSanitizer: reported 1 warnings"* ]]
  [[ "$output" == *"DELIBERATE data race"* ]]
  [ "$(summary_value locked)" -eq "$(summary_value expected)" ]
  [ "$(summary_value atomic)" -eq "$(summary_value expected)" ]
}

@test "tsan: 08's thread pool shares the frontier without a race" {
  tsan_binary 08-thread-crawl
  run_tsan 120 -c 10 "$LAB_URL"
  assert_tsan_clean
  [ "$(summary_value pages)" -eq 21 ]
  run_tsan 120 -c 20 -t 1 -q "${LAB_URL}fault/tricky-links"
  assert_tsan_clean
}

@test "tsan: the lab server serves a crawl and stops cleanly" {
  tsan_binary 00-labserver
  local dir=$BATS_TEST_TMPDIR
  (
    exec 3>&-
    exec env TSAN_OPTIONS="halt_on_error=0 exitcode=66" "$TSAN_BIN" --port 0 \
      --port-file "$dir/port" --pages 5 --delay 10 >"$dir/log" 2>&1 </dev/null
  ) &
  local pid=$! i
  started "$pid" # stopped by the teardown if the test fails before it stops it
  for i in $(seq 1 100); do
    [ -s "$dir/port" ] && break
    sleep 0.05
  done
  [ -s "$dir/port" ] || { cat "$dir/log"; skip "the TSan server did not start here"; }
  run_example 20 03-blocking-fetch -q "http://127.0.0.1:$(cat "$dir/port")/"
  kill -TERM "$pid"
  wait "$pid"
  local server_status=$?
  [ "$status" -eq 0 ]
  [ "$(summary_value pages)" -eq 6 ]
  [ "$server_status" -eq 0 ]
  ! grep -q ThreadSanitizer "$dir/log"
  grep -q '^server: requests=7 peak=1$' "$dir/log"
}
