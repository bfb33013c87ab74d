#!/usr/bin/env bats
# The Makefile's promises: every example found by wildcard, make help from the examples'
# own first lines, make run-NN (with and without a lab server), automatic header
# dependencies, warning-free builds. Runs on a copy of the tree, so nothing here touches
# the build the other tests use.

load test_helper

setup() {
  unset MAKEFLAGS MFLAGS MAKELEVEL BUILD SAN V TESTS ARGS URL PAGES DELAY
}

setup_file() {
  # `make test` exports its command line (BUILD=, SAN=, ...) to what it runs: not to these.
  unset MAKEFLAGS MFLAGS MAKELEVEL BUILD SAN V TESTS ARGS URL PAGES DELAY
  TREE="$BATS_FILE_TMPDIR/tree"
  mkdir -p "$TREE"
  cp -r "$TOP_DIR/Makefile" "$TOP_DIR/examples" "$TOP_DIR/common" "$TOP_DIR/tests" "$TREE/"
  export TREE
  # One full build of the copy; its log is checked for warnings below.
  make -C "$TREE" -s -j2 all >"$BATS_FILE_TMPDIR/build.log" 2>&1
}

@test "build: a fresh build prints no warning and makes every example and unit driver" {
  ! grep -i 'warning' "$BATS_FILE_TMPDIR/build.log"
  for src in "$TREE"/examples/[0-9][0-9]-*.c; do
    [ -x "$TREE/build/bin/$(basename "$src" .c)" ] || { echo "missing $src"; return 1; }
  done
  for src in "$TREE"/tests/unit/*.c; do
    [ -x "$TREE/build/unit/$(basename "$src" .c)" ] || { echo "missing $src"; return 1; }
  done
  [ -f "$TREE/build/lib/libcommon.a" ]
}

@test "build: nothing to do right after a build; a header edit rebuilds what includes it" {
  make -C "$TREE" -q all
  touch "$TREE/common/url.h"
  run make -C "$TREE" -n V=1 all
  [[ "$output" == *"-c common/url.c"* ]]
  [[ "$output" == *"-c common/crawl.c"* ]]
  [[ "$output" == *"-c examples/03-blocking-fetch.c"* ]]
  [[ "$output" != *"-c common/clock.c"* ]]
  [[ "$output" != *"-c examples/01-fork-exec.c"* ]]
  make -C "$TREE" -s all
  make -C "$TREE" -q all
}

@test "build: a new example is picked up with no Makefile edit" {
  printf '/* 99-hello — a student'"'"'s own step\n */\n#include <stdio.h>\nint main(void)\n{\n    puts("summary: hello=1");\n    return 0;\n}\n' \
    >"$TREE/examples/99-hello.c"
  run make -C "$TREE" -s run-99
  rm -f "$TREE/examples/99-hello.c"
  [ "$status" -eq 0 ]
  [[ "$output" == *"summary: hello=1"* ]]
}

@test "build: make help lists every example with the purpose from its first line" {
  run make -C "$TREE" -s help
  [ "$status" -eq 0 ]
  for src in "$TREE"/examples/[0-9][0-9]-*.c; do
    name=$(basename "$src" .c)
    purpose=$(sed -n '1s/^\/\* *[^ ]* *— *//p' "$src")
    [ -n "$purpose" ] || { echo "$name: no purpose on its first line"; return 1; }
    grep -qF "make run-${name%%-*}   $name" <<<"$output" || { echo "$name missing"; return 1; }
    grep -qF "$purpose" <<<"$output" || { echo "$name: purpose '$purpose' missing"; return 1; }
  done
}

@test "build: make run-NN runs an example, ARGS passed through" {
  run make -C "$TREE" -s run-01 ARGS="-n 5"
  [ "$status" -eq 0 ]
  [[ "$output" == *"summary: children=5 "* ]]
}

@test "build: make run-03 starts a lab server, crawls it, stops it and prints its report" {
  run make -C "$TREE" -s run-03 PAGES=3 DELAY=10 ARGS="-q"
  [ "$status" -eq 0 ]
  [[ "${lines[0]}" =~ ^lab\ server:\ http://127\.0\.0\.1:[0-9]+/\ \(--pages\ 3\ --delay\ 10\)$ ]]
  [[ "$output" == *"summary: pages=4 errors=1 "* ]]
  [ "${lines[${#lines[@]} - 1]}" = "server: requests=5 peak=1" ]
  ! pgrep -f "$TREE/build/bin/00-labserver" # stopped, not left behind
}

@test "build: two make run-03 at once get two servers on two ports" {
  make -C "$TREE" -s run-03 PAGES=2 DELAY=200 ARGS="-q" >"$BATS_TEST_TMPDIR/a" 2>&1 &
  make -C "$TREE" -s run-03 PAGES=2 DELAY=200 ARGS="-q" >"$BATS_TEST_TMPDIR/b" 2>&1
  wait $!
  grep -q 'summary: pages=3 errors=1' "$BATS_TEST_TMPDIR/a"
  grep -q 'summary: pages=3 errors=1' "$BATS_TEST_TMPDIR/b"
  [ "$(head -n 1 "$BATS_TEST_TMPDIR/a")" != "$(head -n 1 "$BATS_TEST_TMPDIR/b")" ]
}

@test "build: URL= points an example at a running server and starts none" {
  start_labserver --pages 2 --delay 10
  run make -C "$TREE" -s run-05 URL="$LAB_URL" ARGS="-q"
  stop_labserver
  [ "$status" -eq 0 ]
  [[ "$output" != *"lab server:"* ]]
  [[ "$output" == *"summary: pages=3 errors=1 "* ]]
}

@test "build: make run for an example that does not exist fails" {
  run make -C "$TREE" -s run-98
  [ "$status" -ne 0 ]
}

@test "build: every example answers --help (exit 0, a usage line) and refuses a bogus option (exit 2)" {
  for src in "$TOP_DIR"/examples/[0-9][0-9]-*.c; do
    name=$(basename "$src" .c)
    run_example 5 "$name" --help
    [ "$status" -eq 0 ] || { echo "$name --help: exit $status"; return 1; }
    [[ "$output" == *"usage: $name"* ]] || { echo "$name --help: no usage line"; return 1; }
    run_example 5 "$name" --no-such-option
    [ "$status" -eq 2 ] || { echo "$name --no-such-option: exit $status"; return 1; }
    [[ "${stderr_lines[0]}" == "$name: unknown "*"'--no-such-option'"* ]] ||
      { echo "$name: stderr '${stderr_lines[0]}'"; return 1; }
    [[ "$stderr" == *"usage: $name"* ]] || { echo "$name: no usage line on stderr"; return 1; }
  done
}
