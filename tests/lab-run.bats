#!/usr/bin/env bats
# lab-run.bats — tests/tools/lab-run.sh, what `make run-NN` runs: EXPECT=N for a refusal shown on
# purpose (the run sheet's step 7b), START=/path for where the crawl begins (step 5).

load test_helper

lab_run() {
  run env -u EXPECT -u START -u URL -u PAGES -u DELAY BIN_DIR="$BIN_DIR" "$@"
}

@test "lab-run: EXPECT=2 and a refusal with status 2: one line says so, status 0" {
  lab_run EXPECT=2 "$TESTS_DIR/tools/lab-run.sh" "$TOP_DIR/examples/05-select-fetch.c" -c 5000
  [ "$status" -eq 0 ]
  [[ "$output" == *"select() allows at most -c 1021"* ]]
  [ "${lines[${#lines[@]} - 1]}" = "(exit status 2, as expected: the refusal is the point of this run)" ]
}

@test "lab-run: EXPECT=N and another status: fails, naming both" {
  lab_run EXPECT=1 "$TESTS_DIR/tools/lab-run.sh" "$TOP_DIR/examples/05-select-fetch.c" -c 5000
  [ "$status" -eq 1 ]
  [[ "$output" == *"05-select-fetch exited with status 2; EXPECT=1 was the intended one"* ]]
  [[ "$output" != *"as expected"* ]]
}

@test "lab-run: without EXPECT a failing example still fails, with its own status" {
  lab_run "$TESTS_DIR/tools/lab-run.sh" "$TOP_DIR/examples/05-select-fetch.c" -c 5000
  [ "$status" -eq 2 ]
  lab_run "$TESTS_DIR/tools/lab-run.sh" "$TOP_DIR/examples/01-fork-exec.c" --no-such-option
  [ "$status" -eq 2 ]
}

@test "lab-run: EXPECT works for an example without a lab server, and is checked" {
  lab_run EXPECT=2 "$TESTS_DIR/tools/lab-run.sh" "$TOP_DIR/examples/01-fork-exec.c" --no-such-option
  [ "$status" -eq 0 ]
  [[ "$output" == *"(exit status 2, as expected"* ]]
  lab_run EXPECT=0 "$TESTS_DIR/tools/lab-run.sh" "$TOP_DIR/examples/01-fork-exec.c" --no-such-option
  [ "$status" -eq 1 ]
  lab_run EXPECT=two "$TESTS_DIR/tools/lab-run.sh" "$TOP_DIR/examples/01-fork-exec.c"
  [ "$status" -eq 2 ]
  [[ "$output" == *"EXPECT=two: an exit status"* ]]
}

@test "lab-run: START=/fault/many-links: the crawl starts there, all its links in flight at once" {
  lab_run START=/fault/many-links "$TESTS_DIR/tools/lab-run.sh" "$TOP_DIR/examples/05-select-fetch.c" \
    -q -c 200 -n 201
  [ "$status" -eq 0 ]
  [[ "$output" == *"/fault/many-links (--pages"* ]]
  [[ "$output" == *"summary: pages=201 errors=0 "*" peak=200"* ]]
  [[ "$output" == *"server: requests=201 peak=200"* ]]
}

@test "lab-run: make run-NN passes EXPECT and START through" {
  grep -q 'EXPECT="$(EXPECT)"' "$TOP_DIR/Makefile"
  grep -q 'START="$(START)"' "$TOP_DIR/Makefile"
}
