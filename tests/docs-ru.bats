load test_helper

# The Russian edition (docs/ru/) against the English docs (docs/): tests/tools/docs-sync.sh
# decides whether the two are in step (every page in both languages, the same code blocks
# with `#` comments ignored); the fixture in tests/fixtures/docs-sync shows that it fails
# when a command is removed from either side.

SYNC="$TESTS_DIR/tools/docs-sync.sh"
FIXTURE="$TESTS_DIR/fixtures/docs-sync"

setup() {
  WORK="$BATS_TEST_TMPDIR/docs"
  mkdir -p "$WORK/ru"
  cp "$FIXTURE/page.md" "$WORK/page.md"
  cp "$FIXTURE/ru/page.md" "$WORK/ru/page.md"
}

@test "docs-ru: the repository's docs and docs/ru are in step" {
  run "$SYNC"
  echo "$output"
  [ "$status" -eq 0 ]
}

@test "docs-ru: the fixture is in step, with translated # comments" {
  run "$SYNC" "$WORK"
  echo "$output"
  [ "$status" -eq 0 ]
  grep -q 'собрать' "$WORK/ru/page.md"
}

@test "docs-ru: a command removed from the Russian page fails, naming the page and the command" {
  sed -i '/ARGS="-c 5"/d' "$WORK/ru/page.md"
  run "$SYNC" "$WORK"
  echo "$output"
  [ "$status" -eq 1 ]
  [[ "$output" == *"page.md: code blocks differ"* ]]
  [[ "$output" == *'-make run-03 ARGS="-c 5"'* ]]
}

@test "docs-ru: a command removed from the English page fails too" {
  sed -i '/ARGS="-c 5"/d' "$WORK/page.md"
  run "$SYNC" "$WORK"
  echo "$output"
  [ "$status" -eq 1 ]
  [[ "$output" == *'+make run-03 ARGS="-c 5"'* ]]
}

@test "docs-ru: a changed output sample, a changed fence info string and a changed C comment fail" {
  sed -i 's/wall=3.222s/wall=3.333s/' "$WORK/ru/page.md"
  run "$SYNC" "$WORK"
  [ "$status" -eq 1 ]
  cp "$FIXTURE/ru/page.md" "$WORK/ru/page.md"
  sed -i '/^Настоящий вывод:/,/^```$/ s/^```$/```text/' "$WORK/ru/page.md"
  run "$SYNC" "$WORK"
  [ "$status" -eq 1 ]
  [[ "$output" == *"info=text"* ]]
  cp "$FIXTURE/ru/page.md" "$WORK/ru/page.md"
  sed -i 's|/\* wait here \*/|/* ждём здесь */|' "$WORK/ru/page.md"
  run "$SYNC" "$WORK"
  [ "$status" -eq 1 ]
}

@test "docs-ru: a block missing on one side fails" {
  sed -i '/^Настоящий вывод/,/^```$/{/^Настоящий/!d}' "$WORK/ru/page.md"
  sed -i '/^summary:/,/^```$/d' "$WORK/ru/page.md"
  run "$SYNC" "$WORK"
  echo "$output"
  [ "$status" -eq 1 ]
}

@test "docs-ru: a page in one language only fails; results.md may stay English" {
  printf '# new\n' >"$WORK/new.md"
  run "$SYNC" "$WORK"
  [ "$status" -eq 1 ]
  [[ "$output" == *"new.md: English page without a Russian one"* ]]
  rm "$WORK/new.md"
  printf '# новая\n' >"$WORK/ru/extra.md"
  run "$SYNC" "$WORK"
  [ "$status" -eq 1 ]
  [[ "$output" == *"ru/extra.md: Russian page without an English one"* ]]
  rm "$WORK/ru/extra.md"
  printf '# results\n```\nx\n```\n' >"$WORK/results.md"
  run "$SYNC" "$WORK"
  [ "$status" -eq 0 ]
}

@test "docs-ru: --update copies changed English blocks, keeps the prose and untouched comments" {
  sed -i 's/wall=3.222s/wall=4.000s/; s/make run-03 ARGS="-c 5" /make run-03 ARGS="-c 9" /' \
    "$WORK/page.md"
  run "$SYNC" "$WORK"
  [ "$status" -eq 1 ]
  run "$SYNC" --update "$WORK"
  echo "$output"
  [ "$status" -eq 0 ]
  # the blocks are in step; the changed line came with its English comment, which the word
  # check names until it is translated, while the unchanged line kept its Russian one
  run "$SYNC" "$WORK"
  echo "$output"
  [ "$status" -eq 1 ]
  [[ "$output" == *"page.md:7: comment: "*"# five at once"* ]]
  [[ "$output" != *"code blocks differ"* ]]
  grep -q '^make run-03                 # собрать, запустить сервер, обойти сайт$' "$WORK/ru/page.md"
  sed -i 's/# five at once/# пять сразу/' "$WORK/ru/page.md"
  run "$SYNC" "$WORK"
  [ "$status" -eq 0 ]
  grep -q 'wall=4.000s' "$WORK/ru/page.md"
  grep -q 'ARGS="-c 9"' "$WORK/ru/page.md"
  grep -q '^Настоящий вывод:$' "$WORK/ru/page.md"
  grep -q '^# 03: страница$' "$WORK/ru/page.md"
  # the C block matched, so it was left as it was
  [ "$(grep -c '^```' "$WORK/ru/page.md")" -eq 6 ]
}

@test "docs-ru: --update refuses a page whose block count differs and leaves it alone" {
  printf '\n```sh\nmake test\n```\n' >>"$WORK/page.md"
  cp "$WORK/ru/page.md" "$BATS_TEST_TMPDIR/before.md"
  run "$SYNC" --update "$WORK"
  echo "$output"
  [ "$status" -eq 1 ]
  [[ "$output" == *"4 code blocks in English, 3 in Russian"* ]]
  cmp "$WORK/ru/page.md" "$BATS_TEST_TMPDIR/before.md"
}

@test "docs-ru: every Russian page is written in Russian and its links resolve" {
  local page link target bad=0
  for page in "$TOP_DIR"/docs/ru/*.md; do
    # UTF-8 Cyrillic letters start with byte 0xD0 or 0xD1 (no locale needed)
    [ "$(LC_ALL=C grep -c $'[\xd0\xd1]' "$page")" -ge 5 ] ||
      { echo "hardly any Cyrillic in $page"; bad=1; }
    while IFS= read -r link; do
      target=${link%%#*}
      [ -n "$target" ] || continue
      case $target in http://* | https://*) continue ;; esac
      [ -e "$(dirname "$page")/$target" ] || { echo "$page: broken link $link"; bad=1; }
    done < <(grep -o '](\([^)]*\))' "$page" | sed 's/^](//; s/)$//')
  done
  [ "$bad" -eq 0 ]
}

@test "docs-ru: README links the Russian edition in its first lines" {
  head -n 5 "$TOP_DIR/README.md" | grep -qF 'Русская версия: [docs/ru/README.md](docs/ru/README.md)'
}

# pyc_rows FILE HEADING_REGEX: the body rows of the Python -> C table under the heading, one
# line each as "FIRST<TAB>LAST": the code spans of the first and of the last column.
pyc_rows() {
  sed 's/\\|/<pipe>/g' "$1" | awk -v heading="$2" '
    $0 ~ heading { on = 1; next }
    on && /^## / { exit }
    on && /^\| / { rows++; if (rows > 1) print }' | grep -v '^|---' |
    while IFS= read -r row; do
      row=${row#| }
      row=${row% |}
      printf '%s\t%s\n' "$(grep -oE '`[^`]+`' <<<"${row%% | *}" | tr '\n' ' ')" \
        "$(grep -oE '`[^`]+`' <<<"${row##* | }" | tr '\n' ' ')"
    done
}

@test "docs-ru: the Python -> C map names files, functions and macros that exist" {
  # The last column's spans, as in tests/docs-names.bats: `path: name`, `path`, or `name`
  # (defined in the file named last).
  local rows span path name count=0 bad=0
  rows=$(pyc_rows "$TOP_DIR/docs/ru/README.md" '^## Python → C')
  [ "$(wc -l <<<"$rows")" -ge 8 ]
  while read -r span; do
    span=${span#\`}
    span=${span%\`}
    case $span in
    *": "*) path=${span%%: *} name=${span#*: } ;;
    */*.[ch]) path=$span name= ;;
    *) name=$span ;;
    esac
    count=$((count + 1))
    [ -f "$TOP_DIR/$path" ] || { echo "no file $path"; bad=1; continue; }
    [ -z "$name" ] || grep -qE "^#define $name([^A-Za-z0-9_]|\$)|^[A-Za-z_][A-Za-z0-9_ *]*[ *]$name\(" \
      "$TOP_DIR/$path" || { echo "$path does not define $name"; bad=1; }
  done < <(cut -f2 <<<"$rows" | grep -oE '`[^`]+`')
  echo "$count names checked"
  [ "$count" -ge 20 ]
  [ "$bad" -eq 0 ]
}

@test "docs-ru: the Python -> C map has the English table's rows, with the same names" {
  local en ru
  en=$(pyc_rows "$TOP_DIR/docs/README.md" "^## .*Python")
  [ -n "$en" ] || skip "docs/README.md has no Python -> C table yet"
  ru=$(pyc_rows "$TOP_DIR/docs/ru/README.md" '^## Python → C')
  diff <(printf '%s\n' "$en") <(printf '%s\n' "$ru")
}

# claim_rows FILE: "N|examples" for each row of the claim table (rows "| N | claim | examples |"
# with N from 1 to 99 that are not index rows, whose second column is a link).
claim_rows() {
  grep -E '^\| [1-9][0-9]? \| ' "$1" | awk -F'|' '$3 !~ /^ *\[/ {
    gsub(/ /, "", $2); gsub(/ /, "", $4); print $2 "|" $4 }'
}

@test "docs-ru: the Russian claim map has the English one's claims, numbered alike, with the same examples" {
  local en ru
  en=$(claim_rows "$TOP_DIR/docs/README.md")
  ru=$(claim_rows "$TOP_DIR/docs/ru/README.md")
  [ -n "$en" ]
  diff <(printf '%s\n' "$en") <(printf '%s\n' "$ru")
}

@test "docs-ru: --stale names a Russian page whose English original changed after --mark" {
  run "$SYNC" --stale "$WORK"
  [ "$status" -eq 1 ]
  [[ "$output" == *"ru/page.md: never marked as reviewed"* ]]
  run "$SYNC" --mark "$WORK"
  [ "$status" -eq 0 ]
  run "$SYNC" --stale "$WORK"
  [ "$status" -eq 0 ]
  sed -i 's/^Run it:$/Run it like this:/' "$WORK/page.md"
  run "$SYNC" --stale "$WORK"
  echo "$output"
  [ "$status" -eq 1 ]
  [[ "$output" == *"ru/page.md: docs/page.md changed since the review"* ]]
  # the code blocks are still in step: the default check passes and only notes it
  run --separate-stderr "$SYNC" "$WORK"
  [ "$status" -eq 0 ]
  [[ "$stderr" == *"1 Russian page(s) were reviewed against an older English page"* ]]
  run "$SYNC" --mark page.md "$WORK"
  run "$SYNC" --stale "$WORK"
  [ "$status" -eq 0 ]
  [ "$(grep -c '^<!-- en: ' "$WORK/ru/page.md")" -eq 1 ]
}

# The words of the Russian edition (tests/tools/docs-ru-lint.sh, run by tests/tools/docs-sync.sh): each rule
# passes on the real pages and on tests/fixtures/docs-sync/lint/ok, and fails on its fixture.
LINT="$TESTS_DIR/tools/docs-ru-lint.sh"
LINT_FIXTURES="$TESTS_DIR/fixtures/docs-sync/lint"

@test "docs-ru lint: the real pages and the good fixture pass" {
  run "$LINT"
  echo "$output"
  [ "$status" -eq 0 ]
  run "$LINT" "$LINT_FIXTURES/ok"
  echo "$output"
  [ "$status" -eq 0 ]
}

@test "docs-ru lint: an English # comment in a Russian code block fails, a Russian one and #0 output pass" {
  run "$LINT" "$LINT_FIXTURES/comment"
  echo "$output"
  [ "$status" -eq 1 ]
  [[ "$output" == *"page.md:8: comment: "*"# one thread: nothing is lost"* ]]
  [ "$(grep -c . <<<"$output")" -eq 1 ]
}

@test "docs-ru lint: «загрузка» before a decimal number (the load average) fails; «32 загрузки» passes" {
  run "$LINT" "$LINT_FIXTURES/load"
  echo "$output"
  [ "$status" -eq 1 ]
  [[ "$output" == *"page.md:4: load: "*"(загрузка 7.5)"* ]]
  [ "$(grep -c . <<<"$output")" -eq 1 ]
  mkdir -p "$BATS_TEST_TMPDIR/avg"
  sed 's/Средняя нагрузка/Средняя загрузка/' "$LINT_FIXTURES/ok/page.md" >"$BATS_TEST_TMPDIR/avg/page.md"
  run "$LINT" "$BATS_TEST_TMPDIR/avg"
  [ "$status" -eq 1 ]
  [[ "$output" == *"page.md:3: load: "* ]]
}

@test "docs-ru lint: «ребёнок/дети» fails, unless the allow-list names the line" {
  run "$LINT" "$LINT_FIXTURES/children"
  echo "$output"
  [ "$status" -eq 1 ]
  [[ "$output" == *"page.md:4: children: "*"создаёт ребёнка"* ]]
  mkdir -p "$BATS_TEST_TMPDIR/kids"
  printf '# страница\n\nДети у Ады — трое, и ни один не процесс.\n' >"$BATS_TEST_TMPDIR/kids/page.md"
  run "$LINT" "$BATS_TEST_TMPDIR/kids"
  [ "$status" -eq 1 ]
  printf 'у Ады — трое\n' >"$BATS_TEST_TMPDIR/allow"
  DOCS_RU_LINT_ALLOW="$BATS_TEST_TMPDIR/allow" run "$LINT" "$BATS_TEST_TMPDIR/kids"
  [ "$status" -eq 0 ]
  # a word after a guillemet or a dash is still a word
  printf '# страница\n\nСигнал получают «дети» — и ребёнок тоже.\n' >"$BATS_TEST_TMPDIR/kids/page.md"
  run "$LINT" "$BATS_TEST_TMPDIR/kids"
  [ "$status" -eq 1 ]
  # «детали» and «детерминированный» are other words
  printf '# страница\n\nДетали детерминированы.\n' >"$BATS_TEST_TMPDIR/kids/page.md"
  run "$LINT" "$BATS_TEST_TMPDIR/kids"
  [ "$status" -eq 0 ]
}

@test "docs-ru lint: docs-sync.sh runs it, so make docs-ru-check fails on a broken rule" {
  cp "$LINT_FIXTURES/children/page.md" "$WORK/ru/other.md"
  cp "$LINT_FIXTURES/children/page.md" "$WORK/other.md"
  run "$SYNC" "$WORK"
  echo "$output"
  [ "$status" -eq 1 ]
  [[ "$output" == *"other.md:4: children: "* ]]
  sed -i 's/создаёт ребёнка/создаёт дочерний процесс/' "$WORK/ru/other.md"
  run "$SYNC" "$WORK"
  [ "$status" -eq 0 ]
}
