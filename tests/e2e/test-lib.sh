# test-lib.sh - shared helpers for keyhound's end-to-end tests (git's t/test-lib.sh
# in miniature). A test script sources this, calls test_expect_* and ends with
# test_done. Each script runs in its own trash directory with HOME set to it and a
# fixed git identity, and prints TAP.
#
#   sh tests/e2e/t1001-dir-walk.sh [-v] [-i]   (-v: show output, -i: stop at first failure)
#
# Helpers: test_expect_success DESC CMDS, test_expect_failure DESC CMDS,
# test_expect_code N CMD..., test_cmp EXPECTED ACTUAL, test_when_finished CMDS,
# test_skip DESC REASON, kh ARGS (keyhound --no-color), kh_commit FILE CONTENT MSG,
# as_user CMD (unprivileged when root), can_drop_root,
# fake_key KIND, redacted_of KEY, json_get FILE EXPR, json_check FILE EXPR.
# Keys are generated at run time, so no test file holds a key-shaped string.

set -u
TEST_NAME=$(basename "$0" .sh)
TEST_DIR=$(cd "$(dirname "$0")" && pwd)
PROJECT_DIR=$(cd "$TEST_DIR/../.." && pwd)
SHARED_DIR=${SHARED:-$(cd "$PROJECT_DIR/.." && pwd)/shared}
KEYHOUND=${KEYHOUND:-$PROJECT_DIR/build/keyhound}
PYTHON=${PYTHON:-$( [ -x /usr/bin/python3 ] && echo /usr/bin/python3 || echo python3)}
export KEYHOUND PYTHON

verbose=0
immediate=0
for arg in "$@"; do
	case "$arg" in
	-v) verbose=1 ;;
	-i) immediate=1 ;;
	esac
done

TRASH=${TMPDIR:-/tmp}/kh-trash.$TEST_NAME.$$
rm -rf "$TRASH"
mkdir -p "$TRASH" || exit 1
cd "$TRASH" || exit 1
HOME=$TRASH
export HOME
GIT_CONFIG_NOSYSTEM=1
GIT_CONFIG_GLOBAL=$TRASH/.gitconfig
GIT_AUTHOR_NAME="A U Thor"
GIT_AUTHOR_EMAIL=author@example.com
GIT_COMMITTER_NAME="C O Mitter"
GIT_COMMITTER_EMAIL=committer@example.com
GIT_AUTHOR_DATE="2024-01-02T03:04:05+00:00"
GIT_COMMITTER_DATE="2024-01-02T03:04:05+00:00"
export GIT_CONFIG_NOSYSTEM GIT_CONFIG_GLOBAL GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL \
	GIT_COMMITTER_NAME GIT_COMMITTER_EMAIL GIT_AUTHOR_DATE GIT_COMMITTER_DATE
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE KEYHOUND_FINGERPRINT_KEY NO_COLOR 2>/dev/null
cat >"$GIT_CONFIG_GLOBAL" <<EOF
[user]
	name = A U Thor
	email = author@example.com
[init]
	defaultBranch = main
[advice]
	detachedHead = false
[gc]
	auto = 0
EOF

test_count=0
test_failures=0
test_cleanup=""

say() { printf '%s\n' "$*"; }

test_when_finished() {
	test_cleanup="$*
$test_cleanup"
}

run_body() {
	test_cleanup=""
	if [ "$verbose" -eq 1 ]; then
		(eval "$1")
		rc=$?
	else
		(eval "$1") >"$TRASH/.out" 2>&1
		rc=$?
	fi
	if [ -n "$test_cleanup" ]; then
		(eval "$test_cleanup") >/dev/null 2>&1
	fi
	return $rc
}

test_ok() {
	test_count=$((test_count + 1))
	say "ok $test_count - $1"
}

test_not_ok() {
	test_count=$((test_count + 1))
	test_failures=$((test_failures + 1))
	say "not ok $test_count - $1"
	if [ "$verbose" -eq 0 ] && [ -f "$TRASH/.out" ]; then
		sed 's/^/#   /' "$TRASH/.out" | tail -n 40
	fi
	if [ "$immediate" -eq 1 ]; then
		say "# stopped at the first failure; trash directory kept: $TRASH"
		say "1..$test_count"
		exit 1
	fi
}

test_expect_success() {
	if run_body "$2"; then test_ok "$1"; else test_not_ok "$1"; fi
}

test_expect_failure() {
	if run_body "$2"; then test_not_ok "$1 (expected to fail)"; else test_ok "$1"; fi
}

test_skip() {
	test_count=$((test_count + 1))
	say "ok $test_count # SKIP $1 ($2)"
}

# test_expect_code N CMD...: runs CMD, succeeds if it exits with N
test_expect_code() {
	want=$1
	shift
	"$@"
	got=$?
	if [ "$got" -ne "$want" ]; then
		say "expected exit code $want, got $got: $*" >&2
		return 1
	fi
	return 0
}

test_cmp() {
	diff -u "$1" "$2"
}

test_done() {
	say "1..$test_count"
	if [ "$test_failures" -eq 0 ]; then
		cd / && rm -rf "$TRASH"
		exit 0
	fi
	say "# $test_failures of $test_count failed; trash directory kept: $TRASH"
	exit 1
}

kh() {
	"$KEYHOUND" "$@" --no-color
}

# as_user CMD...: runs CMD as an unprivileged user when we are root (root
# reads files whatever their mode); can_drop_root: whether that works (as
# root, it needs setpriv)
as_user() {
	if [ "$(id -u)" = 0 ]; then
		setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
	else
		"$@"
	fi
}

can_drop_root() {
	[ "$(id -u)" != 0 ] || setpriv --reuid=65534 --regid=65534 --clear-groups true 2>/dev/null
}

# kh_commit FILE CONTENT MSG: writes FILE, adds and commits it
kh_commit() {
	mkdir -p "$(dirname "$1")" &&
	printf '%s\n' "$2" >"$1" &&
	git add -- "$1" &&
	git commit -q -m "$3"
}

rand_chars() { # rand_chars N ALPHABET
	LC_ALL=C tr -dc "$2" </dev/urandom 2>/dev/null | head -c "$1"
}

# fake_key KIND [BODY_LEN]: a random, never-issued key of the right shape
fake_key() {
	marker="T3Blbk""FJ"
	body=${2:-}
	case "$1" in
	openai-legacy) printf 'sk-%s%s%s\n' "$(rand_chars 20 A-Za-z0-9)" "$marker" "$(rand_chars 20 A-Za-z0-9)" ;;
	openai-proj-short) printf 'sk-proj-%s%s%s\n' "$(rand_chars 20 A-Za-z0-9)" "$marker" "$(rand_chars 20 A-Za-z0-9)" ;;
	openai-proj|openai-svcacct|openai-admin|openai-none)
		kind=${1#openai-}
		[ "$kind" = none ] && kind=None
		n=${body:-74}
		printf 'sk-%s-%s%s%s\n' "$kind" "$(rand_chars "$n" A-Za-z0-9_-)" "$marker" "$(rand_chars "$n" A-Za-z0-9_-)" ;;
	openai-org) printf 'org-%s\n' "$(rand_chars 24 A-Za-z0-9)" ;;
	anthropic) printf 'sk-ant-api03-%s-%sAA\n' "$(rand_chars 80 A-Za-z0-9_)" "$(rand_chars 12 A-Za-z0-9_)" ;;
	aws) printf 'AKIA%s\n' "$(rand_chars 16 A-Z2-7)" ;;
	*) echo "fake_key: unknown kind $1" >&2; return 1 ;;
	esac
}

# redacted_of KEY: the redacted form reports show (prefix…last4): the rule's
# literal prefix for OpenAI keys, else words ended by - or _ in the first 12 bytes
redacted_of() {
	"$PYTHON" - "$1" <<'EOF'
import sys
s = sys.argv[1]
p = 0
for pre in ("sk-proj-", "sk-svcacct-", "sk-admin-", "sk-None-", "sk-ant-", "org-", "sk-"):
    if s.startswith(pre):
        p = len(pre)
        break
else:
    for i, c in enumerate(s[:12]):
        if c in "-_":
            if i == 0 or not s[i - 1].isalnum():
                break
            p = i + 1
if not p and len(s) >= 16:
    p = 4
p = min(p, len(s) // 3)
t = 4 if len(s) >= 16 else 2 if len(s) >= 8 else 0
print(s[:p] + "\u2026" + (s[len(s) - t:] if t else ""))
EOF
}

# json_get FILE EXPR: prints the value of a Python expression over `d` (the JSON)
json_get() {
	"$PYTHON" -c '
import json, sys
d = json.load(open(sys.argv[1]))
v = eval(sys.argv[2])
print(json.dumps(v) if not isinstance(v, str) else v)' "$1" "$2"
}

# json_check FILE EXPR: succeeds if the Python expression over `d` is true
json_check() {
	"$PYTHON" -c '
import json, sys
d = json.load(open(sys.argv[1]))
ok = eval(sys.argv[2])
if not ok:
    print("json_check failed: " + sys.argv[2], file=sys.stderr)
    sys.exit(1)' "$1" "$2"
}
