#!/bin/sh
# quiet.sh - false alarms on real trees: scan directories that hold no leaked
# secrets (/usr/share, /usr/include, a few large npm packages: lockfiles,
# minified bundles, source maps) with all default rules and print how many
# findings each rule makes there, by severity. Every high or critical finding
# on these trees is a false alarm to fix; exit 1 if there is one, 2 if a scan
# failed.
#
#   sh tools/quiet.sh [KEYHOUND] [TREE...]
# Default trees: /usr/share /usr/include and $KH_QUIET_NPM (default
# /tmp/kh-quiet-npm), where the packages in $KH_QUIET_PACKAGES are installed
# with `npm install --ignore-scripts` if the directory is absent.
# Prints rule ids, severities, paths and line numbers only: never a secret
# (reports are redacted; --show-secrets is not used).
set -u
KH=${1:-build/keyhound}
[ $# -gt 0 ] && shift
PYTHON=${PYTHON:-python3}
NPM_DIR=${KH_QUIET_NPM:-/tmp/kh-quiet-npm}
PACKAGES=${KH_QUIET_PACKAGES:-typescript @angular/core lodash webpack aws-sdk stripe openai jsonwebtoken twilio @slack/web-api @octokit/rest}

npm_tree() {
	if [ ! -d "$NPM_DIR/node_modules" ]; then
		if ! command -v npm >/dev/null 2>&1; then
			echo "quiet: npm not found: the npm packages are not scanned" >&2
			return 1
		fi
		echo "quiet: installing $PACKAGES into $NPM_DIR ..." >&2
		mkdir -p "$NPM_DIR" || return 1
		printf '{"name":"kh-quiet","version":"1.0.0","private":true}\n' >"$NPM_DIR/package.json" || return 1
		# shellcheck disable=SC2086 # PACKAGES is a list of package names
		if ! (cd "$NPM_DIR" && npm install --no-audit --no-fund --ignore-scripts $PACKAGES >/dev/null 2>&1); then
			echo "quiet: npm install failed: the npm packages are not scanned" >&2
			rm -rf "$NPM_DIR"
			return 1
		fi
	fi
	echo "$NPM_DIR"
}

if [ $# -eq 0 ]; then
	set -- /usr/share /usr/include
	t=$(npm_tree) && set -- "$@" "$t"
fi

out=$(mktemp "${TMPDIR:-/tmp}/kh-quiet.XXXXXX")
trap 'rm -f "$out"' EXIT
status=0
for tree in "$@"; do
	nice "$KH" dir --no-config --no-ignore --format json --fail-on info "$tree" >"$out" 2>/dev/null
	rc=$?
	if [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ]; then
		echo "quiet: keyhound exited $rc on $tree" >&2
		status=2
	fi
	"$PYTHON" - "$tree" "$out" <<'EOF' || { [ "$status" -eq 0 ] && status=1; }
import collections, json, sys
tree, path = sys.argv[1], sys.argv[2]
try:
    rep = json.load(open(path))
except ValueError:
    print(f"{tree}: no JSON report")
    sys.exit(1)
st = rep["stats"]
fs = [f for f in rep["findings"] if not f.get("suppressed")]
print(f"{tree}: {st['files_scanned']} files, {st['bytes_scanned'] / 1e6:.0f} MB, "
      f"{len(fs)} findings ({len(rep['findings']) - len(fs)} suppressed)")
order = ["critical", "high", "medium", "low", "info"]
count = collections.Counter((f["severity"], f["rule"]) for f in fs)
for (sev, rule), n in sorted(count.items(), key=lambda x: (order.index(x[0][0]), -x[1], x[0][1])):
    print(f"  {sev:<8} {n:6}  {rule}")
loud = [f for f in fs if f["severity"] in ("high", "critical")]
for f in loud[:50]:
    print(f"  false alarm: {f['path']}:{f['line']}: {f['rule']} ({f['severity']})")
sys.exit(1 if loud else 0)
EOF
done
if [ "$status" -eq 0 ]; then
	echo "quiet: no high or critical finding"
else
	echo "quiet: FAILED (high or critical findings, or a scan error, above)"
fi
exit "$status"
