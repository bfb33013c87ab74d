#!/usr/bin/env bats
# width.bats — 80 columns. Everything an example prints at its defaults and at the
# invocations its docs page and header show, and what make help and make compare print,
# fits an 80-column terminal: a lecturer projects it. Characters are counted, not bytes
# (µ and — take one column each); the machine-readable `summary:` line is exempt.
#
# Not part of a plain `make test` (it runs every example at full size, which takes longer
# than the rest of the suite): `make test-width` runs it, and so does .ci/run.

load test_helper

# The invocations, in one place: each entry is what follows `make`, as the docs and the
# example headers write it (run-NN alone is the defaults). `make run-NN` starts a lab
# server for the fetch examples; here tests/tools/lab-run.sh does the same. 00 serves until
# Ctrl-C: it gets a free port, a short crawl to log, then SIGINT.
INVOCATIONS=(
  'run-00'
  'run-00 ARGS="-v --pages 5"'
  'run-00 ARGS="--port 0 -v --pages 5"'
  'run-01'
  'run-01 ARGS="-- echo hello"'
  'run-01 ARGS="-n 200"'
  'run-01 ARGS="-n 200 -- echo hello"'
  'run-02'
  'run-02 ARGS="-t 1"'
  'run-02 ARGS="-t 8"'
  'run-02 ARGS="-t 8 -m 200000 --runs 5"'
  'run-02 ARGS="--rounds 1"'
  'run-02 ARGS="--rounds 9 -p 1000000"'
  'run-03'
  'run-03 ARGS="--timeline"'
  'run-03 ARGS="-v -n 3"'
  'run-03 ARGS="-v -n 2"'
  'run-03 DELAY=20'
  'run-03 DELAY=500'
  'run-03 DELAY=300 PAGES=10'
  'run-03 PAGES=10 DELAY=300'
  'run-03 PAGES=5 ARGS="--timeline"'
  'run-04'
  'run-04 ARGS="--juggle"'
  'run-04 ARGS="--juggle -c 30 -n 100"'
  'run-04 ARGS="--juggle -c 30"'
  'run-04 ARGS="-n 5"'
  'run-04 ARGS="-t 1"'
  'run-04 ARGS="-t 1 -q"'
  'run-04 DELAY=1000 ARGS="-n 3"'
  'run-05'
  'run-05 ARGS="--timeline"'
  'run-05 ARGS="-c 5 --timeline"'
  'run-05 ARGS="-c 3 -v"'
  'run-05 ARGS="-c 3 -v -n 5"'
  'run-05 ARGS="-c 3 -v -n 4" PAGES=5'
  'run-05 ARGS="-c 5000"'
  'run-05 ARGS="-c 5000" EXPECT=2'
  'run-05 ARGS="-c 20"'
  'run-05 ARGS="-c 200"'
  'run-05 PAGES=3000 ARGS="-q"'
  'run-06'
  'run-06 ARGS="--part 1"'
  'run-06 ARGS="--part 3"'
  'run-06 ARGS="--part 4"'
  'run-06 ARGS="--part 5 --hog"'
  'run-07'
  'run-07 ARGS="--timeline"'
  'run-07 ARGS="-c 1"'
  'run-07 ARGS="-c 2 -n 4 -v"'
  'run-07 ARGS="-c 2 -v -n 4" PAGES=5'
  'run-07 PAGES=3000 ARGS="-q -c 5000 -n 3001"'
  'run-08'
  'run-08 ARGS="--timeline"'
  'run-08 ARGS="-c 5 --timeline"'
  'run-08 ARGS="-c 3 -v"'
  'run-08 ARGS="-c 3 -v -n 6" PAGES=5'
  'run-08 ARGS="-c 1000 -q"'
  'run-08 START=/fault/many-links ARGS="-q -c 1000 -n 1001"'
  'run-08 PAGES=1000 ARGS="-c 1000"'
  'run-08 PAGES=2000 ARGS="-c 1000"'
  'run-08 PAGES=2000 ARGS="-c 1000 --stack 64"'
  'run-09'
  'run-09 ARGS="-c 1000"'
  'run-09 ARGS="-c 2000"'
  'run-09 ARGS="--poller poll"'
  'run-09 ARGS="--poller select"'
  'run-09 ARGS="--svg c10k.svg"'
  'run-09 DELAY=5000'
  'run-09 DELAY=10000'
  'run-09 DELAY=10000 ARGS="-t 30"'
  'run-10'
  'run-10 ARGS="-q"'
  'run-10 ARGS="-n 0.1 -r 3"'
  'run-10 ARGS="-n 0.02 -r 3"'
  'run-10 ARGS="-n 0.01 -r 1"'
  'run-11'
  'run-11 ARGS="--stack 64"'
  'run-11 ARGS="--stack 1024"'
  'run-12'
)

# too_wide: the lines of stdin over 80 characters (a summary: line aside), each as
# "COLUMNS: LINE", the line cut at 100 characters.
too_wide() {
  local LC_ALL=C.UTF-8 line
  while IFS= read -r line || [ -n "$line" ]; do
    [[ "$line" == summary:\ * ]] && continue
    [ "${#line}" -le 80 ] || printf '%s: %s\n' "${#line}" "${line:0:100}"
  done
}

# invoke ENTRY: run one entry of INVOCATIONS as `make` would, stdout and stderr together.
invoke() {
  local target pages= delay= start= args=() word
  eval "set -- $1"
  target=$1
  shift
  for word in "$@"; do
    case $word in
      ARGS=*) read -r -a args <<<"${word#ARGS=}" ;;
      PAGES=*) pages=${word#PAGES=} ;;
      DELAY=*) delay=${word#DELAY=} ;;
      START=*) start=${word#START=} ;;
    esac
  done
  local number=${target#run-} src
  src=$(ls "$TOP_DIR"/examples/"$number"-*.c)
  if [ "$number" = 00 ]; then
    # A free port instead of 8080 (so that two runs never collide), then a short crawl
    # for -v to log, then Ctrl-C: the server's report.
    local opts=() i
    for ((i = 0; i < ${#args[@]}; i++)); do
      [ "${args[i]}" = --port ] && { i=$((i + 1)); continue; }
      opts+=("${args[i]}")
    done
    start_labserver "${opts[@]}" || return 1
    timeout 20 "$BIN_DIR/03-blocking-fetch" -q -n 5 "$LAB_URL" >/dev/null 2>&1
    kill -INT "$LAB_PID"
    stop_labserver
    cat "$LAB_LOG"
    return 0
  fi
  cd "$BATS_TEST_TMPDIR" # where a documented --svg FILE goes
  BIN_DIR="$BIN_DIR" PAGES="$pages" DELAY="$delay" START="$start" URL= \
    timeout -k 2 120 "$TOP_DIR/tests/tools/lab-run.sh" "$src" "${args[@]}" 2>&1 </dev/null
}

# check_example NN: every invocation of example NN fits; all the wide lines are reported.
check_example() {
  local entry out wide report= count=0
  for entry in "${INVOCATIONS[@]}"; do
    [[ "$entry" == "run-$1" || "$entry" == "run-$1 "* ]] || continue
    count=$((count + 1))
    out=$(invoke "$entry") || true # a documented refusal (exit 1 or 2) is output too
    [ -n "$out" ] || { echo "make $entry printed nothing"; return 1; }
    wide=$(too_wide <<<"$out")
    [ -z "$wide" ] ||
      report+="make $entry: $(wc -l <<<"$wide") lines over 80 columns, the first:"$'\n'"$(head -n 5 <<<"$wide")"$'\n'
  done
  [ "$count" -gt 0 ] || { echo "no invocation of $1 in the list"; return 1; }
  [ -z "$report" ] || { printf '%s' "$report"; return 1; }
}

@test "width: the counter counts characters, not bytes, and exempts the summary line" {
  [ -z "$(printf '%s\n' "$(printf 'µ%.0s' {1..80})" | too_wide)" ]
  [ -n "$(printf '%s\n' "$(printf 'x%.0s' {1..81})" | too_wide)" ]
  [ -z "$(printf 'summary: %s\n' "$(printf 'x%.0s' {1..100})" | too_wide)" ]
}

@test "width: every example is in the list of invocations" {
  local src n
  for src in "$TOP_DIR"/examples/[0-9][0-9]-*.c; do
    n=$(basename "$src")
    printf '%s\n' "${INVOCATIONS[@]}" | grep -qx "run-${n%%-*}" || { echo "run-${n%%-*} missing"; return 1; }
  done
}

@test "width: every make run-NN the docs and example headers show is in the list" {
  # Placeholders (URL=..., -c N, a server of your own) and macOS-only kqueue runs aside; a docs edit that adds an
  # invocation adds it to INVOCATIONS too.
  local shown missing
  shown=$(cd "$TOP_DIR" && grep -rhoE \
    'make run-[0-9]{2}( +(ARGS="[^"]*"|PAGES=[0-9]+|DELAY=[0-9]+|START=/[^ `]*|EXPECT=[0-9]+|URL=[^ `]*))*' \
    docs/*.md examples/*.c README.md | sed 's/^make //' | grep -v 'URL=\| N"\|kqueue' | sort -u)
  missing=$(comm -23 <(printf '%s\n' "$shown") <(printf '%s\n' "${INVOCATIONS[@]}" | sort -u))
  [ -z "$missing" ] || { echo "not in INVOCATIONS:"; echo "$missing"; return 1; }
}

@test "width: 00-labserver fits 80 columns" { check_example 00; }
@test "width: 01-fork-exec fits 80 columns" { check_example 01; }
@test "width: 02-threads fits 80 columns" { check_example 02; }
@test "width: 03-blocking-fetch fits 80 columns" { check_example 03; }
@test "width: 04-busy-loop fits 80 columns" { check_example 04; }
@test "width: 05-select-fetch fits 80 columns" { check_example 05; }
@test "width: 06-generator-loop fits 80 columns" { check_example 06; }
@test "width: 07-coroutine-crawl fits 80 columns" { check_example 07; }
@test "width: 08-thread-crawl fits 80 columns" { check_example 08; }
@test "width: 09-epoll-c10k fits 80 columns" { check_example 09; }
@test "width: 10-cost-of-concurrency fits 80 columns" { check_example 10; }
@test "width: 11-thread-limit fits 80 columns" { check_example 11; }
@test "width: 12-wait-cost fits 80 columns" { check_example 12; }

@test "width: make help fits 80 columns" {
  run env -u MAKEFLAGS -u MAKELEVEL make -s --no-print-directory -C "$TOP_DIR" help
  [ "$status" -eq 0 ]
  local wide
  wide=$(too_wide <<<"$output")
  [ -z "$wide" ] || { echo "$wide"; return 1; }
}

@test "width: make compare fits 80 columns" {
  # What `make compare` runs, on the binaries this run tests.
  run env BIN_DIR="$BIN_DIR" "$TOP_DIR/tests/tools/compare.sh"
  [ "$status" -eq 0 ] || { echo "$output"; return 1; }
  local wide
  wide=$(too_wide <<<"$output")
  [ -z "$wide" ] || { echo "$wide"; return 1; }
}
