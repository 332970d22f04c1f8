#!/bin/sh
# t6005-signals.sh - Ctrl-C (SIGINT) and SIGTERM during a long scan stop it,
# leave no report file (whole or partial) behind, and exit 130 (issue #6); a
# file truncated while it is read, and a pipe that stays silent, do no harm.
# The long scan is 4 GB of sparse files (no disk used), read like data
# (KEYHOUND_READ_HOLES=1: keyhound otherwise steps over holes at once); the
# signal is sent once keyhound has started reading them. No timing is asserted: keyhound
# says "interrupted" only when its handler ran, and an ignored signal would
# let it finish with exit 0.
. "$(dirname "$0")/test-lib.sh"

test_expect_success 'setup: 4 GB of sparse files' '
	mkdir big &&
	for i in 1 2 3 4; do
		"$PYTHON" -c "import sys; open(sys.argv[1], \"wb\").truncate(1 << 30)" big/f$i || exit 1
	done
'

# wait_reading PID FILE: waits (up to 60 s) until keyhound (PID) has FILE
# open and a worker thread running, so its interrupt handler (installed
# before any command starts) is in place, even under valgrind. Without /proc:
# waits a second.
wait_reading() {
	n=0
	while [ $n -lt 600 ]; do
		if [ ! -d /proc/$1 ]; then
			sleep 1
			return 0
		fi
		set -- "$1" "$2" "$(ls /proc/"$1"/task 2>/dev/null | wc -l)"
		# the open descriptors' targets, one per line
		if [ "$3" -ge 2 ] && for fd in /proc/"$1"/fd/*; do readlink "$fd"; done 2>/dev/null |
			grep -q "$2"; then
			return 0
		fi
		sleep 0.1 2>/dev/null || sleep 1
		n=$((n + 1))
	done
	return 1
}

# wait_bounded PID: waits for PID (at most 60 s, then kills it) and
# returns its exit status, so that a test never hangs
wait_bounded() {
	n=0
	while kill -0 $1 2>/dev/null && [ $n -lt 600 ]; do
		sleep 0.1 2>/dev/null || sleep 1
		n=$((n + 1))
	done
	if kill -0 $1 2>/dev/null; then
		echo "still running after 60 s: killed" >&2
		kill -9 $1
		wait $1
		return 124
	fi
	wait $1
}

# interrupt SIG: a scan of big/, signalled while it reads; checks the outcome
interrupt() {
	rm -f out.json out.json.tmp* err
	KEYHOUND_READ_HOLES=1 "$KEYHOUND" dir --no-color --threads 1 --format json --output out.json \
		--report sarif:out.sarif big 2>err &
	pid=$!
	wait_reading $pid "big/f" || { kill -9 $pid; echo "never started reading" >&2; return 1; }
	kill -$1 $pid
	wait_bounded $pid
	rc=$?
	test $rc -eq 130 || { echo "exit $rc, not 130" >&2; cat err >&2; return 1; }
	grep -q "^keyhound: interrupted" err && test "$(wc -l <err)" -eq 1 &&
	! test -e out.json && ! test -e out.sarif &&
	for f in out.*tmp*; do
		! test -e "$f" || { echo "left behind: $f" >&2; return 1; }
	done
}

test_expect_success 'SIGINT: exit 130, no report file, no temporary file' '
	interrupt INT
'

test_expect_success 'SIGTERM: the same' '
	interrupt TERM
'

test_expect_success 'a file truncated while it is read: no crash, the scan completes' '
	mkdir shrink && "$PYTHON" -c "import sys; open(sys.argv[1], \"wb\").truncate(2 << 30)" shrink/f ||
		exit 1
	"$KEYHOUND" dir --no-color --threads 1 --format json shrink >out.json 2>err &
	pid=$! &&
	wait_reading $pid "shrink/f" &&
	: >shrink/f &&
	wait_bounded $pid &&
	json_check out.json "d[\"stats\"][\"files_scanned\"] == 1 and d[\"findings\"] == []"
'

test_expect_success 'stdin from a silent pipe: SIGINT still stops it' '
	mkfifo fifo || exit 1
	"$KEYHOUND" stdin --no-color <fifo >out.txt 2>err &
	pid=$!
	exec 7>fifo
	wait_reading $pid "fifo" && kill -INT $pid
	wait_bounded $pid
	rc=$?
	exec 7>&-
	test $rc -eq 130 && grep -q "^keyhound: interrupted" err && test "$(wc -l <err)" -eq 1
'

test_done
