#!/bin/sh
# t2002-range.sh - keyhound git --range: what the commits of a range add.
. "$(dirname "$0")/test-lib.sh"

k1=$(fake_key openai-proj)
k2=$(fake_key openai-proj)
k3=$(fake_key openai-legacy)

test_expect_success 'setup' '
	git init -q repo && cd repo &&
	kh_commit old.txt "$k1" "old key, before the range" &&
	git tag base &&
	kh_commit a.txt "$k2" "added in range" &&
	kh_commit b.txt "$k3" "added then removed in range" &&
	git rm -q b.txt && git commit -q -m "remove b" &&
	echo "edit" >>old.txt && git commit -q -am "edit a line of the old file"
'

test_expect_success 'A..B: keys the range adds, including one removed again; not older ones' '
	cd repo && test_expect_code 1 kh git --range base..HEAD --format json >../r.json &&
	json_check ../r.json "sorted((f[\"path\"], f[\"message\"]) for f in d[\"findings\"]) == [(\"a.txt\", \"added in range\"), (\"b.txt\", \"added then removed in range\")]"
'

test_expect_success 'rev-list arguments: B --not --remotes=origin' '
	git clone -q repo clone && cd clone &&
	k4=$(fake_key openai-proj) && git checkout -q -b topic && kh_commit new.txt "$k4" "topic" &&
	test_expect_code 1 kh git --range HEAD --not --remotes=origin --format json >../n.json &&
	json_check ../n.json "[f[\"path\"] for f in d[\"findings\"]] == [\"new.txt\"]"
'

test_expect_success 'an empty range is clean; an unknown revision is exit 2 with one line' '
	cd repo && kh git --range HEAD..HEAD >/dev/null &&
	test_expect_code 2 kh git --range nosuch..HEAD 2>err >/dev/null &&
	grep -q "^keyhound: error: unknown revision" err && test "$(wc -l <err)" -eq 1
'

test_expect_success 'not a repository: exit 2 with a clear message' '
	mkdir plain && test_expect_code 2 kh git plain 2>err &&
	grep -q "not a git repository" err
'

test_expect_success 'a corrupt object is reported (exit 2) and the rest still scanned' '
	git init -q bad && cd bad && kh_commit good.txt "$k1" "good" &&
	echo "plain text" >f.txt && git add f.txt && git commit -q -m more &&
	blob=$(git rev-parse HEAD:f.txt) && obj=.git/objects/$(echo $blob | cut -c1-2)/$(echo $blob | cut -c3-) &&
	chmod u+w "$obj" && printf "garbage" >"$obj" &&
	test_expect_code 2 kh git --format json >../bad.json 2>../bad.err &&
	grep -q "f.txt" ../bad.err &&
	json_check ../bad.json "[f[\"path\"] for f in d[\"findings\"]] == [\"good.txt\"] and d[\"stats\"][\"errors\"] >= 1"
'

test_done
