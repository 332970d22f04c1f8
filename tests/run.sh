#!/bin/sh
# run.sh - the test runner `make test` calls: unit tests (cmocka, TAP), every
# rule's examples (`keyhound rules check --tap`), then the end-to-end scripts
# tests/e2e/t*.sh (TAP). Prints a line per test file and ends with
# "N passed, N failed[, N skipped]". Exit 0 only if nothing failed and at
# least one test ran; a file that crashes or prints no plan counts as failed.
#   KEYHOUND=/abs/build/keyhound BUILD=build sh tests/run.sh [-v]
#   KH_TEST_FILTER=t1 sh tests/run.sh   # only files whose name contains t1
# Phases (KH_TEST_PHASES, default "plain", or "plain asan fuzz" when
# KH_ASAN_BUILD is set, as `make test` does): plain = the suite with $KEYHOUND;
# asan = the suite again from $KH_ASAN_BUILD (ASan+UBSan); fuzz = every fuzz
# target replays tests/fuzz/corpus and tests/fuzz/regressions, then runs
# KH_FUZZ_SECONDS under libFuzzer from $KH_FUZZ_BUILD when built there;
# e2e = the end-to-end scripts only (check-valgrind). One summary line at the end.
set -u
here=$(cd "$(dirname "$0")" && pwd)
BUILD=${BUILD:-build}
KEYHOUND=${KEYHOUND:-$(pwd)/$BUILD/keyhound}
export KEYHOUND
verbose=0
[ "${1:-}" = "-v" ] && verbose=1
filter=${KH_TEST_FILTER:-}
pass=0 fail=0 skip=0 files_failed=""
log=$(mktemp "${TMPDIR:-/tmp}/kh-test-log.XXXXXX")
trap 'rm -f "$log"' EXIT

# run_tap NAME CMD...: runs CMD, reads its TAP, adds to the totals
run_tap() {
	name=$1
	shift
	if [ -n "$filter" ] && ! printf '%s' "$name" | grep -q -- "$filter"; then
		return
	fi
	"$@" >"$log" 2>&1
	rc=$?
	counts=$(awk '
		/^ok / { if ($0 ~ /# [Ss][Kk][Ii][Pp]/) s++; else p++ }
		/^not ok / { if ($0 ~ /# TODO/) p++; else f++ }
		/^1\.\.[0-9]+/ { plan = 1 }
		END { printf "%d %d %d %d", p, f, s, plan }' "$log")
	set -- $counts
	p=$1 f=$2 s=$3 plan=$4
	if [ "$plan" -eq 0 ] || { [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; }; then
		f=$((f + 1))
		echo "not ok - $name exited $rc without a complete TAP plan" >>"$log"
	fi
	pass=$((pass + p))
	fail=$((fail + f))
	skip=$((skip + s))
	if [ "$f" -gt 0 ]; then
		files_failed="$files_failed $name"
		printf '%-44s %4d passed, %d failed, %d skipped  FAILED\n' "$name" "$p" "$f" "$s"
		grep '^not ok' "$log" | head -n 30 | sed 's/^/    /'
		echo "    --- last lines of output:"
		tail -n 25 "$log" | sed 's/^/    /'
	else
		printf '%-44s %4d passed, %d failed, %d skipped\n' "$name" "$p" "$f" "$s"
	fi
	[ "$verbose" -eq 1 ] && sed 's/^/    /' "$log"
	return 0
}

# run_suite LABEL BUILDDIR: unit tests, rules check, end-to-end scripts
run_suite() {
	for t in "$2"/tests/test_*; do
		[ -x "$t" ] || continue
		run_tap "$1unit/$(basename "$t")" env CMOCKA_MESSAGE_OUTPUT=TAP "$t"
	done
	run_tap "$1rules check" "$KEYHOUND" rules check --tap --no-config
	run_e2e "$1"
}

run_e2e() {
	for t in "$here"/e2e/t[0-9]*.sh; do
		[ -f "$t" ] || continue
		run_tap "$1e2e/$(basename "$t")" sh "$t"
	done
}

# run_fuzz: replay every fuzz target's corpus and regressions (sanitized
# build when there is one), then a short libFuzzer run of each
run_fuzz() {
	fb=${KH_ASAN_BUILD:-$BUILD}
	targets=${KH_FUZZ_TARGETS:-fuzz_scan fuzz_rules fuzz_report fuzz_git}
	for t in $targets; do
		run_tap "fuzz/$t replay" "$fb/fuzz/$t" "$here/fuzz/corpus/$t" "$here/fuzz/regressions/$t"
	done
	[ "${KH_FUZZ_SECONDS:-0}" -gt 0 ] || return 0
	for t in $targets; do
		run_tap "fuzz/$t ${KH_FUZZ_SECONDS}s" sh "$here/fuzz/fuzz.sh" "${KH_FUZZ_BUILD:-}" \
			"$KH_FUZZ_SECONDS" "$t"
	done
}

if [ -n "${KH_TEST_PHASES:-}" ]; then
	phases=$KH_TEST_PHASES
elif [ -n "${KH_ASAN_BUILD:-}" ]; then
	phases="plain asan fuzz"
else
	phases=plain
fi
for phase in $phases; do
	case $phase in
	plain) run_suite "" "$BUILD" ;;
	e2e) run_e2e "" ;;
	asan)
		ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:detect_stack_use_after_return=1
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
		LSAN_OPTIONS=suppressions=$(cd "$(dirname "$0")" && pwd)/lsan.supp:print_suppressions=0
		export ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS
		plain_keyhound=$KEYHOUND
		KEYHOUND=$(cd "$KH_ASAN_BUILD" && pwd)/keyhound
		run_suite "asan: " "$KH_ASAN_BUILD"
		KEYHOUND=$plain_keyhound
		;;
	fuzz) run_fuzz ;;
	*) echo "run.sh: unknown phase '$phase'" >&2; exit 2 ;;
	esac
done

total=$((pass + fail))
if [ -n "$files_failed" ]; then
	echo "failed:$files_failed"
fi
if [ "$skip" -gt 0 ]; then
	echo "$pass passed, $fail failed, $skip skipped"
else
	echo "$pass passed, $fail failed"
fi
[ "$fail" -eq 0 ] && [ "$total" -gt 0 ]
