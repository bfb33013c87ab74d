#!/usr/bin/env bats
# 02 beside busy programs that this file starts itself: claim 5 must still be shown. The
# verdict measures the cores the threads really got (their CPU time over the wall time),
# which drops as soon as the competition starts; the load average lags a minute behind.
# It needs the machine to itself: not part of `make test`, whose other files would compete
# too; .ci/run runs it alone (make TESTS=tests/busy-machine.bats test).

load test_helper

setup() {
  HOGS=()
}

teardown() {
  local pid
  for pid in "${HOGS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${HOGS[@]}"; do wait "$pid" 2>/dev/null || true; done
}

# start_hogs N: N programs that only burn CPU (at most 120 s each, whatever happens).
start_hogs() {
  local i
  for ((i = 0; i < $1; i++)); do
    timeout 120 sh -c 'while :; do :; done' 3>&- &
    HOGS+=($!)
  done
}

@test "02 beside one busy program per core: fewer free cores, and the verdict says so" {
  local cores
  cores=$(getconf _NPROCESSORS_ONLN)
  [ "$cores" -ge 2 ] || skip "one core: nothing to share"
  start_hogs "$cores"
  sleep 0.2
  run_example 120 02-threads -m 1000 -n 10 -p 400000 --rounds 5
  [ "$status" -eq 0 ]
  [ "$(summary_value cores)" = "$cores" ]
  # cores threads beside cores busy programs get about half the cores: well below all
  local free
  free=$(summary_value free_cores)
  awk -v f="$free" -v c="$cores" 'BEGIN { exit !(f <= 0.8 * c) }' ||
    { echo "free_cores=$free of $cores with $cores busy programs beside"; false; }
  local line most speedup
  line=$(printf '%s\n' "$output" | grep -E "^    free cores: +$free of $cores at $cores threads, [0-9.]+ at 1: at most ~[0-9.]+x here$")
  most=$(sed -n 's/.*at most ~\([0-9.]*\)x here$/\1/p' <<<"$line")
  # the speedup it got is what the cores the threads got allow (their ratio at `cores`
  # threads and at one: the 1-thread row is slowed too, so this can even reach `cores`)
  speedup=$(summary_value speedup)
  awk -v s="$speedup" -v m="$most" 'BEGIN { exit !(s >= 0.6 * m - 0.1 && s <= 1.3 * m + 0.1) }' ||
    { echo "speedup=$speedup, at most ~$most, $cores cores"; false; }
  printf '%s\n' "$output" | grep -qE '^    up to the cores: [0-9.]+x, (as much as|less than) the free cores allow$'
}
