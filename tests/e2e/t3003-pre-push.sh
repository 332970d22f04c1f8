#!/bin/sh
# t3003-pre-push.sh - the pre-push hook: new branches, updates, deleted
# branches, force pushes over history the local repository does not have.
. "$(dirname "$0")/test-lib.sh"

PATH=$(dirname "$KEYHOUND"):$PATH
export PATH

test_expect_success 'setup: a remote and a clone with the pre-push hook' '
	git init -q --bare remote.git &&
	git clone -q remote.git work 2>/dev/null && cd work &&
	kh_commit README hi init && git push -q origin main &&
	keyhound install-hook --pre-push >/dev/null && test -x .git/hooks/pre-push
'

test_expect_success 'a clean push passes; a push adding a key is blocked' '
	cd work && kh_commit a.txt "fine" "fine" && git push -q origin main &&
	k=$(fake_key openai-proj) && kh_commit b.txt "$k" "leak" &&
	test_expect_code 1 git push -q origin main >/dev/null 2>&1 &&
	test "$(git rev-parse origin/main)" = "$(git rev-parse HEAD~1)"
'

test_expect_success 'a new branch with a key is blocked; without one it passes' '
	cd work && git checkout -q -b topic && test_expect_code 1 git push -q origin topic >/dev/null 2>&1 &&
	git checkout -q main && git reset -q --hard HEAD~1 && git checkout -q -b clean-topic &&
	kh_commit c.txt "ok" "ok" && git push -q origin clean-topic
'

test_expect_success 'a new branch scans only what the remote does not have yet' '
	cd work && git checkout -q main && k=$(fake_key openai-legacy) &&
	kh_commit old.txt "$k" "old key, pushed before the hook" && git push -q --no-verify origin main &&
	git checkout -q -b built-on-it && kh_commit f.txt "fine" "fine" &&
	git push -q origin built-on-it 2>../err &&
	kh_commit g.txt "$(fake_key openai-proj)" "new key" &&
	test_expect_code 1 git push -q origin built-on-it >../out 2>&1 &&
	grep -q "g.txt:1:1" ../out && ! grep -q "old.txt" ../out &&
	grep -q "this push is blocked" ../out && grep -q "git push --no-verify" ../out
'

test_expect_success 'pushing with --git-dir from inside another repository scans the pushed one' '
	git init -q decoy && (cd decoy && kh_commit x.txt "clean" "clean") &&
	cd work && git checkout -q main && kh_commit gd.txt "$(fake_key openai-svcacct 58)" "git-dir leak" &&
	cd ../decoy && test_expect_code 1 git --git-dir=../work/.git push -q origin main >../gd.out 2>&1 &&
	grep -q "gd.txt" ../gd.out &&
	cd ../work && git reset -q --hard HEAD~1
'

test_expect_success 'deleting a branch needs no scan (even one whose commits hold a key)' '
	cd work && git checkout -q main && git push -q origin --delete clean-topic &&
	git push -q --no-verify origin built-on-it && git push -q origin --delete built-on-it
'

test_expect_success 'force push over history we do not have' '
	git clone -q remote.git other 2>/dev/null && (cd other && kh_commit x.txt "other" "other" && git push -q origin main) &&
	cd work && git checkout -q main && kh_commit d.txt "mine" "mine" &&
	git push -q --force origin main &&
	k=$(fake_key openai-legacy) && kh_commit e.txt "$k" "leak" &&
	(cd ../other && kh_commit y.txt "again" "again" && git push -q --force origin main) &&
	test_expect_code 1 git push -q --force origin main >/dev/null 2>&1
'

test_done
