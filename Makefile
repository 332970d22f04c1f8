# Makefile - builds keyhound, its tests, benchmarks and fuzzers (one non-recursive file).
#
#   make scan      install missing deps, build, scan this repository's working tree
#   make test      install missing deps, build, run every test (unit, rules, end-to-end)
#   make install   PREFIX=/usr/local DESTDIR=  (binary + manual page)
#   make check-asan / make fuzz / make bench / make lint
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
PKG_LIBS   := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)
ALL_CFLAGS := -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -D_DARWIN_C_SOURCE \
              $(WARN) $(OPT) $(SANFLAGS) $(PKG_CFLAGS) $(DEFLATE_CFLAGS) -Iscanner -I$(BUILD) $(CFLAGS)
LDLIBS   := $(PKG_LIBS) -lpthread -lm
VERSION  := $(shell cat VERSION 2>/dev/null || echo 0.0.0)

# Every scanner/*.c is part of the program; main.c is the only one not in the
# library the tests link against. (A wildcard keeps parallel work on separate
# modules from colliding in this file.)
LIB_SRC  := $(filter-out scanner/main.c,$(sort $(wildcard scanner/*.c)))
LIB_OBJ  := $(LIB_SRC:scanner/%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/rules_builtin.o \
            $(BUILD)/obj/hooks_builtin.o
RULE_FILES := $(sort $(wildcard rules/*.yml))
HOOK_FILES := hooks/pre-commit hooks/pre-push
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
DEP      := $(LIB_OBJ:.o=.d) $(BUILD)/obj/main.d $(UNIT_BIN:=.d)

.PHONY: all scan test test-unit test-e2e deps install uninstall clean check-asan fuzz bench lint accuracy

all: $(BUILD)/keyhound

$(BUILD)/keyhound: $(BUILD)/obj/main.o $(BUILD)/libkeyhound.a
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

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

$(BUILD)/embed-rules: tools/embed-rules.c | $(BUILD)/obj
	$(CC) -std=c11 -O1 -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libkeyhound.a | $(BUILD)/tests
	$(CC) $(ALL_CFLAGS) $(DEPFLAGS) $(shell $(PKG_CONFIG) --cflags cmocka) -o $@ $< \
		$(BUILD)/libkeyhound.a $(LDLIBS) $(shell $(PKG_CONFIG) --libs cmocka)

$(BUILD)/obj $(BUILD)/tests:
	mkdir -p $@

-include $(DEP)

# ---- the README's two commands ------------------------------------------------
scan: deps
	$(MAKE) all
	$(BUILD)/keyhound dir .

test: deps
	$(MAKE) all $(UNIT_BIN)
	KEYHOUND=$(CURDIR)/$(BUILD)/keyhound BUILD=$(BUILD) sh tests/run.sh

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

# ---- benchmarks (numbers, not tests) -------------------------------------------
bench: all
	sh bench/bench-dir.sh $(BUILD)/keyhound
	@[ ! -f bench/bench-git.sh ] || sh bench/bench-git.sh $(BUILD)/keyhound
	@[ ! -f bench/bench-staged.sh ] || sh bench/bench-staged.sh $(BUILD)/keyhound

# ---- hardening ---------------------------------------------------------------------
# The whole test suite under AddressSanitizer + UndefinedBehaviorSanitizer.
ASAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
check-asan: deps
	$(MAKE) BUILD=build-asan SANFLAGS="$(ASAN_FLAGS)" OPT="-O1 -g" all \
		$(UNIT_BIN:$(BUILD)/%=build-asan/%)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
		KEYHOUND=$(CURDIR)/build-asan/keyhound BUILD=build-asan sh tests/run.sh
