#!/usr/bin/env bats
# The test harness itself: a hung crawl fails fast and says so (run_crawler), a test's
# teardown stops the lab server it started, run-bats.sh names what a test left running
# and reports the slowest test, failing or not, in 80 columns; make test rebuilds the
# SAN=thread programs it runs. Fixtures in tests/fixtures/harness/.

load test_helper

FIXTURES="$TESTS_DIR/fixtures/harness"

# run_bats_on FILE [VAR=VALUE...]: tests/tools/run-bats.sh on a fixture file, one test at a time.
# Its leftover check looks at an empty build directory unless told otherwise: the real
# one runs the programs of the tests beside this one.
run_bats_on() {
  local file=$1
  shift
  mkdir -p "$BATS_TEST_TMPDIR/no-build"
  run env BUILD_DIR="$BATS_TEST_TMPDIR/no-build" "$@" JOBS=1 "$TESTS_DIR/tools/run-bats.sh" \
    "$FIXTURES/$file"
}

@test "harness: a crawl that stops making progress fails in seconds, saying so; the file's later tests skip" {
  SECONDS=0
  run_bats_on hang.bats BIN_DIR="$FIXTURES" HANG_SLACK=1 SAN=
  [ "$SECONDS" -lt 15 ] || { echo "took $SECONDS s"; return 1; }
  [ "$status" -eq 1 ]
  [[ "$output" == *"not ok 1 fixture: a crawl that hangs after 10 pages"* ]]
  [[ "$output" == *"fake-crawler did not finish in "*" s: the crawl stopped making progress"* ]]
  [[ "$output" == *"10 of 32 pages (no output for 1 s, where the test allows 0 s)"* ]]
  [[ "$output" == *"ok 2 fixture: a later crawl in "*"# skip skipped: an earlier test hung: fixture: a crawl that hangs after 10 pages"* ]]
  [[ "$output" == *"0 passed, 1 failed, 1 skipped" ]]
  # The slowest test is the failing one, and run-bats' lines fit 80 columns.
  [[ "$output" == *"run-bats: slowest test "*" s: fixture: a crawl that hangs after 10 pages"* ]]
  [ -z "$(printf '%s\n' "$output" | grep '^run-bats' | awk 'length($0) > 80')" ]
}

@test "harness: a wait the test declares (-t) is not a hang" {
  BIN_DIR=$FIXTURES HANG_SLACK=1 SAN= run_crawler 20 fake-crawler 2 2.5 -t 2
  [ "$status" -eq 0 ]
  [[ "$output" == *"summary: pages=2 errors=0" ]]
}

@test "harness: declared_wait reads -t, a /fault/ URL, or nothing" {
  [ "$(declared_wait -c 5 http://x/)" -eq 0 ]
  [ "$(declared_wait -t 2.5 -q http://x/)" -eq 3 ]
  [ "$(declared_wait http://x/fault/never)" -eq 10 ]
  [ "$(declared_wait -t 1 http://x/fault/never)" -eq 1 ]
}

@test "harness: run-bats names a program of the build left running; teardown stops a failed test's lab server" {
  local build=$BATS_TEST_TMPDIR/build pids=$BATS_TEST_TMPDIR/pids
  mkdir -p "$build/bin"
  cp "$(command -v sleep)" "$build/bin/sleeper"
  run_bats_on leftovers.bats BUILD_DIR="$build" PIDS_FILE="$pids"
  local sleeper server
  sleeper=$(sed -n 's/^sleeper //p' "$pids")
  server=$(sed -n 's/^server //p' "$pids")
  kill "$sleeper" 2>/dev/null || true
  ! kill -0 "$server" 2>/dev/null || { kill "$server"; echo "the lab server was left running"; return 1; }
  [ "$status" -eq 1 ]
  [[ "$output" == *"run-bats: left running by the tests (kill PID stops one):"* ]]
  [[ "$output" =~ "  $sleeper $build/bin/sleeper 60" ]]
  [[ "$output" == *"1 passed, 2 failed" ]]
}

@test "harness: make test-08 rebuilds a SAN=thread program whose source is newer" {
  local tsan=${TSAN_BIN_DIR:-}
  [ -n "$tsan" ] && [ -x "$tsan/08-thread-crawl" ] || skip "no SAN=thread build of 08 (make test makes it)"
  local rel=${tsan%/bin} copy=$BATS_TEST_TMPDIR/tree
  rel=${rel#"$TOP_DIR"/}
  [[ "$rel" != /* ]] || skip "the build directory is outside the tree"
  mkdir -p "$copy/$rel"
  (cd "$TOP_DIR" && tar -cf - --exclude=./build --exclude=./.git .) | tar -xf - -C "$copy"
  cp -a "$TOP_DIR/$rel/." "$copy/$rel/"
  # The flag variables make test was called with (WERROR=1, CC=clang, ...): the same flags.
  local overrides
  overrides=$(printf '%s\n' "${MAKEFLAGS:-}" | sed -n 's/.* -- //p' | tr ' ' '\n' |
    grep -E '^(CC|WERROR|OPT|CFLAGS|CPPFLAGS|LDFLAGS|LDLIBS|POLLER)=[^\]*$' || true)
  local build=${rel%/san-thread*}
  dry_run() {
    # shellcheck disable=SC2086 # the overrides are words
    env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -n -C "$copy" $overrides BUILD="$build" \
      test-08 2>&1 | grep -e '-fsanitize=thread' | grep -e '-c ' || true
  }
  run dry_run
  [ -z "$output" ] || skip "the SAN=thread build has other flags than this make test"
  touch "$copy/examples/08-thread-crawl.c" # an edit, undone: the source is newer
  run dry_run
  [[ "$output" == *"-fsanitize=thread"*"-c examples/08-thread-crawl.c"* ]] || { echo "$output"; return 1; }
  [[ "$output" != *"common/"* ]]
}

@test "harness: make help names every .PHONY target" {
  local phony target missing=""
  phony=$(env -u MAKEFLAGS -u MAKELEVEL make -pq -C "$TOP_DIR" help 2>/dev/null |
    sed -n 's/^\.PHONY: //p' | tr ' ' '\n' | grep -v '^\(run\|test\)-[0-9][0-9]$' | sort -u)
  [ -n "$phony" ]
  run env -u MAKEFLAGS -u MAKELEVEL make -s --no-print-directory -C "$TOP_DIR" help
  [ "$status" -eq 0 ]
  for target in $phony; do
    grep -qE "(^|[ ,])make $target( |,|$)" <<<"$output" || missing+=" $target"
  done
  [ -z "$missing" ] || { echo "make help does not name:$missing"; return 1; }
  [[ "$output" == *"make run-NN "* && "$output" == *"make test-NN "* ]]
}
