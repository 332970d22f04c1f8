#!/bin/sh
# t6003-bad-input.sh - bad input gets one clear line on stderr and exit 2, and
# whatever could still be scanned is scanned and reported (issue #6): a
# nonexistent path, a file or directory that is not a repository, a corrupt
# packfile, a missing object, a broken config (file:line:column), an invalid
# regex in a user rule (rule id and offset), an unreadable object in history
# (as an unprivileged user; unreadable files and directories on disk: t1001).
. "$(dirname "$0")/test-lib.sh"

k1=$(fake_key openai-proj)
k2=$(fake_key openai-legacy)

# one_error FILE: FILE holds exactly one line, a "keyhound: error: " line
one_error() {
	test "$(wc -l <"$1")" -eq 1 && grep -q "^keyhound: error: " "$1" || {
		echo "expected one error line in $1:" >&2
		cat "$1" >&2
		return 1
	}
}

test_expect_success 'a nonexistent path: one line, exit 2, the other path still reported' '
	mkdir ok && echo "k=$k1" >ok/a.env &&
	test_expect_code 2 kh dir --format json ok no-such-path >out.json 2>err &&
	one_error err && grep -q "no-such-path: cannot scan: No such file or directory" err &&
	json_check out.json "[f[\"path\"] for f in d[\"findings\"]] == [\"ok/a.env\"]"
'

test_expect_success 'not a repository (directory, file, nonexistent): one line, exit 2' '
	mkdir plain && echo hi >plain/f.txt &&
	for cmd in git staged; do
		for arg in plain plain/f.txt no-such-repo; do
			test_expect_code 2 kh $cmd "$arg" >out 2>err &&
			one_error err && ! test -s out || exit 1
		done
	done &&
	grep -q "no-such-repo" err
'

test_expect_success 'a broken config: one line naming file:line:column, exit 2' '
	printf "rules:\n  - id: acme-x\n    pattern: a\n    keywords: [a]\n  bad: [\n" >broken.yaml &&
	test_expect_code 2 kh dir --config broken.yaml ok >out 2>err &&
	one_error err && grep -q "broken.yaml:[0-9]*:[0-9]*: " err &&
	mkdir cfgrepo && printf "allowlist:\n  pathz: [x]\n" >cfgrepo/.keyhound.yaml &&
	echo "k=$k1" >cfgrepo/a.env &&
	test_expect_code 2 kh dir cfgrepo >out 2>err &&
	one_error err && grep -q "\.keyhound\.yaml:2:3: unknown allowlist key .pathz." err
'

test_expect_success 'an invalid regex in a user rule: the rule id and the offset, exit 2' '
	cat >badre.yaml <<-\EOF &&
	rules:
	  - id: acme-broken
	    pattern: "acme_(abc"
	    keywords: [acme_]
	EOF
	test_expect_code 2 kh dir --config badre.yaml ok >out 2>err &&
	one_error err && grep -q "acme-broken" err && grep -q "offset 9" err
'

test_expect_success 'setup: history with a packed and a loose secret' '
	git init -q repo && (
		cd repo &&
		kh_commit packed.txt "k=$k1" "packed secret" &&
		git gc -q &&
		kh_commit loose.txt "k=$k2" "loose secret"
	)
'

test_expect_success 'a corrupt packfile: reported, exit 2, the loose objects still scanned' '
	cp -R repo corrupt && pack=$(ls corrupt/.git/objects/pack/*.pack) &&
	chmod u+w "$pack" &&
	"$PYTHON" -c "
import sys
p = sys.argv[1]
b = bytearray(open(p, \"rb\").read())
for i in range(12, len(b) - 20):   # every object, not the header or the checksum
    b[i] ^= 0x5a
open(p, \"wb\").write(bytes(b))
" "$pack" &&
	test_expect_code 2 kh git --format json corrupt >out.json 2>err &&
	grep -q "^keyhound: error: " err &&
	json_check out.json "[f[\"path\"] for f in d[\"findings\"]] == [\"loose.txt\"]" &&
	json_check out.json "d[\"stats\"][\"errors\"] >= 1"
'

test_expect_success 'a missing object: reported, exit 2, the rest still scanned' '
	cp -R repo missing && (
		cd missing &&
		blob=$(git rev-parse HEAD:loose.txt) &&
		rm -f .git/objects/$(echo "$blob" | cut -c1-2)/$(echo "$blob" | cut -c3-)
	) &&
	test_expect_code 2 kh git --format json missing >out.json 2>err &&
	grep -q "^keyhound: error: " err &&
	json_check out.json "[f[\"path\"] for f in d[\"findings\"]] == [\"packed.txt\"]" &&
	json_check out.json "d[\"stats\"][\"errors\"] >= 1"
'

test_expect_success 'an unknown revision on either side of a range: one line, exit 2' '
	for r in HEAD..no-such-rev no-such-rev..HEAD no-such-rev; do
		test_expect_code 2 kh git repo --range "$r" >out 2>err &&
		one_error err && grep -q "unknown revision .no-such-rev." err || exit 1
	done
'

test_expect_success 'a missing object in a range scan: reported, exit 2' '
	test_expect_code 2 kh git --format json missing --range HEAD~1..HEAD >out.json 2>err &&
	grep -q "^keyhound: error: " err
'

if can_drop_root; then
	test_expect_success 'an unreadable object in history: reported, exit 2, the rest still scanned' '
		cp -R repo unread && chmod -R a+rX unread "$TRASH" && (
			cd unread &&
			blob=$(git rev-parse HEAD:loose.txt) &&
			chmod 000 .git/objects/$(echo "$blob" | cut -c1-2)/$(echo "$blob" | cut -c3-)
		) &&
		test_expect_code 2 as_user "$KEYHOUND" git --no-color --format json unread >out.json 2>err &&
		grep -q "^keyhound: error: " err &&
		json_check out.json "[f[\"path\"] for f in d[\"findings\"]] == [\"packed.txt\"]" &&
		json_check out.json "d[\"stats\"][\"errors\"] >= 1"
	'
else
	test_skip 'an unreadable object in history' "root without setpriv: permissions do not stop reads"
fi

test_done
