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
	[ -d "$dir" ] || "$PY" "$SHARED/bench/make-corpus.py" "$dir" "$@" >&2 || exit 1
}
PY=$( [ -x /usr/bin/python3 ] && echo /usr/bin/python3 || echo python3)
best() { # "WALL CPU": best-of-5 wall seconds and CPU seconds of "$@" (portable)
	"$PY" -c '
import resource, subprocess, sys, time
wall = cpu = 1e9
for _ in range(5):
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.monotonic()
    subprocess.call(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = min(wall, time.monotonic() - t)
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = min(cpu, r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime)
print("%.4f %.4f" % (wall, cpu))' "$@"
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
		echo "$(basename "$repo"): $(git rev-list --count HEAD) commits, $(git ls-files | wc -l | tr -d ' ') files; 20 files staged"
		echo "$t_git" | awk '{printf "  git diff --cached --stat   %.4f s wall, %.4f s CPU\n", $1, $2}'
		echo "$t_kh" | awk '{printf "  keyhound staged            %.4f s wall, %.4f s CPU\n", $1, $2}'
		echo "$t_kh $t_git" | awk '{printf "  ratio keyhound / git diff --cached --stat %.2fx wall, %.2fx CPU (target <= 2.0)\n", $1 / $3, $2 / $4}'
	)
	rm -rf "$work"
done
