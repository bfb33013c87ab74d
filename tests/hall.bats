#!/usr/bin/env bats
# hall.bats — tests of tests/tools/hall.sh (make test-hall), the rehearsal of the run sheet in an
# 80x30 terminal, on small made-up sheets: a line that scrolled off the last screen fails,
# a row that splits a word fails, a slow first line fails, and a good command passes; and
# tests/tools/progress.bash, the progress line of make compare and make bench.
# (The real sheet is rehearsed by make test-hall, which runs every example.)

load test_helper

HALL="$TESTS_DIR/tools/hall.sh"

setup() {
  SHEET="$BATS_TEST_TMPDIR/sheet.md"
}

need_tmux() { command -v tmux >/dev/null 2>&1 || skip "tmux is not installed"; }

# sheet CMD LINES...: a one-step sheet whose output block for CMD holds LINES.
sheet() {
  local cmd=$1
  shift
  {
    printf '## 1. A step\n\n```output exact %s\n' "$cmd"
    printf '%s\n' "$@"
    printf '```\n'
  } >"$SHEET"
}

@test "hall: a command whose lines are on the last screen passes, numbers masked" {
  need_tmux
  sheet "printf 'took 1.5 s\\nsummary: a=1 b=2\\n'" '...' 'took 9.9 s' 'summary: a=7 b=8'
  run "$HALL" --sheet "$SHEET"
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"2 rows printed, 2 on the last screen; sheet lines on it: 2 of 2;"* ]]
  [[ "$output" == *"1 passed, 0 failed"* ]]
}

@test "hall: a line that scrolled off the last screen fails, and names the line" {
  need_tmux
  sheet "echo 'the point'; seq 1 40" 'the point' '...'
  run "$HALL" --sheet "$SHEET"
  echo "$output"
  [ "$status" -eq 1 ]
  [[ "$output" == *"41 rows printed, 29 on the last screen; sheet lines on it: 0 of 1;"* ]]
  [[ "$output" == *"not on the last screen: the point"* ]]
  [[ "$output" == *"0 passed, 1 failed"* ]]
}

@test "hall: a long line wrapped by the terminal is one line, but a split word fails" {
  need_tmux
  # 78 x's and "key=value": the row ends in "k", the next starts with "ey=value".
  local long
  long="$(printf 'x%.0s' $(seq 1 78)) key=value"
  sheet "echo '$long'" "$long"
  run "$HALL" --sheet "$SHEET"
  echo "$output"
  [ "$status" -eq 1 ]
  [[ "$output" == *"sheet lines on it: 1 of 1;"* ]]
  [[ "$output" == *"a row splits a word or number: "*"xxx k|ey=value"* ]]
  # Wrapped by the program at a space with an indent: passes, and still matches.
  sheet "printf '%s\\n    key=value\\n' $(printf 'x%.0s' $(seq 1 78))" "$long"
  run "$HALL" --sheet "$SHEET"
  echo "$output"
  [ "$status" -eq 0 ]
}

@test "hall: nothing on the screen within the bound fails; a non-zero exit fails" {
  need_tmux
  sheet "sleep 1.5; echo late" 'late'
  HALL_FIRST_OUTPUT=1 run "$HALL" --sheet "$SHEET"
  echo "$output"
  [ "$status" -eq 1 ]
  # (on a loaded machine the pane may be read only after the command ended)
  [[ "$output" == *"nothing on the screen for 1."*" s after Enter (bound: 1 s)"* ||
     "$output" == *"no output at all"* ]]
  sheet "echo refused; false" 'refused'
  run "$HALL" --sheet "$SHEET"
  [ "$status" -eq 1 ]
  [[ "$output" == *"exit status 1"* ]]
}

@test "hall: without tmux it says so and skips" {
  run env PATH="/usr/bin/nonexistent" /bin/bash "$HALL" --sheet "$SHEET"
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"tmux is not installed"* ]]
  [[ "$output" == *"0 passed, 0 failed"* ]]
}

@test "progress (make compare, make bench): one line updated in place on a terminal, nothing in a pipe" {
  run bash -c "source '$TESTS_DIR/tools/progress.bash'; progress measuring; progress_clear; echo table"
  [ "$status" -eq 0 ]
  [ "$output" = table ]
  command -v script >/dev/null 2>&1 || skip "script (util-linux) is not installed"
  run script -qec "bash -c \"source '$TESTS_DIR/tools/progress.bash'; progress measuring; progress_clear; echo table\"" /dev/null
  [ "$status" -eq 0 ]
  [[ "$output" == *$'\r\e[Kmeasuring\r\e[Ktable'* ]]
}
