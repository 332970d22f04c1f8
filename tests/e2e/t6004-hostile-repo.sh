#!/bin/sh
# t6004-hostile-repo.sh - a scanned repository cannot make keyhound run its
# code (issue #6): hooks, core.hooksPath, core.fsmonitor, clean/smudge/process
# filters, textconv, external diff, pager, editor, ssh/askpass/credential
# helpers, gpg, ext:: remotes, and the same settings pulled in by include.path,
# all point at a script that leaves a marker. Every command that takes a
# repository runs, and no marker may appear. Also: symlinks out of the tree are
# not followed, report paths never leave the scanned root, and hostile names
# and messages from history are escaped in text and exact in JSON.
. "$(dirname "$0")/test-lib.sh"

key=$(fake_key openai-proj)
outside_key=$(fake_key openai-legacy)
esc=$(printf "\033")
evil_name=$(printf "evil\033[31mred\nline\377.txt")

test_expect_success 'setup: a repository, then hostile settings everywhere' '
	mkdir markers outside &&
	echo "k=$outside_key" >outside/secret.env &&
	cat >payload.sh <<-EOF &&
	#!/bin/sh
	echo "\$0 \$*" >"$TRASH/markers/ran.\$\$"
	cat
	EOF
	chmod +x payload.sh &&
	git init -q repo && (
		cd repo &&
		kh_commit a.txt "hello" "first" &&
		kh_commit config.env "k=$key" "add key" &&
		echo "$key" >"$evil_name" && git add . &&
		git commit -q -m "$(printf "evil \033]0;title\007 message\033[2J")" &&
		ln -s ../outside outdir && ln -s ../outside/secret.env outfile.env &&
		ln -s /etc/passwd passwd && git add outdir outfile.env passwd &&
		git commit -q -m "symlinks out of the tree" &&
		echo "staged=$key" >staged.env && printf "x=%s\n" "$key" >"$evil_name.new" &&
		git add staged.env "$evil_name.new" &&
		echo "* filter=x diff=x merge=x" >.gitattributes &&
		mkdir hooks &&
		for h in pre-commit post-checkout post-index-change reference-transaction \
			pre-auto-gc fsmonitor-watchman post-rewrite; do
			cp ../payload.sh hooks/$h && cp ../payload.sh .git/hooks/$h || exit 1
		done &&
		cat >>.git/config <<-EOF &&
		[core]
			fsmonitor = $TRASH/payload.sh
			hooksPath = $TRASH/repo/hooks
			pager = $TRASH/payload.sh
			editor = $TRASH/payload.sh
			sshCommand = $TRASH/payload.sh
			askPass = $TRASH/payload.sh
			untrackedCache = true
		[filter "x"]
			clean = $TRASH/payload.sh clean
			smudge = $TRASH/payload.sh smudge
			process = $TRASH/payload.sh process
			required = true
		[diff "x"]
			textconv = $TRASH/payload.sh textconv
			command = $TRASH/payload.sh diffcmd
		[diff]
			external = $TRASH/payload.sh external
		[merge "x"]
			driver = $TRASH/payload.sh merge
		[pager]
			diff = $TRASH/payload.sh
			log = $TRASH/payload.sh
		[credential]
			helper = !$TRASH/payload.sh credential
		[gpg]
			program = $TRASH/payload.sh
		[log]
			showSignature = true
		[protocol "ext"]
			allow = always
		[remote "origin"]
			url = ext::$TRASH/payload.sh %S
			fetch = +refs/heads/*:refs/remotes/origin/*
		[include]
			path = $TRASH/included.config
		EOF
		printf "[core]\n\tfsmonitor = %s\n[alias]\n\tlog = !%s\n" \
			"$TRASH/payload.sh" "$TRASH/payload.sh" >"$TRASH/included.config"
	) &&
	test -z "$(ls markers)"
'

test_expect_success 'no command runs anything from the repository' '
	(
		cd repo &&
		for args in "dir" "dir ." "git" "git ." "git --all-objects" \
			"git --range HEAD~2..HEAD" "git --range HEAD --not --remotes=origin" \
			"staged" "staged ."; do
			"$KEYHOUND" $args --no-color --format json >../out.json 2>../err
			rc=$?
			test $rc -eq 1 || { echo "keyhound $args: exit $rc" >&2; cat ../err >&2; exit 1; }
		done &&
		printf "k=%s\n" "$key" | "$KEYHOUND" stdin --no-color >../out.txt
		test $? -eq 1
	) &&
	ls markers >ran.txt && ! test -s ran.txt
'

test_expect_success 'symlinks out of the tree are not followed; paths stay inside the root' '
	test_expect_code 1 kh dir --format json repo >out.json &&
	! grep -q "$(echo "$outside_key" | cut -c5-20)" out.json &&
	json_check out.json "all(not f[\"path\"].startswith(\"/\") and \"..\" not in f[\"path\"].split(\"/\") for f in d[\"findings\"])" &&
	json_check out.json "d[\"stats\"][\"skipped_symlinks\"] == 3" &&
	test_expect_code 1 kh git --format json repo >out.json &&
	json_check out.json "all(not f[\"path\"].startswith(\"/\") and \"..\" not in f[\"path\"].split(\"/\") for f in d[\"findings\"])" &&
	! grep -q "$(echo "$outside_key" | cut -c5-20)" out.json
'

test_expect_success 'history: hostile file names and messages escaped in text, exact in JSON' '
	test_expect_code 1 kh git repo >out.txt &&
	! grep -q "$esc" out.txt &&
	grep -q "evil\\\\x1b\[31mred\\\\nline\\\\xff.txt" out.txt &&
	! grep -q "$(printf "\007")" out.txt &&
	test_expect_code 1 kh git --format json repo >out.json &&
	"$PYTHON" -c "
import json, sys, urllib.parse
d = json.load(open(\"out.json\"))
exact = [urllib.parse.unquote_to_bytes(f[\"path_bytes\"]) for f in d[\"findings\"] if \"path_bytes\" in f]
sys.exit(0 if exact == [b\"evil\\x1b[31mred\\nline\\xff.txt\"] else 1)"
'

test_expect_success 'staged: a hostile name in the index is escaped too' '
	test_expect_code 1 kh staged repo >out.txt &&
	! grep -q "$esc" out.txt && grep -q "evil\\\\x1b\[31mred.*\.new" out.txt &&
	ls markers >ran.txt && ! test -s ran.txt
'

test_done
