#!/usr/bin/env bash
# compare.sh — what `make compare` does: every crawler against one lab server, one table.
#
# A crawler is an example whose header comment has a " * Lab server:" line (00 itself
# aside). Its " * Compare: ARGS" line, if any, gives the options it runs with here, e.g.
# 04's --juggle; "Compare: own server ARGS" runs it through lab-run.sh with a server of its
# own (09 needs a special one). Each run must end with the fetch examples' summary line.
# Everything it prints fits 80 columns. On a terminal one line, updated in place, says
# which crawler is running (tests/tools/progress.bash); into a pipe, only the table.
set -u
cd "$(dirname "$0")/../.."
bin_dir=${BIN_DIR:-build/bin}
pages=${PAGES:-30}
delay=${DELAY:-100}

work=$(mktemp -d "${TMPDIR:-/tmp}/asynclab-compare.XXXXXX")
# shellcheck source=tests/tools/lab-server.bash
source tests/tools/lab-server.bash
# shellcheck source=tests/tools/progress.bash
source tests/tools/progress.bash
start_lab_server compare "$work" --pages "$pages" --delay "$delay"

echo "make compare: every crawler against one lab server"
echo "($url, $pages pages, ${delay} ms delay)"
echo
# 80 columns: the label column is as wide as the longest label, the figures take 48.
row() { printf "%-${width}s %5s %6s %7s %6s %5s %8s %4s\n" "$@"; }
labels=()
width=7
for src in examples/[0-9][0-9]-*.c; do
  grep -q '^ \* Lab server:' "$src" && [ "$(basename "$src" .c)" != 00-labserver ] || continue
  compare_args=$(sed -n 's/^ \* Compare: *//p' "$src" | head -n 1)
  label="$(basename "$src" .c) ${compare_args#own server }"
  label=${label% }
  [ ${#label} -le "$width" ] || width=${#label}
done
row example pages errors wall cpu cpu% rss peak
status=0
for src in examples/[0-9][0-9]-*.c; do
  name=$(basename "$src" .c)
  [ "$name" = 00-labserver ] && continue
  grep -q '^ \* Lab server:' "$src" || continue
  read -r -a args <<<"$(sed -n 's/^ \* Compare: *//p' "$src" | head -n 1)"
  label="$name ${args[*]:-}"
  progress "make compare: running ${label% } -q ..."
  if [ "${args[0]:-}" = own ] && [ "${args[1]:-}" = server ]; then
    label="$name ${args[*]:2}"
    out=$(BIN_DIR="$bin_dir" timeout 120 tests/tools/lab-run.sh "$src" -q "${args[@]:2}" 2>"$work/err")
  else
    out=$(timeout 120 "$bin_dir/$name" -q "${args[@]}" "$url" 2>"$work/err")
  fi
  progress_clear
  line=$(printf '%s\n' "$out" | grep '^summary: ' | tail -n 1)
  if [ -z "$line" ]; then
    printf '%s  failed:\n' "$label"
    head -n 1 "$work/err" | cut -c 1-76 | sed 's/^/    /' # the reason, on a line of its own
    status=1
    continue
  fi
  v() { printf '%s\n' "$line" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
  row "${label% }" "$(v pages)" "$(v errors)" "$(v wall)" "$(v cpu)" "$(v 'cpu%')" "$(v rss)" \
    "$(v peak)"
done
kill -TERM $server 2>/dev/null
wait $server 2>/dev/null
echo
echo "the shared lab server over the runs above (own-server runs aside):"
grep '^server:' "$work/server.log" | tail -n 1
exit $status
