# Makefile - builds keyhound, its tests, benchmarks and fuzzers (one non-recursive file).
#
#   make scan      install missing deps, build, scan this repository's working tree
#   make test      install missing deps, build, run every test (unit, rules, end-to-end),
#                  again under ASan+UBSan, then the fuzz regressions and a short fuzz run
#   make test-fast the tests once, no sanitizers or fuzzing
#   make install   PREFIX=/usr/local DESTDIR=  (binary + manual page)
#   make check-asan / check-valgrind / fuzz FUZZ_SECONDS=N / adversarial / bench / lint
#   make accuracy  recall and precision per rule family; make quiet: false alarms on real trees
#
# Dependencies are found with pkg-config; `make deps` installs what is missing
# with apt-get (sudo when not root). Outputs go to $(BUILD)/ only.

BUILD    ?= build
PREFIX   ?= /usr/local
DESTDIR  ?=
CC       ?= cc
PKGS     := libpcre2-8 libgit2 yaml-0.1 jansson libcurl zlib
PKG_CONFIG ?= pkg-config
# libdeflate inflates pack objects about twice as fast as zlib; optional.
HAVE_LIBDEFLATE := $(shell $(PKG_CONFIG) --exists libdeflate 2>/dev/null && echo yes)
ifeq ($(HAVE_LIBDEFLATE),yes)
PKGS     += libdeflate
DEFLATE_CFLAGS := -DKH_HAVE_LIBDEFLATE
endif

WARN     := -Wall -Wextra -Werror -Wstrict-prototypes -Wshadow -Wno-unused-parameter
OPT      ?= -O2 -g
CFLAGS   ?=
DEPFLAGS := -MMD -MP
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
# libcurl is compiled against but not linked: curl_load.c opens it at run time,
# only for --verify, so that start-up (a pre-commit hook) skips its dependencies.
PKG_LIBS   := $(shell $(PKG_CONFIG) --libs $(filter-out libcurl,$(PKGS)) 2>/dev/null)
# Linked from their static archives where they are installed (Debian's -dev
# packages ship them): start-up twice as fast, which a pre-commit hook feels
# (tools/static-libs.sh says why). STATIC_LIBS=no links them dynamically.
STATIC_LIBS ?= auto
ifneq ($(STATIC_LIBS),no)
LIBS_STATIC := $(shell CC="$(CC)" PKG_CONFIG="$(PKG_CONFIG)" sh tools/static-libs.sh \
                 $(filter-out libcurl,$(PKGS)) 2>/dev/null)
endif
ifneq ($(LIBS_STATIC),)
PKG_LIBS   := $(LIBS_STATIC)
ifneq ($(findstring --wrap,$(LIBS_STATIC)),)
STATIC_CFLAGS := -DKH_GIT_STATIC
endif
endif
ALL_CFLAGS := -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -D_DARWIN_C_SOURCE \
              $(WARN) $(OPT) $(SANFLAGS) $(PKG_CFLAGS) $(DEFLATE_CFLAGS) $(STATIC_CFLAGS) -Iscanner -I$(BUILD) $(CFLAGS)
LDLIBS   := $(PKG_LIBS) -lpthread -lm -ldl
VERSION  := $(shell cat VERSION 2>/dev/null || echo 0.0.0)

# Every scanner/*.c is part of the program; main.c is the only one not in the
# library the tests link against. (A wildcard keeps parallel work on separate
# modules from colliding in this file.)
LIB_SRC  := $(filter-out scanner/main.c,$(sort $(wildcard scanner/*.c)))
LIB_OBJ  := $(LIB_SRC:scanner/%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/rules_builtin.o \
            $(BUILD)/obj/hooks_builtin.o $(BUILD)/obj/rules_table.o
# What tools/rule-table.c links: the library without the tables it generates
# (an archive, so only the loader's modules are pulled in).
GEN_OBJ  := $(filter-out $(BUILD)/obj/rules_defaults.o $(BUILD)/obj/rules_table.o,$(LIB_OBJ))
RULE_FILES := $(sort $(wildcard rules/*.yml))
HOOK_FILES := hooks/pre-commit hooks/pre-push
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
DEP      := $(LIB_OBJ:.o=.d) $(BUILD)/obj/main.d $(UNIT_BIN:=.d)
# Fuzz targets (tests/fuzz/): replay binaries with a plain main() for any
# compiler, and libFuzzer binaries built with clang in $(FUZZ_BUILD).
FUZZ_TARGETS := fuzz_scan fuzz_rules fuzz_report fuzz_git
FUZZ_REPLAY  := $(FUZZ_TARGETS:%=$(BUILD)/fuzz/%)
ASAN_BUILD   ?= $(BUILD)-asan
FUZZ_BUILD   ?= $(BUILD)-fuzz
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_SMOKE_SECONDS ?= 5

.PHONY: all scan test test-unit test-e2e deps install uninstall clean check-asan fuzz bench bench-prefilter lint accuracy quiet \
        test-fast test-bins fuzz-bins libfuzzer-bins check-valgrind adversarial

all: $(BUILD)/keyhound

# ELF linkers export git_lib.c's mbedTLS stand-ins so that a shared libgit2 binds
# to them (start-up without parsing the CA bundle); Mach-O needs and takes no
# list; linked from archives, --wrap (in LIBS_STATIC) routes the calls instead.
ifneq ($(shell uname -s),Darwin)
ifeq ($(LIBS_STATIC),)
EXPORTS := -Wl,--dynamic-list=scanner/dynamic.list
endif
endif
$(BUILD)/keyhound: $(BUILD)/obj/main.o $(BUILD)/libkeyhound.a scanner/dynamic.list
	$(CC) $(ALL_CFLAGS) -o $@ $(BUILD)/obj/main.o $(BUILD)/libkeyhound.a $(EXPORTS) $(LDLIBS)

# git_lib.c is compiled one way for archive linking and another for shared
# libraries: rebuilt (and everything relinked) when the choice changes.
$(BUILD)/obj/git_lib.o: $(BUILD)/link-mode
$(BUILD)/link-mode: FORCE | $(BUILD)/obj
	@echo '$(STATIC_CFLAGS) $(LIBS_STATIC)' | cmp -s - $@ || echo '$(STATIC_CFLAGS) $(LIBS_STATIC)' > $@
FORCE:

$(BUILD)/libkeyhound.a: $(LIB_OBJ)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/obj/%.o: scanner/%.c | $(BUILD)/obj
	$(CC) $(ALL_CFLAGS) $(DEPFLAGS) -DKH_VERSION='"$(VERSION)"' -c -o $@ $<

# The default rules are compiled into the binary so that it works alone.
$(BUILD)/rules_builtin.c: $(RULE_FILES) $(BUILD)/embed-rules
	$(BUILD)/embed-rules builtin_rule_files $(RULE_FILES) > $@.tmp && mv $@.tmp $@

# ... and the git hooks, which `keyhound install-hook` writes.
$(BUILD)/hooks_builtin.c: $(HOOK_FILES) $(BUILD)/embed-rules
	$(BUILD)/embed-rules builtin_hook_files $(HOOK_FILES) > $@.tmp && mv $@.tmp $@

$(BUILD)/obj/%_builtin.o: $(BUILD)/%_builtin.c
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# ... and, for start-up speed, parsed and checked at build time into C tables
# (scanner/rules_table.h): a pattern that does not compile fails the build.
$(BUILD)/rules_table.c: $(RULE_FILES) $(BUILD)/rule-table
	$(BUILD)/rule-table $(RULE_FILES) > $@.tmp && mv $@.tmp $@

$(BUILD)/obj/rules_table.o: $(BUILD)/rules_table.c scanner/rules_table.h
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/libgen.a: $(GEN_OBJ)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/rule-table: tools/rule-table.c $(BUILD)/libgen.a
	$(CC) $(ALL_CFLAGS) -o $@ $< $(BUILD)/libgen.a $(LDLIBS)

$(BUILD)/embed-rules: tools/embed-rules.c | $(BUILD)/obj
	$(CC) -std=c11 -O1 -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libkeyhound.a | $(BUILD)/tests
	$(CC) $(ALL_CFLAGS) $(DEPFLAGS) $(shell $(PKG_CONFIG) --cflags cmocka) -o $@ $< \
		$(BUILD)/libkeyhound.a $(LDLIBS) $(shell $(PKG_CONFIG) --libs cmocka)

$(BUILD)/fuzz/%: tests/fuzz/%.c tests/fuzz/replay_main.c tests/fuzz/fuzz.h \
		$(BUILD)/libkeyhound.a | $(BUILD)/fuzz
	$(CC) $(ALL_CFLAGS) -Itests/fuzz -o $@ $< tests/fuzz/replay_main.c \
		$(BUILD)/libkeyhound.a $(LDLIBS)

$(BUILD)/libfuzzer/%: tests/fuzz/%.c tests/fuzz/fuzz.h $(BUILD)/libkeyhound.a | $(BUILD)/libfuzzer
	$(CC) $(ALL_CFLAGS) -Itests/fuzz -fsanitize=fuzzer -o $@ $< $(BUILD)/libkeyhound.a $(LDLIBS)

$(BUILD)/obj $(BUILD)/tests $(BUILD)/fuzz $(BUILD)/libfuzzer:
	mkdir -p $@

-include $(DEP)

# ---- the README's two commands ------------------------------------------------
scan: deps
	$(MAKE) all
	$(BUILD)/keyhound dir .

# make test: the suite, the suite again under ASan+UBSan, then the fuzz
# regression inputs (under ASan) and a short libFuzzer run per target (when
# clang's libFuzzer is installed); one summary line at the end.
test: deps
	@sh tools/deps.sh fuzz || echo "clang's libFuzzer could not be installed: fuzz smoke runs skipped"
	$(MAKE) test-bins
	$(MAKE) BUILD=$(ASAN_BUILD) SANFLAGS="$(ASAN_FLAGS)" OPT="-O1 -g" test-bins
	@if sh tools/have-libfuzzer.sh $(FUZZ_CC); then $(MAKE) fuzz-bins; \
	else echo "libFuzzer ($(FUZZ_CC) -fsanitize=fuzzer) not available: fuzz smoke runs skipped"; fi
	KEYHOUND=$(CURDIR)/$(BUILD)/keyhound BUILD=$(BUILD) KH_ASAN_BUILD=$(ASAN_BUILD) \
		KH_FUZZ_BUILD=$(FUZZ_BUILD) KH_FUZZ_SECONDS=$(FUZZ_SMOKE_SECONDS) \
		KH_FUZZ_TARGETS="$(FUZZ_TARGETS)" sh tests/run.sh

# The plain suite only (quick, for development).
test-fast: deps
	$(MAKE) test-bins
	KEYHOUND=$(CURDIR)/$(BUILD)/keyhound BUILD=$(BUILD) sh tests/run.sh

test-bins: all $(UNIT_BIN) $(FUZZ_REPLAY)

deps:
	@sh tools/deps.sh

# ---- install --------------------------------------------------------------------
install: all
	mkdir -p $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	cp $(BUILD)/keyhound $(DESTDIR)$(PREFIX)/bin/keyhound
	chmod 755 $(DESTDIR)$(PREFIX)/bin/keyhound
	cp docs/keyhound.1 $(DESTDIR)$(PREFIX)/share/man/man1/keyhound.1
	chmod 644 $(DESTDIR)$(PREFIX)/share/man/man1/keyhound.1

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/keyhound $(DESTDIR)$(PREFIX)/share/man/man1/keyhound.1

clean:
	rm -rf build build-*

# ---- accuracy: recall and precision per rule family on a generated corpus -------
PYTHON ?= $(shell [ -x /usr/bin/python3 ] && echo /usr/bin/python3 || echo python3)
accuracy: all
	$(PYTHON) tools/accuracy.py $(BUILD)/keyhound rules --check

# ---- quiet: findings per rule on real trees with no leaks (/usr/share, /usr/include,
# npm packages); fails on any high or critical finding there --------------------------
quiet: all
	PYTHON=$(PYTHON) sh tools/quiet.sh $(BUILD)/keyhound

# ---- benchmarks (numbers, not tests) -------------------------------------------
bench: all
	sh bench/bench-dir.sh $(BUILD)/keyhound
	@[ ! -f bench/bench-git.sh ] || sh bench/bench-git.sh $(BUILD)/keyhound
	@[ ! -f bench/bench-staged.sh ] || sh bench/bench-staged.sh $(BUILD)/keyhound

# The keyword prefilter alone, on one file held in memory: make bench-prefilter FILE=path
$(BUILD)/prefilter-bench: bench/prefilter-bench.c $(BUILD)/libkeyhound.a
	$(CC) $(ALL_CFLAGS) -o $@ $< $(BUILD)/libkeyhound.a $(LDLIBS)
bench-prefilter: $(BUILD)/prefilter-bench
	@[ -n "$(FILE)" ] || { echo "usage: make bench-prefilter FILE=path [SIMD=0|1|2]" >&2; exit 2; }
	$(BUILD)/prefilter-bench "$(FILE)" $(SIMD)

# ---- hardening ---------------------------------------------------------------------
# The whole test suite under AddressSanitizer + UndefinedBehaviorSanitizer.
ASAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
check-asan: deps
	$(MAKE) BUILD=$(ASAN_BUILD) SANFLAGS="$(ASAN_FLAGS)" OPT="-O1 -g" test-bins
	KEYHOUND=$(CURDIR)/$(ASAN_BUILD)/keyhound BUILD=$(BUILD) KH_ASAN_BUILD=$(ASAN_BUILD) \
		KH_TEST_PHASES="asan fuzz" KH_FUZZ_SECONDS=0 sh tests/run.sh

# The end-to-end tests with keyhound under valgrind (memcheck, leak check).
# Linked with the shared libraries, which tests/valgrind.supp names.
VALGRIND_BUILD ?= $(BUILD)-valgrind
check-valgrind: deps
	@sh tools/deps.sh valgrind
	$(MAKE) BUILD=$(VALGRIND_BUILD) STATIC_LIBS=no test-bins
	rm -rf $(VALGRIND_BUILD)/valgrind $(VALGRIND_BUILD)/valgrind-bin
	mkdir -p $(VALGRIND_BUILD)/valgrind $(VALGRIND_BUILD)/valgrind-bin
	cp tools/valgrind-keyhound.sh $(VALGRIND_BUILD)/valgrind-bin/keyhound   # tests find it as "keyhound" too
	chmod 1777 $(VALGRIND_BUILD)/valgrind   # tests also run keyhound as an unprivileged user
	KEYHOUND=$(CURDIR)/$(VALGRIND_BUILD)/valgrind-bin/keyhound \
		KH_REAL_KEYHOUND=$(CURDIR)/$(VALGRIND_BUILD)/keyhound \
		KH_VALGRIND_SUPP=$(CURDIR)/tests/valgrind.supp \
		KH_VALGRIND_LOGS=$(CURDIR)/$(VALGRIND_BUILD)/valgrind BUILD=$(VALGRIND_BUILD) \
		KH_TEST_PHASES=e2e sh tests/run.sh; rc=$$?; \
	bad=$$(grep -l . $(VALGRIND_BUILD)/valgrind/*.log 2>/dev/null); \
	echo "valgrind: $$(ls $(VALGRIND_BUILD)/valgrind | wc -l) keyhound runs, $$(echo $$bad | wc -w) with errors or leaks"; \
	for f in $$bad; do echo "--- $$f"; head -n 40 $$f; done; \
	test $$rc -eq 0 && test -z "$$bad"

# libFuzzer binaries: the library rebuilt with clang and fuzzer instrumentation.
FUZZ_SANFLAGS := -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer \
                 -fno-sanitize-recover=undefined
fuzz-bins:
	$(MAKE) BUILD=$(FUZZ_BUILD) CC=$(FUZZ_CC) SANFLAGS="$(FUZZ_SANFLAGS)" OPT="-O1 -g" \
		libfuzzer-bins

libfuzzer-bins: $(FUZZ_TARGETS:%=$(BUILD)/libfuzzer/%)

# Each target for FUZZ_SECONDS (default 60); crashes land in $(FUZZ_BUILD)/artifacts/.
fuzz: deps
	@sh tools/deps.sh fuzz
	$(MAKE) fuzz-bins
	sh tests/fuzz/fuzz.sh $(FUZZ_BUILD) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# Full-size hostile inputs (GBs of disk, minutes): wall time and peak memory of each.
adversarial: all
	@sh tools/deps.sh time
	sh bench/adversarial.sh $(BUILD)/keyhound
