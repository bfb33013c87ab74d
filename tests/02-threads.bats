load test_helper

# Small sizes: the facts (exact counts, keys, exit codes) do not depend on them.
SMALL=(-m 20000 -n 50 -p 50000)

@test "02: runs, exits 0 and ends with the summary keys in order" {
  run_example 60 02-threads "${SMALL[@]}"
  [ "$status" -eq 0 ]
  assert_summary_keys threads expected unlocked locked atomic speedup create_us \
    runs lost_min lost_max cores stack_kib rounds speedup_2x load free_cores
  [ "$(summary_value threads)" = 4 ]
  [ "$(summary_value expected)" = 80000 ]
  [[ "$(summary_value unlocked)" =~ ^[0-9]+$ ]]
  [[ "$(summary_value create_us)" =~ ^[0-9]+\.[0-9]+$ ]]
  [[ "$(summary_value stack_kib)" =~ ^[1-9][0-9]*$ ]]
}

@test "02: the mutex and the atomic counters are exact, the unlocked one never exceeds" {
  run_example 60 02-threads -t 3 -m 30000 -n 10 -p 10000
  [ "$status" -eq 0 ]
  [ "$(summary_value expected)" = 90000 ]
  [ "$(summary_value locked)" = 90000 ]
  [ "$(summary_value atomic)" = 90000 ]
  [ "$(summary_value unlocked)" -le 90000 ]
  [ "$(summary_value unlocked)" -ge 1 ]
  printf '%s\n' "$output" | grep -qE '^  mutex +counter: 90000 of 90000, lost 0  '
  printf '%s\n' "$output" | grep -qE '^  atomic +counter: 90000 of 90000, lost 0  '
  printf '%s\n' "$output" | grep -q 'DELIBERATE data race'
}

@test "02: one thread loses nothing even without a lock" {
  run_example 60 02-threads -t 1 -m 50000 -n 10 -p 10000 --runs 2
  [ "$status" -eq 0 ]
  [ "$(summary_value unlocked)" = 50000 ]
  [ "$(summary_value lost_max)" = 0 ]
}

@test "02: each thread names itself and shares the process id" {
  run_example 60 02-threads -t 5 "${SMALL[@]}"
  [ "$status" -eq 0 ]
  for i in 1 2 3 4 5; do
    printf '%s\n' "$output" | grep -qE "^  thread $i of 5: pid [0-9]+," || { echo "no thread $i"; return 1; }
  done
  # One pid and one counter address for all five.
  [ "$(printf '%s\n' "$output" | sed -n 's/^  thread [0-9]* of 5: pid \([0-9]*\),.*/\1/p' | sort -u | wc -l)" -eq 1 ]
  [ "$(printf '%s\n' "$output" | sed -n 's/^  thread .*, counter //p' | sort -u | wc -l)" -eq 1 ]
}

@test "02: speedup is a positive number and every row counts the same primes" {
  run_example 60 02-threads -t 2 -m 1000 -n 10 -p 200000
  [ "$status" -eq 0 ]
  [[ "$(summary_value speedup)" =~ ^[0-9]+\.[0-9]+$ ]]
  awk -v s="$(summary_value speedup)" 'BEGIN { exit !(s > 0) }'
  printf '%s\n' "$output" | grep -q 'primes below 200000: 17984, the same for every row'
  printf '%s\n' "$output" | grep -q 'GIL'
  [[ "$(summary_value cores)" =~ ^[1-9][0-9]*$ ]]
}

@test "02: --runs N repeats the unlocked case N times and reports the spread" {
  run_example 60 02-threads --runs 5 "${SMALL[@]}"
  [ "$status" -eq 0 ]
  [ "$(printf '%s\n' "$output" | grep -cE '^  run [0-9]+: +counter: [0-9]+ of 80000, lost [0-9]+  ')" -eq 5 ]
  [ "$(summary_value runs)" = 5 ]
  [ "$(summary_value lost_min)" -le "$(summary_value lost_max)" ]
  printf '%s\n' "$output" | grep -q 'lost over 5 runs: min '
}

@test "02: -n sets how many threads are timed" {
  run_example 60 02-threads -m 1000 -n 7 -p 1000
  [ "$status" -eq 0 ]
  printf '%s\n' "$output" | grep -q '^  7 x (pthread_create + pthread_join): '
}

@test "02: --help exits 0 and shows the options" {
  run_example 10 02-threads --help
  [ "$status" -eq 0 ]
  [[ "$output" == *"usage: 02-threads"* ]]
  [[ "$output" == *"--runs N"* ]]
  [[ "$output" == *"example:"* ]]
}

@test "02: a bad option exits 2 with a usage line" {
  run_example 10 02-threads -x
  [ "$status" -eq 2 ]
  [[ "$stderr" == *"unknown argument '-x'"* ]]
  [[ "$stderr" == *"usage: 02-threads"* ]]
  [ -z "$output" ]
}

@test "02: bad numbers exit 2 with a usage line" {
  for args in "-t abc" "-t 0" "-t -5" "-t 65" "-m 0" "-m 1e6" "--runs 0" "-n x" "-p -1" "-t"; do
    # shellcheck disable=SC2086
    run_example 10 02-threads $args
    [ "$status" -eq 2 ] || { echo "'$args' gave $status"; return 1; }
    [[ "$stderr" == *"usage: 02-threads"* ]] || { echo "'$args': no usage line"; return 1; }
  done
}

@test "02: the speedup table: rows 1 to 2 x cores, medians of --rounds, load and verdict" {
  run_example 120 02-threads -m 1000 -n 10 -p 20000 --rounds 3
  [ "$status" -eq 0 ]
  local cores rows load
  cores=$(summary_value cores)
  [ "$(summary_value rounds)" = 3 ]
  printf '%s\n' "$output" | head -n 1 |
    grep -qE "^load average: ([0-9]+\.[0-9]{2} \(last minute\) on|unknown here;) $cores cores online$"
  load=$(summary_value load)
  [[ "$load" =~ ^([0-9]+\.[0-9]{2}|unknown)$ ]]
  if [ "$load" != unknown ] && awk -v l="$load" -v c="$cores" 'BEGIN { exit !(l >= c / 2) }'; then
    printf '%s\n' "$output" | grep -q '^warning: the machine is busy'
  else
    ! printf '%s\n' "$output" | grep -q '^warning: the machine is busy'
  fi
  [ "$(printf '%s\n' "$output" | grep -c '^  round [0-9] of 3 done$')" -eq 3 ]
  rows=$(printf '%s\n' "$output" | sed -n 's/^  \([0-9]*\) *[0-9.]* *[0-9]*%  *[0-9.]*x  *[0-9.]*x-[0-9.]*x$/\1/p' | tr '\n' ' ')
  local expected="" t
  for t in $(seq 1 $((2 * cores))); do
    [ "$t" -le 8 ] || [ "$t" -eq $((2 * cores)) ] || [ $((t & (t - 1))) -eq 0 ] || continue
    expected+="$t "
  done
  [ "$rows" = "$expected" ] || { echo "rows '$rows', expected '$expected'"; false; }
  printf '%s\n' "$output" | grep -qE "^  verdict \(medians\): [0-9.]+x at $cores threads, [0-9.]+x at $((2 * cores))$"
  # the free cores: the median cpu/wall of the rows at 1 and at `cores` threads, as printed
  # in the table, and the most they allow, their ratio
  local used1 usedc
  used1=$(printf '%s\n' "$output" | sed -n 's/^  1  *[0-9.]*  *\([0-9]*\)%  .*/\1/p')
  usedc=$(printf '%s\n' "$output" | sed -n "s/^  $cores  *[0-9.]*  *\\([0-9]*\\)%  .*/\\1/p")
  [ "$cores" -eq 1 ] ||
    printf '%s\n' "$output" | grep -qE "^    free cores: +[0-9]+\.[0-9] of $cores at $cores threads, [0-9]+\.[0-9] at 1: at most ~[0-9]+\.[0-9]x here$"
  awk -v a="$usedc" -v f="$(summary_value free_cores)" 'BEGIN { exit !(a / 100 - f < 0.06 && f - a / 100 < 0.06) }' ||
    { echo "free_cores=$(summary_value free_cores), table $usedc% ($used1% at 1)"; false; }
  printf '%s\n' "$output" | grep -qE '^    past the cores: +(the same|a little more|a little less|more|less) \([-+][0-9]+%, (within noise: the spreads overlap|beyond the spreads)\)$'
  # the 1-thread row is its own median: exactly 1.00x
  printf '%s\n' "$output" | grep -qE '^  1 +[0-9.]+ +[0-9]+% +1\.00x '
}
