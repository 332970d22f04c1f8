#!/bin/sh
# bench-dir.sh - directory-scan benchmark: keyhound with all default rules vs ripgrep
# searching the OpenAI pattern alone, on the same tree, warm cache, one run each.
#
#   sh bench/bench-dir.sh [KEYHOUND] [TREE...]
# Default trees: /usr/share /usr/include and a checkout made by make-corpus.py
# (KH_BENCH_CORPUS, built if absent; KH_BENCH_CORPUS_ARGS sets its size).
# Prints wall times, ratios and keyhound's peak RSS. Not a test: numbers only.
set -u
KH=${1:-build/keyhound}
[ $# -gt 0 ] && shift
SHARED=${SHARED:-$(cd "$(dirname "$0")/../.." && pwd)/shared}
CORPUS=${KH_BENCH_CORPUS:-/tmp/kh-bench-corpus}
if [ $# -eq 0 ]; then
	if [ ! -d "$CORPUS" ] && [ -f "$SHARED/bench/make-corpus.py" ]; then
		echo "building corpus $CORPUS ..." >&2
		# shellcheck disable=SC2086
		python3 "$SHARED/bench/make-corpus.py" "$CORPUS" ${KH_BENCH_CORPUS_ARGS:---commits 1000 --mb 150} >&2
	fi
	set -- /usr/share /usr/include
	[ -d "$CORPUS" ] && set -- "$@" "$CORPUS"
fi
command -v rg >/dev/null 2>&1 || { echo "bench-dir: ripgrep (rg) is needed: apt-get install ripgrep" >&2; exit 1; }
PAT='sk-(?:proj-|svcacct-|admin-|None-)?[A-Za-z0-9_-]{16,160}T3BlbkFJ[A-Za-z0-9_-]{16,160}'
RGPAT='sk-(proj-|svcacct-|admin-|None-)?[A-Za-z0-9_-]{16,160}T3BlbkFJ[A-Za-z0-9_-]{16,160}'

now() { date +%s.%N; }
wall() { # wall seconds of "$@", output discarded
	t0=$(now); "$@" >/dev/null 2>&1; t1=$(now)
	echo "$t0 $t1" | awk '{printf "%.3f", $2 - $1}'
}
peak_kb() {
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -n 1
	else echo "?"; fi
}

ONLY=$(mktemp /tmp/kh-openai-only.XXXXXX.yaml)
trap 'rm -f "$ONLY"' EXIT
{ echo "disable:"; "$KH" rules --no-config | awk '$1 !~ /^openai-/ {print "  - " $1}'; } > "$ONLY"
grep -q '^  - ' "$ONLY" || echo "disable: []" > "$ONLY"
echo "trees: $*"
echo "files: $(find "$@" -type f 2>/dev/null | wc -l), bytes: $(du -scb "$@" 2>/dev/null | tail -n 1 | cut -f1)"
# warm the cache
rg -uuu -a -c zzzzqqqq "$@" >/dev/null 2>&1
"$KH" dir --no-config --quiet "$@" >/dev/null 2>&1
t_kh=$(wall "$KH" dir --no-config --no-ignore --quiet "$@")
t_kh_openai=$(wall "$KH" dir --no-config --no-ignore --quiet --config "$ONLY" "$@")
t_rg=$(wall rg -uuu -a "$RGPAT" "$@")
t_rgp=$(wall rg -uuu -a --pcre2 "$PAT" "$@")
rss=$(peak_kb "$KH" dir --no-config --no-ignore --quiet "$@")
echo "keyhound dir (all default rules)     ${t_kh} s   peak RSS ${rss} KB"
echo "keyhound dir (OpenAI rules only)     ${t_kh_openai} s"
echo "rg -uuu -a (OpenAI pattern)          ${t_rg} s"
echo "rg -uuu -a --pcre2 (OpenAI pattern)  ${t_rgp} s"
awk -v k="$t_kh" -v o="$t_kh_openai" -v r="$t_rg" -v p="$t_rgp" 'BEGIN {
	printf "ratio keyhound / rg         %.2fx   (target <= 2.0)\n", k / r;
	printf "ratio keyhound / rg --pcre2 %.2fx   (target < 1.0)\n", k / p;
	printf "ratio all rules / OpenAI only %.2fx (target <= 1.3)\n", k / o }'
