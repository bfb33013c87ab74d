#!/usr/bin/env bats
# docs/07's side by side of 05 (callbacks) and 07 (one function): the counts it states are
# what tests/tools/fetch-shape.sh prints from the code now, so the page cannot drift.

load test_helper

TOP="$BATS_TEST_DIRNAME/.."
DOC="$TOP/docs/07-coroutine-crawl.md"

# The doc's copy of the script's output: the fenced block that opens with
# "```output exact tests/tools/fetch-shape.sh" (make docs-check re-runs it too, numbers masked).
quoted_table() {
  awk '$0 == "```output exact tests/tools/fetch-shape.sh" { on = 1; next } on && /^```/ { exit }
       on { print }' "$DOC"
}

# figure ROW COLUMN: one count of the script's table (COLUMN 1 = 05, 2 = 07).
figure() {
  awk -v row="$1" -v col="$2" 'index($0, row) == 1 { print $(NF - 2 + col); exit }' \
    <<<"$shape"
}

@test "fetch-shape: the script counts 05's callbacks and 07's one function" {
  run "$TOP/tests/tools/fetch-shape.sh"
  [ "$status" -eq 0 ]
  shape=$output
  # 07's fetch is one function; 05's is split into several; both name their state struct.
  [ "$(figure 'functions the fetch' 2)" -eq 1 ]
  [ "$(figure 'functions the fetch' 1)" -ge 3 ]
  [[ "$output" == *"07: fetch_page; struct frame"* ]]
  [[ "$output" == *"05: "*"on_readable"*"; struct fetch_cb"* ]]
  # Three AWAIT_* lines in 07's fetch_page, as in the source.
  [ "$(figure 'places where it waits' 2)" -eq \
    "$(awk '/^static int fetch_page\(/,/^}/' "$TOP/examples/07-coroutine-crawl.c" |
      grep -cE 'AWAIT_(READABLE|WRITABLE)\(')" ]
  # Everything it prints fits 80 columns.
  ! awk 'length($0) > 80 { print; bad = 1 } END { exit !bad }' <<<"$output"
}

@test "fetch-shape: it counts what it says (a function added to 05 changes the counts)" {
  local copy="$BATS_TEST_TMPDIR/05.c"
  { cat "$TOP/examples/05-select-fetch.c"
    printf '%s\n' '' 'static void on_extra(struct loop *loop, struct fetch_cb *fc)' '{' \
      '    /* a comment */' '' '    watch(loop, fc, FETCH_WANT_READ, on_readable);' \
      '    fetch_recv(&fc->f);' '}'
  } >"$copy"
  run "$TOP/tests/tools/fetch-shape.sh" "$TOP/examples/05-select-fetch.c" "$copy"
  [ "$status" -eq 0 ]
  shape=$output
  [ "$(figure 'functions the fetch' 2)" -eq $(($(figure 'functions the fetch' 1) + 1)) ]
  [ "$(figure 'lines of those' 2)" -eq $(($(figure 'lines of those' 1) + 7)) ]
  [ "$(figure '  of which code' 2)" -eq $(($(figure '  of which code' 1) + 5)) ]
  [ "$(figure 'places where it waits' 2)" -eq $(($(figure 'places where it waits' 1) + 1)) ]
  [ "$(figure 'fields of the struct' 2)" -eq "$(figure 'fields of the struct' 1)" ]
}

@test "fetch-shape: docs/07 quotes the script's output as it is now" {
  run "$TOP/tests/tools/fetch-shape.sh"
  [ "$status" -eq 0 ]
  diff <(quoted_table) <(printf '%s\n' "$output") || {
    echo "docs/07 is stale: paste the output of tests/tools/fetch-shape.sh"; return 1; }
}

@test "fetch-shape: docs/07's prose states the same figures as the script" {
  run "$TOP/tests/tools/fetch-shape.sh"
  shape=$output
  grep -qF "**$(figure 'functions the fetch' 1) functions against $(figure 'functions the fetch' 2).**" "$DOC"
  grep -qF "**$(figure 'lines of those' 1) lines against $(figure 'lines of those' 2), $(figure '  of which code' 1) of code against $(figure '  of which code' 2)**" "$DOC"
  grep -qF "**$(figure 'fields of the struct' 1) fields against $(figure 'fields of the struct' 2)**" "$DOC"
  grep -qF "**$(figure 'places where it waits' 1) waits against $(figure 'places where it waits' 2)**" "$DOC"
}
