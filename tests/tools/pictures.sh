#!/usr/bin/env bash
# pictures.sh — what `make pictures` does: the suite's SVG pictures, written into docs/img/.
#
#   NN-name.svg            each crawler's --svg timeline of the lab site (one lab server
#                          for all of them, started with the crawlers' " * Lab server:" options)
#   crawlers-compared.svg  the same crawl by every engine, stacked on one time axis: each
#                          crawler again, with ASYNCLAB_SVG_AXIS set to the slowest one's wall
#                          time, which makes its --svg a compact panel with that axis
#   09-epoll-c10k.svg      09 with a server of its own (10,000 connections where the
#                          descriptor limit allows), once its --help offers --svg
#   10-cost-of-concurrency.svg  10's table as bars on a log scale
# Each picture's caption names the machine it was measured on. IMG_DIR= writes elsewhere;
# PAGES= and DELAY= shape the lab site; COST_ARGS= gives 10 options (default: none).
set -u
cd "$(dirname "$0")/../.."
bin_dir=${BIN_DIR:-build/bin}
img=${IMG_DIR:-docs/img}
SECONDS=0
mkdir -p "$img" || exit 1

crawlers=()
for src in examples/[0-9][0-9]-*.c; do
  name=$(basename "$src" .c)
  [ "$name" = 00-labserver ] && continue
  grep -q '^ \* Lab server:' "$src" || continue
  grep -q '^ \* Compare: *own server' "$src" && continue # 09: below, with its own server
  crawlers+=("$name")
done
read -r -a server_opts <<<"$(sed -n 's/^ \* Lab server: *//p' "examples/${crawlers[0]}.c")"
# PAGES= and DELAY= replace the header's --pages and --delay (a quicker run, for the tests).
for ((i = 0; i < ${#server_opts[@]} - 1; i++)); do
  case ${server_opts[i]} in
    --pages) server_opts[i + 1]=${PAGES:-${server_opts[i + 1]}} ;;
    --delay) server_opts[i + 1]=${DELAY:-${server_opts[i + 1]}} ;;
  esac
done

work=$(mktemp -d "${TMPDIR:-/tmp}/asynclab-pictures.XXXXXX")
# shellcheck source=tests/tools/lab-server.bash
source tests/tools/lab-server.bash
start_lab_server pictures "$work" "${server_opts[@]}"

# The picture's size, from its <svg> element: "1280 x 700 px, 21 KB".
size_of() {
  local w h
  w=$(sed -n '2s/.* width="\([0-9]*\)".*/\1/p' "$1")
  h=$(sed -n '2s/.* height="\([0-9]*\)".*/\1/p' "$1")
  printf '%s x %s px, %s KB' "$w" "$h" $((($(wc -c <"$1") + 1023) / 1024))
}
wrote() { printf '  %-40s %s\n' "$1" "$(size_of "$1")"; }

echo "make pictures: into $img/ (lab server ${server_opts[*]})"
status=0
slowest=0
for name in "${crawlers[@]}"; do
  if ! out=$(timeout 120 "$bin_dir/$name" -q --svg "$img/$name.svg" "$url" 2>"$work/err"); then
    echo "  $name failed: $(head -n 1 "$work/err")" >&2
    status=1
    continue
  fi
  wrote "$img/$name.svg"
  wall=$(printf '%s\n' "$out" | tr ' ' '\n' | sed -n 's/^wall=\(.*\)s$/\1/p')
  slowest=$(awk -v a="$slowest" -v b="$wall" 'BEGIN { print (b > a ? b : a) }')
done

# The same crawl by every engine, on one axis: compact panels stacked in one picture.
axis=$(awk -v s="$slowest" 'BEGIN { a = int(s * 10 + 1) / 10; print a }')
panels=()
for name in "${crawlers[@]}"; do
  ASYNCLAB_SVG_AXIS=$axis timeout 120 "$bin_dir/$name" -q --svg "$work/$name.panel.svg" "$url" \
    >/dev/null 2>"$work/err" && panels+=("$work/$name.panel.svg")
done
machine="$(uname -srm), $(getconf _NPROCESSORS_ONLN 2>/dev/null || echo '?') cores"
model=$(sed -n 's/^model name[[:space:]]*: *//p' /proc/cpuinfo 2>/dev/null | head -n 1)
[ -n "$model" ] && machine="$machine, $model"
combined="$img/crawlers-compared.svg"
{
  height=110
  for p in "${panels[@]}"; do
    height=$((height + $(sed -n '2s/.* height="\([0-9]*\)".*/\1/p' "$p")))
  done
  height=$((height + 40))
  printf '<?xml version="1.0" encoding="UTF-8"?>\n'
  printf '<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="1280" height="%d" ' "$height"
  printf 'viewBox="0 0 1280 %d" font-family="DejaVu Sans, Verdana, sans-serif">\n' "$height"
  printf '<title>The same crawl by every engine, on one time axis</title>\n'
  printf '<rect width="1280" height="%d" fill="#FFFFFF"/>\n' "$height"
  printf '<text x="16" y="36" font-size="22">The same crawl by every engine, on one time axis</text>\n'
  # The legend as each crawler's own draws it: the phases where any panel has them.
  legend=("#D55E00:failed")
  grep -q 'class="connect"' "${panels[@]}" /dev/null &&
    legend=("#E69F00:connect" "#56B4E9:waiting for the first byte" "#009E73:reading" "${legend[@]}")
  grep -q 'class="flight"' "${panels[@]}" /dev/null && legend+=("#999999:in flight (phases not recorded)")
  x=16
  for item in "${legend[@]}"; do
    printf '<rect x="%d" y="53" width="16" height="16" fill="%s"/>' "$x" "${item%%:*}"
    printf '<text x="%d" y="66" font-size="16">%s</text>\n' $((x + 22)) "${item#*:}"
    x=$((x + 22 + ${#item} * 84 / 10 - 8 * 84 / 10 + 26))
  done
  printf '<text x="16" y="92" font-size="14" fill="#444444">lab server %s; one row per fetch, ' \
    "${server_opts[*]}"
  printf 'the crawlers one after another</text>\n'
  y=110
  for p in "${panels[@]}"; do
    h=$(sed -n '2s/.* height="\([0-9]*\)".*/\1/p' "$p")
    sed -e '1d' -e "2s/^<svg [^>]*>/<svg x=\"0\" y=\"$y\" width=\"1280\" height=\"$h\">/" "$p"
    y=$((y + h))
  done
  printf '<text x="16" y="%d" font-size="14" fill="#444444">measured on %s</text>\n' \
    $((height - 16)) "$machine"
  printf '</svg>\n'
} >"$combined"
wrote "$combined"

# 09, when it draws: its own server, as make compare runs it.
if "$bin_dir/09-epoll-c10k" --help 2>/dev/null | grep -q -- '--svg'; then
  case $img in /*) img_abs=$img ;; *) img_abs=$PWD/$img ;; esac # lab-run.sh moves
  # Its default, 10,000 connections, where the hard descriptor limit allows; else as
  # make compare runs it.
  args=()
  hard=$(ulimit -Hn)
  if [ "$hard" != unlimited ] && [ "$hard" -lt 10016 ]; then
    read -r -a args <<<"$(sed -n 's/^ \* Compare: *own server *//p' examples/09-epoll-c10k.c)"
  fi
  if BIN_DIR="$bin_dir" timeout 300 tests/tools/lab-run.sh examples/09-epoll-c10k.c -q "${args[@]}" \
    --svg "$img_abs/09-epoll-c10k.svg" >/dev/null 2>"$work/err"; then
    wrote "$img/09-epoll-c10k.svg"
  else
    echo "  09-epoll-c10k failed: $(head -n 1 "$work/err")" >&2
    status=1
  fi
fi

read -r -a cost_args <<<"${COST_ARGS:-}"
if timeout 300 "$bin_dir/10-cost-of-concurrency" -q "${cost_args[@]}" --svg "$img/10-cost-of-concurrency.svg" \
  >/dev/null 2>"$work/err"; then
  wrote "$img/10-cost-of-concurrency.svg"
else
  echo "  10-cost-of-concurrency failed: $(head -n 1 "$work/err")" >&2
  status=1
fi
echo "make pictures: $SECONDS s"
exit $status
