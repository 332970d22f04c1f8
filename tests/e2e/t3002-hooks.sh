#!/bin/sh
# t3002-hooks.sh - the installed pre-commit hook with real `git commit`:
# blocks a key (HEAD unchanged), passes clean commits and keyhound:allow,
# chains an existing hook (kept byte-identical, a failing one still blocks),
# honours core.hooksPath, installs idempotently, uninstalls exactly.
. "$(dirname "$0")/test-lib.sh"

PATH=$(dirname "$KEYHOUND"):$PATH
export PATH
k=$(fake_key openai-proj)

test_expect_success 'install; a commit with a key is blocked, HEAD unchanged' '
	git init -q repo && cd repo && kh_commit README hi init &&
	keyhound install-hook >/dev/null && test -x .git/hooks/pre-commit &&
	head=$(git rev-parse HEAD) &&
	echo "key=$k" >leak.env && git add leak.env &&
	test_expect_code 1 git commit -q -m leak 2>../err >../out &&
	test "$(git rev-parse HEAD)" = "$head" &&
	grep -q "openai-project-key" ../err && ! grep -q "$k" ../out ../err
'

test_expect_success 'the blocked commit says what, where, why, how to fix, how to allow, how to bypass' '
	cd repo && red=$(redacted_of "$k") &&
	cat ../out ../err >../all &&
	grep -q "^openai-project-key  *critical  *$red" ../all &&
	grep -q "^    leak.env:1:5$" ../all &&
	grep -q "this commit is blocked" ../err &&
	grep -q "Why: a key in a commit is readable by everyone" ../err &&
	grep -q "OPENAI_API_KEY environment variable" ../err &&
	grep -q "revoke it and create a new one" ../err &&
	grep -q "keyhound:allow" ../err &&
	grep -q "git commit --no-verify" ../err
'

test_expect_success 'git commit -a and git commit PATH are blocked too (the index they commit is scanned)' '
	cd repo && git reset -q && rm -f leak.env && head=$(git rev-parse HEAD) &&
	echo "first" >tracked.txt && git add tracked.txt && git commit -q -m tracked &&
	head=$(git rev-parse HEAD) &&
	echo "key=$k" >>tracked.txt &&
	test_expect_code 1 git commit -q -a -m "commit -a" >/dev/null 2>&1 &&
	test "$(git rev-parse HEAD)" = "$head" &&
	test_expect_code 1 git commit -q -m "commit path" tracked.txt >/dev/null 2>&1 &&
	test "$(git rev-parse HEAD)" = "$head" &&
	git checkout -q tracked.txt
'

test_expect_success 'a clean commit and a keyhound:allow line pass' '
	cd repo && git reset -q && rm -f leak.env &&
	echo ok >clean.txt && git add clean.txt && git commit -q -m clean &&
	echo "k = \"$k\"  # keyhound:allow" >allowed.txt && git add allowed.txt && git commit -q -m allowed
'

test_expect_success 'installing twice changes nothing' '
	cd repo && cp .git/hooks/pre-commit ../first &&
	keyhound install-hook >../out2 && test_cmp ../first .git/hooks/pre-commit &&
	grep -q "already installed" ../out2 && ! test -e .git/hooks/pre-commit.keyhound-chained
'

test_expect_success 'an existing hook is chained, still runs, and is restored byte-identical' '
	git init -q chain && cd chain && kh_commit README hi init &&
	printf "#!/bin/sh\necho original-hook-ran >>\"%s\"\nexit 0\n" "$TRASH/ran" >.git/hooks/pre-commit &&
	chmod 750 .git/hooks/pre-commit && cp -p .git/hooks/pre-commit ../orig &&
	keyhound install-hook >/dev/null && keyhound install-hook >/dev/null &&
	echo x >f && git add f && git commit -q -m one && grep -q original-hook-ran ../ran &&
	echo "$k" >g && git add g && test_expect_code 1 git commit -q -m two >/dev/null 2>&1 &&
	keyhound uninstall-hook >/dev/null &&
	test_cmp ../orig .git/hooks/pre-commit &&
	test "$(stat -c %a .git/hooks/pre-commit 2>/dev/null || stat -f %Lp .git/hooks/pre-commit)" = 750
'

test_expect_success 'a failing original hook still blocks the commit' '
	git init -q failing && cd failing && kh_commit README hi init &&
	printf "#!/bin/sh\nexit 3\n" >.git/hooks/pre-commit && chmod +x .git/hooks/pre-commit &&
	keyhound install-hook >/dev/null &&
	echo clean >f && git add f && test_expect_code 1 git commit -q -m blocked 2>/dev/null
'

test_expect_success 'pre-commit and pre-push chained: uninstall-hook with no option restores both exactly' '
	git init -q both && cd both && kh_commit README hi init &&
	printf "#!/bin/sh\nexit 0\n" >.git/hooks/pre-commit && chmod 700 .git/hooks/pre-commit &&
	printf "#!/bin/sh\n# my pre-push\ncat >/dev/null\n" >.git/hooks/pre-push && chmod 755 .git/hooks/pre-push &&
	cp -p .git/hooks/pre-commit ../pc && cp -p .git/hooks/pre-push ../pp &&
	keyhound install-hook --pre-commit --pre-push >/dev/null &&
	cp .git/hooks/pre-push ../ours && keyhound install-hook --pre-push >../again &&
	test_cmp ../ours .git/hooks/pre-push && grep -q "already installed" ../again &&
	test_cmp ../pp .git/hooks/pre-push.keyhound-chained &&
	keyhound uninstall-hook >/dev/null &&
	test_cmp ../pc .git/hooks/pre-commit && test_cmp ../pp .git/hooks/pre-push &&
	test "$(stat -c %a .git/hooks/pre-commit 2>/dev/null || stat -f %Lp .git/hooks/pre-commit)" = 700 &&
	test "$(stat -c %a .git/hooks/pre-push 2>/dev/null || stat -f %Lp .git/hooks/pre-push)" = 755 &&
	! test -e .git/hooks/pre-commit.keyhound-chained && ! test -e .git/hooks/pre-push.keyhound-chained &&
	keyhound uninstall-hook >../un2 && grep -q "not keyhound.s hook; left alone" ../un2 &&
	test_cmp ../pc .git/hooks/pre-commit
'

test_expect_success 'core.hooksPath with ~ is expanded like git does' '
	git init -q tilde && cd tilde && kh_commit README hi init && git config core.hooksPath "~/my-hooks" &&
	keyhound install-hook >/dev/null && test -x "$HOME/my-hooks/pre-commit" &&
	echo "$k" >s && git add s && test_expect_code 1 git commit -q -m leak >/dev/null 2>&1
'

test_expect_success 'core.hooksPath is honoured' '
	git init -q hp && cd hp && kh_commit README hi init && git config core.hooksPath .githooks &&
	keyhound install-hook >/dev/null && test -x .githooks/pre-commit && ! test -e .git/hooks/pre-commit &&
	echo "$k" >s && git add s && test_expect_code 1 git commit -q -m leak >/dev/null 2>&1
'

test_done
