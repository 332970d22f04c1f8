#!/bin/sh
# t0004-install.sh - make install honours PREFIX and DESTDIR; the installed
# binary works alone (its default rules are compiled in).
. "$(dirname "$0")/test-lib.sh"

test_expect_success 'make install PREFIX DESTDIR' '
	make -s -C "$PROJECT_DIR" install BUILD="${BUILD:-build}" PREFIX=/opt/kh DESTDIR="$TRASH/stage" >/dev/null &&
	test -x stage/opt/kh/bin/keyhound &&
	test -f stage/opt/kh/share/man/man1/keyhound.1 &&
	cmp "$PROJECT_DIR/docs/keyhound.1" stage/opt/kh/share/man/man1/keyhound.1 &&
	test "$(find stage -type f | wc -l)" -eq 2
'

test_expect_success 'make uninstall removes what install put there' '
	make -s -C "$PROJECT_DIR" uninstall PREFIX=/opt/kh DESTDIR="$TRASH/stage2" >/dev/null &&
	make -s -C "$PROJECT_DIR" install BUILD="${BUILD:-build}" PREFIX=/opt/kh DESTDIR="$TRASH/stage2" >/dev/null &&
	make -s -C "$PROJECT_DIR" uninstall PREFIX=/opt/kh DESTDIR="$TRASH/stage2" >/dev/null &&
	test "$(find stage2 -type f | wc -l)" -eq 0
'

test_expect_success 'the installed binary alone finds keys' '
	mkdir alone && cp stage/opt/kh/bin/keyhound alone/ && mkdir data &&
	fake_key openai-proj >data/k.txt &&
	(cd data && test_expect_code 1 ../alone/keyhound dir --no-color . >../out.txt) &&
	grep -q "openai-project-key" out.txt
'

test_done
