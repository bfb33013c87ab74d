# progress.bash — one line that says what a long script is measuring, updated in place.
#
# Sourced by tests/tools/compare.sh and tests/tools/bench.sh. The line goes to descriptor PROGRESS_FD
# (default 1, stdout) and only when that is a terminal: into a pipe or a file, nothing.
# progress TEXT rewrites the line (cut to 79 columns); progress_clear wipes it before the
# next real line is printed.

progress() {
  [ -t "${PROGRESS_FD:-1}" ] || return 0
  local text="$*"
  printf '\r\033[K%s' "${text:0:79}" >&"${PROGRESS_FD:-1}"
}

progress_clear() {
  [ -t "${PROGRESS_FD:-1}" ] || return 0
  printf '\r\033[K' >&"${PROGRESS_FD:-1}"
}

# progress_while PID TEXT: the line "TEXT, N s" once a second until PID ends.
progress_while() {
  local pid=$1 text=$2 s=0
  [ -t "${PROGRESS_FD:-1}" ] || return 0
  while kill -0 "$pid" 2>/dev/null; do
    progress "$text, $s s"
    sleep 1
    s=$((s + 1))
  done
  progress_clear
}
