#!/usr/bin/env bash
# docs-ru-lint.sh: the Russian edition's words, checked mechanically.
#
#   tests/tools/docs-ru-lint.sh [RU_DIR]          (RU_DIR defaults to the repo's docs/ru/)
#
# Fails (exit 1), naming the page, the line and the rule, on
#   comment   an English `#` comment in a code block: a `#` at the start of a line or after a
#             blank, then a blank and text with Latin words and no Cyrillic letter (C blocks
#             are skipped; output such as ThreadSanitizer's `#0 main ...` has no blank after
#             the `#` and is left alone);
#   load      «загрузка» followed by a decimal number, or «средняя загрузка»: that is the load
#             average, which the edition calls «средняя нагрузка (load average)»; «загрузка»
#             means one page fetch («32 загрузки» is fine);
#   children  «ребёнок», «дети», «детей», ... : a forked process is a «дочерний процесс», a
#             lab-site page links to «дочерние страницы». A line that means human children
#             may stay if it contains one of the phrases in tests/tools/docs-ru-lint.allow
#             (or in the file named by DOCS_RU_LINT_ALLOW).
# tests/tools/docs-sync.sh runs this after its own check, so `make docs-ru-check` runs it too.
# Exit: 0 clean, 1 a rule broken, 2 usage error.
set -u
export LC_ALL=C # byte-wise: Cyrillic letters are two bytes, 0xD0 or 0xD1 then 0x80-0xBF

prog=docs-ru-lint.sh
here=$(cd "$(dirname "$0")" && pwd)
ru=${1:-$here/../../docs/ru}
allow=${DOCS_RU_LINT_ALLOW:-$here/docs-ru-lint.allow}
if [ ! -d "$ru" ]; then
	echo "$prog: $ru is not a directory" >&2
	exit 2
fi

# Whole words, byte-wise. Before the word: the start of the line, an ASCII byte that is not a
# letter or digit, or a whole multi-byte character that is not Cyrillic («, —). After it: the end
# of the line or a byte that is neither an ASCII letter or digit nor a Cyrillic lead byte.
before='(^|[^A-Za-z0-9_'$'\x80''-'$'\xff'']|['$'\xc2''-'$'\xcf'$'\xd2''-'$'\xdf''].|['$'\xe0''-'$'\xef'']..)'
after='($|[^A-Za-z0-9_'$'\xd0'$'\xd1''])'

status=0
for page in "$ru"/*.md; do
	[ -e "$page" ] || continue
	name=$(basename "$page")

	# comment: the `#` comments of every block that is not C, with their line numbers.
	awk -v name="$name" '
	!inf && /^[ \t]*(```|~~~)/ {
		info = $0; sub(/^[ \t]*(`+|~+)[ \t]*/, "", info); sub(/[ \t].*$/, "", info)
		inf = 1; is_c = (info == "c" || info == "C"); next
	}
	inf && /^[ \t]*(```|~~~)[ \t]*$/ { inf = 0; next }
	inf && !is_c && match($0, /(^|[ \t])#[ \t].*$/) {
		c = substr($0, RSTART, RLENGTH)
		if (c ~ /[A-Za-z][A-Za-z]/ && c !~ /[\320\321]/)
			printf "%s:%d: comment: an English # comment in a Russian code block:%s\n", name, FNR, c
	}' "$page" | grep . && status=1

	# load: «загрузк…» then a decimal number (optionally "(load average)" between), or
	# «средн… загрузк…».
	grep -nE "загрузк[^ ]* (\(load average\) )?[0-9]+[.,][0-9]|(С|с)редн[^ ]* загрузк" "$page" |
		sed "s/^\([0-9]*\):/$name:\1: load: «загрузка» is a fetch; the load average is «средняя нагрузка (load average)»: /" |
		grep . && status=1

	# children: the word forms of «ребёнок» and «дети», as whole words.
	grep -nE "$before(ребён|ребен|Ребён|Ребен|(Д|д)ет(и|ей|ям|ьми|ях|ск[^ ]*)$after)" "$page" |
		{ if [ -s "$allow" ]; then grep -vF -f <(grep -v '^#' "$allow" | grep .); else cat; fi; } |
		sed "s/^\([0-9]*\):/$name:\1: children: a process is a «дочерний процесс», a page has «дочерние страницы»: /" |
		grep . && status=1
done
exit "$status"
