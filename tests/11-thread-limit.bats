load test_helper

KEYS=(thread_limit reason stack_kib cap_mib thread_kib)

# extra_gib: the GiB the cap adds to the child's size, as the output states it (EXTRA_GIB: 4
# as shipped; docs/11's exercise 2 makes it 8, and these tests follow).
extra_gib() {
  printf '%s\n' "$output" | sed -n 's/.*(RLIMIT_AS: its size + \([0-9]*\) GiB)$/\1/p'
}

@test "11: runs, exits 0, ends with the summary keys; the limit is a count stopped by EAGAIN" {
  [ -r /proc/self/statm ] || skip "no /proc: the program reports thread_limit=unknown"
  run_example 60 11-thread-limit
  [ "$status" -eq 0 ]
  assert_summary_keys "${KEYS[@]}"
  local limit stack_kib
  limit=$(summary_value thread_limit)
  stack_kib=$(summary_value stack_kib)
  [[ "$limit" =~ ^[0-9]+$ ]] || { echo "thread_limit=$limit"; false; }
  [ "$stack_kib" -ge 16 ]
  # 4 GiB of address space over stacks of stack_kib each: the cap, not the system, decides
  # (some fit, and no more than 4 GiB holds in stacks of that size)
  local gib
  gib=$(extra_gib)
  [ "$gib" -ge 1 ]
  [ "$limit" -ge 10 ]
  [ "$limit" -le $((gib * 1024 * 1024 / stack_kib + 100)) ] ||
    { echo "$limit threads in $gib GiB with $stack_kib KiB stacks"; false; }
  # a sanitizer build stops short of the cap (its runtime would abort on a failed mmap)
  case $(summary_value reason) in
    EAGAIN)
      printf '%s\n' "$output" | grep -qE "^  $limit threads, then EAGAIN \(Resource temporarily unavailable\)$" ;;
    sanitizer)
      printf '%s\n' "$output" | grep -qE "^  $limit threads, then stopped [0-9]+ MiB short of the cap: " ;;
    *) echo "reason=$(summary_value reason)"; false ;;
  esac
  no_zombies_of $$
}

@test "11: the cap is the child's size + 4 GiB, and what 10,000 and a million threads need" {
  [ -r /proc/self/statm ] || skip "no /proc"
  run_example 60 11-thread-limit
  [ "$status" -eq 0 ]
  local cap
  cap=$(summary_value cap_mib)
  # its size + 4 GiB: above 4096 MiB (a sanitizer build's size is terabytes of shadow)
  local gib
  gib=$(extra_gib)
  [ "$gib" -ge 1 ]
  awk -v c="$cap" -v g="$gib" 'BEGIN { exit !(c > g * 1024) }' || { echo "cap_mib=$cap"; false; }
  printf '%s\n' "$output" | grep -qE '^a child capped at [0-9.]+ [GT]iB of address space \(RLIMIT_AS: its size \+ [0-9]+ GiB\)$'
  printf '%s\n' "$output" | grep -qE '^  10000 connections \(C10k\): 78\.1 GiB of stacks to reserve, [0-9.]+ [KMG]iB resident$'
  printf '%s\n' "$output" | grep -qE '^  a million threads: 7\.6 TiB of stacks to reserve, [0-9.]+ [MG]iB resident$'
  printf '%s\n' "$output" | grep -qE '^system ceilings: (threads-max|pid_max|max_map_count) [0-9]+'
  [[ "$(summary_value thread_kib)" =~ ^[0-9]+\.[0-9]$ ]]
}

@test "11: --stack 1024: eight times as many threads fit under the same cap" {
  [ -r /proc/self/statm ] || skip "no /proc"
  run_example 60 11-thread-limit --stack 1024
  [ "$status" -eq 0 ]
  [ "$(summary_value stack_kib)" = 1024 ]
  [ "$(summary_value reason)" = EAGAIN ] || [ "$(summary_value reason)" = sanitizer ]
  local limit
  limit=$(summary_value thread_limit)
  # 4 GiB / 1 MiB = 4096 stacks, less what the child already uses
  local gib
  gib=$(extra_gib)
  [ "$gib" -ge 1 ]
  [ "$limit" -ge $((gib * 500)) ] && [ "$limit" -le $((gib * 1050)) ] ||
    { echo "thread_limit=$limit under $gib GiB"; false; }
  printf '%s\n' "$output" | grep -q '^created threads with stacks of 1024 KiB until pthread_create failed:$'
}

@test "11: skipped under valgrind, with the reason in one line and in the summary" {
  # valgrind puts its preload library in LD_PRELOAD; a name alone is enough to be seen
  run env LD_PRELOAD=vgpreload_core-not-loaded.so "$BIN_DIR/11-thread-limit" 2>/dev/null
  [ "$status" -eq 0 ]
  printf '%s\n' "$output" | grep -q '^skipped under valgrind (it runs 500 threads at most)$'
  [ "$(summary_value thread_limit)" = skipped ]
  [ "$(summary_value reason)" = valgrind ]
  ! printf '%s\n' "$output" | grep -q '^a child capped'
}

@test "11: into a pipe no progress line; on a terminal the count is erased before the result" {
  run_example 60 11-thread-limit
  [ "$status" -eq 0 ]
  ! printf '%s\n' "$output" | grep -q $'\r'
  command -v script >/dev/null || skip "no script (util-linux): no pseudo-terminal to run in"
  run script -qfec "$BIN_DIR/11-thread-limit" /dev/null
  [ "$status" -eq 0 ]
  local rows
  rows=$(printf '%s\n' "$output" | tr -d '\r')
  ! printf '%s\n' "$rows" | grep 'measuring:' | grep -qv $'\033\\[K'
  printf '%s\n' "$rows" | grep -qE '^(.*\[K)?  [0-9]+ threads, then '
}

@test "11: --help prints the options and an example, exit 0" {
  run_example 10 11-thread-limit --help
  [ "$status" -eq 0 ]
  printf '%s\n' "$output" | grep -q '^usage: 11-thread-limit \[--stack KIB\] \[--help\]$'
  printf '%s\n' "$output" | grep -q '^example: 11-thread-limit --stack 64$'
}

@test "11: bad options exit 2 with a one-line reason and the usage" {
  for args in "--stack" "--stack 8" "--stack 2x" "--stack 9999999" "--bogus" "extra"; do
    read -r -a argv <<<"$args"
    run_example 10 11-thread-limit "${argv[@]}"
    [ "$status" -eq 2 ] || { echo "'$args' exited $status"; false; }
    [ -z "$output" ] || { echo "'$args' printed to stdout: $output"; false; }
    printf '%s\n' "$stderr" | head -n 1 | grep -q '^11-thread-limit: '
    printf '%s\n' "$stderr" | grep -q '^usage: 11-thread-limit '
  done
}
