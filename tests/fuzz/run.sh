#!/usr/bin/env bash
# tests/fuzz/run.sh — what `make fuzz` does: build the libFuzzer harnesses and run each.
#
# Each harness in tests/fuzz/fuzz_NAME.c is built with clang -fsanitize=fuzzer,address,
# undefined (libFuzzer, AddressSanitizer, UndefinedBehaviorSanitizer) together with the
# common/ files it tests, into $BUILD/fuzz/fuzz_NAME, and run for FUZZ_SECONDS starting
# from the seeds in tests/fuzz/corpus/NAME. What libFuzzer learns goes to
# $BUILD/fuzz/corpus/NAME and any crash to $BUILD/fuzz/crashes/: the repository only
# holds the seeds. One line per harness, then "N passed, M failed".
#
#   BUILD=build  FUZZ_SECONDS=60  FUZZERS="url http links"  FUZZ_CC=clang  FUZZ_ARGS="..."
#   reproduce a crash:  build/fuzz/fuzz_http build/fuzz/crashes/http-crash-...
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-build}
case $build in /*) ;; *) build="$top/$build" ;; esac
out="$build/fuzz"
seconds=${FUZZ_SECONDS:-60}
cc=${FUZZ_CC:-clang}
fuzzers=${FUZZERS:-url http links}
# shellcheck disable=SC2054 # the commas are clang's
flags=(-std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes
  -Wmissing-prototypes -g -O1 -fsanitize=fuzzer,address,undefined
  -fno-sanitize-recover=undefined -I"$top/common")
sources=("$top/common/url.c" "$top/common/http.c" "$top/common/links.c")

mkdir -p "$out/crashes" || exit 1

# libFuzzer ships with clang, but Debian packages its runtime apart.
probe="$out/probe"
printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n);\n%s\n' \
  'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { (void)d; (void)n; return 0; }' \
  >"$probe.c"
if ! "$cc" -fsanitize=fuzzer "$probe.c" -o "$probe" 2>"$probe.log"; then
  echo "make fuzz: $cc cannot build a libFuzzer program:" >&2
  head -n 3 "$probe.log" >&2
  echo "  on Debian/Ubuntu: apt-get install clang libclang-rt-14-dev (or FUZZ_CC=clang-NN)" >&2
  exit 1
fi

passed=0 failed=0
for name in $fuzzers; do
  src="$top/tests/fuzz/fuzz_$name.c"
  bin="$out/fuzz_$name"
  if [ ! -x "$bin" ] || [ -n "$(find "$src" "${sources[@]}" "$top"/common/*.h -newer "$bin" 2>/dev/null)" ]; then
    echo "  FUZZCC $bin"
    "$cc" "${flags[@]}" "$src" "${sources[@]}" -o "$bin" || { failed=$((failed + 1)); continue; }
  fi
  mkdir -p "$out/corpus/$name"
  log="$out/$name.log"
  # shellcheck disable=SC2086 # FUZZ_ARGS is a list of libFuzzer flags
  "$bin" -max_total_time="$seconds" -max_len=8192 -print_final_stats=1 \
    -artifact_prefix="$out/crashes/$name-" ${FUZZ_ARGS:-} \
    "$out/corpus/$name" "$top/tests/fuzz/corpus/$name" >"$log" 2>&1
  rc=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1)
  corpus=$(find "$out/corpus/$name" "$top/tests/fuzz/corpus/$name" -type f | wc -l)
  if [ "$rc" -eq 0 ]; then
    passed=$((passed + 1))
    printf 'ok   fuzz_%-6s %s runs in %s s, %s, corpus %s inputs\n' "$name" "${runs:-?}" "$seconds" \
      "${cov:-cov: ?}" "$corpus"
  else
    failed=$((failed + 1))
    crash=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
    printf 'FAIL fuzz_%-6s exit %d after %s runs; input: %s\n' "$name" "$rc" "${runs:-?}" "${crash:-?}"
    grep -m 3 -E "^fuzz_$name:|ERROR: |SUMMARY: " "$log" | sed 's/^/     /'
    echo "     reproduce: $bin ${crash:-CRASH-FILE}   (whole log: $log)"
  fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
