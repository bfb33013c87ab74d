#!/usr/bin/env bash
# docs-check.sh [check|update [--all]] [--root DIR]
#               [--only samples|refs|functions|claims|quotes|say|above]
#               [FILE.md...]
#
# What `make docs-check` and `make docs-update` run. The docs must not drift from the code:
#
# 1. Samples of real output. A fenced block whose info string starts with `output` is
#    re-run and compared with what the program prints now:
#
#        ```output MODE COMMAND...
#        lines the command printed
#        ```
#
#    COMMAND runs with bash in the repository root (stdout and stderr together; make's
#    own "***" lines and build progress lines are dropped). Before comparing, both sides
#    are masked: every number (times, ports, sizes, counts, 0x addresses) becomes N, a
#    unit of time or size after it (ns, µs, ms, s, B, KiB, MiB ...) becomes "unit" (one
#    machine switches threads in 1.3 µs, another in 900.0 ns), runs of blanks become one. A line that is only `...` (or `…`) in a sample stands for any
#    number of lines, so a sample may be an excerpt. MODE says how to compare:
#      exact   the masked lines, in order;
#      sorted  the masked lines in any order (completion order differs from run to run);
#      shape   in order, with blanks removed and every run of one character cut to one
#              character (timeline bars of any length, columns of any width);
#      sorted,shape  both: in any order, each line by its shape (a concurrent timeline);
#      keys    only the sample's lines with key=value pairs: some output line has the
#              same first word and the same keys in the same order.
#    `check` fails with a diff when a sample no longer matches; `update` rewrites each
#    sample that no longer matches from a real run (an excerpt keeps its shape: it is
#    re-cut from the top and bottom of the output, and a line between two `...` becomes
#    the output line most like it). `update --all` also refreshes the numbers of the
#    samples that still match (run it on an idle machine: the figures land in the docs).
# 2. No line numbers: `file.c:123` and "line 175" in prose go stale at the next edit; cite
#    the function instead. (Samples marked as output are exempt: they are re-checked.)
# 3. Every function cited in backticks as `name()` (empty parentheses; `f(x)` is code to type)
#    exists: the name followed by "(" occurs
#    in a .c or .h file of examples/, common/ or tests/ (libc and POSIX calls count when
#    the code calls them; `module.name()` with a dot is Python and is skipped).
# 4. One source of truth for lecture-claim numbers: the "Lecture claim(s)" paragraph of each
#    example's header comment. The README's table of examples, docs/README.md's claim map
#    and the "**Lecture claims ...**" line of a docs page must list the same numbers.
#
# 5. The claim map's quotations are real output. In docs/README.md's table "The lecture's
#    claims, and the output line that shows each" (and its Russian twin), a cell names the
#    command that prints a line in backticks before quoting it: `make run-03`: `blocked …`.
#    Every quotation after it (a backticked span with a blank or a "=" that is neither a
#    command nor an -option) must be part of one line of that command's output, numbers
#    masked, with `…` standing for any text. A quotation with no command before it fails.
# 6. A "Say:" sentence of the run sheet (lecture.md; «Скажите:» in Russian) is true of the
#    run: every number in it appears in a sample of the same step (in Russian with the
#    decimal comma read as a point). Example numbers (03) and "step 2" are references, not
#    figures. Better still, a sentence says "a thousand times" in words.
# 7. A figure that an example page's prose says its own sample shows is in that sample: in a
#    clause that points at "the sample above" (or run, output above), every backticked span
#    with a digit, such as `wall=3.394s`, occurs in one of the page's output samples, as is.
#    `make docs-update` renews a sample's figures; this says which sentences to renew too.
#
# Exit status 0 when every check passes, 1 when one fails (each failure is named on
# stderr), 2 on a usage error. The last line says what was checked.
set -u
export LC_ALL=C

mode=check
all=0
root=
only=
files=()
while [ $# -gt 0 ]; do
  case $1 in
    check | update) mode=$1 ;;
    --root) root=$2; shift ;;
    --only) only=$2; shift ;;
    --all) all=1 ;;
    -h | --help) sed -n '2,/^set -u/p' "$0" | sed 's/^# \{0,1\}//;/^set -u/d'; exit 0 ;;
    -*) echo "docs-check: unknown option $1" >&2; exit 2 ;;
    *) files+=("$1") ;;
  esac
  shift
done
[ -n "$root" ] || root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root" || exit 2
if [ ${#files[@]} -eq 0 ]; then
  shopt -s nullglob
  files=(docs/*.md docs/*/*.md)
  shopt -u nullglob
fi
want() { [ -z "$only" ] || [ "$only" = "$1" ]; }

work=$(mktemp -d "${TMPDIR:-/tmp}/docs-check.XXXXXX")
trap 'rm -rf "$work"' EXIT
failures=0
fail() {
  echo "docs-check: $*" >&2
  failures=$((failures + 1))
}

# --- masking --------------------------------------------------------------------------------

# mask MODE < lines: the form in which a line is compared.
mask() {
  local sed_shape=
  [ "$1" = shape ] && sed_shape='s/ //g; s/\(.\)\1\{1,\}/\1/g'
  sed -E 's/[[:space:]]+$//
          s/0x[0-9a-fA-F]+/0xN/g
          s/[0-9]+([.,:][0-9]+)*/N/g
          s/N ?(ns|µs|us|ms|s|B|KiB|MiB|GiB|TiB|PiB)([^[:alnum:]_]|$)/N unit\2/g
          s/[[:space:]]+/ /g' | sed "$sed_shape"
}

# keys_of < lines: for each line with key=value pairs, its first word and its keys.
keys_of() {
  awk '{
    out = $1
    for (i = 1; i <= NF; i++) if ($i ~ /^[A-Za-z_%]+=/) { k = $i; sub(/=.*/, "=", k); out = out " " k }
    print (out == $1 ? "" : out)
  }'
}

# --- matching a sample against the output ---------------------------------------------------

# match MODE SAMPLE OUTPUT MAP: compare; on success write to MAP, for each sample line, the
# number of the output line it matched (0 for "..."), and return 0.
match_sample() {
  local m=$1 sample=$2 output=$3 map=$4
  if [ "$m" = keys ]; then
    keys_of <"$sample" >"$work/s.k"
    keys_of <"$output" >"$work/o.k"
    awk 'NR == FNR { o[FNR] = $0; n = FNR; next }
         { if ($0 == "") { print 0; next }
           for (i = 1; i <= n; i++) if (o[i] == $0) { print i; next }
           bad = 1; print -1 }
         END { exit bad }' "$work/o.k" "$work/s.k" >"$map"
    return
  fi
  # sorted,shape: in any order, each line compared by its shape.
  local mm=exact
  [[ $m == *shape* ]] && mm=shape
  mask "$mm" <"$sample" >"$work/s.m"
  mask "$mm" <"$output" >"$work/o.m"
  # Ellipsis lines are found in the raw sample, where the masking cannot touch them.
  grep -n -E '^[[:space:]]*(\.\.\.|…)[[:space:]]*$' "$sample" | cut -d: -f1 >"$work/s.e"
  awk -v mode="${m%%,*}" '
    FILENAME == ARGV[1] { ell[$0] = 1; next }
    FILENAME == ARGV[2] { o[FNR] = $0; m = FNR; next }
    { s[FNR] = $0; n = FNR }
    END {
      if (mode == "sorted") {
        hasell = 0
        for (i = 1; i <= n; i++) if (i in ell) hasell = 1
        for (i = 1; i <= n; i++) {
          if (i in ell) { map[i] = 0; continue }
          map[i] = -1
          for (j = 1; j <= m; j++) if (!(j in used) && o[j] == s[i]) { used[j] = 1; nused++; map[i] = j; break }
          if (map[i] < 0) bad = 1
        }
        if (!hasell && nused != m) bad = 1
        for (i = 1; i <= n; i++) print map[i]
        exit bad
      }
      # Segments of sample lines between "..." lines; each must occur in order.
      nseg = 0; start = 1
      for (i = 1; i <= n + 1; i++) {
        if (i == n + 1 || (i in ell)) {
          if (i > start) { nseg++; from[nseg] = start; to[nseg] = i - 1 }
          start = i + 1
          if (i <= n) map[i] = 0
        }
      }
      lead = (n >= 1 && (1 in ell)); trail = (n >= 1 && (n in ell))
      if (n == 0) { exit (m != 0) }
      pos = 1
      for (k = 1; k <= nseg; k++) {
        len = to[k] - from[k] + 1
        found = 0
        if (k == 1 && !lead) {
          first = 1; last = 1
        } else if (k == nseg && !trail) {
          first = m - len + 1; last = first
          if (first < pos) { bad = 1; break }
        } else {
          first = pos; last = m - len + 1
        }
        for (p = first; p <= last && !found; p++) {
          ok = 1
          for (q = 0; q < len; q++) if (o[p + q] != s[from[k] + q] || p + q > m) { ok = 0; break }
          if (ok) { found = 1; at = p }
        }
        if (!found) { bad = 1; break }
        for (q = 0; q < len; q++) map[from[k] + q] = at + q
        pos = at + len
      }
      if (!bad && !trail && pos != m + 1) bad = 1
      for (i = 1; i <= n; i++) print (i in map ? map[i] : -1)
      exit bad
    }' "$work/s.e" "$work/o.m" "$work/s.m" >"$map"
}

# show_diff MODE SAMPLE OUTPUT: what a reader needs to see to fix a drifted sample.
show_diff() {
  local m=exact
  [[ $1 == *shape* ]] && m=shape
  if [ "$1" = keys ]; then
    keys_of <"$2" | grep . >"$work/d.s"
    keys_of <"$3" | grep . >"$work/d.o"
  else
    grep -v -E '^[[:space:]]*(\.\.\.|…)[[:space:]]*$' "$2" | mask "$m" >"$work/d.s"
    mask "$m" <"$3" >"$work/d.o"
    if [[ $1 == sorted* ]]; then
      sort -o "$work/d.s" "$work/d.s"
      sort -o "$work/d.o" "$work/d.o"
    fi
  fi
  diff -u --label "sample (masked, $1)" --label "output now (masked, $1)" \
    "$work/d.s" "$work/d.o" | sed 's/^/    /' >&2
}

# --- running a sample's command, once per command ---------------------------------------------

declare -A ran=()
nran=0
# run_command CMD: sets ran_out to the path of a file with its output (a command runs once).
run_command() {
  local cmd=$1
  if [ -z "${ran[$cmd]+x}" ]; then
    nran=$((nran + 1))
    local out="$work/run.$nran"
    echo "docs-check: running: $cmd" >&2
    # A clean environment for make: no inherited -w, no outer LAB_URL or build knobs.
    env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS -u LAB_URL -u URL -u PAGES -u DELAY -u ARGS \
      timeout -k 5 "${DOCS_CHECK_TIMEOUT:-300}" bash -c "$cmd" </dev/null 2>&1 |
      grep -v -E '^make(\[[0-9]+\])?: (\*\*\*|Entering|Leaving)|^  (CC|AR|LINK) ' >"$out"
    ran[$cmd]=$out
  fi
  ran_out=${ran[$cmd]}
}

# --- 1. samples -----------------------------------------------------------------------------

nsamples=0
check_samples() {
  local f=$1 lineno=0 in=0 info="" start=0 line
  local body="$work/body" new="$work/new"
  : >"$new"
  while IFS= read -r line || [ -n "$line" ]; do
    lineno=$((lineno + 1))
    if [ $in = 0 ]; then
      printf '%s\n' "$line" >>"$new"
      if [[ $line =~ ^\`\`\`output[[:space:]]+([a-z,]+)[[:space:]]+(.+)$ ]]; then
        in=1 info=$line start=$lineno
        : >"$body"
      fi
      continue
    fi
    if [[ $line == '```'* ]]; then
      in=0
      nsamples=$((nsamples + 1))
      [[ $info =~ ^\`\`\`output[[:space:]]+([a-z,]+)[[:space:]]+(.+)$ ]]
      local m=${BASH_REMATCH[1]} cmd=${BASH_REMATCH[2]}
      case $m in
        exact | sorted | shape | keys | sorted,shape) ;;
        *)
          fail "$f:$start: unknown mode '$m' (exact, sorted, shape, sorted,shape or keys)"
          cat "$body" >>"$new"
          printf '%s\n' "$line" >>"$new"
          continue
          ;;
      esac
      local out
      run_command "$cmd"
      out=$ran_out
      if match_sample "$m" "$body" "$out" "$work/map"; then
        if [ "$mode" = update ] && [ "$all" = 1 ]; then
          refresh_matched "$body" "$out" "$work/map" >>"$new"
        else
          cat "$body" >>"$new"
        fi
      elif [ "$mode" = update ]; then
        echo "docs-check: $f:$start: rewritten from a new run of: $cmd" >&2
        recut "$m" "$body" "$out" >>"$new"
      else
        fail "$f:$start: the sample of \`$cmd\` ($m) no longer matches what it prints:"
        show_diff "$m" "$body" "$out"
        cat "$body" >>"$new"
      fi
      printf '%s\n' "$line" >>"$new"
      continue
    fi
    printf '%s\n' "$line" >>"$body"
  done <"$f"
  [ $in = 1 ] && fail "$f:$start: an output block that is never closed"
  if [ "$mode" = update ] && ! cmp -s "$f" "$new"; then
    cp "$new" "$f"
    echo "docs-check: updated $f" >&2
  fi
}

# refresh_matched SAMPLE OUTPUT MAP: the sample with each line replaced by the line it matched.
refresh_matched() {
  awk 'FILENAME == ARGV[1] { map[FNR] = $0; next }
       FILENAME == ARGV[2] { o[FNR] = $0; next }
       { print (map[FNR] > 0 ? o[map[FNR]] : $0) }' "$3" "$2" "$1"
}

# recut MODE SAMPLE OUTPUT: a sample that no longer matches, made anew from the output: all
# of it, or for an excerpt as many lines from the top and from the bottom as it had.
recut() {
  local sample=$2 output=$3
  if [ "$1" = keys ]; then
    # Each key line becomes the output's line with the same first word.
    awk 'FILENAME == ARGV[1] { w = $1; if (!(w in o)) o[w] = $0; next }
         { print (($0 ~ /=/ && ($1 in o)) ? o[$1] : $0) }' "$output" "$sample"
    return
  fi
  if ! grep -q -E '^[[:space:]]*(\.\.\.|…)[[:space:]]*$' "$sample"; then
    cat "$output"
    return
  fi
  # The lines before the first "..." come from the top of the output, those after the last
  # from the bottom; a line between two "..." becomes the output line most like it (the
  # most words in common once numbers are masked), in order.
  mask exact <"$output" >"$work/r.o"
  mask exact <"$sample" >"$work/r.s"
  awk 'function words(t, arr,   k, w, c) { split("", arr); c = split(t, w, " ")
         for (k = 1; k <= c; k++) arr[w[k]] = 1; return c }
       FILENAME == ARGV[1] { o[FNR] = $0; m = FNR; next }
       FILENAME == ARGV[2] { om[FNR] = $0; next }
       FILENAME == ARGV[3] { sm[FNR] = $0; next }
       { s[FNR] = $0; n = FNR }
       END {
         e = "^[[:space:]]*(\\.\\.\\.|…)[[:space:]]*$"
         for (i = 1; i <= n && s[i] !~ e; i++) head++
         for (i = n; i >= 1 && s[i] !~ e; i--) tail++
         if (head + tail >= m) { for (i = 1; i <= m; i++) print o[i]; exit }
         for (i = 1; i <= head; i++) print o[i]
         lo = head + 1; hi = m - tail
         for (i = head + 1; i <= n - tail; i++) {
           if (s[i] ~ e) { print s[i]; continue }
           words(sm[i], want); best = 0; at = 0
           for (j = lo; j <= hi; j++) {
             c = 0; words(om[j], have)
             for (w in want) if (w in have) c++
             if (c > best) { best = c; at = j }
           }
           if (at) { print o[at]; lo = at + 1 } else print s[i]
         }
         for (i = m - tail + 1; i <= m; i++) print o[i]
       }' "$output" "$work/r.o" "$work/r.s" "$sample"
}

# --- 2. line numbers ------------------------------------------------------------------------

nlinerefs=0
check_line_refs() {
  local f=$1 hits
  # Prose and unmarked blocks; marked output blocks are re-run, so they are left out.
  hits=$(awk '
    /^```output[ \t]/ { skip = 1; next }
    /^```/ { if (skip) { skip = 0; next } fence = !fence; next }
    skip { next }
    {
      text = $0
      if (match(text, /[A-Za-z0-9_.\/-]+\.(c|h|sh|bash|bats|md)?:[0-9]+|Makefile:[0-9]+/))
        print FILENAME ":" FNR ": " substr(text, RSTART, RLENGTH)
      if (fence) next
      # "line 175" / "lines 12-14" in prose; a backticked quote of output is left alone.
      gsub(/`[^`]*`/, "", text)
      if (match(text, /(^|[^A-Za-z])[Ll]ines? [0-9]+/))
        print FILENAME ":" FNR ": " substr(text, RSTART, RLENGTH)
    }' "$f")
  nlinerefs=$((nlinerefs + $(grep -c . "$f")))
  if [ -n "$hits" ]; then
    while IFS= read -r h; do
      fail "$h: a line number goes stale at the next edit; cite the function instead"
    done <<<"$hits"
  fi
}

# --- 3. cited functions ---------------------------------------------------------------------

nfunctions=0
check_functions() {
  local names name
  names=$(cat "$@" | grep -o '`[A-Za-z_][A-Za-z0-9_]*()`' |
    sed -E 's/^`([A-Za-z0-9_]+)\(.*/\1/' | sort -u)
  [ -n "$names" ] || return 0
  for name in $names; do
    nfunctions=$((nfunctions + 1))
    if ! grep -r -q -E --include='*.[ch]' "(^|[^A-Za-z0-9_])${name}[[:space:]]*\(" \
      examples common tests 2>/dev/null; then
      fail "\`$name()\` is cited in $(grep -l "\`$name(" "$@" | tr '\n' ' ')but no .c or .h file of examples/, common/ or tests/ has it"
    fi
  done
}

# --- 4. lecture-claim numbers ---------------------------------------------------------------

# header_claims FILE.c: the claim numbers of the header's "Lecture claim(s)" paragraph: the
# numbers that are followed by "(" or ":" once each parenthesised remark is taken out.
header_claims() {
  awk '/\*\// { exit } /Lecture claims?/ { on = 1 } on && /^ \*[ \t]*$/ { exit }
       on { sub(/^ \*/, ""); printf "%s ", $0 }' "$1" |
    sed -E ':a; s/\([^()]*\)/ @ /g; ta' |
    grep -o -E '(^|[^0-9.,])[0-9]+ *[@:]' | grep -o -E '[0-9]+' | sort -n | uniq | tr '\n' ' ' |
    sed 's/ $//'
}

# numbers_in TEXT: the numbers in TEXT, sorted, unique, space-separated.
numbers_in() { grep -o -E '[0-9]+' <<<"$1" | sort -n | uniq | tr '\n' ' ' | sed 's/ $//'; }

nclaims=0
check_claims() {
  local src num name got
  declare -A header=()
  for src in examples/[0-9][0-9]-*.c; do
    [ -e "$src" ] || continue
    name=$(basename "$src" .c)
    num=${name%%-*}
    header[$num]=$(header_claims "$src")
    [ -n "${header[$num]}" ] || fail "$src: the header has no \"Lecture claims: N (...)\" paragraph"
  done
  # The README's table: | NN | [name](...) | what it shows | claims |
  if [ -f README.md ]; then
    while IFS='|' read -r _ num _ _ claims _; do
      num=$(tr -d ' ' <<<"$num")
      [ -n "${header[$num]+x}" ] || continue
      nclaims=$((nclaims + 1))
      got=$(numbers_in "$claims")
      [ "$got" = "${header[$num]}" ] ||
        fail "README.md: example $num lists claims '$got', its header says '${header[$num]}'"
    done < <(grep -E '^\| [0-9][0-9] \| \[' README.md)
  fi
  # docs/README.md's claim map: | N | claim | examples | the line to point at |
  if [ -f docs/README.md ]; then
    declare -A mapped=()
    local claim examples e
    while IFS='|' read -r _ claim _ examples _; do
      claim=$(tr -d ' ' <<<"$claim")
      while read -r e; do
        mapped[$e]+=" $claim"
      done < <(grep -o -E '\b[0-9][0-9]\b' <<<"$examples")
    done < <(grep -E '^\| [1-9][0-9]? \| [^[|][^|]* \| [0-9]{2}' docs/README.md)
    for num in "${!header[@]}"; do
      nclaims=$((nclaims + 1))
      got=$(numbers_in "${mapped[$num]:-}")
      [ "$got" = "${header[$num]}" ] ||
        fail "docs/README.md: the claim map puts example $num under claims '$got', its header says '${header[$num]}'"
    done
  fi
  # A page's own "**Lecture claims 8 and 9:**" line.
  local page line
  for page in docs/[0-9][0-9]-*.md; do
    [ -e "$page" ] || continue
    num=$(basename "$page" | cut -c1-2)
    [ -n "${header[$num]+x}" ] || continue
    line=$(grep -m1 -o -E '^\*\*Lecture claims?[^*]*\*\*' "$page") || continue
    nclaims=$((nclaims + 1))
    got=$(numbers_in "$line")
    [ "$got" = "${header[$num]}" ] ||
      fail "$page: its first lines name claims '$got', the example's header says '${header[$num]}'"
  done
}

# --- 5. the claim map's quotations ---------------------------------------------------------

# quote_in_output QUOTE OUTPUT: the quote (numbers masked, "…" any text) is part of a line.
quote_in_output() {
  local q
  q=$(printf '%s\n' "$1" | mask exact)
  mask exact <"$2" | awk -v q="$q" '
    BEGIN { n = split(q, piece, "…")
            for (i = 1; i <= n; i++) { gsub(/^ +| +$/, "", piece[i]) } }
    { s = $0; ok = 1
      for (i = 1; i <= n; i++) {
        if (piece[i] == "") continue
        at = index(s, piece[i]); if (!at) { ok = 0; break }
        s = substr(s, at + length(piece[i]))
      }
      if (ok) { found = 1; exit } }
    END { exit !found }'
}

nquotes=0
check_quotes() {
  local f=$1 lineno claim cell span cmd
  while IFS=: read -r lineno row; do
    claim=$(cut -d'|' -f2 <<<"$row" | tr -d ' ')
    cell=$(cut -d'|' -f5- <<<"$row")
    cmd=
    while IFS= read -r span; do
      span=${span#\`}
      span=${span%\`}
      if [[ $span == "make "* ]]; then
        cmd=$span
        continue
      fi
      [[ $span == *[\ =]* && $span != -* ]] || continue
      nquotes=$((nquotes + 1))
      if [ -z "$cmd" ]; then
        fail "$f:$lineno: claim $claim quotes \`$span\` but names no command before it (write \`make run-NN ...\` first)"
        continue
      fi
      run_command "$cmd"
      quote_in_output "$span" "$ran_out" ||
        fail "$f:$lineno: claim $claim quotes \`$span\`, which \`$cmd\` does not print"
    done < <(grep -o '`[^`]*`' <<<"$cell")
  done < <(grep -n -E '^\| [1-9][0-9]? \| [^[|][^|]* \| [0-9]{2}' "$f")
}

# --- 6. the run sheet's "Say:" sentences ----------------------------------------------------

# say_numbers FILE: "LINE<TAB>STEP<TAB>NUMBER" for each number of a Say: sentence that no
# sample of its step has.
say_numbers() {
  awk -v ru="$2" '
    function sample_numbers(line,   s, t) {
      s = line
      while (match(s, /[0-9]+([.,][0-9]+)*/)) {
        have[substr(s, RSTART, RLENGTH)] = 1
        s = substr(s, RSTART + RLENGTH)
      }
    }
    function say_numbers(text, at,   s, t, pre, c) {
      s = text
      while (match(s, /[0-9]+([.,][0-9]+)*/)) {
        t = substr(s, RSTART, RLENGTH)
        pre = substr(s, 1, RSTART - 1)
        s = substr(s, RSTART + RLENGTH)
        c = substr(pre, length(pre), 1)
        if (c ~ /[A-Za-z_]/) continue                  # C10k, a name
        if (t ~ /^0[0-9]$/) continue                   # example 03
        if (pre ~ /(step|steps|claim|claims|шаг|шага|шаге|шагу) $/) continue
        if (ru && t ~ /^[0-9]+,[0-9]+$/) sub(/,/, ".", t)
        nsaid++; said_at[nsaid] = at; said[nsaid] = t
      }
    }
    function flush(   k) {
      for (k = 1; k <= nsaid; k++) if (!(said[k] in have)) print said_at[k] "\t" step "\t" said[k]
      nsaid = 0; split("", have)
    }
    /^## / { flush(); step = $2; sub(/\.$/, "", step); next }
    /^```output[ \t]/ { inblock = 1; next }
    inblock && /^```/ { inblock = 0; next }
    inblock { sample_numbers($0); next }
    {
      line = $0
      if (!saying) {
        i = index(line, "Say: *"); k = 6
        if (!i) { i = index(line, "Скажите: *"); k = length("Скажите: *") }
        if (!i && line ~ /Скажите:$/) { pending = 1; next }
        if (!i && pending && line ~ /^\*/) { i = 1; k = 1 }
        pending = 0
        if (!i) next
        saying = 1; start = FNR; line = substr(line, i + k)
      }
      j = index(line, "*")
      if (j) { say_numbers(substr(line, 1, j - 1), start); saying = 0 }
      else say_numbers(line, start)
    }
    END { flush() }' "$1"
}

nsay=0
check_say() {
  local f=$1 ru=0 at step num
  [[ $f == docs/ru/* ]] && ru=1
  nsay=$((nsay + $(grep -c -E 'Say: \*|Скажите:' "$f")))
  while IFS=$'\t' read -r at step num; do
    fail "$f:$at: step $step's Say: sentence says $num, which no sample of step $step shows (say it in words, or show the line)"
  done < <(say_numbers "$f" "$ru")
}

# --- 7. figures said to be in a sample above -----------------------------------------------

# above_spans FILE: "LINE<TAB>SPAN" for each backticked span with a digit, in a clause that
# points at a sample above, that no output sample of FILE contains.
above_spans() {
  awk '
    function flush(   n, k, c, clauses, rest, i, j, span, keep, nspans, spans) {
      if (para == "") return
      rest = para; nspans = 0; keep = ""
      while ((i = index(rest, "`")) > 0) {
        j = index(substr(rest, i + 1), "`")
        if (j == 0) break
        spans[++nspans] = substr(rest, i + 1, j - 1)
        keep = keep substr(rest, 1, i - 1) "\001" nspans "\002"
        rest = substr(rest, i + j + 1)
      }
      keep = keep rest
      gsub(/\. |, |; |: |\(|\)|—/, "\003", keep)
      n = split(keep, clauses, "\003")
      for (c = 1; c <= n; c++) {
        if (clauses[c] !~ /(sample|samples|run|output) above/) continue
        rest = clauses[c]
        while (match(rest, /\001[0-9]+\002/)) {
          k = substr(rest, RSTART + 1, RLENGTH - 2) + 0
          rest = substr(rest, RSTART + RLENGTH)
          span = spans[k]
          if (span ~ /[0-9]/ && index(samples, span) == 0) out[++nout] = start "\t" span
        }
      }
      para = ""
    }
    /^```output/ { insample = 1; flush(); next }
    /^```/ { if (insample) insample = 0; else incode = !incode; flush(); next }
    insample { samples = samples "\n" $0; next }
    incode { next }
    /^[ \t]*$/ || /^#/ || /^[ \t]*([0-9]+\.|-) / { flush() }
    /^[ \t]*$/ || /^#/ { next }
    { if (para == "") start = FNR; para = para " " $0 }
    END { flush(); for (k = 1; k <= nout; k++) print out[k] }' "$1"
}

nabove=0
check_above() {
  local f=$1 at span
  while IFS=$'\t' read -r at span; do
    fail "$f:$at: \`$span\` is said to be in a sample above, and no output sample of the page has it (renew the sentence with the sample)"
  done < <(above_spans "$f")
  nabove=$((nabove + $(grep -c -E '(sample|samples|run|output) above' "$f")))
}

# --- main -----------------------------------------------------------------------------------

for f in "${files[@]}"; do
  [ -f "$f" ] || { fail "$f: no such file"; continue; }
  # docs/ru/ carries copies of the English samples (tests/tools/docs-sync.sh keeps them equal, and
  # make docs-update re-copies them): each is run once, on the English page.
  [[ "$f" == docs/ru/* ]] || { want samples && check_samples "$f"; }
  want refs && check_line_refs "$f"
  [[ $f == */README.md ]] && want quotes && check_quotes "$f"
  [[ $f == */lecture.md ]] && want say && check_say "$f"
  [[ $f == docs/[0-9][0-9]-*.md ]] && want above && check_above "$f"
done
want refs && [ -f README.md ] && check_line_refs README.md
readme=()
[ -f README.md ] && readme=(README.md)
want functions && check_functions "${files[@]}" "${readme[@]}"
want claims && check_claims

echo "docs-check: $nsamples samples ($nran commands run), $nlinerefs lines searched for line numbers, $nfunctions functions, $nclaims claim lists, $nquotes claim-map quotations, $nsay Say: sentences, $nabove sentences pointing at a sample above: $failures problems"
[ "$failures" -eq 0 ]
