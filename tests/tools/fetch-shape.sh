#!/usr/bin/env bash
# fetch-shape.sh [FILE.c...] — how each crawler's source cuts one fetch up, counted from the
# code (docs/07 quotes this; tests/fetch-shape.bats checks that the quote is current).
#
# For each file (default: 05's callbacks and 07's coroutine), one fetch from connect() to
# its report, as the file writes it:
#   functions  the file's functions that run a step of the fetch after socket():
#              fetch_connect, fetch_connect_result, fetch_send, fetch_recv, fetch_report
#   fields     the members of the file's struct that holds the fetch record (a member
#              `struct fetch f;`): what the fetch keeps between two of those calls
#              besides the shared record itself
#   lines      the lines of those functions and of that struct, signature to closing
#              brace; "code" leaves out blank lines and comment-only lines
#   waits      the places where a fetch asks to wait for its socket: a watch() call in a
#              callback loop, an AWAIT_READABLE / AWAIT_WRITABLE line in a coroutine
# and, once, the fields of the shared struct fetch (common/fetch.h) that every crawler holds.
set -u
cd "$(dirname "$0")/../.." || exit 2
export LC_ALL=C
[ $# -gt 0 ] || set -- examples/05-select-fetch.c examples/07-coroutine-crawl.c
for file in "$@"; do
  [ -r "$file" ] || { echo "fetch-shape: cannot read $file" >&2; exit 2; }
done

# shape FILE: "name functions fields lines code waits fnames struct" for one file.
shape() {
  awk -v name="$(basename "$1" .c)" '
    function code_line(s) { # not blank, not only a comment
      sub(/^[ \t]+/, "", s)
      return s != "" && s !~ /^(\/\*|\*|\/\/)/
    }
    # A function starts at column 0 with a type, has "(" and is not a prototype.
    !in_fn && !in_struct && /^[a-z][a-z_ ]*[ *][a-z_]+\(/ && $0 !~ /;[ \t]*$/ {
      in_fn = 1; fn = $0; sub(/\(.*/, "", fn); sub(/.*[ *]/, "", fn)
      text = ""; n = 0; code = 0; w = 0
    }
    in_fn {
      text = text $0 "\n"; n++; code += code_line($0)
      if ($0 ~ /(^|[^a-z_])watch\(|AWAIT_(READABLE|WRITABLE)\(/) w++
      if ($0 ~ /^}/) {
        in_fn = 0
        if (text ~ /fetch_(connect|connect_result|send|recv|report)\(/) {
          fns++; fnames = fnames (fnames == "" ? "" : ",") fn
          lines += n; codes += code; waits += w
        }
      }
      next
    }
    /^struct [a-z_]+ \{/ { in_struct = 1; sname = $2; body = ""; n = 0; code = 0; nf = 0 }
    in_struct {
      n++; code += code_line($0)
      s = $0; sub(/\/\*.*/, "", s)
      if (s ~ /;[ \t]*$/ && s !~ /^}/) { nf += gsub(/,/, ",", s) + 1 }
      if (s ~ /^[ \t]+struct fetch f;/) holds = 1
      if ($0 ~ /^};/) {
        in_struct = 0
        if (holds) { fields = nf; slines = n; scode = code; struct_name = sname }
        holds = 0
      }
    }
    END {
      printf "%s %d %d %d %d %d %s %s\n", name, fns, fields, lines + slines, codes + scode,
             waits, fnames, struct_name
    }' "$1"
}

# The shared record: its declarators, counted the same way.
record_fields=$(awk '
  /^struct fetch \{/ { on = 1; next }
  on && /^};/ { exit }
  on { s = $0; sub(/\/\*.*/, "", s); if (s ~ /;[ \t]*$/) n += gsub(/,/, ",", s) + 1 }
  END { print n + 0 }' common/fetch.h)

rows=()
for file in "$@"; do
  rows+=("$(shape "$file")")
done

row() { # row LABEL FIELD: one line of the table, one column per file
  local label=$1 field=$2 r
  printf '%-40s' "$label"
  for r in "${rows[@]}"; do
    printf '%19s' "$(cut -d' ' -f"$field" <<<"$r")"
  done
  printf '\n'
}

echo "one fetch, connect() to report, as the code writes it"
row "" 1
row "functions the fetch is split into" 2
row "fields of the struct that holds it" 3
row "lines of those functions + the struct" 4
row "  of which code (no blanks, comments)" 5
row "places where it waits for the socket" 6
for r in "${rows[@]}"; do
  read -r name _ _ _ _ _ fnames struct_name <<<"$r"
  printf '%s: %s; struct %s\n' "${name%%-*}" "${fnames//,/, }" "$struct_name"
done
echo "both also hold the shared struct fetch: $record_fields fields (common/fetch.h)"
