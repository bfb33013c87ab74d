#!/usr/bin/env bash
# hall.sh [--sheet FILE] [--step N] — the rehearsal: what `make test-hall` runs.
#
# The run sheet (docs/lecture.md) is given in a hall: a terminal of 80 columns and 30 rows,
# projected. This script types every command of the sheet (the command of each ```output
# block) into such a terminal (a tmux pane of 80x30, one fresh pane per command), waits for
# it to end, and looks at what the hall saw. A command fails when:
#
#   - a line of its output block in the sheet is not on the last screen (numbers masked,
#     runs of whitespace and the rows a line was wrapped into joined: the program's own
#     wrapping of a long line at spaces and the terminal's wrapping both count as one line);
#   - a row of the screen splits a word or a number: a row ends in a letter or digit and
#     the next row, the rest of the same line, starts with one;
#   - nothing appears within 2 s of Enter (HALL_FIRST_OUTPUT=seconds changes the bound);
#   - it exits with a status other than 0.
#
# Everything is built first (`make all`, as the sheet says: build before the hall), so that
# the first-output time is the program's, not the compiler's. Per command it prints the
# rows the command printed, how many of them the last screen shows, the sheet's lines found
# on it and the time to first output, and it ends with "N passed, M failed" (one per
# command). Without tmux it says so and skips (0 passed, 0 failed).
set -u
export LC_ALL=C.UTF-8
locale -a 2>/dev/null | grep -qi '^c\.utf-\{0,1\}8$' || export LC_ALL=C

sheet=docs/lecture.md
only=
while [ $# -gt 0 ]; do
  case $1 in
    --sheet) sheet=$2; shift ;;
    --step) only=$2; shift ;;
    -h | --help) sed -n '2,/^set -u/p' "$0" | sed 's/^# \{0,1\}//;/^set -u/d'; exit 0 ;;
    *) echo "hall: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
cd "$(dirname "$0")/../.." || exit 2
unset TMUX TMUX_PANE # inside a tmux of one's own, the rehearsal's server is still its own
COLS=80
ROWS=30
first_bound=${HALL_FIRST_OUTPUT:-2}
timeout_s=${HALL_TIMEOUT:-300}

if ! command -v tmux >/dev/null 2>&1; then
  echo "hall: tmux is not installed (apt-get install tmux): the rehearsal is skipped"
  echo "0 passed, 0 failed"
  exit 0
fi
[ -f "$sheet" ] || { echo "hall: no such sheet: $sheet" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/hall.XXXXXX")
sock="hall-$$"
cleanup() {
  tmux -L "$sock" kill-server 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT TERM

# The commands run as a lecturer's would: no make flags or lab knobs from outside.
clean_env=(env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS -u LAB_URL -u URL -u PAGES -u DELAY
  -u ARGS -u EXPECT -u TMUX -u TMUX_PANE)

if [ "$sheet" = docs/lecture.md ]; then
  echo "hall: make all (build first, as the sheet says)"
  "${clean_env[@]}" make -s all >"$work/build.log" 2>&1 || {
    cat "$work/build.log"
    echo "0 passed, 1 failed"
    exit 1
  }
fi

# mask: numbers become N, blanks one space, none at either end.
mask() {
  sed -E 's/0x[0-9a-fA-F]+/0xN/g; s/[0-9]+([.,:][0-9]+)*/N/g; s/[[:space:]]+/ /g; s/^ //; s/ $//'
}

now() { date +%s.%N; }

# run_in_pane CMD: types CMD into a fresh 80x30 pane; sets status, first (seconds to first
# output, or "never"), and leaves the screens in $work/screen (joined rows) and $work/all.
run_in_pane() {
  local cmd=$1
  tmux -L "$sock" kill-server 2>/dev/null
  rm -f "$work/status"
  printf 'set -g history-limit 200000\nset -g status off\n' >"$work/tmux.conf"
  "${clean_env[@]}" TERM=xterm PS1='$ ' PROMPT_COMMAND="echo \$? >>'$work/status'" \
    tmux -L "$sock" -f "$work/tmux.conf" new-session -d -s hall -x $COLS -y $ROWS \
    "env PS1='\$ ' bash --norc --noprofile -i"
  local i
  for i in $(seq 1 100); do
    [ -s "$work/status" ] && break
    sleep 0.05
  done
  # (The prompt is printed just after PROMPT_COMMAND runs: let readline take the terminal.)
  sleep 0.2
  : >"$work/status"
  tmux -L "$sock" send-keys -t hall -l "$cmd"
  tmux -L "$sock" send-keys -t hall Enter
  local t0 t
  t0=$(now)
  first=never
  status=timeout
  while :; do
    t=$(now)
    if [ "$first" = never ] &&
      tmux -L "$sock" capture-pane -p -J -t hall | sed 1d | grep -q '[^[:space:]$]'; then
      first=$(awk -v a="$t0" -v b="$t" 'BEGIN { printf "%.2f", b - a }')
    fi
    if [ -s "$work/status" ]; then
      status=$(tail -n 1 "$work/status")
      break
    fi
    if awk -v a="$t0" -v b="$t" -v m="$timeout_s" 'BEGIN { exit !(b - a > m) }'; then
      tmux -L "$sock" send-keys -t hall C-c
      sleep 1
      break
    fi
    sleep 0.05
  done
  tmux -L "$sock" capture-pane -p -J -t hall >"$work/screen"
  tmux -L "$sock" capture-pane -p -J -S - -t hall >"$work/all"
  tmux -L "$sock" kill-server 2>/dev/null
}

# rows_of FILE: how many terminal rows the joined lines of FILE take (trailing blank lines
# of the pane not counted).
rows_of() {
  local line n=0 len blank=0
  while IFS= read -r line; do
    len=${#line}
    if [ -z "${line//[[:space:]]/}" ]; then
      blank=$((blank + 1))
      continue
    fi
    n=$((n + blank + (len + COLS - 1) / COLS))
    blank=0
  done <"$1"
  echo "$n"
}

# split_rows FILE: each wrapped row that splits a word or a number, as "…end|start…".
split_rows() {
  local line k a b
  while IFS= read -r line; do
    for ((k = COLS; k < ${#line}; k += COLS)); do
      a=${line:k-1:1}
      b=${line:k:1}
      if [[ $a == [[:alnum:]] && $b == [[:alnum:]] ]]; then
        echo "${line:k-12:12}|${line:k:12}"
      fi
    done
  done <"$1"
}

passed=0
failed=0
step=
report=()
while IFS= read -r line || [ -n "$line" ]; do
  if [[ $line =~ ^##[[:space:]]+([0-9]+)\. ]]; then
    step=${BASH_REMATCH[1]}
    continue
  fi
  [[ $line =~ ^\`\`\`output[[:space:]]+([a-z,]+)[[:space:]]+(.+)$ ]] || continue
  cmd=${BASH_REMATCH[2]}
  body="$work/body"
  : >"$body"
  while IFS= read -r line && [[ $line != '```'* ]]; do printf '%s\n' "$line" >>"$body"; done
  [ -z "$only" ] || [ "$only" = "$step" ] || continue

  run_in_pane "$cmd" </dev/null
  # The hall's view: the last screen as one string (wrapped rows joined, blanks one space),
  # and every line the command printed (the command's own line aside).
  screen_text=" $(mask <"$work/screen" | tr '\n' ' ') "
  # (The prompt that came back after the command is not the command's.)
  sed 1d "$work/all" | awk '{ line[NR] = $0 } END { n = NR
      while (n > 0 && line[n] ~ /^[[:space:]]*$/) n--
      if (n > 0 && line[n] ~ /^\$ ?$/) n--
      for (i = 1; i <= n; i++) print line[i] }' >"$work/printed"
  rows=$(rows_of "$work/printed")
  on_screen=$(($(rows_of "$work/screen") - 1))
  [ "$on_screen" -gt "$rows" ] && on_screen=$rows
  problems=()
  found=0
  wanted=0
  while IFS= read -r want; do
    [[ $want =~ ^[[:space:]]*(\.\.\.|…)[[:space:]]*$ ]] && continue
    [ -n "${want//[[:space:]]/}" ] || continue
    wanted=$((wanted + 1))
    m=$(mask <<<"$want")
    if [[ $screen_text == *" $m "* ]]; then
      found=$((found + 1))
    else
      problems+=("not on the last screen: $want")
    fi
  done <"$body"
  while IFS= read -r s; do
    problems+=("a row splits a word or number: $s")
  done < <(split_rows "$work/printed")
  if [ "$first" = never ]; then
    problems+=("no output at all")
  elif awk -v f="$first" -v b="$first_bound" 'BEGIN { exit !(f > b) }'; then
    problems+=("nothing on the screen for ${first} s after Enter (bound: ${first_bound} s)")
  fi
  [ "$status" = 0 ] || problems+=("exit status $status")

  verdict=ok
  [ ${#problems[@]} -eq 0 ] || verdict=FAIL
  printf 'step %s: %s\n    %s rows printed, %s on the last screen; sheet lines on it: %s of %s;\n' \
    "$step" "$cmd" "$rows" "$on_screen" "$found" "$wanted"
  printf '    first output after %s s: %s\n' "$first" "$verdict"
  for p in "${problems[@]}"; do printf '    %s\n' "$p"; done
  if [ ${#problems[@]} -eq 0 ]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
  fi
done <"$sheet"

echo "${passed} passed, ${failed} failed"
[ "$failed" -eq 0 ]
