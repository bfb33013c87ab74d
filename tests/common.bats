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
