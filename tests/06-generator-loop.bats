#!/usr/bin/env bats
# 06-generator-loop: generators, round-robin, timers, a pipe, a CPU hog; and the unit
# drivers of gen.h and the scheduler. One full run in setup_file that several tests read.

load test_helper

setup_file() {
  run_example 30 06-generator-loop --switches 1000000
  printf '%s\n' "$status" >"$BATS_FILE_TMPDIR/status"
  printf '%s\n' "$output" >"$BATS_FILE_TMPDIR/output"
  printf '%s\n' "$stderr" >"$BATS_FILE_TMPDIR/stderr"
}

load_full_run() {
  status=$(cat "$BATS_FILE_TMPDIR/status")
  output=$(cat "$BATS_FILE_TMPDIR/output")
  stderr=$(cat "$BATS_FILE_TMPDIR/stderr")
}

# part_lines N: the stdout lines of part N (from its header to the blank line after it).
part_lines() {
  printf '%s\n' "$output" | awk -v p="part $1:" 'index($0, p) == 1 {on = 1} on && /^$/ {exit} on'
}

# ms_of LINE: the timestamp of a narration line "  [  123 ms] ...".
ms_of() {
  sed -n 's/^  \[ *\([0-9]*\) ms\].*/\1/p' <<<"$1"
}

@test "06: the full run exits 0 with nothing on stderr" {
  load_full_run
  [ "$status" -eq 0 ]
  [ -z "$stderr" ]
  for p in 1 2 3 4 5; do
    grep -q "^part $p: " <<<"$output"
  done
}

@test "06: part 1 yields the Fibonacci numbers in order, then finishes" {
  load_full_run
  local lines values
  lines=$(part_lines 1)
  values=$(sed -n 's/^  next(fib) -> \([0-9]*\) .*/\1/p' <<<"$lines" | tr '\n' ' ')
  [ "$values" = "0 1 1 2 3 5 8 13 " ]
  grep -q '^  next(fib) -> done' <<<"$lines"
}

@test "06: part 1 yield from: the child's values reach the caller through the parent" {
  load_full_run
  local lines values
  lines=$(part_lines 1)
  values=$(sed -n 's/^  next(parent) -> \([0-9]*\) .*/\1/p' <<<"$lines" | tr '\n' ' ')
  [ "$values" = "3 2 1 3 2 1 " ]
  [ "$(grep -c '^  parent: child finished' <<<"$lines")" -eq 2 ]
  [ "$(grep '^  next(parent)' <<<"$lines" | tail -n 1)" = "  next(parent) -> done" ]
}

@test "06: part 2 interleaves the three generators round-robin" {
  load_full_run
  local order
  order=$(part_lines 2 | sed -n 's/^  \([ABC]\): step \([0-9]\).*/\1\2/p; s/^  \([ABC]\): finished.*/\1-end/p' |
    tr '\n' ' ')
  [ "$order" = "A1 B1 C1 A2 B2 C2 A3 B3 C-end A-end B4 B-end " ]
}

@test "06: part 3 timer tasks finish in deadline order; wall = longest, not the sum" {
  load_full_run
  local lines finished wall prev=0 ms
  lines=$(part_lines 3)
  finished=$(sed -n 's/^  \[ *[0-9]* ms\] \([ABC]\) finished$/\1/p' <<<"$lines" | tr '\n' ' ')
  [ "$finished" = "A B C " ]
  [ "$(grep -c 'A tick' <<<"$lines")" -eq 5 ]
  [ "$(grep -c 'B tick' <<<"$lines")" -eq 4 ]
  [ "$(grep -c 'C tick' <<<"$lines")" -eq 3 ]
  # the timestamps never go back
  while read -r line; do
    ms=$(ms_of "$line")
    [ -n "$ms" ] || continue
    [ "$ms" -ge "$prev" ]
    prev=$ms
  done <<<"$lines"
  wall=$(sed -n 's/^  wall \([0-9]*\) ms: the longest task (510 ms), not the sum of the three (1300 ms)$/\1/p' <<<"$lines")
  [ -n "$wall" ]
  [ "$wall" -ge 510 ]
  [ "$wall" -lt 1000 ]
}

@test "06: part 4 the pipe carries every byte; both checksums match" {
  load_full_run
  local lines sent received
  lines=$(part_lines 4)
  sent=$(sed -n 's/^  sent *\([0-9]*\) bytes, checksum \(0x[0-9a-f]*\)$/\1 \2/p' <<<"$lines")
  received=$(sed -n 's/^  received *\([0-9]*\) bytes, checksum \(0x[0-9a-f]*\): match$/\1 \2/p' <<<"$lines")
  [ "${sent%% *}" -eq 262144 ]
  [ -n "$received" ]
  [ "$sent" = "$received" ]
  grep -q 'producer: pipe full after' <<<"$lines"
  grep -q 'consumer: end of file after 262144 bytes' <<<"$lines"
}

@test "06: part 5 without --hog every tick is nearly on time" {
  load_full_run
  local lines late
  lines=$(part_lines 5)
  [ "$(grep -c ' tick [0-9] of 8  late ' <<<"$lines")" -eq 16 ]
  ! grep -q 'hog:' <<<"$lines"
  late=$(summary_value max_late_ms)
  # generous: a loaded machine or a sanitizer adds a few ms, never a hog's 300
  awk -v l="$late" 'BEGIN { exit !(l >= 0 && l < 120) }'
  # the same timer as a thread, no hog thread either
  grep -qE '^  timer thread, late \(ms\):( [0-9]+\.[0-9]){8}$' <<<"$lines"
  ! grep -q 'hog thread' <<<"$lines"
  late=$(summary_value thread_max_late_ms)
  awk -v l="$late" 'BEGIN { exit !(l >= 0 && l < 120) }'
}

@test "06: part 5 with --hog the ticks are late by most of the hog's 300 ms" {
  run_example 30 06-generator-loop --part 5 --hog --switches 1000
  [ "$status" -eq 0 ]
  grep -q 'hog: computes for 300 ms without yielding' <<<"$output"
  grep -q 'hog: done' <<<"$output"
  [ "$(grep -c ' tick [0-9] of 8  late ' <<<"$output")" -eq 16 ]
  local late
  late=$(summary_value max_late_ms)
  awk -v l="$late" 'BEGIN { exit !(l >= 200) }'
}

@test "06: part 5 --hog as threads: preemption keeps the timer thread's ticks near time" {
  run_example 30 06-generator-loop --part 5 --hog --switches 1000
  [ "$status" -eq 0 ]
  grep -qE '^  timer thread, late \(ms\):( [0-9]+\.[0-9]){8}$' <<<"$output"
  grep -qE '^  hog thread: [0-9]+ rounds in 300 ms' <<<"$output"
  if [ "$(uname -s)" = Linux ]; then # sched_setaffinity: both threads share one CPU
    grep -qE '^  pinned to CPU [0-9]+ \(sched_setaffinity\)' <<<"$output"
  fi
  grep -qE '^  cooperative: [0-9.]+ ms late at most; preemptive threads: [0-9.]+ ms$' <<<"$output"
  local coop thread
  coop=$(summary_value max_late_ms)
  thread=$(summary_value thread_max_late_ms)
  # generous: the hog holds the loop ~285 ms; a preempted hog delays the thread a few ms
  awk -v c="$coop" -v t="$thread" 'BEGIN { exit !(c >= 200 && t >= 0 && t < c / 2) }' ||
    { echo "cooperative $coop ms, thread $thread ms"; false; }
}

@test "06: --part N runs that part only" {
  local n
  for n in 1 2 4; do
    run_example 20 06-generator-loop --part "$n" --switches 1000
    [ "$status" -eq 0 ]
    [ "$(grep -c '^part [0-9]: ' <<<"$output")" -eq 1 ]
    grep -q "^part $n: " <<<"$output"
  done
  assert_summary_keys tasks switches switch_ns gen_bytes task_bytes loop_switch_ns \
    max_late_ms thread_max_late_ms
  [ "$(summary_value tasks)" -eq 2 ]
  [ "$(summary_value max_late_ms)" = none ]
  [ "$(summary_value thread_max_late_ms)" = none ]
}

@test "06: the summary has its keys in order, with sane values" {
  load_full_run
  assert_summary_keys tasks switches switch_ns gen_bytes task_bytes loop_switch_ns max_late_ms \
    thread_max_late_ms
  [ "$(summary_value tasks)" -eq 14 ]
  [ "$(summary_value switches)" -ge 60 ]
  [ "$(summary_value gen_bytes)" -ge 4 ]
  [ "$(summary_value gen_bytes)" -le 64 ]
  [ "$(summary_value task_bytes)" -gt "$(summary_value gen_bytes)" ]
  awk -v ns="$(summary_value switch_ns)" 'BEGIN { exit !(ns > 0 && ns < 10000) }'
  grep -q '^switch cost: 1000000 resume+yield of a [0-9]*-byte generator' <<<"$output"
  grep -q "^  through the scheduler (a $(summary_value task_bytes)-byte struct task " <<<"$output"
}

@test "06: --help prints what it shows and exits 0" {
  run_example 5 06-generator-loop --help
  [ "$status" -eq 0 ]
  [[ "$output" == *"--part N"* ]]
  [[ "$output" == *"--hog"* ]]
  [[ "$output" == *"example: 06-generator-loop --part 5 --hog"* ]]
}

@test "06: a bad option or a bad part is a usage error (exit 2)" {
  run_example 5 06-generator-loop --bogus
  [ "$status" -eq 2 ]
  [[ "$stderr" == *"06-generator-loop: unknown option '--bogus'"* ]]
  [[ "$stderr" == *"usage: 06-generator-loop [--part N]"* ]]
  local bad
  for bad in 0 6 x 3x; do
    run_example 5 06-generator-loop --part "$bad"
    [ "$status" -eq 2 ]
    [[ "$stderr" == *"--part '$bad': expected a whole number from 1 to 5"* ]]
  done
  run_example 5 06-generator-loop --part
  [ "$status" -eq 2 ]
  [[ "$stderr" == *"--part needs a whole number from 1 to 5"* ]]
  [ -z "$output" ]
}
