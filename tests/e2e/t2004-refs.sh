#!/bin/sh
# t2004-refs.sh - keyhound git starts from every ref: git notes, remote-tracking
# branches, refs outside refs/heads and refs/tags (e.g. refs/pull/*, refs/keep/*),
# a tag that points straight at a blob, and a tag of a tag; older stash entries
# (stash@{1}, in refs/stash's reflog) and the HEADs of other worktrees; a key
# reachable only from one of them is found, and a key in no ref at all (a
# blob, an annotated tag's message) only with --all-objects.
. "$(dirname "$0")/test-lib.sh"

k_note=$(fake_key openai-proj)
k_remote=$(fake_key openai-legacy)
k_pull=$(fake_key openai-svcacct 58)
k_blob=$(fake_key openai-proj 58)
k_nested=$(fake_key openai-admin 58)
k_lost=$(fake_key openai-none 58)

test_expect_success 'setup' '
	git init -q upstream && cd upstream &&
	kh_commit README "hello" "initial" &&
	git checkout -q -b only-upstream && kh_commit remote.txt "$k_remote" "remote only" &&
	git checkout -q main && cd .. &&
	git clone -q upstream repo && cd repo &&
	git branch -q -D only-upstream 2>/dev/null; git notes add -m "deploy with $k_note" HEAD &&
	git checkout -q -b pr && kh_commit pr.txt "$k_pull" "pull request" &&
	git update-ref refs/pull/7/head HEAD && git checkout -q main && git branch -q -D pr &&
	blob=$(printf "%s\n" "$k_blob" | git hash-object -w --stdin) && git tag blobtag "$blob" &&
	git checkout -q -b nested && kh_commit nested.txt "$k_nested" "nested tag target" &&
	git tag -a inner -m inner && git tag -a outer -m outer inner && git checkout -q main &&
	git branch -q -D nested && git tag -d inner >/dev/null &&
	lost=$(printf "%s\n" "$k_lost" | git hash-object -w --stdin) &&
	git show-ref | grep -q refs/remotes/origin/only-upstream
'

test_expect_success 'a key only in a git note is found: path is the annotated commit' '
	cd repo && test_expect_code 1 kh git --format json >../all.json &&
	head=$(git rev-parse HEAD) && notes=$(git rev-parse refs/notes/commits) && cd .. &&
	json_check all.json "[(f[\"path\"], f[\"line\"], f[\"commit\"]) for f in d[\"findings\"] if f[\"path\"] == \"$head\"] == [(\"$head\", 1, \"$notes\")]"
'

test_expect_success 'a key only on a remote-tracking branch is found, with its commit' '
	json_check all.json "[(f[\"path\"], f[\"message\"]) for f in d[\"findings\"] if f[\"path\"] == \"remote.txt\"] == [(\"remote.txt\", \"remote only\")]"
'

test_expect_success 'a key only under refs/pull/ is found' '
	json_check all.json "[f[\"message\"] for f in d[\"findings\"] if f[\"path\"] == \"pr.txt\"] == [\"pull request\"]"
'

test_expect_success 'a tag pointing at a blob, and a tag of a tag' '
	json_check all.json "[f[\"path\"] for f in d[\"findings\"] if f[\"rule\"] == \"openai-project-key\" and \"blobtag\" in f[\"path\"]] == [\"(refs/tags/blobtag)\"]" &&
	json_check all.json "[f[\"message\"] for f in d[\"findings\"] if f[\"path\"] == \"nested.txt\"] == [\"nested tag target\"]"
'

test_expect_success 'a blob in no ref: only with --all-objects' '
	json_check all.json "len(d[\"findings\"]) == 5" &&
	cd repo && test_expect_code 1 kh git --all-objects --format json >../objs.json && cd .. &&
	json_check objs.json "len(d[\"findings\"]) == 6" &&
	json_check objs.json "[f[\"path\"] for f in d[\"findings\"] if f[\"path\"].startswith(\"(unreachable blob \")] != []"
'

test_expect_success 'every stash entry, not only the newest (issue #3)' '
	git init -q st && cd st && kh_commit f.txt "one" "one" &&
	k_old=$(fake_key openai-proj) && k_new=$(fake_key openai-proj) &&
	echo "$k_old" >>f.txt && git stash -q && echo "$k_new" >>f.txt && git stash -q &&
	git stash list | grep -q "stash@{1}" &&
	test_expect_code 1 kh git --format json >../st.json &&
	json_check ../st.json "len([f for f in d[\"findings\"] if f[\"path\"] == \"f.txt\"]) == 2"
'

test_expect_success 'the HEAD of another worktree, detached on a commit no branch holds (issue #3)' '
	git init -q wt && cd wt && kh_commit f.txt "one" "one" &&
	git worktree add -q --detach ../wt-other && cd ../wt-other &&
	kh_commit w.txt "$(fake_key openai-proj)" "in the other worktree only" && cd ../wt &&
	test_expect_code 1 kh git --format json >../wt.json &&
	json_check ../wt.json "[(f[\"path\"], f[\"message\"]) for f in d[\"findings\"]] == [(\"w.txt\", \"in the other worktree only\")]" &&
	cd ../wt-other && test_expect_code 1 kh git --format json >../wt2.json &&
	json_check ../wt2.json "[f[\"path\"] for f in d[\"findings\"]] == [\"w.txt\"]"
'

test_expect_success 'an annotated tag no ref reaches: its message with --all-objects (issue #3)' '
	git init -q dt && cd dt && kh_commit f.txt "one" "one" &&
	git tag -a rel -m "release notes: $(fake_key openai-proj)" && git pack-refs --all &&
	git tag -d rel >/dev/null &&
	kh git --format json >../dt1.json &&
	test_expect_code 1 kh git --all-objects --format json >../dt2.json &&
	json_check ../dt2.json "len(d[\"findings\"]) == 1 and \"tag rel message\" in d[\"findings\"][0][\"path\"]"
'

test_done
