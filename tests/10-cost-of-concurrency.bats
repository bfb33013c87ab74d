load test_helper

# Small counts (-n 0.01: 20 processes, 200 threads, 10000 generators per round) keep each
# run well under a second, also under ASan. The orderings checked here hold by orders of
# magnitude; only the switch rows allow equality.
SMALL=(-n 0.01 -r 3)
KEYS=(process_create_us thread_create_us gen_create_ns process_switch_us thread_switch_us
  gen_switch_ns process_kib thread_kib gen_bytes thread_stack_kib gen_sizeof)

# greater A B: A > B as decimal numbers; greater_or_equal likewise.
greater() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 > b + 0) }'; }
greater_or_equal() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 >= b + 0) }'; }

# The memory figures come from /proc: the portable build (PORTABLE=1, macOS's fallbacks)
# and a system without /proc say `unknown` there, in the table and in the summary.
MEMORY_KEYS=" process_kib thread_kib gen_bytes "
no_memory_figures() { [[ "$BIN_DIR" == */portable/* ]] || [ ! -r /proc/self/statm ]; }

@test "10: runs, exits 0 and ends with the summary keys in order" {
  run_example 60 10-cost-of-concurrency "${SMALL[@]}"
  [ "$status" -eq 0 ]
  assert_summary_keys "${KEYS[@]}"
}

@test "10: every figure is a positive number" {
  run_example 60 10-cost-of-concurrency "${SMALL[@]}"
  [ "$status" -eq 0 ]
  for key in "${KEYS[@]}"; do
    value=$(summary_value "$key")
    if [ "$value" = unknown ] && [[ "$MEMORY_KEYS" == *" $key "* ]] && no_memory_figures; then
      printf '%s\n' "$output" | grep -qE '^ *(memory)? +(process|thread|generator) +.* unknown +-$'
      continue
    fi
    [[ "$value" =~ ^[0-9]+(\.[0-9]+)?$ ]] || { echo "$key=$value"; false; }
    greater "$value" 0 || { echo "$key=$value is not positive"; false; }
  done
}

@test "10: creating a process costs more than a thread, a thread more than a generator" {
  run_example 60 10-cost-of-concurrency "${SMALL[@]}"
  [ "$status" -eq 0 ]
  process=$(summary_value process_create_us)
  thread=$(summary_value thread_create_us)
  gen_us=$(awk -v ns="$(summary_value gen_create_ns)" 'BEGIN { print ns / 1000 }')
  greater "$process" "$thread" || { echo "process $process µs <= thread $thread µs"; false; }
  greater "$thread" "$gen_us" || { echo "thread $thread µs <= generator $gen_us µs"; false; }
}

@test "10: a process or thread switch costs at least a generator switch" {
  run_example 60 10-cost-of-concurrency "${SMALL[@]}"
  [ "$status" -eq 0 ]
  gen_us=$(awk -v ns="$(summary_value gen_switch_ns)" 'BEGIN { print ns / 1000 }')
  greater_or_equal "$(summary_value process_switch_us)" "$gen_us"
  greater_or_equal "$(summary_value thread_switch_us)" "$gen_us"
}

@test "10: a live process or thread keeps more memory than a generator, which needs its frame" {
  run_example 60 10-cost-of-concurrency "${SMALL[@]}"
  [ "$status" -eq 0 ]
  if [ "$(summary_value process_kib)" = unknown ] && no_memory_figures; then
    skip "no memory figures in this build (they come from /proc)"
  fi
  gen_kib=$(awk -v b="$(summary_value gen_bytes)" 'BEGIN { print b / 1024 }')
  greater "$(summary_value process_kib)" "$gen_kib"
  greater "$(summary_value thread_kib)" "$gen_kib"
  greater_or_equal "$(summary_value gen_bytes)" "$(summary_value gen_sizeof)"
}

@test "10: one table, nine rows, the generator rows at 1.0x and -n scaling the counts" {
  run_example 60 10-cost-of-concurrency "${SMALL[@]}"
  [ "$status" -eq 0 ]
  printf '%s\n' "$output" | grep -qE '^cost +unit +how it is measured +units +per unit +x generator$'
  printf '%s\n' "$output" | grep -qE '^create +process +fork, _exit, waitpid +20 +[0-9.]+ [mµn]s +[0-9.]+x$'
  printf '%s\n' "$output" | grep -qE '^ +thread +pthread_create, return, join +200 +[0-9.]+ [mµn]s +[0-9.]+x$'
  printf '%s\n' "$output" | grep -qE '^ +generator +malloc, run to the end, free +10000 +[0-9.]+ [mµn]s +1\.0x$'
  printf '%s\n' "$output" | grep -qE '^switch +process +pipe ping-pong, 1 byte +200 '
  printf '%s\n' "$output" | grep -qE '^ +generator +resume/yield ping-pong +100000 +[0-9.]+ [mµn]s +1\.0x$'
  local figure='[0-9.]+ (B|KiB|MiB) +[0-9.]+x' rows=9
  if [ "$(summary_value process_kib)" = unknown ] && no_memory_figures; then
    figure='unknown +-' rows=6
  fi
  printf '%s\n' "$output" | grep -qE "^memory +process +child.s resident size +2 +$figure\$"
  printf '%s\n' "$output" | grep -qE "^ +generator +resident growth / generator +10000 +$figure\$"
  [ "$(printf '%s\n' "$output" | grep -cE '^(create|switch|memory)? +(process|thread|generator) .* [0-9.]+x$')" -eq "$rows" ]
}

@test "10: -r sets the rounds, one line each; -q keeps only the table and the summary" {
  run_example 60 10-cost-of-concurrency -n 0.01 -r 2
  [ "$status" -eq 0 ]
  [ "$(printf '%s\n' "$output" | grep -c '^round [0-9]/2: create ')" -eq 2 ]
  printf '%s\n' "$output" | grep -q 'median of 2 rounds'

  run_example 60 10-cost-of-concurrency -n 0.01 -r 1 -q
  [ "$status" -eq 0 ]
  ! printf '%s\n' "$output" | grep -q '^round '
  ! printf '%s\n' "$output" | grep -q '^left behind'
  printf '%s\n' "$output" | grep -qE '^create +process '
  assert_summary_keys "${KEYS[@]}"
}

@test "10: leaves no child, no thread and no descriptor behind" {
  command -v ps >/dev/null || skip "no ps"
  run_example 60 10-cost-of-concurrency "${SMALL[@]}"
  [ "$status" -eq 0 ]
  printf '%s\n' "$output" | grep -qE '^left behind: no child \(waitpid reports ECHILD\), (one thread|threads uncounted),$'
  printf '%s\n' "$output" | grep -qE '^  [0-9]+ descriptors open, as at the start$'
  no_zombies_of $$
}

@test "10: --help prints the options and an example, exit 0" {
  run_example 10 10-cost-of-concurrency --help
  [ "$status" -eq 0 ]
  printf '%s\n' "$output" | grep -q '^usage: 10-cost-of-concurrency \[-n SCALE\] \[-r ROUNDS\] \[-q\] \[--svg FILE\] \[--help\]$'
  printf '%s\n' "$output" | grep -q -- '-n SCALE'
  printf '%s\n' "$output" | grep -q '^example: '
}

@test "10: bad options exit 2 with a one-line reason and the usage" {
  for args in "-n 0" "-n 11" "-n abc" "-n" "-r 0" "-r 100" "-r 2x" "-r" "--bogus" "extra"; do
    read -r -a argv <<<"$args"
    run_example 10 10-cost-of-concurrency "${argv[@]}"
    [ "$status" -eq 2 ] || { echo "'$args' exited $status"; false; }
    [ -z "$output" ] || { echo "'$args' printed to stdout: $output"; false; }
    printf '%s\n' "$stderr" | head -n 1 | grep -q '^10-cost-of-concurrency: '
    printf '%s\n' "$stderr" | grep -q '^usage: 10-cost-of-concurrency '
  done
}

@test "10: no thread limit here (11 measures it); into a pipe, no progress line" {
  run_example 60 10-cost-of-concurrency -n 0.01 -r 1
  [ "$status" -eq 0 ]
  ! printf '%s\n' "$output" | grep -q 'thread limit'
  ! printf '%s\n' "$output" | grep -q $'\r'
  ! printf '%s\n' "$output" | grep -q 'measuring:'
}

@test "10: on a terminal a progress line says what is measured, within 2 s, then is erased" {
  command -v script >/dev/null || skip "no script (util-linux): no pseudo-terminal to run in"
  local log="$BATS_TEST_TMPDIR/tty.log"
  # -q prints nothing before the table: only the progress line shows that work goes on
  timeout -k 2 2 script -qfec "$BIN_DIR/10-cost-of-concurrency -q -r 3 -n 0.5" /dev/null >"$log" || true
  grep -q $'\r\033\[Kmeasuring: round 1 of 3, creating processes' "$log" ||
    { cat -v "$log"; false; }
  run script -qfec "$BIN_DIR/10-cost-of-concurrency -q -n 0.01 -r 1" /dev/null
  [ "$status" -eq 0 ]
  local rows
  rows=$(printf '%s\n' "$output" | tr -d '\r')
  # every row that had a progress line ends erased (ESC [ K), and the table starts a row
  ! printf '%s\n' "$rows" | grep 'measuring:' | grep -qv $'\033\\[K$'
  printf '%s\n' "$rows" | grep -qE '^cost +unit '
  # the summary comes last; on a terminal it may wrap onto indented rows
  [ "$(printf '%s\n' "$rows" | grep -v '^ ' | tail -n 1 | cut -d' ' -f1)" = summary: ]
}
