load test_helper

# The helper library's unit drivers (tests/unit/test_*.c, built by make into $UNIT_DIR).
# Each prints "ok - ..." / "not ok - ...: got X, expected Y" and ends with
# "test_NAME: N checks, M failed"; it exits 1 if any check failed.

# run_unit NAME MIN_CHECKS: run the driver, then require exit 0, a final count line with
# at least MIN_CHECKS checks and 0 failed, and no "not ok" line.
run_unit() {
  local name=$1 min=$2 last checks
  run timeout -k 2 60 "$UNIT_DIR/$name"
  printf '%s\n' "$output" | grep '^not ok' || true
  [ "$status" -eq 0 ]
  last=$(printf '%s\n' "$output" | tail -n 1)
  [[ "$last" =~ ^$name:\ ([0-9]+)\ checks,\ 0\ failed$ ]] || { echo "last line: $last"; return 1; }
  checks=${BASH_REMATCH[1]}
  [ "$checks" -ge "$min" ] || { echo "only $checks checks, expected at least $min"; return 1; }
  ! printf '%s\n' "$output" | grep -q '^not ok'
}

# has_check TEXT: the last run printed "ok - " followed by TEXT.
has_check() {
  printf '%s\n' "$output" | grep -qF -- "ok - $1" || { echo "no passing check: $1"; return 1; }
}

@test "unit url: every check passes" {
  run_unit test_url 150
}

@test "unit url: bad URLs from issue 7 are among the checks" {
  run_unit test_url 150
  has_check 'parse "https://h/"'
  has_check 'parse "ftp://h/file"'
  has_check 'parse "example.com/x"'
  has_check 'parse "http://"'
  has_check 'parse "http://h:0/"'
  has_check 'parse "http://h:65536/"'
  has_check 'parse "http://h:abc/"'
  has_check 'parse "http://h/aaaaaaaa'
  has_check 'parse "http://h/a\x0d\x0aHost: evil"'
  has_check 'resolve "../../../../../../etc/passwd"'
  has_check 'resolve "//cdn.example/lib.js"'
  has_check 'an absolute link to another host resolves, other origin'
}

@test "unit http: every check passes" {
  run_unit test_http 200
}

@test "unit http: broken servers from issue 7 are among the checks" {
  run_unit test_http 200
  has_check 'closed before the status line (one byte at a time)'
  has_check 'closed mid-headers (20 random chunkings)'
  has_check 'closed mid-body (split at every offset)'
  has_check 'garbage status "<html><body>not http</body></html>'
  has_check 'binary body with NUL bytes (one byte at a time)'
  has_check '1 MiB header line'
  has_check '50 MB body without Content-Length is capped'
  has_check 'redirect: status and location (whole)'
  has_check 'request with CR LF in the path is refused'
}

@test "unit links: every check passes" {
  run_unit test_links 60
}

@test "unit links: tricky pages from issue 7 are among the checks" {
  run_unit test_links 60
  has_check 'absolute link to another host'
  has_check 'protocol-relative link'
  has_check '../ beyond the root is reported as written'
  has_check '&amp; in a query'
  has_check 'unterminated quote at EOF'
  has_check 'unterminated tag at EOF'
  has_check 'a page with 20,000 links'
  has_check 'NUL and high bytes around tags'
}

@test "unit gen.h: yields, finishing, sub-generators and misuse checks" {
  run_unit test_gen 12
}

@test "unit sched: timers in deadline order, fd wake-ups, timeouts, spawning, 1000 tasks" {
  run_unit test_sched 20
}

@test "unit clock: cpu% and the peak RSS (issue 10)" {
  run_unit test_clock 9
  has_check 'wall under 10 ms is 0.0'
  has_check 'never above 100 x cores'
  has_check 'touching 48 MiB raises the peak'
}

@test "unit http: 1xx interim responses and Content-Length lists (issue 10)" {
  run_unit test_http 200
  has_check '100 Continue before the response (one byte at a time)'
  has_check '103 Early Hints with headers, then a redirect (split at every offset)'
  has_check 'Content-Length list of identical values (20 random chunkings)'
  has_check 'a Content-Length list of different values (whole)'
  has_check 'endless 100 Continue responses'
}

@test "unit links: script, style, comments, <a/href> and white space (issue 10)" {
  run_unit test_links 60
  has_check 'links inside <script> are code, not links'
  has_check '<style> is skipped'
  has_check 'empty comments <!--> and <!--->'
  has_check "<a/href=...>: '/' separates the name from an attribute"
  has_check 'spaces around an href are trimmed'
  has_check 'tab, CR and LF inside an href are dropped'
}

# A crawler started by a big, busy process: ru_maxrss and the CPU time getrusage counts
# survive exec, so before issue 10 every crawler reported its parent's 200 MiB as its own
# rss= and the parent's 0.5 s of CPU in its cpu=. The start URL is refused (port
# 1), so the crawl ends in well under 10 ms of wall time: cpu% must not be the old
# CPU-spent-loading-the-program over almost nothing (cpu%=1776.0).
@test "summary: rss= and cpu= are the crawler's own under a 200 MiB parent; cpu% stays sane" {
  command -v python3 >/dev/null || skip "python3 is not installed (it plays the big parent)"
  local cores name rss cpu cpu_pct wall
  cores=$(getconf _NPROCESSORS_ONLN)
  for name in 03-blocking-fetch 04-busy-loop 05-select-fetch 07-coroutine-crawl 08-thread-crawl; do
    run --separate-stderr timeout -k 2 30 python3 -c '
import os, sys
import time
big = bytearray(200 * 1024 * 1024)
for i in range(0, len(big), 4096):
    big[i] = 1
while time.process_time() < 0.5:
    pass
os.execv(sys.argv[1], sys.argv[1:])' "$BIN_DIR/$name" http://127.0.0.1:1/
    [ "$status" -eq 1 ] || { echo "$name: exit $status"; return 1; }
    rss=$(summary_value rss)
    cpu=$(summary_value cpu)
    cpu_pct=$(summary_value 'cpu%')
    wall=$(summary_value wall)
    echo "$name: rss=$rss cpu=$cpu cpu%=$cpu_pct wall=$wall"
    [[ "$rss" =~ ^[0-9]+\.[0-9]MiB$ ]]
    # Its own peak is a few MiB (more under the sanitizers), never the parent's 200.
    awk -v r="${rss%MiB}" 'BEGIN { exit !(r > 0 && r < 100) }'
    awk -v c="${cpu%s}" 'BEGIN { exit !(c >= 0 && c < 0.25) }'
    awk -v p="$cpu_pct" -v c="$cores" 'BEGIN { exit !(p >= 0 && p <= 100 * c) }'
    if awk -v w="${wall%s}" 'BEGIN { exit !(w < 0.010) }'; then
      [ "$cpu_pct" = "0.0" ]
    fi
  done
}

@test "unit poller: every backend reports readable, writable, timeouts, and no removed fd" {
  run_unit test_poller 60
  for backend in poll select; do
    has_check "$backend: the removed one is not handed out"
    has_check "$backend: level-triggered: unread, it is ready again"
  done
  if [ "$(uname)" = Linux ] && printf '%s\n' "$output" | grep -q '^ok - epoll:'; then
    has_check "epoll: the removed one is not handed out"
  fi
  if [ "$(uname)" = Darwin ] || [ "$(uname)" = FreeBSD ]; then
    has_check "kqueue: the removed one is not handed out"
  fi
  has_check "the other system's backend is EINVAL"
}

@test "unit fdlimit: the descriptor limit's policy, RLIM_INFINITY and macOS's OPEN_MAX among the cases" {
  run_unit test_fdlimit 20
  has_check "Linux: hard RLIM_INFINITY, what is wanted"
  has_check "macOS: hard RLIM_INFINITY, capped at OPEN_MAX"
  has_check "described: capped by macOS's OPEN_MAX"
}

@test "unit fdlimit: with a soft limit below the hard one, the real raise is checked too" {
  hard=$(ulimit -Hn)
  [ "$hard" = unlimited ] || [ "$hard" -gt 64 ] || skip "hard descriptor limit $hard"
  run bash -c "ulimit -Sn 64 && '$UNIT_DIR/test_fdlimit'"
  [ "$status" -eq 0 ]
  has_check "fdlimit_raise(soft + 1) raises the soft limit by one"
}

@test "unit costs: format, procfs, threads and costs (10 and 11's helpers); no progress into a pipe" {
  run_unit test_costs 20
  has_check 'format_seconds 33.7 µs'
  has_check 'format_big_bytes a million 8 MiB stacks'
  has_check 'nothing left behind'
  ! printf '%s\n' "$output" | grep -q 'never seen'
}

@test "unit terminal: a summary wraps at spaces on a terminal, stays one line in a pipe" {
  run_unit test_terminal 6
  has_check '80 columns: breaks at a space'
  has_check 'a pipe (width 0): one line'
}

@test "unit recap: kept lines are said again in order, at most RECAP_MAX; narration is stamped" {
  run_unit test_recap 6
  has_check 'the recap: a title, then the kept lines in order'
  has_check 'at most RECAP_MAX lines are kept; later ones only print'
  has_check 'a narration line: ms since the start, right-aligned in 5 columns'
}

@test "unit clock: every timeval for select() is normalised (tv_usec below 1,000,000)" {
  run_unit test_clock 20
  has_check 'clock_timeval(0.9999995)'
}
