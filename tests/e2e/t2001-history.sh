#!/bin/sh
# t2001-history.sh - keyhound git: attribution of a key added then deleted,
# one blob scanned once however many branches hold it, other branches, tags,
# stash, renames, merge resolutions, commit and tag messages, packed and loose.
. "$(dirname "$0")/test-lib.sh"

k1=$(fake_key openai-proj)
k2=$(fake_key openai-legacy)
k3=$(fake_key openai-svcacct 58)
k4=$(fake_key openai-admin 58)
k5=$(fake_key openai-proj 20)
k6=$(fake_key openai-none 58)
k7=$(fake_key openai-proj 58)

at() { # at N: a commit date N minutes after the fixed start
	GIT_AUTHOR_DATE="2024-01-02T03:$(printf %02d "$1"):05+00:00"
	GIT_COMMITTER_DATE=$GIT_AUTHOR_DATE
	export GIT_AUTHOR_DATE GIT_COMMITTER_DATE
}

test_expect_success 'setup: a history with keys added, edited, deleted, on branches' '
	git init -q repo && cd repo &&
	at 1 && kh_commit README "hello" "initial" &&
	at 2 && printf "a\nb\nkey = \"%s\"\n" "$k1" >app.py && git add app.py &&
	GIT_AUTHOR_NAME="Alice Example" GIT_AUTHOR_EMAIL=alice@example.com git commit -q -m "add client" &&
	at 3 && echo "more" >>app.py && git commit -q -am "edit another line" &&
	at 4 && sed -i.bak "/key =/d" app.py && rm -f app.py.bak && git commit -q -am "remove key" &&
	at 5 && git checkout -q -b feature && kh_commit feat.txt "$k2" "feature key" &&
	at 6 && git checkout -q main && git tag light HEAD~1 &&
	at 7 && echo "$k3" >tagged.txt && git add tagged.txt && git commit -q -m tagged &&
	git tag -a v1 -m "release notes $k4" && git rm -q tagged.txt && git commit -q -m untag &&
	at 8 && echo "$k5" >stashed.txt && git add stashed.txt && git stash -q &&
	at 9 && kh_commit "old name.txt" "$k6" "named" &&
	at 10 && git mv "old name.txt" new.txt && git commit -q -m rename &&
	at 11 && git commit -q --allow-empty -m "message leak $k7"
'

test_expect_success 'a deleted key is found and attributed to the commit that added it' '
	cd repo && test_expect_code 1 kh git --format json >../out.json && cd .. &&
	add=$(git -C repo rev-parse HEAD~9 2>/dev/null || true) &&
	json_check out.json "[f for f in d[\"findings\"] if f[\"path\"] == \"app.py\" and f[\"commit\"] == \"$(git -C repo log --format=%H --grep="add client")\" and f[\"author\"] == \"Alice Example\" and f[\"email\"] == \"alice@example.com\" and f[\"date\"] == \"2024-01-02T03:02:05+00:00\" and f[\"message\"] == \"add client\" and f[\"line\"] == 3 and f[\"column\"] == 8 and f[\"occurrences\"] == 1]"
'

test_expect_success 'branch, annotated tag message, stash, rename, commit message' '
	json_check out.json "[f for f in d[\"findings\"] if f[\"path\"] == \"feat.txt\" and f[\"message\"] == \"feature key\"]" &&
	json_check out.json "[f for f in d[\"findings\"] if f[\"path\"] == \"tagged.txt\"]" &&
	json_check out.json "[f for f in d[\"findings\"] if f[\"path\"] == \"(tag v1 message)\"]" &&
	json_check out.json "[f for f in d[\"findings\"] if f[\"path\"] == \"stashed.txt\"]" &&
	json_check out.json "[f for f in d[\"findings\"] if f[\"path\"] == \"old name.txt\" and f[\"message\"] == \"named\"]" &&
	json_check out.json "[f for f in d[\"findings\"] if f[\"path\"] == \"new.txt\" and f[\"message\"] == \"rename\"]" &&
	json_check out.json "[f for f in d[\"findings\"] if f[\"path\"].startswith(\"(commit \") and f[\"message\"].startswith(\"message leak\")]"
'

test_expect_success 'the commit message in reports is redacted' '
	! grep -q "$k7" out.json && ! grep -q "$k4" out.json
'

test_expect_success 'each distinct blob is scanned once' '
	cd repo &&
	git checkout -q -b b2 && git checkout -q -b b3 && git checkout -q main &&
	test_expect_code 1 kh git --all-objects --format json >../all.json &&
	n=$(git cat-file --batch-all-objects --batch-check | grep -c " blob ") &&
	json_check ../all.json "d[\"stats\"][\"blobs_scanned\"] == $n"
'

test_expect_success 'packed and loose objects alike (after git gc, plus a new loose commit)' '
	cd repo && git gc -q && k8=$(fake_key openai-proj) && kh_commit loose.txt "$k8" "loose" &&
	test_expect_code 1 kh git --format json >../gc.json &&
	json_check ../gc.json "len([f for f in d[\"findings\"] if f[\"path\"] in (\"app.py\", \"loose.txt\", \"feat.txt\")]) == 3"
'

test_expect_success 'merge: only what the resolution adds is attributed to the merge' '
	git init -q m && cd m && at 20 && kh_commit f.txt "base" "base" &&
	git checkout -q -b side && at 21 && kh_commit f.txt "side" "side change" &&
	git checkout -q main && at 22 && kh_commit f.txt "main" "main change" &&
	at 23 && { git merge -q side 2>/dev/null; true; } && km=$(fake_key openai-proj) &&
	printf "resolved\n%s\n" "$km" >f.txt && git add f.txt && git commit -q -m "merge side" &&
	test_expect_code 1 kh git --format json >../merge.json &&
	json_check ../merge.json "[f[\"message\"] for f in d[\"findings\"]] == [\"merge side\"]"
'

test_expect_success 'bare and mirror clones' '
	git clone -q --bare repo bare.git && git clone -q --mirror repo mirror.git &&
	test_expect_code 1 kh git --format json bare.git >bare.json &&
	test_expect_code 1 kh git --format json mirror.git >mirror.json &&
	json_check bare.json "[f for f in d[\"findings\"] if f[\"path\"] == \"app.py\"]" &&
	json_check mirror.json "[f for f in d[\"findings\"] if f[\"path\"] == \"feat.txt\"]"
'

test_expect_success 'linked worktree' '
	git -C repo worktree add -q ../wt feature 2>/dev/null &&
	test_expect_code 1 kh git --format json wt >wt.json &&
	json_check wt.json "[f for f in d[\"findings\"] if f[\"path\"] == \"feat.txt\"]"
'

test_expect_success 'shallow clone: what is there is scanned and the boundary is said' '
	git clone -q --depth 2 "file://$TRASH/repo" shallow &&
	test_expect_code 1 kh git --format json shallow >sh.json 2>sh.err &&
	json_check sh.json "d[\"stats\"][\"shallow\"] == True" &&
	grep -q "shallow" sh.err
'

test_done
