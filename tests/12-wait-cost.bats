#!/usr/bin/env bats
# 12-wait-cost: one wait call with K idle descriptors, a column per backend this system has.

load test_helper

# The backends this system has, as the table's header names them (the portable build,
# make POLLER=poll, has neither epoll nor kqueue).
backends() {
  case $BIN_DIR in *poller-poll*) echo "poll select"; return ;; esac
  case $(uname) in
    Linux) echo "epoll poll select" ;;
    Darwin | *BSD | DragonFly) echo "kqueue poll select" ;;
    *) echo "poll select" ;;
  esac
}

@test "12: one row per K, a column per backend; select has no figure at 10000" {
  local hard
  hard=$(ulimit -Hn)
  [ "$hard" = unlimited ] || [ "$hard" -ge 10100 ] || skip "hard descriptor limit $hard < 10100"
  run_example 120 12-wait-cost
  [ "$status" -eq 0 ]
  ! printf '%s\n' "$output" | grep -v '^summary:' | awk 'length($0) > 80 { print "too wide: " $0; bad = 1 } END { exit !bad }'
  header=$(printf '%s\n' "$output" | awk '$1 == "K"' | tr -s ' ' | sed 's/^ //')
  [ "$header" = "K $(backends)" ] || { echo "header: $header"; return 1; }
  local n col
  n=$(backends | wc -w)
  col=$(backends | tr ' ' '\n' | grep -nx poll | cut -d: -f1)
  col=$((col + 1))
  for k in 10 100 1000; do
    printf '%s\n' "$output" | grep -Eq "^ +$k( +[0-9]+\.[0-9]){$n}$" || { echo "row $k"; return 1; }
  done
  printf '%s\n' "$output" | grep -Eq "^ +10000( +[0-9]+\.[0-9]){$((n - 1))} +-$"
  # poll hands over and scans the whole list: 10,000 idle descriptors cost it more than 10
  row10=$(printf '%s\n' "$output" | awk -v c="$col" '$1 == 10 { print $c }')
  row10k=$(printf '%s\n' "$output" | awk -v c="$col" '$1 == 10000 { print $c }')
  awk -v a="$row10" -v b="$row10k" 'BEGIN { exit !(b > a) }'
  # The summary: the same figures, a key per backend, and last.
  last=$(printf '%s\n' "$output" | tail -n 1)
  [[ "$last" =~ ^summary:\ k=10,100,1000,10000\ ([a-z]+_us=([0-9.]+,){3}[0-9.]+\ )?poll_us=([0-9.]+,){3}[0-9.]+\ select_us=([0-9.]+,){3}-$ ]] || { echo "last: $last"; return 1; }
  [[ "$last" == *" poll_us=$row10,"*",$row10k "* ]]
}

@test "12: the descriptor limit first, in one line; a limit too low for a K gives '-' there" {
  run bash -c 'ulimit -n 600 && exec timeout -k 2 60 "$@"' _ "$BIN_DIR/12-wait-cost"
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = "descriptor limit: 600, the hard limit; wanted 10016" ]
  printf '%s\n' "$output" | grep -Eq "^ +1000( +-){$(backends | wc -w)}$"
  printf '%s\n' "$output" | grep -Eq "^ +100( +[0-9]+\.[0-9]){$(backends | wc -w)}$"
}

@test "12: --help exits 0 and names the backends; an argument is a usage error" {
  run_example 5 12-wait-cost --help
  [ "$status" -eq 0 ]
  [[ "$output" == *"($(backends))"* ]]
  ! printf '%s\n' "$output" | awk 'length($0) > 80 { print "too wide: " $0; bad = 1 } END { exit !bad }'
  [[ "$output" == *"usage: 12-wait-cost [--help]"* ]]
  run_example 5 12-wait-cost -c 5
  [ "$status" -eq 2 ]
  [[ "$stderr" == "12-wait-cost: unknown option '-c' (see --help)"* ]]
  run_example 5 12-wait-cost 100
  [ "$status" -eq 2 ]
  [[ "$stderr" == "12-wait-cost: unexpected argument '100' (see --help)"* ]]
}
