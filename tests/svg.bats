#!/usr/bin/env bats
# svg: the pictures (--svg on every crawler and on 10) and the text report in 80 columns
# (per-fetch lines by path, --timeline as wide as the terminal, long crawls grouped).
# An SVG must be well-formed XML (xmllint where installed, else the check below), hold one
# bar per fetch, stay 1280 px wide and not giant, and render to a PNG of its size
# (rsvg-convert where installed: Debian librsvg2-bin).

load test_helper

CRAWLERS=(03-blocking-fetch 04-busy-loop 05-select-fetch 07-coroutine-crawl 08-thread-crawl)

setup_file() {
  start_labserver --pages 20 --delay 50
}

teardown_file() {
  stop_labserver
}

# well_formed FILE: xmllint --noout, or without it: the XML header, the root closed at the
# end, every & an entity, and every element that holds text closed as often as opened.
well_formed() {
  if command -v xmllint >/dev/null 2>&1; then
    xmllint --noout "$1"
    return
  fi
  head -n 1 "$1" | grep -q '^<?xml version="1.0" encoding="UTF-8"?>$' || { echo "$1: header"; return 1; }
  [ "$(tail -n 1 "$1")" = "</svg>" ] || { echo "$1: not closed"; return 1; }
  ! grep -oE '&[^;]{0,6};?' "$1" | grep -vxE '&(amp|lt|gt|quot|apos);' || { echo "$1: raw &"; return 1; }
  local tag
  for tag in svg g text title; do
    [ "$(grep -oE "<$tag[ >]" "$1" | wc -l)" -eq "$(grep -o "</$tag>" "$1" | wc -l)" ] ||
      { echo "$1: <$tag> unbalanced"; return 1; }
  done
}

# svg_attr FILE NAME: the root element's attribute (width, height).
svg_attr() {
  sed -n "2s/.* $2=\"\\([0-9]*\\)\".*/\\1/p" "$1"
}

# renders FILE: rsvg-convert draws it into a PNG as wide and as high as the SVG says.
renders() {
  local png=${1%.svg}.png size
  rsvg-convert -o "$png" "$1" || { echo "$1: rsvg-convert failed"; return 1; }
  size=$(od -An -tu1 -j16 -N8 "$png" | awk '{ print $3 * 256 + $4, $7 * 256 + $8 }')
  [ "$size" = "$(svg_attr "$1" width) $(svg_attr "$1" height)" ] ||
    { echo "$1: PNG is $size"; return 1; }
}

need_rsvg() {
  command -v rsvg-convert >/dev/null 2>&1 ||
    skip "rsvg-convert is not installed (apt-get install librsvg2-bin)"
}

@test "svg: every crawler's --svg is well-formed, one bar per fetch, 1280 px wide, 14 px text" {
  local name f fetches
  for name in "${CRAWLERS[@]}"; do
    f="$BATS_TEST_TMPDIR/$name.svg"
    run_example 30 "$name" -q --svg "$f" "$LAB_URL"
    [ "$status" -eq 0 ] || { echo "$name: exit $status: $stderr"; return 1; }
    well_formed "$f"
    fetches=$(($(summary_value pages) + $(summary_value errors)))
    [ "$fetches" -ge 20 ] || { echo "$name: $fetches fetches"; return 1; }
    [ "$(grep -c '^<g class="fetch' "$f")" -eq "$fetches" ] || { echo "$name: bars"; return 1; }
    [ "$(svg_attr "$f" width)" -eq 1280 ] && [ "$(svg_attr "$f" height)" -le 1280 ]
    grep -q "<title>$name: $(summary_value pages) pages, " "$f"
    [ "$(grep -o 'font-size="[0-9]*"' "$f" | tr -dc '0-9\n' | sort -n | head -n 1)" -ge 14 ]
    grep -q '^<g class="fetch failed">' "$f" && { echo "$name: a failed fetch"; return 1; }
    grep -q '<text [^>]*>/page/missing (404)</text>' "$f"
  done
}

@test "svg: each crawler's picture renders to a PNG of its size" {
  need_rsvg
  local name
  for name in "${CRAWLERS[@]}"; do
    run_example 30 "$name" -q --svg "$BATS_TEST_TMPDIR/$name.svg" "$LAB_URL"
    [ "$status" -eq 0 ]
    renders "$BATS_TEST_TMPDIR/$name.svg"
  done
}

@test "svg: a URL with XML's special characters (& < > ' and the double quote) is escaped" {
  local f="$BATS_TEST_TMPDIR/tricky.svg"
  run_example 30 05-select-fetch -q -t 1 --svg "$f" "${LAB_URL}fault/tricky-links"
  [ "$status" -eq 0 ]
  well_formed "$f"
  grep -q '/page/3?a=1&amp;b=2' "$f"
  ! grep -q '&b=2' "$f"
  if command -v rsvg-convert >/dev/null 2>&1; then renders "$f"; fi
  # A start URL with all five of XML's special characters, in the label and the caption.
  run_example 20 05-select-fetch -q -n 1 --svg "$f" "${LAB_URL}page/3?a=<b>&c='d\""
  [ "$status" -eq 0 ]
  well_formed "$f"
  [ "$(grep -c "/page/3?a=&lt;b&gt;&amp;c=&apos;d&quot;" "$f")" -ge 3 ] # label, tooltip, caption
}

@test "svg: a failed fetch is drawn failed, its label in vermillion" {
  local f="$BATS_TEST_TMPDIR/failed.svg"
  run_example 10 03-blocking-fetch -q -t 1 --svg "$f" "${LAB_URL}fault/close-mid-body"
  [ "$status" -eq 1 ]
  well_formed "$f"
  [ "$(grep -c '^<g class="fetch failed">' "$f")" -eq 1 ]
  grep -q 'class="failed"[^>]*fill="#D55E00"' "$f"
  grep -q 'fill="#D55E00">/fault/close-mid-body (failed)</text>' "$f"
}

@test "svg: a crawl of hundreds of fetches stays one picture, and --timeline one screen" {
  start_labserver --pages 300 --delay 0
  local f="$BATS_TEST_TMPDIR/long.svg"
  run_example 60 05-select-fetch -c 20 --timeline --svg "$f" "$LAB_URL"
  stop_labserver
  [ "$status" -eq 0 ]
  well_formed "$f"
  local fetches=$(($(summary_value pages) + $(summary_value errors)))
  [ "$fetches" -gt 300 ]
  [ "$(grep -c '^<g class="fetch' "$f")" -eq "$fetches" ] # every fetch drawn, rows shared
  [ "$(svg_attr "$f" height)" -le 1100 ]
  grep -q 'fetches a row</text>' "$f"
  rows=$(printf '%s\n' "$output" | sed -n '/^timeline:/,/^$/p' | grep -c '|')
  [ "$rows" -le 40 ] && [ "$rows" -ge 30 ] || { echo "$rows rows"; return 1; }
  printf '%s\n' "$output" | grep -q "^$fetches fetches, [0-9]* to a row"
}

@test "svg: --timeline is as wide as \$COLUMNS, 80 when it is unset" {
  local widths
  COLUMNS=120 run_example 30 05-select-fetch --timeline "$LAB_URL"
  [ "$status" -eq 0 ]
  widths=$(printf '%s\n' "$output" | sed -n '/^timeline:/,/^$/p' | grep '|' | awk '{ print length($0) }' | sort -u)
  [ "$widths" = 120 ] || { echo "widths: $widths"; return 1; }
  run env -u COLUMNS "$BIN_DIR/05-select-fetch" --timeline "$LAB_URL"
  [ "$status" -eq 0 ]
  widths=$(printf '%s\n' "$output" | sed -n '/^timeline:/,/^$/p' | grep '|' | awk '{ print length($0) }' | sort -u)
  [ "$widths" = 80 ] || { echo "widths: $widths"; return 1; }
  # The axis under the bars: 0 under the first column, the end time under the last.
  printf '%s\n' "$output" | grep -qE '^ {22}0 +[0-9]+\.[0-9]{3} s$'
}

@test "svg: per-fetch lines fit 80 columns: a path column, long paths shortened, long reasons continued" {
  local long line
  long="${LAB_URL}page/3?$(printf 'q%.0s' $(seq 1 90))=1"
  run_example 20 03-blocking-fetch -n 1 -t 1 "$long"
  [ "$status" -eq 0 ]
  [[ "$output" == *" 200  /page/3?qq…"*"q=1 "* ]] || { echo "$output"; return 1; }
  run_example 20 03-blocking-fetch -t 1 "${LAB_URL}fault/close-mid-body"
  [ "$status" -eq 1 ]
  printf '%s\n' "$output" | grep -qE '^ +[0-9.]+s  ERR  /fault/close-mid-body$'
  printf '%s\n' "$output" | grep -qE '^ {16}connection closed mid-body \(100 of 1000 bytes\)$'
  for args in "-c 10" "-c 3 --timeline"; do
    run_example 20 07-coroutine-crawl $args "$LAB_URL"
    [ "$status" -eq 0 ]
    while IFS= read -r line; do
      [[ "$line" == "summary: "* || "$line" == "crawling "* || "$line" == *" task switches and "* ]] && continue
      [ "$(printf '%s' "$line" | LC_ALL=C.UTF-8 wc -m)" -le 80 ] || { echo "over 80: $line"; return 1; }
    done <<<"$output"
  done
}

@test "svg: --svg needs a file name (exit 2); an unwritable one is reported, exit 1" {
  run_example 5 05-select-fetch --svg
  [ "$status" -eq 2 ]
  [[ "$stderr" == *"--svg needs a file name"* ]]
  run_example 20 05-select-fetch -q --svg /nonexistent-dir/x.svg "$LAB_URL"
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"--svg /nonexistent-dir/x.svg: ENOENT"* ]] || { echo "$stderr"; return 1; }
  assert_summary_keys pages errors bytes wall cpu cpu% rss peak
}

@test "svg: 10 --svg draws its table as 9 bars on log scales, and it renders" {
  local f="$BATS_TEST_TMPDIR/cost.svg"
  run_example 60 10-cost-of-concurrency -q -n 0.01 -r 1 --svg "$f"
  [ "$status" -eq 0 ]
  well_formed "$f"
  [ "$(grep -c '^<g class="bar">' "$f")" -eq 9 ]
  [ "$(grep -c 'x a generator</text>' "$f")" -eq 6 ]
  grep -q '>1 µs</text>' "$f"
  [ "$(svg_attr "$f" width)" -eq 1280 ]
  run_example 5 10-cost-of-concurrency --svg
  [ "$status" -eq 2 ]
  command -v rsvg-convert >/dev/null 2>&1 || skip "rsvg-convert is not installed (apt-get install librsvg2-bin)"
  renders "$f"
}

@test "svg: make pictures' script writes every picture, well-formed, and the combined one holds each crawler" {
  local img="$BATS_TEST_TMPDIR/img" f name
  run env BIN_DIR="$BIN_DIR" IMG_DIR="$img" PAGES=5 DELAY=20 COST_ARGS="-n 0.01 -r 1" \
    timeout 120 "$TOP_DIR/tests/tools/pictures.sh"
  [ "$status" -eq 0 ] || { echo "$output"; return 1; }
  for name in "${CRAWLERS[@]}" crawlers-compared 09-epoll-c10k 10-cost-of-concurrency; do
    f="$img/$name.svg"
    [ -s "$f" ] || { echo "no $f"; return 1; }
    well_formed "$f"
    [[ "$output" == *"$f "*"1280 x "*" px, "*" KB"* ]] || { echo "$output"; return 1; }
    [ "$(svg_attr "$f" height)" -le 1400 ]
  done
  for name in "${CRAWLERS[@]}"; do
    grep -q "<text [^>]*>$name: " "$img/crawlers-compared.svg" || { echo "no panel $name"; return 1; }
  done
  grep -q 'measured on .*core' "$img/crawlers-compared.svg"
  [[ "$output" == *"make pictures: "*" s" ]]
}

# bin_sum FILE WORD: the sum of "N WORD" over the tooltips of 09's bins (opened, completed,
# failed).
bin_sum() {
  grep -A1 '^<g class="bin">' "$1" | grep -o "[0-9]* $2" | awk '{ n += $1 } END { print n + 0 }'
}

@test "svg: 09 --svg counts every connection once opened and once completed, in 100 bins" {
  local f="$BATS_TEST_TMPDIR/c10k.svg"
  run_example 30 09-epoll-c10k -c 500 --svg "$f" "$LAB_URL"
  [ "$status" -eq 0 ] || { echo "exit $status: $stderr"; return 1; }
  well_formed "$f"
  [ "$(grep -c '^<g class="bin">' "$f")" -eq 100 ]
  [ "$(bin_sum "$f" opened)" -eq 500 ]
  [ "$(bin_sum "$f" completed)" -eq 500 ]
  [ "$(bin_sum "$f" failed)" -eq 0 ]
  ! grep -q 'class="failed"' "$f"
  grep -q '>500 at once</text>' "$f" # all 500 in flight together: the server holds each
  [ "$(svg_attr "$f" width)" -eq 1280 ] && [ "$(svg_attr "$f" height)" -le 800 ]
  [ "$(grep -o 'font-size="[0-9]*"' "$f" | tr -dc '0-9\n' | sort -n | head -n 1)" -ge 14 ]
  grep -q "<title>09-epoll-c10k: 500 pages, 0 errors, wall [0-9.]* s, cpu [0-9.]* %, peak 500</title>" "$f"
  grep -q '>500 connections to .*; measured on .*core' "$f"
  printf '%s\n' "$output" | grep -qE '^svg: 500 connections, 1280 x [0-9]+ px, in .*/c10k\.svg$'
  ! printf '%s\n' "$output" | grep -v '^summary:' | awk 'length($0) > 80 { print; bad = 1 } END { exit !bad }'
  if command -v rsvg-convert >/dev/null 2>&1; then renders "$f"; fi
}

@test "svg: 09 --svg draws connections that fail as failed" {
  local f="$BATS_TEST_TMPDIR/c10k-failed.svg"
  run_example 10 09-epoll-c10k -q -c 3 -t 1 --svg "$f" "${LAB_URL}fault/never"
  [ "$status" -eq 1 ]
  well_formed "$f"
  [ "$(bin_sum "$f" opened)" -eq 3 ]
  [ "$(bin_sum "$f" completed)" -eq 0 ]
  [ "$(bin_sum "$f" failed)" -eq 3 ]
  grep -q 'class="failed"[^>]*fill="#D55E00"' "$f"
  # The timeout fails them 1 s after they opened: never in a bin that ends before 1 s (the
  # last bin may start just before 1 s and end after it).
  grep -A1 '^<g class="bin">' "$f" | grep -E '<title>[0-9.]+-0\.[0-9]+ s: [0-9]+ opened, 0 completed, [1-3] failed' &&
    { echo "failed before 1 s"; return 1; }
  true
}

@test "svg: 09 --svg needs a file name (exit 2); an unwritable one is reported, exit 1" {
  run_example 5 09-epoll-c10k --svg
  [ "$status" -eq 2 ]
  [[ "$stderr" == *"--svg needs a file name"* ]]
  run_example 20 09-epoll-c10k -q -c 10 --svg /nonexistent-dir/x.svg "$LAB_URL"
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"--svg /nonexistent-dir/x.svg: ENOENT"* ]] || { echo "$stderr"; return 1; }
  [ "$(summary_value pages)" -eq 10 ]
  assert_summary_keys pages errors bytes wall cpu cpu% rss peak
}
