#!/bin/sh
# bench-staged.sh - pre-commit speed: `keyhound staged` on a 20-file staged
# change, as a ratio to `git diff --cached --stat` on the same change, in two
# repositories of different history sizes (the time must not grow with history).
#
#   sh bench/bench-staged.sh [KEYHOUND]
# Repositories: KH_BENCH_SMALL (default /tmp/kh-small, --commits 600 --mb 60)
# and KH_BENCH_REPO (default /tmp/kh-corpus, --commits 5000 --mb 1000), built by
# make-corpus.py if absent. Best of 5 runs each. Numbers only.
set -u
KH=${1:-build/keyhound}
KH=$(cd "$(dirname "$KH")" && pwd)/$(basename "$KH")
SHARED=${SHARED:-$(cd "$(dirname "$0")/../.." && pwd)/shared}
SMALL=${KH_BENCH_SMALL:-/tmp/kh-small}
LARGE=${KH_BENCH_REPO:-/tmp/kh-corpus}

build() { # build DIR ARGS...
	dir=$1
	shift
	[ -d "$dir" ] || python3 "$SHARED/bench/make-corpus.py" "$dir" "$@" >&2 || exit 1
}
best() { # best-of-5 wall seconds of "$@"
	b=""
	for _ in 1 2 3 4 5; do
		t0=$(date +%s.%N); "$@" >/dev/null 2>&1; t1=$(date +%s.%N)
		b=$(echo "$t0 $t1 ${b:-999}" | awk '{t = $2 - $1; print (t < $3 ? t : $3)}')
	done
	printf '%.4f' "$b"
}

build "$SMALL" --commits 600 --mb 60
build "$LARGE" --commits 5000 --mb 1000
for repo in "$SMALL" "$LARGE"; do
	work=$(mktemp -d /tmp/kh-staged.XXXXXX)
	git clone -q --shared "$repo" "$work/r" 2>/dev/null || { echo "cannot clone $repo"; continue; }
	(
		cd "$work/r" || exit 1
		git ls-files | head -n 20 | while read -r f; do printf 'new line %s\n' "$f" >>"$f"; done
		git add -A
		t_git=$(best git diff --cached --stat)
		t_kh=$(best "$KH" staged --no-config --quiet)
		echo "$(basename "$repo"): $(git rev-list --count HEAD) commits; 20 files staged"
		echo "  git diff --cached --stat   ${t_git} s"
		echo "  keyhound staged            ${t_kh} s"
		echo "$t_kh $t_git" | awk '{printf "  ratio keyhound / git diff --cached --stat %.2fx (target <= 2.0)\n", $1 / $2}'
	)
	rm -rf "$work"
done
