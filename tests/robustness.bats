# robustness.bats — every fetch example against bad URLs and misbehaving servers.
#
# Each client must answer each case with a one-line reason on stderr naming the program,
# the exit status the design defines (0 the job ran, 1 nothing could be fetched, 2 usage),
# no hang beyond its -t bound, a summary line, and, where the fault is one page among
# others, a crawl that goes on without it. docs/robustness.md has the table of outcomes;
# docs/00-labserver.md describes the fault pages.
load test_helper

# The clients, one line each. 09 is not a crawler: it fetches its URL on -c connections
# at once, so it runs with -c 3 and every count is per connection (errors=3, pages=3).
CLIENTS=(
  03-blocking-fetch
  04-busy-loop
  05-select-fetch
  07-coroutine-crawl
  08-thread-crawl
  09-epoll-c10k
)

setup_file() {
  tests_may_overlap
  start_labserver --pages 5 --delay 0
}

teardown_file() {
  stop_labserver
}

# present: the clients that are built (a list item whose example is missing is skipped).
present() {
  local name
  for name in "${CLIENTS[@]}"; do
    [ -x "$BIN_DIR/$name" ] && under_test "$name" && echo "$name"
  done
}

# fetch NAME URL [ARGS...]: run the client with -t 1 (and 09 with -c 3); $took is the
# wall time in whole seconds, measured outside the program.
fetch() {
  local name=$1 url=$2 start=$SECONDS
  shift 2
  local extra=()
  [ "$name" != 09-epoll-c10k ] || extra=(-c 3)
  run_example 15 "$name" -t 1 "${extra[@]}" "$@" "$url"
  took=$((SECONDS - start))
}

# per NAME: how many fetches one start URL makes (09: one per connection).
per() {
  if [ "$1" = 09-epoll-c10k ]; then echo 3; else echo 1; fi
}

# fails_with NAME REASON [MAX_SECONDS]: nothing could be fetched: exit 1, stderr is
# one-line messages "NAME: ..." of which the first names the REASON, an ERR line on stdout
# with the reason, a summary with pages=0, in at most MAX_SECONDS (default 2).
fails_with() {
  local name=$1 reason=$2 max=${3:-2}
  [ "$status" -eq 1 ] || { echo "$name: exit $status, expected 1"; return 1; }
  # A failed connect or lookup names its address; anything later names the URL first.
  [[ "${stderr_lines[0]}" == "$name: $reason"* || "${stderr_lines[0]}" == "$name: GET http://"*": $reason"* ]] ||
    { echo "$name: stderr '${stderr_lines[0]}', expected '$name: [GET URL: ]$reason...'"; return 1; }
  local line
  for line in "${stderr_lines[@]}"; do
    [[ "$line" == "$name: "* ]] || { echo "$name: stray stderr line '$line'"; return 1; }
  done
  [ "${#stderr_lines[@]}" -le 2 ] || { echo "$name: ${#stderr_lines[@]} stderr lines"; return 1; }
  [[ "$output" == *" ERR  "*"$reason"* ]] || { echo "$name: no ERR line with '$reason'"; return 1; }
  assert_summary_keys pages errors bytes wall cpu cpu% rss peak
  [ "$(summary_value pages)" -eq 0 ] && [ "$(summary_value errors)" -eq "$(per "$name")" ] ||
    { echo "$name: $(printf '%s\n' "$output" | tail -n 1)"; return 1; }
  [ "$took" -le "$max" ] || { echo "$name: took $took s, bound $max s"; return 1; }
}

# succeeds NAME PAGES ERRORS BYTES: exit 0, nothing on stderr, these summary counts (09's
# are multiplied by its 3 connections), in at most 3 s.
succeeds() {
  local name=$1 n
  n=$(per "$name")
  [ "$status" -eq 0 ] || { echo "$name: exit $status; stderr: $stderr"; return 1; }
  [ -z "$stderr" ] || { echo "$name: stderr: $stderr"; return 1; }
  assert_summary_keys pages errors bytes wall cpu cpu% rss peak
  local want="$(($2 * n)) $(($3 * n)) $(($4 * n))" got
  got="$(summary_value pages) $(summary_value errors) $(summary_value bytes)"
  [ "$got" = "$want" ] || { echo "$name: pages errors bytes = $got, expected $want"; return 1; }
  [ "$took" -le 3 ] || { echo "$name: took $took s"; return 1; }
}

# --- bad start URLs ------------------------------------------------------------------------

@test "robustness: a bad start URL is a usage error: its reason, a usage line, exit 2" {
  local long
  long="http://127.0.0.1:$LAB_PORT/$(printf '%010240d' 0)" # a URL of 10 KB
  local cases=(
    "https://127.0.0.1/|https is not supported (TLS is outside this lab): use an http:// URL"
    "ftp://127.0.0.1/|unsupported scheme ftp: only http:// URLs are fetched"
    "127.0.0.1:$LAB_PORT/|no scheme: expected http://host[:port]/path"
    "http:///page/1|empty host name"
    "http://127.0.0.1:0/|bad port: must be 1 to 65535"
    "http://127.0.0.1:65536/|bad port: must be 1 to 65535"
    "http://127.0.0.1:eighty/|bad port: not a number"
    "$long|URL too long (the limit is 2336 bytes)"
  )
  local name c url reason
  for name in $(present); do
    for c in "${cases[@]}"; do
      url=${c%%|*} reason=${c#*|}
      fetch "$name" "$url"
      [ "$status" -eq 2 ] || { echo "$name ${url:0:40}: exit $status"; return 1; }
      # The reason, then the usage (folded to 80 columns: its later lines start with spaces).
      [ "${#stderr_lines[@]}" -ge 2 ] || { echo "$name ${url:0:40}: stderr: $stderr"; return 1; }
      local extra
      for extra in "${stderr_lines[@]:2}"; do
        [[ "$extra" == "       "* ]] || { echo "$name: a third stderr line '$extra'"; return 1; }
      done
      [[ "${stderr_lines[0]}" == "$name: bad URL '"*"': $reason" ]] ||
        { echo "$name: '${stderr_lines[0]:0:300}', expected reason '$reason'"; return 1; }
      [ "${#stderr_lines[0]}" -le 300 ] || { echo "$name: the error line is not short"; return 1; }
      [[ "${stderr_lines[1]}" == "usage: $name "* ]] || { echo "$name: no usage line"; return 1; }
      [ -z "$output" ] && [ "$took" -le 2 ] || { echo "$name: stdout '$output', $took s"; return 1; }
    done
  done
}

@test "robustness: a host that does not resolve: exit 1 with the resolver's reason" {
  # .invalid never resolves (RFC 6761). Where the resolver itself hangs, no -t can help a
  # blocking getaddrinfo(): measure first, and skip with the reason.
  local start=$SECONDS
  timeout 10 getent hosts nonexistent.invalid >/dev/null 2>&1 || true # it must fail
  [ $((SECONDS - start)) -le 3 ] || skip "DNS lookups take $((SECONDS - start)) s on this machine"
  local name
  for name in $(present); do
    fetch "$name" http://nonexistent.invalid/
    fails_with "$name" "resolve nonexistent.invalid:80: " 4
  done
}

@test "robustness: a refused port: exit 1 with ECONNREFUSED, at once" {
  local name
  for name in $(present); do
    fetch "$name" http://127.0.0.1:1/
    fails_with "$name" "connect 127.0.0.1:1: ECONNREFUSED Connection refused"
  done
}

# --- fault pages that break the one fetch they are -------------------------------------------

@test "robustness: broken responses: each its own one-line reason, exit 1, at once" {
  local cases=(
    "close-early|connection closed before the status line"
    "close-mid-headers|connection closed in the headers"
    "close-mid-body|connection closed mid-body (100 of 1000 bytes)"
    "bad-status|malformed status line"
    "long-header|headers larger than 64 KiB"
    "endless-header|headers larger than 64 KiB"
    "huge|body larger than 8 MiB (Content-Length: 52428800)"
  )
  local name c
  for name in $(present); do
    for c in "${cases[@]}"; do
      fetch "$name" "${LAB_URL}fault/${c%%|*}"
      fails_with "$name" "${c#*|}" || { echo "(fault/${c%%|*})"; return 1; }
    done
  done
}

@test "robustness: /fault/huge (50 MB) is refused by its Content-Length: memory stays small" {
  local name rss
  for name in $(present); do
    fetch "$name" "${LAB_URL}fault/huge"
    rss=$(summary_value rss)
    rss=${rss%MiB}
    [ -n "$rss" ] && [ "${rss%.*}" -lt 40 ] ||
      { echo "$name: rss '$rss' MiB after /fault/huge"; return 1; }
  done
}

@test "robustness: a server that never answers: timed out after the -t bound, not before" {
  local name
  for name in $(present); do
    fetch "$name" "${LAB_URL}fault/never"
    case $name in
      09-epoll-c10k) fails_with "$name" "timed out" 4 ;;
      *) fails_with "$name" "timed out after 1 s while receiving the headers" 4 ;;
    esac
    [ "$took" -ge 1 ] || { echo "$name: gave up after $took s, before -t 1"; return 1; }
  done
}

@test "robustness: -t is a deadline per fetch, not per silence: /fault/slow at -t 1 is cut off" {
  # 52 bytes at 20 ms: about 1.04 s, never silent for long. A timer restarted by every byte
  # would let it through; the deadline from connect to last byte cuts it at 1 s.
  local name
  for name in $(present); do
    fetch "$name" "${LAB_URL}fault/slow"
    case $name in
      09-epoll-c10k) fails_with "$name" "timed out" 4 ;;
      *) fails_with "$name" "timed out after 1 s while receiving the" 4 ;;
    esac
  done
}

# The same page with the default -t (10 s) arrives: a separate test, so that the two halves
# overlap in make test's parallel run.
@test "robustness: /fault/slow arrives within a -t that outlasts it (-t 10)" {
  local name
  for name in $(present); do
    fetch "$name" "${LAB_URL}fault/slow" -t 10
    succeeds "$name" 1 0 13
    [ "$took" -ge 1 ] || { echo "$name: took $took s for 1.04 s of bytes"; return 1; }
  done
}

# --- fault pages that are odd but valid --------------------------------------------------------

@test "robustness: a binary body with NUL bytes and a body without Content-Length are pages" {
  local name
  for name in $(present); do
    fetch "$name" "${LAB_URL}fault/binary"
    succeeds "$name" 1 0 512
    fetch "$name" "${LAB_URL}fault/no-length"
    succeeds "$name" 1 0 118
  done
}

@test "robustness: a redirect to itself is fetched once, reported, not followed for ever" {
  local name
  for name in $(present); do
    fetch "$name" "${LAB_URL}fault/redirect-self"
    succeeds "$name" 1 0 12
    [ "$name" != 09-epoll-c10k ] || continue # no line per answer; it follows no link anyway
    [ "$(grep -c ' 302 .*/fault/redirect-self' <<<"$output")" -eq 1 ] || { echo "$output"; return 1; }
  done
}

# --- the rest of the crawl goes on ----------------------------------------------------------

@test "robustness: a redirect to / is a link: the crawl goes on to the whole site" {
  local name
  for name in $(present); do
    [ "$name" != 09-epoll-c10k ] || continue # fetches its one URL only
    fetch "$name" "${LAB_URL}fault/redirect"
    # the redirect, then the site as a crawl from / finds it (docs/00-labserver.md, N=5)
    succeeds "$name" 7 1 $((12 + $(site_bytes 5)))
  done
}

@test "robustness: tricky links (other host, //, ../ above the root, &amp;, unterminated)" {
  # The page names this server's port, so its size is measured, not written down.
  local tricky page3 name
  tricky=$(http_get /fault/tricky-links | sed '1,/^\r$/d' | wc -c)
  page3=$(http_get /page/3 | sed '1,/^\r$/d' | wc -c)
  for name in $(present); do
    [ "$name" != 09-epoll-c10k ] || continue
    fetch "$name" "${LAB_URL}fault/tricky-links"
    # 4 links: the other host is dropped, the three others are new; the unterminated
    # one is not a link. Then the site: 1 + 7 pages (/page/3?a=1&b=2 is a page of its own).
    [[ "$output" == *"/fault/tricky-links "*" 4 links,  3 new"* ]] || { echo "$output"; return 1; }
    [[ "$output" == *" 200  /page/3?a=1&b=2 "* ]] || { echo "$output"; return 1; }
    [[ "$output" != *offsite.invalid* ]] || { echo "$name fetched another host"; return 1; }
    succeeds "$name" 8 1 $((tricky + page3 + $(site_bytes 5)))
  done
}

@test "robustness: 20,000 links on one page: the frontier takes them all, -n 50 ends the crawl" {
  local name
  for name in $(present); do
    [ "$name" != 09-epoll-c10k ] || continue
    fetch "$name" "${LAB_URL}fault/many-links" -n 50
    [[ "$output" == *"/fault/many-links "*" 20000 links, 20000 new"* ]] ||
      { echo "$name: $(head -n 3 <<<"$output")"; return 1; }
    [ "$(summary_value pages)" -eq 50 ] && [ "$(summary_value errors)" -eq 0 ] ||
      { echo "$name: $(tail -n 1 <<<"$output")"; return 1; }
    [ "$status" -eq 0 ] && [ "$took" -le 5 ] || { echo "$name: exit $status, $took s"; return 1; }
  done
}
