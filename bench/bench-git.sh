#!/bin/sh
# bench-git.sh - history benchmark: `keyhound git` (all default rules, default
# threads; and --threads 1 / 2) against git inflating every object once and
# against `git log -p --all`, on one repository, warm cache, one run each.
#
#   sh bench/bench-git.sh [KEYHOUND] [REPO]
# Default REPO: KH_BENCH_REPO or /tmp/kh-corpus, built by make-corpus.py with
# KH_BENCH_REPO_ARGS (default --commits 5000 --mb 1000) if absent. Also checks
# that every planted key of the corpus's .keys.tsv was found. Numbers only.
set -u
KH=${1:-build/keyhound}
REPO=${2:-${KH_BENCH_REPO:-/tmp/kh-corpus}}
SHARED=${SHARED:-$(cd "$(dirname "$0")/../.." && pwd)/shared}
if [ ! -d "$REPO" ]; then
	echo "building corpus $REPO ..." >&2
	# shellcheck disable=SC2086
	python3 "$SHARED/bench/make-corpus.py" "$REPO" ${KH_BENCH_REPO_ARGS:---commits 5000 --mb 1000} >&2 || exit 1
fi
KH=$(cd "$(dirname "$KH")" && pwd)/$(basename "$KH")
cd "$REPO" || exit 1

now() { date +%s.%N; }
wall() {
	t0=$(now); "$@" >/dev/null 2>&1; t1=$(now)
	echo "$t0 $t1" | awk '{printf "%.3f", $2 - $1}'
}
peak_kb() {
	if [ -x /usr/bin/time ]; then /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -n 1; else echo "?"; fi
}

echo "repository: $REPO ($(git count-objects -vH | awk '/size-pack/ {print $2 $3}') packed, $(git rev-list --all | wc -l) commits)"
git cat-file --batch-all-objects --batch >/dev/null 2>&1 # warm the cache
t_cat=$(wall git cat-file --batch-all-objects --batch)
t_log=$(wall git log -p --all)
t_kh=$(wall "$KH" git --no-config --quiet .)
t_kh1=$(wall "$KH" git --no-config --quiet --threads 1 .)
t_kh2=$(wall "$KH" git --no-config --quiet --threads 2 .)
rss=$(peak_kb "$KH" git --no-config --quiet .)
# Linux: peak anonymous memory (heap) apart from mapped pack files, which
# count in RSS but are the kernel's page cache
anon="?"
if [ -r /proc/self/status ]; then
	"$KH" git --no-config --quiet . >/dev/null 2>&1 &
	pid=$!
	anon=0
	while kill -0 "$pid" 2>/dev/null; do
		a=$(awk '/^RssAnon:/ {print $2}' "/proc/$pid/status" 2>/dev/null)
		[ -n "$a" ] && [ "$a" -gt "$anon" ] && anon=$a
		sleep 0.05
	done
fi
# --all-objects: every blob in the object store, so blobs_scanned must equal
# git's own count of distinct blobs
json=$(mktemp "${TMPDIR:-/tmp}/kh-bench-git.XXXXXX")
"$KH" git --no-config --all-objects --format json . >"$json" 2>/dev/null
blobs=$(git cat-file --batch-all-objects --batch-check | grep -c " blob ")
echo "git cat-file --batch-all-objects --batch   ${t_cat} s"
echo "git log -p --all                           ${t_log} s"
echo "keyhound git (default threads)             ${t_kh} s   peak RSS ${rss} KB (of which heap ${anon} KB; the rest is mapped pack files)"
echo "keyhound git --threads 1                   ${t_kh1} s"
echo "keyhound git --threads 2                   ${t_kh2} s"
awk -v k="$t_kh" -v c="$t_cat" -v l="$t_log" -v k1="$t_kh1" -v k2="$t_kh2" 'BEGIN {
	printf "ratio keyhound / cat-file inflate   %.2fx  (target <= 1.0)\n", k / c;
	printf "ratio keyhound / git log -p --all   %.2fx\n", k / l;
	printf "ratio --threads 1 / cat-file        %.2fx; --threads 2 / cat-file %.2fx\n", k1 / c, k2 / c }'
python3 - "$json" "$REPO.keys.tsv" "$blobs" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
n = d["stats"]["blobs_scanned"]
print("stats.blobs_scanned (--all-objects) %d, distinct blobs in the repository %s (%s)"
      % (n, sys.argv[3], "equal" if str(n) == sys.argv[3] else "DIFFERENT"))
try:
    rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[2]) if l.strip()]
    rows = [r for r in rows if r[0] != "commit"]  # header
except OSError:
    sys.exit(0)
found = {(f["commit"], f["path"]) for f in d["findings"]}
missed = [r for r in rows if (r[0], r[1]) not in found]
print("planted keys: %d, attributed to their commit and path: %d" % (len(rows), len(rows) - len(missed)))
for r in missed[:10]:
    print("  not attributed as planted:", r[:4])
PY
rm -f "$json"
