#!/usr/bin/env bats
# 06-generator-loop: generators, its own event loop (round-robin, timers, a pipe, a CPU
# hog), the recap. One full run in setup_file that several tests read.

load test_helper

setup_file() {
  run_example 30 06-generator-loop
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

# docs-check masks numbers, so it cannot see a stale line number: this test can. The docs
# quote the resume point part 1 prints, the line of fib_next()'s yield, and expand it. They
# quote the committed file: a student's edit above the yield moves it, and is no error.
@test "06: the docs quote the resume point part 1 prints: the line of fib_next's yield" {
  git -C "$TOP_DIR" diff --quiet HEAD -- examples/06-generator-loop.c 2>/dev/null ||
    skip "06 is edited (or not in git): the docs quote the committed file's line"
  load_full_run
  local line stale
  line=$(grep -n 'GEN_YIELD_VALUE(f, \*out, f->a);' "$TOP_DIR/examples/06-generator-loop.c" | cut -d: -f1)
  [ -n "$line" ]
  grep -q "resume at line $line\$" <<<"$output"
  # the pages that quote it, and in them the expansion's `case N:;` too
  stale=$(grep -rlF 'resume at line' "$TOP_DIR/docs" "$TOP_DIR/README.md" |
    xargs grep -noE 'resume at line [0-9]+|gen\.resume = [0-9]+;|case [1-9][0-9]*:;|switch \([0-9]+\)' |
    grep -vE "[^0-9]$line([^0-9]|\$)" || true)
  [ -z "$stale" ] || { echo "quoted, but the yield is at line $line:"; echo "$stale"; false; }
}

@test "06: part 1 yield from: the child's values reach the caller through the parent" {
  load_full_run
  local lines values
  lines=$(part_lines 1)
  values=$(sed -n 's/^  next(parent) -> \([0-9]*\) .*/\1/p' <<<"$lines" | tr '\n' ' ')
  [ "$values" = "0 1 1 0 1 1 " ]
  [ "$(grep -c '^  parent: child finished' <<<"$lines")" -eq 2 ]
  [ "$(grep '^  next(parent)' <<<"$lines" | tail -n 1)" = "  next(parent) -> done" ]
}

@test "06: part 2 the loop's queue runs the three tasks round-robin" {
  load_full_run
  local order
  order=$(part_lines 2 | sed -n 's/^  \([ABC]\): step \([0-9]\).*/\1\2/p; s/^  \([ABC]\): finished.*/\1-end/p' |
    tr '\n' ' ')
  [ "$order" = "A1 B1 C1 A2 B2 C2 A3 B3 C-end A-end B4 B-end " ]
}

@test "06: part 3 timer tasks finish in deadline order, each tick on time; wall = longest, not the sum" {
  load_full_run
  local lines finished wall prev=0 ms
  lines=$(part_lines 3)
  finished=$(sed -n 's/^  \[ *[0-9]* ms\] \([ABC]\) tick \([0-9]\) of \2  late .*/\1/p' <<<"$lines" | tr '\n' ' ')
  [ "$finished" = "A B C " ]
  # nobody hogs the loop here: no tick is late by a whole period of the shortest timer
  ! grep -E 'late +([7-9][0-9]|[0-9]{3,})\.' <<<"$lines"
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

@test "06: part 4 the pipe carries every byte: the producer and the consumer wait in turn" {
  load_full_run
  local lines
  lines=$(part_lines 4)
  grep -qx '  sent 262144 bytes, received 262144: match' <<<"$lines"
  grep -q 'producer: pipe full after' <<<"$lines"
  grep -q 'consumer: woke readable' <<<"$lines"
  grep -q 'consumer: end of file after 262144 bytes' <<<"$lines"
}

@test "06: part 5 without --hog every tick is nearly on time, and no thread runs" {
  load_full_run
  local lines late
  lines=$(part_lines 5)
  [ "$(grep -c ' tick [0-9] of 8  late ' <<<"$lines")" -eq 16 ]
  ! grep -q 'hog:' <<<"$lines"
  late=$(summary_value max_late_ms)
  # generous: a loaded machine or a sanitizer adds a few ms, never a hog's 300
  awk -v l="$late" 'BEGIN { exit !(l >= 0 && l < 120) }'
  ! grep -q 'thread' <<<"$lines"
  [ "$(summary_value thread_max_late_ms)" = none ]
}

# max_and_longest: "X Y" from part 5's line "max lateness X ms; the longest a task ran
# without yielding: Y ms".
max_and_longest() {
  sed -n 's/^  max lateness \([0-9.]*\) ms; the longest a task ran without yielding: \([0-9.]*\) ms$/\1 \2/p' <<<"$output"
}

# The loop's contract, whatever the hog does (exercise 3 makes it yield every 10 ms): a
# tick is late by about as long as some task ran without yielding, and not much more.
@test "06: part 5 --hog: the ticks are late by about the longest run without a yield" {
  run_example 30 06-generator-loop --part 5 --hog
  [ "$status" -eq 0 ]
  grep -q 'hog: computes for 300 ms without yielding' <<<"$output"
  grep -q 'hog: done' <<<"$output"
  [ "$(grep -c ' tick [0-9] of 8  late ' <<<"$output")" -eq 16 ]
  local pair
  pair=$(max_and_longest)
  [ -n "$pair" ]
  [ "${pair% *}" = "$(summary_value max_late_ms)" ]
  # ticks fall due every 25 ms, so one falls due early in any long run; generous above
  awk -v l="${pair% *}" -v r="${pair#* }" 'BEGIN { exit !(l >= r - 60 && l <= r + 150) }' ||
    { echo "max lateness $pair"; false; }
}

@test "06: part 5 --hog as threads: preemption keeps the timer thread's ticks near time" {
  run_example 30 06-generator-loop --part 5 --hog
  [ "$status" -eq 0 ]
  grep -qE '^  timer thread, late \(ms\):( [0-9]+\.[0-9]){8}$' <<<"$output"
  if [ "$(uname -s)" = Linux ]; then # sched_setaffinity: both threads share one CPU
    grep -qE '^  as two threads, both on CPU [0-9]+: only preemption lets the timer run$' <<<"$output"
  fi
  grep -qE '^  cooperative: [0-9.]+ ms late at most; preemptive threads: [0-9.]+ ms$' <<<"$output"
  # generous: a preempted hog delays the timer thread a few ms, a loaded machine a slice more
  awk -v t="$(summary_value thread_max_late_ms)" 'BEGIN { exit !(t >= 0 && t < 100) }'
}

# The hog as shipped never yields: exercise 3 (the polite hog) makes this one fail on purpose.
@test "06: part 5 --hog as shipped holds the loop 300 ms: ticks late by 200 ms or more" {
  run_example 30 06-generator-loop --part 5 --hog
  [ "$status" -eq 0 ]
  local pair coop thread
  pair=$(max_and_longest)
  coop=$(summary_value max_late_ms)
  thread=$(summary_value thread_max_late_ms)
  awk -v c="$coop" -v r="${pair#* }" -v t="$thread" 'BEGIN { exit !(r >= 290 && c >= 200 && t < c / 2) }' ||
    { echo "longest run ${pair#* } ms, cooperative $coop ms, thread $thread ms"; false; }
}

@test "06: --part N runs that part only, with no recap" {
  local n
  for n in 1 2 4; do
    run_example 20 06-generator-loop --part "$n"
    [ "$status" -eq 0 ]
    [ "$(grep -c '^part [0-9]: ' <<<"$output")" -eq 1 ]
    grep -q "^part $n: " <<<"$output"
    ! grep -q '^recap' <<<"$output"
  done
  assert_summary_keys tasks switches gen_bytes task_bytes max_late_ms thread_max_late_ms
  [ "$(summary_value tasks)" -eq 2 ]
  [ "$(summary_value max_late_ms)" = none ]
  [ "$(summary_value thread_max_late_ms)" = none ]
}

@test "06: a full run ends with a recap of lines printed above, then the summary" {
  load_full_run
  local recap line
  recap=$(printf '%s\n' "$output" | sed -n '/^recap: /,/^$/p' | sed '1d;$d')
  [ "$(wc -l <<<"$recap")" -eq 6 ]
  grep -q '^  next(fib) -> 0 .* resume at line [0-9]*$' <<<"$recap"
  grep -q '^  wall [0-9]* ms: the longest task' <<<"$recap"
  grep -q '^  loop: 3 tasks, 15 resumes, [0-9]* poll() calls$' <<<"$recap"
  while IFS= read -r line; do
    [ "$(grep -cxF -- "$line" <<<"$output")" -eq 2 ] # once in its part, once in the recap
  done <<<"$recap"
  # the recap and the summary are within the last 12 lines: on the lecturer's last screen
  printf '%s\n' "$output" | tail -n 12 | grep -q '^recap: '
}

@test "06: the summary has its keys in order, with sane values" {
  load_full_run
  assert_summary_keys tasks switches gen_bytes task_bytes max_late_ms thread_max_late_ms
  [ "$(summary_value tasks)" -eq 14 ]
  [ "$(summary_value switches)" -ge 60 ]
  [ "$(summary_value gen_bytes)" -ge 4 ]
  [ "$(summary_value gen_bytes)" -le 64 ]
  [ "$(summary_value task_bytes)" -gt "$(summary_value gen_bytes)" ]
  grep -q "^  the frame: struct fib = $(summary_value gen_bytes) bytes" <<<"$output"
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
