#!/usr/bin/env bash
# compare.sh — what `make compare` does: every crawler against one lab server, one table.
#
# A crawler is an example whose header comment has a " * Lab server:" line (00 itself
# aside). Its " * Compare: ARGS" line, if any, gives the options it runs with here, e.g.
# 04's --juggle; "Compare: own server ARGS" runs it through lab-run.sh with a server of its
# own (09 needs a special one). Each run must end with the fetch examples' summary line.
set -u
cd "$(dirname "$0")/.."
bin_dir=${BIN_DIR:-build/bin}
pages=${PAGES:-30}
delay=${DELAY:-100}

work=$(mktemp -d "${TMPDIR:-/tmp}/asynclab-compare.XXXXXX")
"$bin_dir/00-labserver" --port 0 --port-file "$work/port" --pages "$pages" --delay "$delay" \
  >"$work/server.log" 2>&1 </dev/null &
server=$!
trap 'kill -TERM $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$work"' EXIT
trap 'exit 130' INT TERM
for _ in $(seq 1 100); do
  [ -s "$work/port" ] && break
  sleep 0.05
done
[ -s "$work/port" ] || { echo "compare: the lab server did not start" >&2; exit 1; }
url="http://127.0.0.1:$(cat "$work/port")/"

echo "make compare: every crawler against one lab server ($url, $pages pages, ${delay} ms delay)"
echo
printf '%-30s %6s %6s %9s %9s %6s %9s %5s\n' example pages errors wall cpu cpu% rss peak
status=0
for src in examples/[0-9][0-9]-*.c; do
  name=$(basename "$src" .c)
  [ "$name" = 00-labserver ] && continue
  grep -q '^ \* Lab server:' "$src" || continue
  read -r -a args <<<"$(sed -n 's/^ \* Compare: *//p' "$src" | head -n 1)"
  label="$name ${args[*]:-}"
  if [ "${args[0]:-}" = own ] && [ "${args[1]:-}" = server ]; then
    label="$name ${args[*]:2}"
    out=$(BIN_DIR="$bin_dir" timeout 120 tests/lab-run.sh "$src" -q "${args[@]:2}" 2>"$work/err")
  else
    out=$(timeout 120 "$bin_dir/$name" -q "${args[@]}" "$url" 2>"$work/err")
  fi
  line=$(printf '%s\n' "$out" | grep '^summary: ' | tail -n 1)
  if [ -z "$line" ]; then
    printf '%-30s  failed: %s\n' "$label" "$(head -n 1 "$work/err")"
    status=1
    continue
  fi
  v() { printf '%s\n' "$line" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
  printf '%-30s %6s %6s %9s %9s %6s %9s %5s\n' "$label" "$(v pages)" "$(v errors)" "$(v wall)" \
    "$(v cpu)" "$(v 'cpu%')" "$(v rss)" "$(v peak)"
done
kill -TERM $server 2>/dev/null
wait $server 2>/dev/null
echo
echo "the shared lab server over all the runs above (examples with their own server aside):"
grep '^server:' "$work/server.log" | tail -n 1
exit $status
