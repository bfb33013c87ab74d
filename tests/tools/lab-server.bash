# tests/tools/lab-server.bash — sourced by the scripts that need one lab server for a whole run
# (compare.sh, pictures.sh): start it on a free loopback port, stop it on exit.
#
#   start_lab_server NAME WORKDIR OPTIONS...
#
# starts "$bin_dir/00-labserver" with OPTIONS, logs into WORKDIR/server.log, removes
# WORKDIR on exit, and sets $server (its pid) and $url (http://127.0.0.1:PORT/). NAME
# prefixes the error message when the server does not start (exit 1).
start_lab_server() {
  local name=$1 dir=$2
  shift 2
  "$bin_dir/00-labserver" --port 0 --port-file "$dir/port" "$@" \
    >"$dir/server.log" 2>&1 </dev/null &
  server=$!
  # shellcheck disable=SC2064 # expand now: the trap must remove this run's directory
  trap "kill -TERM $server 2>/dev/null; wait $server 2>/dev/null; rm -rf '$dir'" EXIT
  trap 'exit 130' INT TERM
  for _ in $(seq 1 100); do
    [ -s "$dir/port" ] && break
    sleep 0.05
  done
  [ -s "$dir/port" ] || { echo "$name: the lab server did not start" >&2; exit 1; }
  url="http://127.0.0.1:$(cat "$dir/port")/"
}
