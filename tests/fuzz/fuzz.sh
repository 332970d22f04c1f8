#!/bin/sh
# fuzz.sh - runs libFuzzer targets for a bounded time each and prints TAP:
# one line per target with its executions, or "not ok" and the crashing
# input's path when one was found. New inputs go to a corpus kept in the build
# directory (so later runs continue from it); the seeds in tests/fuzz/corpus/
# and the regression inputs are read, never written.
#   sh tests/fuzz/fuzz.sh FUZZ_BUILD SECONDS TARGET...
# (`make fuzz FUZZ_SECONDS=N` and, with a few seconds, `make test`.)
# A crash: copy the input into tests/fuzz/regressions/TARGET/, fix the bug;
# `make test` replays it from then on.
set -u
here=$(cd "$(dirname "$0")" && pwd)
fb=$1
secs=$2
shift 2
n=0
fail=0
for t in "$@"; do
	n=$((n + 1))
	bin=$fb/libfuzzer/$t
	if [ -z "$fb" ] || [ ! -x "$bin" ]; then
		echo "ok $n # SKIP $t: libFuzzer build not available (needs clang with libFuzzer)"
		continue
	fi
	work=$fb/corpus/$t
	art=$fb/artifacts/$t
	mkdir -p "$work" "$art"
	log=$fb/artifacts/$t.log
	extra=""
	[ -f "$here/$t.dict" ] && extra="-dict=$here/$t.dict"
	# shellcheck disable=SC2086
	"$bin" -max_total_time="$secs" -timeout=20 -rss_limit_mb=2048 -max_len=16384 \
		-print_final_stats=1 -artifact_prefix="$art/" $extra \
		"$work" "$here/corpus/$t" "$here/regressions/$t" >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	if [ "$rc" -eq 0 ]; then
		echo "ok $n - $t: ${execs:-?} executions in ${secs}s without a crash"
	else
		fail=1
		echo "not ok $n - $t: crashed after ${execs:-?} executions (exit $rc)"
		for a in "$art"/*; do
			[ -f "$a" ] && echo "# crashing input: $a (copy it into tests/fuzz/regressions/$t/)"
		done
		grep -E 'ERROR|SUMMARY|invariant|#[0-9]+ ' "$log" | head -n 20 | sed 's/^/# /'
	fi
done
echo "1..$n"
exit "$fail"
