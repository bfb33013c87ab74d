#!/usr/bin/env bats
# The Makefile's promises: every example found by wildcard, make help from the examples'
# own first lines, make run-NN (with and without a lab server), automatic header
# dependencies, warning-free builds. Runs on a copy of the tree, so nothing here touches
# the build the other tests use.

load test_helper

# The builds here need only finish, not be on time: niced, they leave the CPU to the
# timing-sensitive tests that `make test` runs beside this file.
make() { nice -n 10 make "$@"; }

setup() { clean_make_env; }

# outside_bats COMMAND...: run COMMAND (a nested bats run) as from a shell: without this
# bats' variables, and without its libexec directory in PATH (whose `bats` is internal).
outside_bats() {
  local path
  path=$(tr ':' '\n' <<<"$PATH" | grep -v 'bats-core' | paste -sd: -)
  env -i PATH="$path" HOME="${HOME:-/tmp}" TMPDIR="${TMPDIR:-/tmp}" ${JOBS:+JOBS="$JOBS"} "$@"
}

setup_file() {
  # `make test` exports its command line (BUILD=, SAN=, ...) to what it runs: not to these.
  TREE="$BATS_FILE_TMPDIR/tree"
  copy_tree "$TREE"
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

@test "build: every function common/ exports is used by another file (nm); else it is static" {
  command -v nm >/dev/null || skip "needs nm (binutils: sudo apt install binutils)"
  local unused
  # nm -A -P (POSIX, GNU and macOS alike): "file: name type ..."; T = defined here, U =
  # used here and defined elsewhere
  unused=$(cd "$TREE/build/obj" && nm -A -P common/*.o examples/*.o tests/unit/*.o |
    awk '{ file = $1; sub(/:$/, "", file) }
         $3 == "T" && file ~ /^common\// { def[$2] = file }
         $3 == "U" { use[$2] = use[$2] " " file }
         END { for (s in def) { n = split(use[s], f, " "); ok = 0
                 for (k = 1; k <= n; k++) if (f[k] != def[s]) ok = 1
                 if (!ok) print def[s] ":" s } }')
  [ -z "$unused" ] || { echo "exported and used nowhere else: $unused"; false; }
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
  # The purpose is folded under the name to fit 80 columns: compare with spaces squeezed.
  local flat
  flat=$(printf '%s\n' "$output" | tr -s ' \n' '  ')
  [[ "$output" == *"make test-NN "* ]] || { echo "make help does not mention test-NN"; return 1; }
  for src in "$TREE"/examples/[0-9][0-9]-*.c; do
    name=$(basename "$src" .c)
    purpose=$(sed -n '1s/^\/\* *[^ ]* *— *//p' "$src")
    [ -n "$purpose" ] || { echo "$name: no purpose on its first line"; return 1; }
    grep -qE "^  $name +[^ ]" <<<"$output" || { echo "$name missing"; return 1; }
    [[ "$flat" == *" $name $(tr -s ' ' <<<"$purpose")"* ]] ||
      { echo "$name: purpose '$purpose' missing"; return 1; }
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

@test "build: make run for an example that does not exist fails and lists the examples" {
  run make -C "$TREE" -s run-98
  [ "$status" -ne 0 ]
  [[ "${lines[0]}" == "run-98: there is no example 98; the examples:" ]]
  local src
  for src in "$TREE"/examples/[0-9][0-9]-*.c; do
    src=$(basename "$src" .c)
    grep -qx "  run-${src%%-*}  $src" <<<"$output" || { echo "run-98: $src not listed"; return 1; }
  done
  run make -C "$TREE" -s run
  [ "$status" -ne 0 ]
  [[ "${lines[0]}" == "make run-NN builds and runs example NN; the examples:" ]]
  grep -qx "  run-05  05-select-fetch" <<<"$output"
  run make -C "$TREE" -s test-98
  [ "$status" -ne 0 ]
  grep -qx "  test-05  05-select-fetch" <<<"$output"
}

@test "build: a typo in run-NN or test-NN gets the example it meant" {
  run make -C "$TREE" -s run-3
  [ "$status" -ne 0 ]
  [ "${lines[0]}" = "run-3: did you mean run-03? (make help lists them)" ]
  run make -C "$TREE" -s test-5
  [ "$status" -ne 0 ]
  [ "${lines[0]}" = "test-5: did you mean test-05? (make help lists them)" ]
  run make -C "$TREE" -s run-select
  [ "${lines[0]}" = "run-select: did you mean run-05? (make help lists them)" ]
}

@test "build: make test-NN runs that example's tests, and robustness for that client only" {
  # 02: its own file, nothing else; the count is the number of @test lines in it.
  run outside_bats make -C "$TREE" -s test-02
  [ "$status" -eq 0 ] || { echo "$output"; return 1; }
  local n
  n=$(grep -c '^@test ' "$TREE/tests/02-threads.bats")
  [ "${lines[${#lines[@]} - 1]}" = "$n passed, 0 failed" ]
  [[ "$output" == *"s wall time"* ]]
  ! grep -E '^(not )?ok ' <<<"$output" | grep -v '^ok [0-9]* 02: ' # only 02's, all ok
  # 05: its file (with the crawler contract it loads) and robustness.bats told to test 05.
  run make -C "$TREE" -n test-05
  [[ "$output" == *'EXAMPLES_UNDER_TEST="05-select-fetch"'* ]]
  [[ "$output" == *"tests/tools/run-bats.sh tests/05-select-fetch.bats"*"tests/robustness.bats"* ]]
  run make -C "$TREE" -n test-01
  [[ "$output" != *"robustness"* ]]
  # under_test is what robustness.bats asks.
  EXAMPLES_UNDER_TEST=05-select-fetch under_test 05-select-fetch
  ! EXAMPLES_UNDER_TEST=05-select-fetch under_test 03-blocking-fetch
  EXAMPLES_UNDER_TEST= under_test 03-blocking-fetch
}

@test "build: make test-NN builds what NN's tests run, not the other examples" {
  touch "$TREE/examples/07-coroutine-crawl.c" "$TREE/examples/04-busy-loop.c"
  run make -C "$TREE" -n V=1 test-04
  [[ "$output" == *"-c examples/04-busy-loop.c"* ]] # 04 itself
  [[ "$output" != *"-c examples/07-coroutine-crawl.c"* ]] # not named by 04's tests
  make -C "$TREE" -s all
}

# Flags are part of the build. Dry runs (-n) show what a change would rebuild; the real
# builds stay on one object, and the end puts the default flags back, so that the tests
# after this one find the copy built as before.
@test "build: a changed CC, CFLAGS, OPT, WERROR or CPPFLAGS rebuilds; the same flags do not" {
  local flags="$TREE/build/flags" sources
  make -C "$TREE" -q all
  [ -f "$flags" ]
  cp -p "$flags" "$BATS_TEST_TMPDIR/flags"
  sources=$(ls "$TREE"/common/*.c "$TREE"/examples/*.c "$TREE"/tests/unit/*.c | wc -l)
  local change
  for change in CC=clang WERROR=1 OPT=-O0 CFLAGS=-U__linux__ CPPFLAGS=-DASYNCLAB_X; do
    [ "${change%%=*}" != CC ] || command -v clang >/dev/null || continue
    run make -C "$TREE" -n V=1 "$change" all
    [ "$(grep -c -- ' -c ' <<<"$output")" -eq "$sources" ] ||
      { echo "$change: $(grep -c -- ' -c ' <<<"$output") of $sources sources recompiled"; return 1; }
  done
  # CPPFLAGS from the command line adds to the include path instead of replacing it.
  local obj=build/obj/examples/01-fork-exec.o
  run make -C "$TREE" V=1 CPPFLAGS=-DASYNCLAB_X "$obj"
  [ "$status" -eq 0 ] || { echo "$output"; return 1; }
  [[ "$output" == *"-iquote common"*"-DASYNCLAB_X"* ]]
  # Same flags again: the flags file is not rewritten (its time stamp, to the nanosecond,
  # stays), nothing is rebuilt.
  local stamp
  stamp=$(stat -c %y "$flags")
  make -C "$TREE" -q CPPFLAGS=-DASYNCLAB_X "$obj"
  [ "$(stat -c %y "$flags")" = "$stamp" ] || { echo "flags rewritten"; return 1; }
  # Back to the default flags: only the one object built with others is rebuilt.
  cp -p "$BATS_TEST_TMPDIR/flags" "$flags"
  touch "$TREE/examples/01-fork-exec.c"
  run make -C "$TREE" -n V=1 all
  [ "$(grep -c -- ' -c ' <<<"$output")" -eq 1 ] || { echo "$output"; return 1; }
  make -C "$TREE" -s all
  make -C "$TREE" -q all
}

@test "build: make compile_commands.json lists every source and leaves the build alone" {
  command -v bear >/dev/null || command -v clang >/dev/null ||
    skip "make compile_commands.json needs bear or clang"
  make -C "$TREE" -q all
  run make -C "$TREE" -s OPT=-O0 compile_commands.json # -O0: the same commands, sooner
  [ "$status" -eq 0 ] || { echo "$output"; return 1; }
  local src
  for src in "$TREE"/common/*.c "$TREE"/examples/*.c; do
    grep -q "\"file\": *\"[^\"]*${src#"$TREE"/}\"" "$TREE/compile_commands.json" ||
      { echo "compile_commands.json misses ${src#"$TREE"/}"; return 1; }
  done
  make -C "$TREE" -q all # the default build is still there and up to date
  [ -x "$TREE/build/bin/01-fork-exec" ]
}

@test "build: run-bats.sh runs files side by side with GNU parallel, one by one without" {
  local dir="$BATS_TEST_TMPDIR/suite"
  mkdir -p "$dir" "$BATS_TEST_TMPDIR/no-parallel"
  printf '@test "a" { true; }\n@test "b" { true; }\n' >"$dir/a.bats"
  printf '@test "c" { true; }\n@test "d" { false; }\n' >"$dir/b.bats"
  # A `parallel` that is not GNU parallel (moreutils has one) counts as absent.
  printf '#!/bin/sh\necho "parallel from moreutils"\nexit 1\n' >"$BATS_TEST_TMPDIR/no-parallel/parallel"
  chmod +x "$BATS_TEST_TMPDIR/no-parallel/parallel"
  JOBS= PATH="$BATS_TEST_TMPDIR/no-parallel:$PATH" run outside_bats "$TREE/tests/tools/run-bats.sh" "$dir"
  [ "$status" -eq 1 ]
  [[ "$output" == *"GNU parallel is not installed, so the files run one after another"* ]]
  [[ "$output" =~ run-bats:\ [0-9]+\.[0-9]\ s\ wall\ time,\ one\ file\ after\ another ]]
  [ "${lines[${#lines[@]} - 1]}" = "3 passed, 1 failed" ]
  parallel --version 2>/dev/null | grep -q '^GNU parallel' || skip "GNU parallel is not installed"
  JOBS=2 run outside_bats "$TREE/tests/tools/run-bats.sh" "$dir"
  [ "$status" -eq 1 ]
  [[ "$output" == *"wall time, up to 2 files at a time"* ]]
  [ "${lines[${#lines[@]} - 1]}" = "3 passed, 1 failed" ]
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

@test "build: a step that fails leaves no half-made file behind (.DELETE_ON_ERROR)" {
  # An archiver that writes the archive and then fails, as a linker can (a 0-byte program
  # that the next make would take as up to date).
  local fake="$BATS_TEST_TMPDIR/failing-ar"
  printf '#!/bin/sh\nar "$@"\necho "failing-ar: failed after writing" >&2\nexit 1\n' >"$fake"
  chmod +x "$fake"
  touch "$TREE/build/obj/common/url.o"
  run make -C "$TREE" -s build/lib/libcommon.a AR="$fake"
  [ "$status" -ne 0 ]
  [[ "$output" == *"failing-ar: failed after writing"* ]]
  [ ! -e "$TREE/build/lib/libcommon.a" ]
  # and the next make builds it for real
  make -C "$TREE" -s build/lib/libcommon.a
  [ -s "$TREE/build/lib/libcommon.a" ]
}

@test "build: PORTABLE=1 is the portable build in its own directory; POLLER=poll means the same" {
  run make -C "$TREE" -n V=1 PORTABLE=1 build/portable/obj/common/poller.o
  [ "$status" -eq 0 ]
  [[ "$output" == *"-DASYNCLAB_PORTABLE"* ]]
  run make -C "$TREE" -n V=1 POLLER=poll build/portable/obj/common/poller.o
  [ "$status" -eq 0 ]
  [[ "$output" == *"-DASYNCLAB_PORTABLE"* ]]
  run make -C "$TREE" -n PORTABLE=yes all
  [ "$status" -ne 0 ]
  [[ "$output" == *"PORTABLE=yes: the only value is PORTABLE=1"* ]]
  run make -C "$TREE" -n POLLER=select all
  [ "$status" -ne 0 ]
  [[ "$output" == *"POLLER=select: the only value is POLLER=poll"* ]]
}

@test "build: the default flags show Darwin's interfaces too (_DARWIN_C_SOURCE; glibc ignores it)" {
  run make -C "$TREE" -n -B V=1 build/obj/common/net.o
  [ "$status" -eq 0 ]
  [[ "$output" == *"-D_POSIX_C_SOURCE=200809L -D_DARWIN_C_SOURCE"* ]]
  ! grep -rn 'pthread_barrier' "$TREE/examples" "$TREE/common" "$TREE/tests/unit"
}

@test "build: a GNU make older than 4 (macOS's 3.81) is told what to install" {
  run make -C "$TREE" --no-print-directory MAKE_VERSION=3.81 all
  [ "$status" -ne 0 ]
  [[ "$output" == *"GNU make 3.81 is too old: 4 or later is needed (macOS: brew install make, then the PATH line in README.md)"* ]]
}
