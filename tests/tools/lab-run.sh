#!/usr/bin/env bash
# lab-run.sh EXAMPLE.c [ARGS...] — what `make run-NN` does.
#
# An example whose header comment has a line " * Lab server: [options]" fetches pages, so
# this script first starts build/bin/00-labserver on a free loopback port with those
# options (PAGES= and DELAY= override), points the example at it through LAB_URL, runs
# it, and stops the server afterwards — also on Ctrl-C — printing the server's own
# one-line report. URL=http://host:port/ runs the example against that server instead.
#
# EXPECT=N says that exit status N is the point of the run (a refusal shown on purpose:
# `make run-05 ARGS="-c 5000" EXPECT=2`): the script then ends with one line saying so and
# exits 0, and exits 1 on any other status. Without EXPECT the example's status is the
# script's, so a failing example still fails a script or CI.
set -u
src=$1
shift
name=$(basename "$src" .c)
bin_dir=${BIN_DIR:-build/bin}
example="$bin_dir/$name"
expect=${EXPECT:-}
if [ -n "$expect" ] && ! [[ $expect =~ ^[0-9]{1,3}$ && $expect -le 255 ]]; then
  echo "lab-run: EXPECT=$expect: an exit status, 0 to 255 (make run-05 ARGS=\"-c 5000\" EXPECT=2)" >&2
  exit 2
fi

# finish STATUS: the script's exit status, given the example's and EXPECT.
finish() {
  [ -n "$expect" ] || exit "$1"
  if [ "$1" -eq "$expect" ]; then
    if [ "$1" -eq 0 ]; then
      echo "(exit status 0, as expected)"
    else
      echo "(exit status $1, as expected: the refusal is the point of this run)"
    fi
    exit 0
  fi
  echo "lab-run: $name exited with status $1; EXPECT=$expect was the intended one" >&2
  exit 1
}

if ! grep -q '^ \* Lab server:' "$src" || [ -n "${URL:-}" ]; then
  [ -n "${URL:-}" ] && export LAB_URL="$URL"
  [ -n "$expect" ] || exec "$example" "$@"
  "$example" "$@"
  finish $?
fi

read -r -a header_opts <<<"$(sed -n 's/^ \* Lab server: *//p' "$src" | head -n 1)"
# PAGES= and DELAY= replace the header's --pages and --delay.
server_opts=()
for ((i = 0; i < ${#header_opts[@]}; i++)); do
  case ${header_opts[i]} in
    --pages) [ -n "${PAGES:-}" ] && { i=$((i + 1)); continue; } ;;
    --delay) [ -n "${DELAY:-}" ] && { i=$((i + 1)); continue; } ;;
  esac
  server_opts+=("${header_opts[i]}")
done
[ -n "${PAGES:-}" ] && server_opts+=(--pages "$PAGES")
[ -n "${DELAY:-}" ] && server_opts+=(--delay "$DELAY")

work=$(mktemp -d "${TMPDIR:-/tmp}/asynclab.XXXXXX")
server_pid=
stop_server() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null
    wait "$server_pid" 2>/dev/null
  fi
  [ -n "$server_pid" ] && grep '^server:' "$work/server.log" | tail -n 1
  server_pid=
  rm -rf "$work"
}
trap 'stop_server' EXIT
trap 'stop_server; exit 130' INT TERM

"$bin_dir/00-labserver" --port 0 --port-file "$work/port" "${server_opts[@]}" \
  >"$work/server.log" 2>&1 </dev/null &
server_pid=$!

# Wait (at most 5 s) for the server to write its port: then it is accepting.
for _ in $(seq 1 100); do
  [ -s "$work/port" ] && break
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.05
done
if [ ! -s "$work/port" ]; then
  echo "lab-run: the lab server did not start:" >&2
  cat "$work/server.log" >&2
  exit 1
fi
# START=/path starts the crawl at that path of the lab site instead of / (the run sheet's
# step 5: START=/fault/many-links, a page of 20,000 links to fetch all at once).
start=${START:-/}
[[ $start == /* ]] || start="/$start"
export LAB_URL="http://127.0.0.1:$(cat "$work/port")$start"
echo "lab server: $LAB_URL (${server_opts[*]:-default site})"

"$example" "$@"
status=$?
stop_server
finish "$status"
