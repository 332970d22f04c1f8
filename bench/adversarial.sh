#!/bin/sh
# adversarial.sh - keyhound against full-size hostile inputs (issue #6): a
# 100 MB single line, 100 MB of "sk-", 10^6 tiny files, a 10,000-deep
# directory tree, a 1 GB sparse file, JSON nested 1,000,000 deep, a line of
# 20,000 keys, a repository with 100,000 refs and one with a 50 MB commit
# message. For each it prints keyhound's exit code, wall time and peak
# memory (/usr/bin/time), and checks that the planted key was found. These
# are numbers for the report, not pass/fail tests (the CI-sized versions are
# tests/e2e/t6001 and t6002). Needs about 5 GB of free disk for the small
# files and a few minutes.
#   sh bench/adversarial.sh build/keyhound [CASE...]
set -u
kh=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
here=$(cd "$(dirname "$0")" && pwd)
shift
cases=${*:-"long-line sk-only tiny-files deep sparse nested-json many-keys refs huge-message"}
PYTHON=${PYTHON:-python3}
TIME=/usr/bin/time
[ -x "$TIME" ] || { echo "adversarial.sh: /usr/bin/time is needed (apt-get install time)" >&2; exit 2; }
work=$(mktemp -d "${TMPDIR:-/tmp}/kh-adversarial.XXXXXX") || exit 2
trap 'rm -rf "$work"' EXIT INT TERM
cd "$work" || exit 2
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null GIT_AUTHOR_NAME=a GIT_AUTHOR_EMAIL=a@example.com \
	GIT_COMMITTER_NAME=a GIT_COMMITTER_EMAIL=a@example.com

# A fake key built from fragments at run time (never a real one).
key=$($PYTHON -c 'import random; a="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"; r=lambda n: "".join(random.choice(a) for _ in range(n)); print("sk-" + "proj-" + r(40) + "T3Blbk" + "FJ" + r(40))')
key2=$key
export key key2

gen() { # the inputs are made by the same generator as t6001's, at full size
	g="$here/../tests/e2e/gen-adversarial.py"
	case $1 in
	long-line) $PYTHON "$g" long-line in $((100 << 20)) ;;
	sk-only) $PYTHON "$g" sk-only in $((100 << 20)) ;;
	tiny-files) $PYTHON "$g" tiny-files in 1000 1000 ;;
	deep) $PYTHON "$g" deep in 10000 ;;
	sparse) $PYTHON "$g" sparse in $((1 << 30)) ;;
	nested-json) $PYTHON "$g" nested-json in 1000000 ;;
	many-keys) $PYTHON "$g" many-keys in 20000 ;;
	refs) $PYTHON "$g" refs in 100000 ;;
	huge-message) $PYTHON "$g" huge-message in $((50 << 20)) ;;
	*) return 1 ;;
	esac
}

printf '%-14s %-5s %10s %12s  %s\n' case exit seconds "peak RSS" notes
for c in $cases; do
	rm -rf in msg.txt keys.txt
	gen "$c" || { echo "$c: could not generate the input" >&2; continue; }
	case $c in
	refs | huge-message) cmd=git ;;
	*) cmd=dir ;;
	esac
	$TIME -f "%e %M" -o time.txt "$kh" $cmd --no-config --no-color --format json in >out.json 2>err.txt
	rc=$?
	# shellcheck disable=SC2046 # two words: seconds and kilobytes
	set -- $(tail -n 1 time.txt)
	n=$($PYTHON -c 'import json; d = json.load(open("out.json")); print(len(d["findings"]), d["stats"]["bytes_scanned"], d["stats"]["files_scanned"] + d["stats"]["blobs_scanned"])' 2>/dev/null)
	set -- "$1" "$2" $n
	printf '%-14s %-5s %10s %9s MB  %s findings, %s bytes, %s files/blobs scanned\n' \
		"$c" "$rc" "$1" "$(($2 / 1024))" "${3:-?}" "${4:-?}" "${5:-?}"
done
