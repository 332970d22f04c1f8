#!/bin/sh
# t6002-git-adversarial.sh - hostile repositories at CI size (issue #6): 10,000
# refs (packed and loose) and a 5 MB commit message with a key at its end.
# Each is scanned completely. The full-size versions (100,000 refs, a 50 MB
# message) are in bench/adversarial.sh (`make adversarial`).
. "$(dirname "$0")/test-lib.sh"

key=$(fake_key openai-proj)
key2=$(fake_key openai-legacy)

test_expect_success 'setup: 10,000 refs, most packed, some loose, one commit each' '
	git init -q refs && (
		cd refs &&
		kh_commit a.txt "hello" "first" &&
		base=$(git rev-parse HEAD) &&
		i=0 && : >../upd &&
		while [ $i -lt 200 ]; do
			echo "create refs/heads/b$i $base" >>../upd; i=$((i + 1))
		done &&
		git update-ref --stdin <../upd &&
		git pack-refs --all &&
		"$PYTHON" -c "
import sys
base = sys.argv[1]
with open(\".git/packed-refs\", \"a\") as f:
    for i in range(9800):
        f.write(\"%s refs/tags/t%05d\n\" % (base, i))
" "$base" &&
		echo "k=$key" >secret.txt && git add secret.txt && git commit -q -m "add secret" &&
		git update-ref refs/heads/b150 HEAD &&
		git checkout -q -b last && test $(git for-each-ref | wc -l) -ge 10000
	)
'

test_expect_success '10,000 refs: the commit on one of them is found, once' '
	test_expect_code 1 kh git --format json refs >out.json 2>err &&
	json_check out.json "[(f[\"path\"], f[\"message\"]) for f in d[\"findings\"]] == [(\"secret.txt\", \"add secret\")]" &&
	json_check out.json "d[\"stats\"][\"commits_scanned\"] == 2 and d[\"stats\"][\"errors\"] == 0"
'

test_expect_success 'a 5 MB commit message with a key at its end: found, redacted' '
	git init -q msg && (
		cd msg &&
		kh_commit a.txt "hello" "first" &&
		"$PYTHON" -c "
import sys
sys.stdout.write(\"subject line\n\n\" + (\"word \" * 15 + \"\n\") * 65536 + \"k=\" + sys.argv[1] + \"\n\")
" "$key2" >../msg.txt &&
		git commit -q --allow-empty -F ../msg.txt
	) &&
	test_expect_code 1 kh git --format json msg >out.json &&
	json_check out.json "len(d[\"findings\"]) == 1 and d[\"findings\"][0][\"line\"] == 65539" &&
	json_check out.json "\"$key2\" not in open(\"out.json\").read()"
'

test_done
