#!/usr/bin/env bats
# The Python -> C table of docs/README.md: every file, function and macro it names must
# exist, so that the table cannot drift from the code. Its last column holds code spans:
# `path: name` (a file and a function or macro in it), `path` (a file alone), or `name`
# (another one in the file named last).

load test_helper

TOP="$BATS_TEST_DIRNAME/.."
TABLE_HEADING="## The lecture's Python, in C"

# table_rows: the body rows of the table under TABLE_HEADING (up to the next heading).
table_rows() {
  awk -v heading="$TABLE_HEADING" '
    $0 == heading { on = 1; next }
    on && /^## / { exit }
    on && /^\| / && !/^\| *Python in the lecture/ && !/^\|---/ { print }' "$TOP/docs/README.md"
}

# last_cell ROW: the text of the row's last column.
last_cell() {
  local row=${1% |}
  printf '%s\n' "${row##* | }"
}

# defined PATH NAME: PATH defines NAME, as a macro or as a function (a declaration or a
# definition that starts its line, as every function in this repository does).
defined() {
  grep -qE "^#define $2([^A-Za-z0-9_]|$)" "$TOP/$1" ||
    grep -qE "^[A-Za-z_][A-Za-z0-9_ *]*[ *]$2\(" "$TOP/$1"
}

# check_cell CELL: every reference in CELL exists; prints what it checked, one per line.
check_cell() {
  local span path="" name
  while read -r span; do
    span=${span#\`}
    span=${span%\`}
    if [[ "$span" == *": "* ]]; then
      path=${span%%: *}
      name=${span#*: }
    elif [[ "$span" == */*.[ch] ]]; then
      path=$span
      name=""
    else
      name=$span
    fi
    [ -n "$path" ] || { echo "'$span' comes before any file"; return 1; }
    [ -f "$TOP/$path" ] || { echo "no file $path"; return 1; }
    if [ -n "$name" ]; then
      [[ "$name" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || { echo "not a C name: '$name'"; return 1; }
      defined "$path" "$name" || { echo "$path does not define $name"; return 1; }
    fi
    echo "$path${name:+ $name}"
  done < <(grep -oE '`[^`]+`' <<<"$1")
}

@test "docs: the Python -> C table names only files, functions and macros that exist" {
  local rows row checked count=0
  rows=$(table_rows)
  [ -n "$rows" ] || { echo "no table under '$TABLE_HEADING' in docs/README.md"; false; }
  while IFS= read -r row; do
    checked=$(check_cell "$(last_cell "$row")") || { echo "row: $row"; echo "$checked"; false; }
    [ -n "$checked" ] || { echo "row names nothing: $row"; false; }
    count=$((count + $(wc -l <<<"$checked")))
  done <<<"$rows"
  [ "$count" -ge 30 ] || { echo "only $count references checked"; false; }
}

@test "docs: the Python -> C table covers the lecture's idioms and programs" {
  local rows
  rows=$(table_rows)
  # idiom or program, and the example that must be named on its row
  local pairs=(
    'sock.setblocking(False)|common/net.c: net_set_nonblocking'
    'BlockingIOError|EAGAIN'
    'selectors|examples/05-select-fetch.c'
    'a bare `yield`|GEN_YIELD'
    'yield from|GEN_AWAIT'
    'await coroutine()|GEN_AWAIT'
    'await asyncio.sleep|AWAIT_SLEEP'
    'asyncio.create_task|sched_spawn'
    '1_bad_socket.py|examples/04-busy-loop.c'
    '2_good_socket.py|examples/05-select-fetch.c'
    'event_loop.py|examples/06-generator-loop.c'
  )
  local pair python c row
  for pair in "${pairs[@]}"; do
    python=${pair%%|*}
    c=${pair#*|}
    row=$(grep -F -- "$python" <<<"$rows" | head -n 1)
    [ -n "$row" ] || { echo "no row for $python"; false; }
    [[ "$row" == *"$c"* ]] || { echo "the row for $python does not name $c: $row"; false; }
  done
}

@test "docs: the name check itself fails on a name that is not there" {
  ! defined examples/06-generator-loop.c no_such_function
  ! defined common/gen.h GEN_NO_SUCH_MACRO
  ! check_cell '`examples/06-generator-loop.c: fib_next`, `no_such_function`' >/dev/null
  ! check_cell '`examples/no-such-file.c: main`' >/dev/null
  ! check_cell '`fib_next`' >/dev/null # a name before any file
  defined examples/06-generator-loop.c fib_next
  defined common/gen.h GEN_YIELD
}
