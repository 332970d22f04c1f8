#!/bin/sh
# t6007-hostile-files.sh - hostile files, configs, trees and refs in the scanned
# repository (issue #6): a .keyhoundignore or .keyhound.yaml that is a symlink
# (to /dev/zero, or out of the tree) is not followed and the scan goes on with
# the built-in rules; a broken or absurdly nested config is one line and exit 2;
# tree entries named ".." or holding "/" are reported percent-encoded, never as
# a path leaving the root; a garbage loose ref is an error, not a crash; an
# allowlist regex that backtracks catastrophically is cut off by the scan's
# limits and suppresses nothing; a tree deeper than 64 levels is still walked;
# -o writes through a symlink and to a device; "version" takes no arguments.
#
# The bodies below are strings that test_expect_success evals, so shellcheck
# sees neither the variables and helpers they use nor the expansions in them.
# shellcheck disable=SC2016,SC2034,SC2317
# shellcheck source-path=SCRIPTDIR source=test-lib.sh disable=SC1091
. "$(dirname "$0")/test-lib.sh"

key=$(fake_key openai-proj)
key2=$(fake_key openai-proj)
key3=$(fake_key openai-legacy)
key4=$(fake_key openai-proj)
key5=$(fake_key openai-svcacct)

# one_line FILE: FILE holds exactly one line
one_line() {
	test "$(wc -l <"$1")" -eq 1 || {
		echo "expected one line in $1:" >&2
		cat "$1" >&2
		return 1
	}
}

# reported FILE LIST: the paths of the unsuppressed findings in the JSON
# report FILE, in order, are the Python list LIST
reported() {
	json_check "$1" "[f[\"path\"] for f in d[\"findings\"] if f[\"suppressed\"] is None] == $2 and d[\"stats\"][\"findings\"] == len($2)"
}

# no_escape FILE: no finding's path in the JSON report FILE leaves the root
no_escape() {
	json_check "$1" "all(not f[\"path\"].startswith(\"/\") and \"..\" not in f[\"path\"].split(\"/\") and \".\" not in f[\"path\"].split(\"/\") for f in d[\"findings\"])"
}

# tree_bytes MODE NAME OID [MODE NAME OID]...: the raw bytes of a tree object
# with exactly these entries (in this order), whatever their names hold
tree_bytes() {
	"$PYTHON" -c '
import sys
a = sys.argv[1:]
out = b""
for i in range(0, len(a), 3):
    out += a[i].encode() + b" " + a[i + 1].encode() + b"\0" + bytes.fromhex(a[i + 2])
sys.stdout.buffer.write(out)' "$@"
}

# issue #6: an ignore file that is a symlink to /dev/zero would never end
test_expect_success '.keyhoundignore -> /dev/zero: not followed, exit 2, the scan goes on' '
	git init -q zero && ln -s /dev/zero zero/.keyhoundignore &&
	echo "k=$key" >zero/a.env &&
	test_expect_code 2 timeout -k 5 20 "$KEYHOUND" dir --no-color --format json zero >out.json 2>err &&
	one_line err &&
	grep -q "^keyhound: error: ignore file .*/zero/\.keyhoundignore. is a symbolic link: not followed$" err &&
	reported out.json "[\"a.env\"]" &&
	json_check out.json "d[\"stats\"][\"skipped_symlinks\"] == 1"
'

# issue #6: a config that is a symlink out of the tree is not read at all
test_expect_success '.keyhound.yaml -> a file outside the tree: not read, built-in rules, exit 2' '
	mkdir outside cfglink &&
	echo "TOPSECRET_value: x" >outside/config.yaml &&
	ln -s ../outside/config.yaml cfglink/.keyhound.yaml &&
	echo "k=$key" >cfglink/a.env &&
	test_expect_code 2 kh dir --format json cfglink >out.json 2>err &&
	one_line err &&
	grep -q "^keyhound: error: config .*/cfglink/\.keyhound\.yaml. is a symbolic link: not followed (scanning with the built-in rules only)$" err &&
	! grep -q TOPSECRET out.json && ! grep -q TOPSECRET err &&
	reported out.json "[\"a.env\"]" &&
	test_expect_code 2 kh dir cfglink >out.txt 2>err &&
	! grep -q TOPSECRET out.txt && ! grep -q TOPSECRET err &&
	grep -q "^    a\.env:1:3$" out.txt
'

# issue #6: the same refusals from the history and staged scans
test_expect_success 'git and staged refuse the same symlinked config and ignore file' '
	git init -q both && (
		cd both &&
		ln -s ../outside/config.yaml .keyhound.yaml && ln -s /dev/zero .keyhoundignore &&
		echo "k=$key" >a.env && git add . && git commit -q -m one &&
		echo "k=$key2" >b.env && git add b.env
	) &&
	test_expect_code 2 timeout -k 5 20 "$KEYHOUND" git --no-color --format json both >out.json 2>err &&
	test "$(wc -l <err)" -eq 2 &&
	grep -q "config .*/both/\.keyhound\.yaml. is a symbolic link: not followed (scanning with the built-in rules only)$" err &&
	grep -q "ignore file .*/both/\.keyhoundignore. is a symbolic link: not followed$" err &&
	! grep -q TOPSECRET out.json && ! grep -q TOPSECRET err &&
	reported out.json "[\"a.env\"]" &&
	(cd both && test_expect_code 2 timeout -k 5 20 "$KEYHOUND" staged --no-color --format json >../out.json 2>../err) &&
	test "$(wc -l <err)" -eq 2 &&
	grep -q "config .*/both/\.keyhound\.yaml. is a symbolic link: not followed" err &&
	grep -q "ignore file .*/both/\.keyhoundignore. is a symbolic link: not followed$" err &&
	! grep -q TOPSECRET out.json && ! grep -q TOPSECRET err &&
	reported out.json "[\"b.env\"]"
'

# issue #6: a broken repository config falls back to the built-in rules; its
# allowlist (which would hide a.env) is not half-applied
test_expect_success 'a broken .keyhound.yaml: file:line:column, exit 2, built-in rules still report' '
	mkdir broken &&
	printf "allowlist:\n  paths: [a.env]\n  lines: [x\n  oops: ]]\n" >broken/.keyhound.yaml &&
	echo "k=$key" >broken/a.env &&
	test_expect_code 2 kh dir --format json broken >out.json 2>err &&
	one_line err &&
	grep -q "^keyhound: error: .*/broken/\.keyhound\.yaml:4:[0-9][0-9]*: .* (scanning with the built-in rules only)$" err &&
	reported out.json "[\"a.env\"]" &&
	json_check out.json "d[\"stats\"][\"suppressed_config\"] == 0"
'

# issue #6: YAML nesting is capped before the parser recurses into it
test_expect_success 'a config nested 100000 levels deep: "nested deeper than 32 levels", exit 2' '
	mkdir clean && echo "hello" >clean/a.txt &&
	"$PYTHON" -c "import sys; sys.stdout.write(\"rules: \" + \"[\" * 100000 + \"]\" * 100000 + \"\\n\")" >deep.yaml &&
	test "$(wc -c <deep.yaml)" -eq 200008 &&
	test_expect_code 2 timeout -k 5 20 "$KEYHOUND" dir --no-color --config deep.yaml clean >out 2>err &&
	one_line err &&
	grep -q "^keyhound: error: deep\.yaml:1:[0-9][0-9]*: nested deeper than 32 levels$" err &&
	! test -s out &&
	"$PYTHON" -c "import sys; sys.stdout.write(\"rules: \" + \"{a: \" * 100000 + \"}\" * 100000 + \"\\n\")" >deepmap.yaml &&
	test_expect_code 2 timeout -k 5 20 "$KEYHOUND" dir --no-color --config deepmap.yaml clean >out 2>err &&
	one_line err &&
	grep -q "^keyhound: error: deepmap\.yaml:1:[0-9][0-9]*: nested deeper than 32 levels$" err
'

# issue #6: tree entries git never writes ("..", ".", names holding "/"),
# planted as raw tree objects
test_expect_success 'setup: a history whose tree holds "..", "." and names with "/"' '
	git init -q dots && (
		cd dots &&
		git commit -q --allow-empty -m init &&
		b1=$(printf "k=%s\n" "$key" | git hash-object -w --stdin) &&
		b2=$(printf "k=%s\n" "$key2" | git hash-object -w --stdin) &&
		b3=$(printf "k=%s\n" "$key3" | git hash-object -w --stdin) &&
		b4=$(printf "k=%s\n" "$key4" | git hash-object -w --stdin) &&
		b5=$(printf "k=%s\n" "$key5" | git hash-object -w --stdin) &&
		up=$(tree_bytes 100644 a.env "$b1" | git hash-object -t tree --literally -w --stdin) &&
		here=$(tree_bytes 100644 b.env "$b5" | git hash-object -t tree --literally -w --stdin) &&
		top=$(tree_bytes 100644 /abs.env "$b3" 40000 . "$here" 40000 .. "$up" \
			100644 etc/passwd "$b2" 100644 x/../../y.env "$b4" |
			git hash-object -t tree --literally -w --stdin) &&
		git cat-file -p "$top" >../tree.txt &&
		c=$(git commit-tree -p HEAD -m "hostile names" "$top") &&
		git update-ref refs/heads/main "$c"
	) &&
	test "$(wc -l <tree.txt)" -eq 5 && grep -q "	\.\.$" tree.txt && grep -q "	etc/passwd$" tree.txt
'

test_expect_success 'history: such names are percent-encoded and never leave the root' '
	test_expect_code 1 kh git --format json dots >out.json &&
	json_check out.json "d[\"stats\"][\"findings\"] == 5 and all(f[\"suppressed\"] is None for f in d[\"findings\"])" &&
	json_check out.json "sorted((f[\"path\"], f[\"secret\"]) for f in d[\"findings\"]) == sorted([
		(\"%2E%2E/a.env\", \"$(redacted_of "$key")\"), (\"%2E/b.env\", \"$(redacted_of "$key5")\"),
		(\"%2Fabs.env\", \"$(redacted_of "$key3")\"), (\"etc%2Fpasswd\", \"$(redacted_of "$key2")\"),
		(\"x%2F..%2F..%2Fy.env\", \"$(redacted_of "$key4")\")])" &&
	no_escape out.json &&
	test_expect_code 1 kh git dots >out.txt &&
	grep -q "^    %2E%2E/a\.env:1:3 " out.txt &&
	! grep -q "^    \.\./" out.txt && ! grep -q "^    /" out.txt
'

test_expect_success 'a range scan reports the same encoded paths as a full history scan' '
	(cd dots && test_expect_code 1 kh git --format json --range HEAD~1..HEAD >../range.json) &&
	json_check range.json "sorted((f[\"path\"], f[\"secret\"]) for f in d[\"findings\"]) == sorted([
		(\"%2E%2E/a.env\", \"$(redacted_of "$key")\"), (\"%2E/b.env\", \"$(redacted_of "$key5")\"),
		(\"%2Fabs.env\", \"$(redacted_of "$key3")\"), (\"etc%2Fpasswd\", \"$(redacted_of "$key2")\"),
		(\"x%2F..%2F..%2Fy.env\", \"$(redacted_of "$key4")\")])"
'

# issue #6: a loose ref holding garbage (the packed one is fine) is an error
test_expect_success 'a garbage loose ref: exit 2, the ref named, the other refs still scanned' '
	git init -q badref && (
		cd badref &&
		kh_commit a.env "k=$key" "one" &&
		git branch other &&
		git pack-refs --all &&
		printf "garbage\n" >.git/refs/heads/main
	) &&
	test_expect_code 2 kh git --format json badref >out.json 2>err &&
	grep -q "^keyhound: error: refs/heads/main: .*refs/heads/main" err &&
	reported out.json "[\"a.env\"]" &&
	json_check out.json "d[\"stats\"][\"errors\"] >= 1" &&
	json_check out.json "any(p[\"path\"] == \"refs/heads/main\" and p[\"error\"] for p in d[\"stats\"][\"problems\"])"
'

# issue #6: allowlist regexes run with the scan's PCRE2 limits; a limit hit
# suppresses nothing. The line holds ";" (so PCRE2 cannot rule the pattern out
# before matching) but never right after the x run, and keys never hold ";".
test_expect_success 'an allowlist regex that backtracks catastrophically: limit hit, finding kept, exit 2' '
	mkdir redos &&
	printf "allowlist:\n  lines: [\"(x+x+)+;\"]\n" >redos/.keyhound.yaml &&
	"$PYTHON" -c "import sys; print(\"x\" * 5000 + \" k=\" + sys.argv[1] + \" ;\")" "$key" >redos/a.env &&
	test_expect_code 2 timeout -k 5 20 "$KEYHOUND" dir --no-color --format json redos >out.json 2>err &&
	one_line err &&
	grep -q "^keyhound: error: a\.env: allowlist pattern .(x+x+)+;. stopped: match limit exceeded (the finding is reported)$" err &&
	reported out.json "[\"a.env\"]" &&
	json_check out.json "d[\"stats\"][\"limit_hits\"] >= 1" &&
	json_check out.json "d[\"stats\"][\"suppressed_config\"] == 0" &&
	json_check out.json "any(p[\"path\"] == \"a.env\" and p[\"error\"] for p in d[\"stats\"][\"problems\"])" &&
	printf "allowlist:\n  lines: [\"x+ k=\"]\n" >redos/.keyhound.yaml &&
	test_expect_code 0 kh dir --format json redos >out.json &&
	reported out.json "[]" &&
	json_check out.json "[(f[\"path\"], f[\"suppressed\"]) for f in d[\"findings\"]] == [(\"a.env\", \"config\")]" &&
	json_check out.json "d[\"stats\"][\"suppressed_config\"] == 1"
'

# issue #6: a deep tree inside a git work tree; .gitignore stops at 64 levels
test_expect_success 'a work tree 200 levels deep: the key at the bottom found, a warning' '
	git init -q deep && (
		cd deep &&
		echo "*.log" >.gitignore && echo "k=$key2" >top.log &&
		p=. && i=0 &&
		while [ $i -lt 200 ]; do p=$p/d; i=$((i + 1)); done &&
		mkdir -p "$p" && echo "k=$key" >"$p/a.env"
	) &&
	test_expect_code 1 timeout -k 5 60 "$KEYHOUND" dir --no-color --format json deep >out.json 2>err &&
	one_line err &&
	grep -q "^keyhound: warning: .*more than 64 levels deep" err &&
	reported out.json "[\"d/\" * 200 + \"a.env\"]" &&
	json_check out.json "d[\"stats\"][\"files_scanned\"] == 2"
'

# issue #6: the report is written through a symlink (the link stays a link)
test_expect_success '-o LINK to a file not yet there: written through, LINK still a symlink' '
	mkdir -p outlink/src outlink/links outlink/out &&
	echo "k=$key" >outlink/src/a.env &&
	ln -s ../out/report.json outlink/links/LINK &&
	(cd outlink && test_expect_code 1 kh dir --format json src -o links/LINK >../out 2>../err) &&
	! test -s out && ! test -s err &&
	test -h outlink/links/LINK &&
	test "$(readlink outlink/links/LINK)" = ../out/report.json &&
	test -f outlink/out/report.json && ! test -h outlink/out/report.json &&
	reported outlink/out/report.json "[\"a.env\"]" &&
	test "$(ls -A outlink/links)" = LINK && test "$(ls -A outlink/out)" = report.json &&
	(cd outlink && test_expect_code 1 kh dir src -o links/LINK >../out 2>../err) &&
	test -h outlink/links/LINK && grep -q "^    a\.env:1:3$" outlink/out/report.json
'

# issue #6: -o to a device writes to it; a rename over /dev/null would replace
# the device, so this runs unprivileged where it can
if can_drop_root; then
	test_expect_success '-o /dev/null: exit 1, /dev/null still a character device' '
		mkdir devnull && echo "k=$key" >devnull/a.env && chmod -R a+rX "$TRASH" &&
		test_expect_code 1 as_user "$KEYHOUND" dir --no-color --format json devnull -o /dev/null >out 2>err &&
		! test -s out && ! test -s err &&
		test -c /dev/null && ! test -h /dev/null
	'
else
	test_skip '-o /dev/null' "root without setpriv: a broken rename could replace /dev/null"
fi

# issue #6
test_expect_success '"version extra": exit 2, nothing on stdout' '
	test_expect_code 2 "$KEYHOUND" version extra >out 2>err &&
	! test -s out && one_line err &&
	grep -q "^keyhound: error: version takes no arguments" err &&
	test_expect_code 0 "$KEYHOUND" version >out && grep -q "^keyhound " out
'

test_done
