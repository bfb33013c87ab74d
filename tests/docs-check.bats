#!/usr/bin/env bats
# docs-check.bats — tests of tests/tools/docs-check.sh itself, on a small made-up repository, so that
# `make docs-check` cannot pass by checking nothing: a drifted sample fails with a diff, a
# masked number passes, a cited function that does not exist fails, a line number fails,
# claim numbers that differ from the header fail, and `update` rewrites a sample.
# (The real docs are checked by `make docs-check`, which runs the examples.)

load test_helper

CHECK="$TESTS_DIR/tools/docs-check.sh"

setup() {
  FX="$BATS_TEST_TMPDIR/repo"
  mkdir -p "$FX/docs" "$FX/examples"
  cat >"$FX/examples/01-demo.c" <<'EOF'
/* 01-demo — a demo
 *
 * Lecture claims: 3 (threads are cheaper; PID 1 is not a claim), 5 (up to 2 cores).
 */
static int fetch_page(void) { return 0; }
EOF
  cat >"$FX/examples/02-other.c" <<'EOF'
/* 02-other — another
 *
 * Lecture claim 7: a loop burns 100% of a core.
 *
 * Lab server: --pages 30
 */
int main(void) { return 0; }
EOF
  cat >"$FX/README.md" <<'EOF'
| # | example | what it shows | lecture claims |
|---|---|---|---|
| 01 | [01-demo](docs/01-demo.md) | demo | 3, 5 |
| 02 | [02-other](docs/02-other.md) | other | 7 |
EOF
  cat >"$FX/docs/README.md" <<'EOF'
| # | claim | example | the line to point at |
|---|---|---|---|
| 3 | threads are cheaper | 01 | `x` |
| 5 | speedup | 01 | `y` |
| 7 | busy loop | 02 | `z` |
EOF
  # The "program" the samples run: prints what $FX/out holds.
  printf 'took 0.123s on port 4567\ntwo 1\nthree\nfour\nsummary: a=1 b=2\n' >"$FX/out"
  page "This is \`fetch_page()\` and \`main()\`."
}

# page TEXT: docs/01-demo.md with TEXT and one sample of `cat out`, given on stdin.
page() {
  {
    printf '**Lecture claims 3 and 5:** demo\n\n%s\n\n' "$1"
    if [ ! -t 0 ]; then cat; fi
  } >"$FX/docs/01-demo.md"
}

check() { run "$CHECK" "$@" --root "$FX"; }

@test "docs-check: a sample whose numbers differ passes (numbers, ports and times are masked)" {
  page "" <<'EOF'
```output exact cat out
took 9.999s on port 80
two 12345
three
four
summary: a=7 b=8
```
EOF
  check
  [ "$status" -eq 0 ]
  [[ "$output" == *"1 samples (1 commands run)"* ]]
}

@test "docs-check: a time or size may change its unit (1.3 µs on one machine, 900.0 ns on another)" {
  printf 'switch 900.0 ns  1.3 µs | rss 812 KiB took 0.5s\n' >"$FX/out"
  page "" <<'EOF'
```output exact cat out
switch 1.3 µs  2.0 ms | rss 1.8MiB took 12ms
```
EOF
  check
  [ "$status" -eq 0 ]
  printf 'switch 900.0 ns  1.3 µs | rss 812 KiB took 0.5 seconds\n' >"$FX/out"
  check
  [ "$status" -eq 1 ]
  [[ "$output" == *"no longer matches"* ]]
}

@test "docs-check: a sample that drifted fails with a diff" {
  page "" <<'EOF'
```output exact cat out
took 9.999s on port 80
two 1
three and a half
four
summary: a=1 b=2
```
EOF
  check
  [ "$status" -eq 1 ]
  [[ "$output" == *"no longer matches"* ]]
  [[ "$output" == *"-three and a half"* ]]
  [[ "$output" == *"+three"* ]]
}

@test "docs-check: a sample with a line missing at the end fails" {
  page "" <<'EOF'
```output exact cat out
took 9.999s on port 80
two 1
three
four
```
EOF
  check
  [ "$status" -eq 1 ]
}

@test "docs-check: '...' stands for any lines, but the lines around it must still match" {
  page "" <<'EOF'
```output exact cat out
took 1.000s on port 80
...
summary: a=1 b=2
```
EOF
  check
  [ "$status" -eq 0 ]
  page "" <<'EOF'
```output exact cat out
...
three
...
summary: a=1 b=2 c=3
```
EOF
  check
  [ "$status" -eq 1 ]
}

@test "docs-check: sorted ignores the order, not the content" {
  page "" <<'EOF'
```output sorted cat out
summary: a=1 b=2
four
three
two 5
took 1s on port 1
```
EOF
  check
  [ "$status" -eq 0 ]
  sed -i 's/^four$/five/' "$FX/docs/01-demo.md"
  check
  [ "$status" -eq 1 ]
}

@test "docs-check: shape ignores bar lengths and column widths, not the structure" {
  printf '/a      |=====      |\n/page/2 |   ======= |\n' >"$FX/out"
  page "" <<'EOF'
```output shape cat out
/a |==  |
/page/1    |        ==|
```
EOF
  check
  [ "$status" -eq 0 ]
  printf '/a      |=====      |\n/page/2 |   xxxxxxx |\n' >"$FX/out"
  check
  [ "$status" -eq 1 ]
}

@test "docs-check: keys compares the keys of key=value lines only" {
  page "" <<'EOF'
```output keys cat out
anything at all here
summary: a=100 b=200
```
EOF
  check
  [ "$status" -eq 0 ]
  sed -i 's/b=200/c=200/' "$FX/docs/01-demo.md"
  check
  [ "$status" -eq 1 ]
  [[ "$output" == *"summary: a= c="* ]]
}

@test "docs-check: update rewrites a drifted sample from a real run, then check passes" {
  page "" <<'EOF'
```output exact cat out
old line
```
EOF
  check
  [ "$status" -eq 1 ]
  run "$CHECK" update --root "$FX"
  [ "$status" -eq 0 ]
  grep -q '^took 0.123s on port 4567$' "$FX/docs/01-demo.md"
  ! grep -q '^old line$' "$FX/docs/01-demo.md"
  check
  [ "$status" -eq 0 ]
}

@test "docs-check: update leaves a matching sample alone; update --all refreshes its numbers" {
  page "" <<'EOF'
```output exact cat out
took 9.999s on port 80
   ...
summary: a=5 b=6
```
EOF
  cp "$FX/docs/01-demo.md" "$BATS_TEST_TMPDIR/before"
  run "$CHECK" update --root "$FX"
  [ "$status" -eq 0 ]
  cmp "$FX/docs/01-demo.md" "$BATS_TEST_TMPDIR/before"
  run "$CHECK" update --all --root "$FX"
  [ "$status" -eq 0 ]
  run cat "$FX/docs/01-demo.md"
  [[ "$output" == *$'took 0.123s on port 4567\n   ...\nsummary: a=1 b=2'* ]]
}

@test "docs-check: a cited function that does not exist fails" {
  page 'Read `fetch_page()` and `fetch_pages()`; `asyncio.run()` is Python.'
  check --only functions
  [ "$status" -eq 1 ]
  [[ "$output" == *'`fetch_pages()`'* ]]
  [[ "$output" != *'`fetch_page()` is cited'* ]]
  [[ "$output" != *'asyncio'* ]]
}

@test "docs-check: line numbers in prose fail, function names pass" {
  page 'See examples/01-demo.c:5 and line 175 of it.'
  check --only refs
  [ "$status" -eq 1 ]
  [[ "$output" == *"01-demo.c:5"* ]]
  [[ "$output" == *"line 175"* ]]
  page 'See `fetch_page()` in examples/01-demo.c; the output says `resume at line 81`.'
  check --only refs
  [ "$status" -eq 0 ]
}

@test "docs-check: claim numbers must agree with the example's header" {
  check --only claims
  [ "$status" -eq 0 ]
  sed -i 's/| 3, 5 |/| 3 |/' "$FX/README.md"
  sed -i 's/^| 7 | busy loop | 02 |/| 7 | busy loop | 01, 02 |/' "$FX/docs/README.md"
  check --only claims
  [ "$status" -eq 1 ]
  [[ "$output" == *"README.md: example 01 lists claims '3', its header says '3 5'"* ]]
  [[ "$output" == *"docs/README.md: the claim map puts example 01 under claims '3 5 7'"* ]]
}

@test "docs-check: the header's claims are the numbers before '(' or ':', not those in the text" {
  run bash -c "source <(sed -n '/^header_claims()/,/^}/p' '$CHECK'); header_claims '$FX/examples/01-demo.c'; echo; header_claims '$FX/examples/02-other.c'"
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = "3 5" ]
  [ "${lines[1]}" = "7" ]
}

@test "docs-check: update re-cuts an excerpt that drifted around the line it points at" {
  printf 'header 1\nsome new line\nblocked waiting 3.2 s of 3.3 s (now 99%%)\nother\nsummary: a=1\n' >"$FX/out"
  page "" <<'EOF2'
```output exact cat out
...
blocked waiting 3.2 s of 3.3 s (100%)
...
```
EOF2
  check
  [ "$status" -eq 1 ]
  run "$CHECK" update --root "$FX"
  [ "$status" -eq 0 ]
  run cat "$FX/docs/01-demo.md"
  [[ "$output" == *$'...\nblocked waiting 3.2 s of 3.3 s (now 99%)\n...'* ]]
  check
  [ "$status" -eq 0 ]
}

@test "docs-check: this repository's docs: no line numbers, cited functions exist, claims agree, Say: numbers shown, figures in their samples" {
  # The fast half of `make docs-check` (the samples are re-run by make docs-check itself).
  for part in refs functions claims say above; do
    run "$CHECK" --only "$part"
    echo "$output"
    [ "$status" -eq 0 ]
  done
}

@test "docs-check: every command of the run sheet (docs/lecture.md) is re-run by make docs-check" {
  # A command in a ```sh block must be the command of some ```output block of the page.
  local sheet="$TOP_DIR/docs/lecture.md" cmd missing=0
  [ -f "$sheet" ]
  while IFS= read -r cmd; do
    grep -q -F -x "\`\`\`output exact $cmd" "$sheet" ||
      grep -q -F -x "\`\`\`output keys $cmd" "$sheet" ||
      grep -q -F -x "\`\`\`output sorted $cmd" "$sheet" ||
      grep -q -F -x "\`\`\`output shape $cmd" "$sheet" || {
      echo "not re-run by docs-check: $cmd"
      missing=1
    }
  done < <(awk '/^```sh$/ { on = 1; next } /^```/ { on = 0 } on && NF' "$sheet")
  [ "$missing" -eq 0 ]
  [ "$(grep -c '^```output ' "$sheet")" -ge 10 ]
}

@test "docs-check: sorted,shape takes rows in any order and bars of any length" {
  printf 'timeline\n/page/2 |   ======= |\n/a      |=====      |\n' >"$FX/out"
  page "" <<'EOF2'
```output sorted,shape cat out
timeline
/a |==  |
/page/1    |        ==|
```
EOF2
  check
  [ "$status" -eq 0 ]
  printf 'timeline\n/page/2 |   ======= |\n/a      |=====      |\nextra\n' >"$FX/out"
  check
  [ "$status" -eq 1 ]
  [[ "$output" == *"+extra"* ]]
}

@test "docs-check: a claim-map quotation must be a line its command prints" {
  # A command is a backticked span starting with "make "; here a stand-in script plays make.
  mkdir -p "$FX/bin"
  printf '#!/bin/sh\ncat "%s/out"\n' "$FX" >"$FX/bin/make"
  chmod +x "$FX/bin/make"
  cat >"$FX/docs/README.md" <<'EOF2'
| # | claim | example | the line to point at |
|---|---|---|---|
| 3 | threads are cheaper | 01 | `make run-01`: `took 5.5s on port 80` and `summary: a=9 …`; `-c 5` is an option |
| 5 | speedup | 01 | `make run-01`: `two 7`, then `three` |
| 7 | busy loop | 02 | `make run-02`: `four` |
EOF2
  PATH="$FX/bin:$PATH" run "$CHECK" --only quotes --root "$FX"
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"3 claim-map quotations"* ]]
  sed -i 's/`three`/`three and a half`/; s/`make run-02`: `four`/`four lines` (no command)/' "$FX/docs/README.md"
  PATH="$FX/bin:$PATH" run "$CHECK" --only quotes --root "$FX"
  [ "$status" -eq 1 ]
  [[ "$output" == *"claim 5 quotes \`three and a half\`, which \`make run-01\` does not print"* ]]
  [[ "$output" == *"claim 7 quotes \`four lines\` but names no command"* ]]
}

@test "docs-check: every number of a Say: sentence is in a sample of its step" {
  cat >"$FX/docs/lecture.md" <<'EOF2'
## 1. A step

```output exact cat out
took 0.123s on port 4567
two 1
```

Point at step 3. Say: *it took 0.123 s, as 01 shows, on a
C10k machine with 1 line.*

## 2. Another step

```output exact cat out
summary: a=1 b=2
```

Say: *and 4567 is a port of step 1.*
EOF2
  check --only say
  echo "$output"
  [ "$status" -eq 1 ]
  [[ "$output" == *"docs/lecture.md:17: step 2's Say: sentence says 4567, which no sample of step 2 shows"* ]]
  [[ "$(grep -c 'Say: sentence says' <<<"$output")" -eq 1 ]]
  # Russian: the decimal comma is read as a point.
  mkdir -p "$FX/docs/ru"
  sed 's/Say: \*it took 0.123 s/Скажите: *это заняло 0,123 с/; s/4567/0,5/' "$FX/docs/lecture.md" \
    >"$FX/docs/ru/lecture.md"
  sed -i '/## 2/,$d' "$FX/docs/lecture.md"
  check --only say
  echo "$output"
  [ "$status" -eq 1 ]
  [[ "$output" == *"docs/ru/lecture.md:17: step 2's Say: sentence says 0.5"* ]]
  [[ "$output" != *"0.123"* ]]
}

@test "docs-check: a figure said to be in a sample above must be in one of the page's samples" {
  cat >"$FX/docs/04-x.md" <<'EOF2'
# 04

```output exact cat out
recv would block 5,692,450 times
summary: pages=31 wall=3.394s
```

1. Run it (here `wall=0.3s`, against `recv would block 5,692,450 times` and
   `wall=3.394s` in the default run above — and `peak=25`, not 30).
2. Against `wall=3.395s` of the run above, and `make run-04 ARGS="-n 3"`.
EOF2
  check --only above
  echo "$output"
  [ "$status" -eq 1 ]
  [[ "$output" == *'docs/04-x.md:10: `wall=3.395s` is said to be in a sample above'* ]]
  [ "$(grep -c 'said to be in a sample above' <<<"$output")" -eq 1 ]
}
