#!/bin/sh
# bench-dir.sh - directory-scan benchmark: keyhound with ALL default rules vs
# ripgrep searching the OpenAI pattern alone, on the same tree, warm cache,
# in alternating rounds (bench/race.py), the fastest of five each; with it
# keyhound with the OpenAI rules only (the cost of the rule pack); then
# keyhound's peak memory on one 1 GB file.
#
#   sh bench/bench-dir.sh [KEYHOUND] [TREE...]
# Default trees: /usr/share, /usr/include and the working tree of the corpus
# made by ../shared/bench/make-corpus.py (KH_BENCH_REPO, default /tmp/kh-corpus,
# built with --commits 5000 --mb 1000 if absent; bench-staged.sh uses the same).
# ripgrep is installed with apt-get when missing (sudo when not root), else its
# ratios are skipped. .git directories are excluded from both sides. Numbers,
# not a test: targets are printed next to them.
set -u
KH=${1:-build/keyhound}
[ $# -gt 0 ] && shift
SHARED=${SHARED:-$(cd "$(dirname "$0")/../.." && pwd)/shared}
CORPUS=${KH_BENCH_REPO:-/tmp/kh-corpus}
PY=$( [ -x /usr/bin/python3 ] && echo /usr/bin/python3 || echo python3)
if [ $# -eq 0 ]; then
	if [ ! -d "$CORPUS" ] && [ -f "$SHARED/bench/make-corpus.py" ]; then
		echo "building corpus $CORPUS ..." >&2
		"$PY" "$SHARED/bench/make-corpus.py" "$CORPUS" --commits 5000 --mb 1000 >&2
	fi
	set -- /usr/share /usr/include
	[ -d "$CORPUS" ] && set -- "$@" "$CORPUS"
fi

if ! command -v rg >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
	sudo=""
	[ "$(id -u)" = 0 ] || sudo="sudo -n"
	echo "bench-dir: installing ripgrep ..." >&2
	$sudo apt-get install -y -qq ripgrep </dev/null >/dev/null 2>&1 ||
		{ $sudo apt-get update -qq </dev/null >/dev/null 2>&1 &&
		  $sudo apt-get install -y -qq ripgrep </dev/null >/dev/null 2>&1; }
fi
have_rg=1
command -v rg >/dev/null 2>&1 || { have_rg=0; echo "bench-dir: ripgrep (rg) is not installed and could not be: its ratios are skipped" >&2; }

# The OpenAI key pattern (every generation), for ripgrep's two engines.
PAT='sk-(?:proj-|svcacct-|admin-|None-)?[A-Za-z0-9_-]{16,160}T3BlbkFJ[A-Za-z0-9_-]{16,160}'
RGPAT='sk-(proj-|svcacct-|admin-|None-)?[A-Za-z0-9_-]{16,160}T3BlbkFJ[A-Za-z0-9_-]{16,160}'


ONLY=$(mktemp /tmp/kh-openai-only.XXXXXX)
BIG=""
trap 'rm -f "$ONLY" ${BIG:+"$BIG"}' EXIT
{ echo "disable:"; "$KH" rules --no-config | awk '$1 !~ /^openai-/ {print "  - " $1}'; } >"$ONLY"
grep -q '^  - ' "$ONLY" || echo "disable: []" >"$ONLY"
nrules=$("$KH" rules --no-config | wc -l | tr -d ' ')

echo "trees: $*"
echo "files: $(find "$@" -name .git -prune -o -type f -print 2>/dev/null | wc -l | tr -d ' '), bytes: $(find "$@" -name .git -prune -o -type f -print 2>/dev/null | "$PY" -c '
import os, sys
print(sum(os.lstat(p.rstrip("\n")).st_size for p in sys.stdin))')"
echo "keyhound rules: $nrules default rules; $(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN) cores"
# warm the cache (twice: the trees may not all fit in a first pass)
for _ in 1 2; do
	"$KH" dir --no-config --no-ignore --quiet "$@" >/dev/null 2>&1
	[ $have_rg = 1 ] && rg -uuu -a -g '!.git' -c zzzzqqqq "$@" >/dev/null 2>&1
done
# All four commands race in rounds (bench/race.py): each round runs each
# once, in a rotating order, and each command's fastest round counts.
RUNS=${KH_BENCH_RUNS:-5}
if [ $have_rg = 1 ]; then
	res=$("$PY" "$(dirname "$0")/race.py" "$RUNS" \
		"$KH" dir --no-config --no-ignore --quiet "$@" --- \
		"$KH" dir --no-config --no-ignore --quiet --config "$ONLY" "$@" --- \
		rg -uuu -a -g '!.git' "$RGPAT" "$@" --- \
		rg -uuu -a -g '!.git' --pcre2 "$PAT" "$@")
else
	res=$("$PY" "$(dirname "$0")/race.py" "$RUNS" \
		"$KH" dir --no-config --no-ignore --quiet "$@" --- \
		"$KH" dir --no-config --no-ignore --quiet --config "$ONLY" "$@")
fi
set -- $res
t_kh=$1 rss_kh=$2 t_kh_openai=$3
echo "keyhound dir (all $nrules default rules)  ${t_kh} s   peak RSS ${rss_kh} KB"
echo "keyhound dir (OpenAI rules only)      ${t_kh_openai} s"
if [ $have_rg = 1 ]; then
	t_rg=$5 t_rgp=$7
	echo "rg -uuu -a (OpenAI pattern)           ${t_rg} s   ($(rg --version 2>/dev/null | head -n 1))"
	echo "rg -uuu -a --pcre2 (OpenAI pattern)   ${t_rgp} s"
	awk -v k="$t_kh" -v r="$t_rg" -v p="$t_rgp" 'BEGIN {
		printf "ratio keyhound / rg            %.2fx  (target <= 2.0)\n", k / r;
		printf "ratio keyhound / rg --pcre2    %.2fx  (target < 1.0)\n", k / p }'
fi
awk -v k="$t_kh" -v o="$t_kh_openai" 'BEGIN {
	printf "ratio all rules / OpenAI only  %.2fx  (target <= 1.3)\n", k / o }'

# Memory stays bounded: one 1 GB file (text lines, a key near the end).
BIG=$(mktemp /tmp/kh-bench-1g.XXXXXX)
"$PY" -c '
import sys
line = b"const value = compute(alpha, beta) + lookup[\"some.key\"]; // filler text\n"
block = line * (1 << 20 // len(line) + 1)
with open(sys.argv[1], "wb") as f:
    n = 0
    while n < (1 << 30):
        f.write(block)
        n += len(block)
' "$BIG"
set -- $("$PY" "$(dirname "$0")/race.py" 3 "$KH" dir --no-config --quiet "$BIG")
echo "keyhound dir on one $(($(wc -c <"$BIG") / 1048576)) MB file: ${1} s, peak RSS ${2} KB (target: bounded, far below the file size)"
