load test_helper

# Small -n everywhere: the facts do not depend on how many children are timed.

@test "01: runs, exits 0 and ends with the summary keys in order" {
  run_example 60 01-fork-exec -n 20
  [ "$status" -eq 0 ]
  assert_summary_keys children fork_us exec_ok exec_fail_status fork_big_us big_mib parent_value chain_end
  [ "$(summary_value children)" = 20 ]
  [[ "$(summary_value fork_us)" =~ ^[0-9]+\.[0-9]+$ ]]
  [[ "$(summary_value fork_big_us)" =~ ^[0-9]+\.[0-9]+$ ]]
  [ "$(summary_value big_mib)" = 64 ]
  [[ "$(summary_value exec_ok)" =~ ^[01]$ ]]
  [[ "$(summary_value exec_fail_status)" =~ ^[0-9]+$ ]]
}

@test "01: fork returns twice: the parent sees the child's pid, the child sees 0" {
  run_example 60 01-fork-exec -n 5
  [ "$status" -eq 0 ]
  child_pid=$(printf '%s\n' "$output" | sed -n 's/.*\[parent\] fork() returned \([0-9]*\):.*/\1/p')
  [ -n "$child_pid" ]
  printf '%s\n' "$output" | grep -q "\[child\]  fork() returned 0: I am the child, pid $child_pid,"
  printf '%s\n' "$output" | grep -q "waitpid($child_pid): the child exited with status 0"
}

@test "01: the child's writes do not reach the parent (copy-on-write)" {
  run_example 60 01-fork-exec -n 5
  [ "$status" -eq 0 ]
  [ "$(summary_value parent_value)" = 42 ]
  printf '%s\n' "$output" | grep -q 'set value = 4242'
  printf '%s\n' "$output" | grep -q "^  \[parent\] value = 42; bytes that are no longer 'P': 0$"
  printf '%s\n' "$output" | grep -q "^           -> the child's writes never reached me$"
}

@test "01: a failed exec is reported as exit status 127 with ENOENT" {
  run_example 60 01-fork-exec -n 5
  [ "$status" -eq 0 ]
  [ "$(summary_value exec_fail_status)" = 127 ]
  printf '%s\n' "$output" | grep -q 'the child exited with status 127'
  printf '%s\n' "$output" | grep -q 'errno sent up the pipe: ENOENT'
  # The child's own message on stderr names the program and the errno.
  printf '%s\n' "$stderr" | grep -q '^01-fork-exec: exec asynclab-no-such-program: ENOENT '
}

@test "01: a child killed by SIGTERM is reported as killed by signal 15" {
  run_example 60 01-fork-exec -n 5
  [ "$status" -eq 0 ]
  printf '%s\n' "$output" | grep -q 'was killed by signal 15 '
}

@test "01: the command after -- replaces the child's program" {
  run_example 60 01-fork-exec -n 5 -- echo hello from exec
  [ "$status" -eq 0 ]
  [ "$(summary_value exec_ok)" = 1 ]
  printf '%s\n' "$output" | grep -qx 'hello from exec'
  printf '%s\n' "$output" | grep -q 'echo exited with status 0'
}

@test "01: exec_ok is about exec, not the program's exit status" {
  run_example 60 01-fork-exec -n 5 -- false
  [ "$status" -eq 0 ]
  [ "$(summary_value exec_ok)" = 1 ]
  printf '%s\n' "$output" | grep -q 'false exited with status 1'
}

@test "01: a command after -- that does not exist gives exec_ok=0 and ENOENT" {
  run_example 60 01-fork-exec -n 5 -- asynclab-missing-command --flag
  [ "$status" -eq 0 ]
  [ "$(summary_value exec_ok)" = 0 ]
  printf '%s\n' "$output" | grep -q 'exec FAILED in the child: ENOENT'
  printf '%s\n' "$stderr" | grep -q '^01-fork-exec: exec asynclab-missing-command: ENOENT '
}

@test "01: the parent chain ends at PID 1 (without /proc: at the first parent)" {
  run_example 60 01-fork-exec -n 5
  [ "$status" -eq 0 ]
  local parent
  parent=$(printf '%s\n' "$output" | sed -n 's/^  pid \([0-9]*\) *<- my parent (no \/proc here to go further)$/\1/p' | head -n 1)
  if [ -n "$parent" ]; then # macOS, and the portable build (PORTABLE=1)
    [ "$(summary_value chain_end)" = "$parent" ]
    printf '%s\n' "$output" | grep -qE '^  pid [0-9]+ +<- me$'
    return
  fi
  [ -r /proc/self/stat ] || { echo "no /proc, and no line saying so"; return 1; }
  [ "$(summary_value chain_end)" = 1 ]
  printf '%s\n' "$output" | grep -qE '^  pid [0-9]+ +01-fork-exec +<- me'
  printf '%s\n' "$output" | grep -qE '^  pid 1 '
}

@test "01: no zombie is left behind" {
  run_example 60 01-fork-exec -n 50
  [ "$status" -eq 0 ]
  printf '%s\n' "$output" | grep -q 'waitpid(-1) reports ECHILD'
  # The example has ended: nothing of it may linger as a zombie under this shell.
  no_zombies_of $$
}

@test "01: the exec'd command sees no zombie sibling while the example runs" {
  command -v ps >/dev/null || skip "no ps"
  # The child's parent is the example: list the example's children that are zombies.
  run_example 60 01-fork-exec -n 5 -- sh -c 'ps -o stat=,ppid= -e | awk -v p="$PPID" "\$2 == p && \$1 ~ /^Z/" | wc -l'
  [ "$status" -eq 0 ]
  printf '%s\n' "$output" | grep -qx '0'
}

@test "01: --help exits 0 and shows the options" {
  run_example 10 01-fork-exec --help
  [ "$status" -eq 0 ]
  [[ "$output" == *"usage: 01-fork-exec"* ]]
  [[ "$output" == *"-n N"* ]]
  [[ "$output" == *"example:"* ]]
}

@test "01: a bad option exits 2 with a usage line" {
  run_example 10 01-fork-exec --bogus
  [ "$status" -eq 2 ]
  [[ "$stderr" == *"unknown argument '--bogus'"* ]]
  [[ "$stderr" == *"usage: 01-fork-exec"* ]]
  [ -z "$output" ]
}

@test "01: bad numbers for -n exit 2 with a usage line" {
  for bad in abc 0 -5 12x ""; do
    run_example 10 01-fork-exec -n "$bad"
    [ "$status" -eq 2 ] || { echo "-n '$bad' gave $status"; return 1; }
    [[ "$stderr" == *"usage: 01-fork-exec"* ]]
  done
  run_example 10 01-fork-exec -n
  [ "$status" -eq 2 ]
  run_example 10 01-fork-exec --
  [ "$status" -eq 2 ]
}
