#!/bin/sh
# shellcheck disable=SC2016,SC2317 # test bodies are single-quoted and eval'd (functions used only there)
# t2006-attribution.sh - keyhound git --format json attributes every finding
# (issue #3): commit, author, email, ISO 8601 author date, summary line, path,
# line, column and `occurrences` (the other commits/paths that introduced the
# same secret), checked field by field, with a distinct author and date per
# commit: a key added then edited around then deleted (and a clock skewed
# backwards), an unmerged branch, a lightweight tag of a deleted branch, an
# annotated tag's message, a stash (index, work tree and untracked commits),
# a rename, a merge resolution, commit messages, a several-MB blob packed by
# git gc next to a loose one, one blob at two paths, and a bare clone.
# shellcheck source=tests/e2e/test-lib.sh disable=SC1091
. "$(dirname "$0")/test-lib.sh"

# by NAME EMAIL DATE: the author, and both dates, of the next commits
by() {
	GIT_AUTHOR_NAME=$1
	GIT_AUTHOR_EMAIL=$2
	GIT_AUTHOR_DATE=$3
	GIT_COMMITTER_DATE=$3
	export GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL GIT_AUTHOR_DATE GIT_COMMITTER_DATE
}

# attribution FILE: each finding of a JSON report as one line,
# path|line|column|secret|commit|author|email|date|message|occurrences, sorted
attribution() {
	PYTHONIOENCODING=utf-8 "$PYTHON" -c '
import json, sys
d = json.load(open(sys.argv[1]))
for f in d["findings"]:
    print("|".join(str(f[k]) for k in ("path", "line", "column", "secret", "commit",
                                      "author", "email", "date", "message", "occurrences")))
' "$1" | LC_ALL=C sort
}

# finding PATH LINE COLUMN KEY COMMIT AUTHOR EMAIL DATE MESSAGE OCCURRENCES:
# the line attribution prints for that finding (KEY as reports redact it)
finding() {
	printf '%s|%s|%s|%s|%s|%s|%s|%s|%s|%s\n' "$1" "$2" "$3" "$(redacted_of "$4")" \
		"$5" "$6" "$7" "$8" "$9" "${10}"
}

# check_attribution REPORT EXPECTED: the report's findings are exactly those
check_attribution() {
	LC_ALL=C sort "$2" >"$2.sorted" &&
	attribution "$1" >"$1.lines" &&
	test_cmp "$2.sorted" "$1.lines"
}

test_expect_success 'added in A, another line edited in B, deleted in C: attributed to A' '
	k=$(fake_key openai-proj) &&
	git init -q edit && cd edit &&
	by "Ida Initial" ida@example.org "2020-12-31T23:59:59+00:00" &&
	kh_commit README "hello" "initial" &&
	by "Alice Adder" alice@example.com "2021-03-04T05:06:07+02:00" &&
	printf "import os\n\n  key = \"%s\"\nrun()\n" "$k" >app.py && git add app.py &&
	git commit -q -m "add client" -m "with a body line" && a=$(git rev-parse HEAD) &&
	by "Bob Editor" bob@example.net "2021-01-02T03:04:05-07:00" &&
	printf "# header\nimport os\n\n  key = \"%s\"\nrun(fast=True)\n" "$k" >app.py &&
	git commit -q -am "edit another line" &&
	by "Carol Remover" carol@example.io "2022-06-07T08:09:10+05:30" &&
	sed -i.bak "/key =/d" app.py && rm -f app.py.bak && git commit -q -am "remove key" &&
	! grep -q "key =" app.py &&
	test_expect_code 1 kh git --format json >../edit.json && cd .. &&
	finding app.py 3 10 "$k" "$a" "Alice Adder" alice@example.com \
		"2021-03-04T05:06:07+02:00" "add client" 1 >edit.expect &&
	check_attribution edit.json edit.expect
'

test_expect_success 'a key only on an unmerged branch' '
	k=$(fake_key openai-legacy) &&
	git init -q branch && cd branch &&
	by "Ida Initial" ida@example.org "2021-02-03T04:05:06+00:00" &&
	kh_commit README "hello" "initial" &&
	git checkout -q -b feature &&
	by "Bea Brancher" bea@branch.example "2021-05-06T07:08:09-03:00" &&
	kh_commit src/feat.txt "token: $k" "feature work" && b=$(git rev-parse HEAD) &&
	git checkout -q main &&
	by "Max Mainline" max@main.example "2021-07-08T09:10:11+01:00" &&
	kh_commit README "hello again" "main moves on" &&
	! git merge-base --is-ancestor feature main &&
	test_expect_code 1 kh git --format json >../branch.json && cd .. &&
	finding src/feat.txt 1 8 "$k" "$b" "Bea Brancher" bea@branch.example \
		"2021-05-06T07:08:09-03:00" "feature work" 0 >branch.expect &&
	check_attribution branch.json branch.expect
'

test_expect_success 'a key reachable only through a lightweight tag (its branch deleted)' '
	k=$(fake_key openai-svcacct 58) &&
	git init -q light && cd light &&
	by "Ida Initial" ida@example.org "2021-02-03T04:05:06+00:00" &&
	kh_commit README "hello" "initial" &&
	git checkout -q -b gone &&
	by "Lee Lightweight" lee@light.example "2021-08-09T10:11:12+09:00" &&
	kh_commit deploy.env "OPENAI_API_KEY=$k" "deploy settings" && t=$(git rev-parse HEAD) &&
	by "Ned Next" ned@next.example "2021-09-10T11:12:13+00:00" &&
	kh_commit README "later" "after the key" &&
	git tag snapshot "$t" && git checkout -q main && git branch -q -D gone &&
	test "$(git cat-file -t snapshot)" = commit &&
	test "$(git for-each-ref --contains "$t" --format="%(refname)")" = refs/tags/snapshot &&
	test_expect_code 1 kh git --format json >../light.json && cd .. &&
	finding deploy.env 1 16 "$k" "$t" "Lee Lightweight" lee@light.example \
		"2021-08-09T10:11:12+09:00" "deploy settings" 0 >light.expect &&
	check_attribution light.json light.expect
'

# A tag message finding (source_git.c): path "(tag NAME message)", the tagger
# as author, the tagger date, the tag message first line, the commit the tag
# points to; line and column within the tag message.
test_expect_success 'a key in an annotated tag message: the tagger, the tagged commit' '
	k=$(fake_key openai-admin 58) &&
	git init -q tagmsg && cd tagmsg &&
	by "Ida Initial" ida@example.org "2021-02-03T04:05:06+00:00" &&
	kh_commit README "hello" "initial" &&
	by "Cora Committer" cora@commit.example "2021-10-11T12:13:14-04:00" &&
	kh_commit VERSION "1.0" "bump version" && c=$(git rev-parse HEAD) &&
	GIT_COMMITTER_NAME="Tom Tagger" GIT_COMMITTER_EMAIL=tom@tag.example \
	GIT_COMMITTER_DATE="2021-11-12T13:14:15+10:00" \
		git tag -a v1.0 -m "release 1.0" -m "shipped with $k inside" &&
	test "$(git cat-file -t v1.0)" = tag &&
	test_expect_code 1 kh git --format json >../tagmsg.json && cd .. &&
	finding "(tag v1.0 message)" 3 14 "$k" "$c" "Tom Tagger" tom@tag.example \
		"2021-11-12T13:14:15+10:00" "release 1.0" 0 >tagmsg.expect &&
	check_attribution tagmsg.json tagmsg.expect
'

# git stash push -u makes a commit of the index ("index on BRANCH: ..."), one
# of the untracked files ("untracked files on BRANCH: ...", a root commit) and
# the work-tree commit ("WIP on BRANCH: ...") whose parents are HEAD and
# those two; each key is attributed to the stash commit that introduced it.
test_expect_success 'keys only in a stash: index, work tree and untracked commits' '
	ks=$(fake_key openai-proj) && kw=$(fake_key openai-legacy) && ku=$(fake_key anthropic) &&
	git init -q stash && cd stash &&
	by "Ida Initial" ida@example.org "2021-02-03T04:05:06+00:00" &&
	printf "one\ntwo\n" >tracked.txt && git add tracked.txt && git commit -q -m "initial" &&
	head=$(git rev-parse --short HEAD) &&
	printf "staged = %s\n" "$ks" >staged.txt && git add staged.txt &&
	printf "one\ntwo\nwork = %s\n" "$kw" >tracked.txt &&
	printf "\n%s\n" "$ku" >untracked.txt &&
	by "Stan Stasher" stan@stash.example "2021-12-13T14:15:16-08:00" &&
	git stash push -q -u && test -z "$(git status --porcelain)" &&
	w=$(git rev-parse stash@{0}) && i=$(git rev-parse stash@{0}^2) && u=$(git rev-parse stash@{0}^3) &&
	test_expect_code 1 kh git --format json >../stash.json && cd .. &&
	{
		finding staged.txt 1 10 "$ks" "$i" "Stan Stasher" stan@stash.example \
			"2021-12-13T14:15:16-08:00" "index on main: $head initial" 0 &&
		finding tracked.txt 3 8 "$kw" "$w" "Stan Stasher" stan@stash.example \
			"2021-12-13T14:15:16-08:00" "WIP on main: $head initial" 0 &&
		finding untracked.txt 2 1 "$ku" "$u" "Stan Stasher" stan@stash.example \
			"2021-12-13T14:15:16-08:00" "untracked files on main: $head initial" 0
	} >stash.expect &&
	check_attribution stash.json stash.expect
'

test_expect_success 'a renamed file: the old path to the commit that added the key, the new to the rename' '
	k=$(fake_key openai-none 58) &&
	git init -q rename && cd rename &&
	by "Ida Initial" ida@example.org "2021-02-03T04:05:06+00:00" &&
	kh_commit README "hello" "initial" &&
	by "Olga Original" olga@orig.example "2022-01-02T03:04:05+03:00" &&
	printf "x\ny\nz\napi_key: %s\n" "$k" >"old name.yml" && git add "old name.yml" &&
	git commit -q -m "add config" && a=$(git rev-parse HEAD) &&
	by "Ren Renamer" ren@rename.example "2022-02-03T04:05:06-02:00" &&
	mkdir conf && git mv "old name.yml" conf/new.yml && git commit -q -m "move config" &&
	b=$(git rev-parse HEAD) &&
	test "$(git rev-parse "$a:old name.yml")" = "$(git rev-parse "$b:conf/new.yml")" &&
	test_expect_code 1 kh git --format json >../rename.json && cd .. &&
	{
		finding "old name.yml" 4 10 "$k" "$a" "Olga Original" olga@orig.example \
			"2022-01-02T03:04:05+03:00" "add config" 1 &&
		finding conf/new.yml 4 10 "$k" "$b" "Ren Renamer" ren@rename.example \
			"2022-02-03T04:05:06-02:00" "move config" 1
	} >rename.expect &&
	check_attribution rename.json rename.expect
'

test_expect_success 'a merge whose resolution adds a key: the merge and its author' '
	km=$(fake_key openai-proj) && kside=$(fake_key openai-legacy) &&
	git init -q merge && cd merge &&
	by "Ida Initial" ida@example.org "2021-02-03T04:05:06+00:00" &&
	printf "base\n" >f.txt && git add f.txt && git commit -q -m "base" &&
	git checkout -q -b side &&
	by "Sid Side" sid@side.example "2022-03-04T05:06:07+04:00" &&
	printf "side\n" >f.txt && printf "k=%s\n" "$kside" >side.txt && git add f.txt side.txt &&
	git commit -q -m "side change" && s=$(git rev-parse HEAD) &&
	git checkout -q main &&
	by "Mia Main" mia@main.example "2022-04-05T06:07:08-05:00" &&
	kh_commit f.txt "main" "main change" &&
	by "Meg Merger" meg@merge.example "2022-05-06T07:08:09+06:00" &&
	{ git merge -q side >/dev/null 2>&1; true; } &&
	printf "resolved\n\tKEY=%s\n" "$km" >f.txt && git add f.txt && git commit -q -m "merge side" &&
	m=$(git rev-parse HEAD) && test "$(git rev-parse HEAD^2)" = "$s" &&
	! git show "$s:f.txt" | grep -q "KEY=" && ! git show "HEAD^1:f.txt" | grep -q "KEY=" &&
	test_expect_code 1 kh git --format json >../merge.json && cd .. &&
	{
		finding f.txt 2 6 "$km" "$m" "Meg Merger" meg@merge.example \
			"2022-05-06T07:08:09+06:00" "merge side" 0 &&
		finding side.txt 1 3 "$kside" "$s" "Sid Side" sid@side.example \
			"2022-03-04T05:06:07+04:00" "side change" 0
	} >merge.expect &&
	check_attribution merge.json merge.expect
'

# A commit message finding: path "(commit ABBREV12 message)", line and column
# within the whole message; the summary line is redacted when it holds the key.
test_expect_success 'keys in commit messages: the body, and the summary line (redacted)' '
	kb=$(fake_key openai-proj) && kt=$(fake_key openai-legacy) &&
	git init -q msg && cd msg &&
	by "Ida Initial" ida@example.org "2021-02-03T04:05:06+00:00" &&
	kh_commit README "hello" "initial" &&
	by "Bo Body" bo@body.example "2022-06-07T08:09:10+07:00" &&
	git commit -q --allow-empty -m "deploy notes" -m "use token $kb for staging" &&
	c1=$(git rev-parse HEAD) &&
	by "Tia Title" tia@title.example "2022-07-08T09:10:11-09:30" &&
	git commit -q --allow-empty -m "oops $kt" && c2=$(git rev-parse HEAD) &&
	test_expect_code 1 kh git --format json >../msg.json && cd .. &&
	s1=$(echo "$c1" | cut -c1-12) && s2=$(echo "$c2" | cut -c1-12) &&
	{
		finding "(commit $s1 message)" 3 11 "$kb" "$c1" "Bo Body" bo@body.example \
			"2022-06-07T08:09:10+07:00" "deploy notes" 0 &&
		finding "(commit $s2 message)" 1 6 "$kt" "$c2" "Tia Title" tia@title.example \
			"2022-07-08T09:10:11-09:30" "oops $(redacted_of "$kt")" 0
	} >msg.expect &&
	check_attribution msg.json msg.expect &&
	! grep -q "$kb" msg.json && ! grep -q "$kt" msg.json
'

test_expect_success 'a key near the end of a 6 MB blob, packed by git gc, and one loose' '
	k=$(fake_key openai-proj) && kl=$(fake_key openai-svcacct 58) &&
	git init -q big && cd big &&
	by "Ida Initial" ida@example.org "2021-02-03T04:05:06+00:00" &&
	kh_commit README "hello" "initial" &&
	awk "BEGIN { for (i = 1; i <= 100000; i++)
		printf \"line %06d lorem ipsum dolor sit amet, consectetur adipiscing elit\\n\", i }" >big.txt &&
	printf "    \"openai\": \"%s\",\n" "$k" >>big.txt &&
	printf "tail %s\n" 1 2 3 4 5 >>big.txt &&
	test "$(wc -c <big.txt)" -gt 6000000 &&
	by "Gus Generator" gus@gen.example "2022-08-09T10:11:12+11:00" &&
	git add big.txt && git commit -q -m "generated data" && g=$(git rev-parse HEAD) &&
	by "Eve Edit" eve@edit.example "2022-09-10T11:12:13-10:00" &&
	sed -i.bak "s/^line 050000 lorem/line 050000 LOREM/" big.txt && rm -f big.txt.bak &&
	git commit -q -am "edit the middle" &&
	git gc -q && bb=$(git rev-parse "$g:big.txt") &&
	test ! -f ".git/objects/$(echo "$bb" | cut -c1-2)/$(echo "$bb" | cut -c3-)" &&
	git verify-pack -v .git/objects/pack/pack-*.idx | grep -q "^$bb blob" &&
	by "Lou Loose" lou@loose.example "2022-10-11T12:13:14+00:00" &&
	kh_commit later/loose.txt "a" "loose commit" && echo "cfg $kl" >>later/loose.txt &&
	git commit -q -am "loose key" && l=$(git rev-parse HEAD) && lb=$(git rev-parse HEAD:later/loose.txt) &&
	test -f ".git/objects/$(echo "$lb" | cut -c1-2)/$(echo "$lb" | cut -c3-)" &&
	test_expect_code 1 kh git --format json >../big.json && cd .. &&
	{
		finding big.txt 100001 16 "$k" "$g" "Gus Generator" gus@gen.example \
			"2022-08-09T10:11:12+11:00" "generated data" 1 &&
		finding later/loose.txt 2 5 "$kl" "$l" "Lou Loose" lou@loose.example \
			"2022-10-11T12:13:14+00:00" "loose key" 0
	} >big.expect &&
	check_attribution big.json big.expect
'

test_expect_success 'one blob at two paths in two commits: one finding per path, each its own commit' '
	k=$(fake_key openai-proj 58) &&
	git init -q twopaths && cd twopaths &&
	by "Ida Initial" ida@example.org "2021-02-03T04:05:06+00:00" &&
	kh_commit README "hello" "initial" &&
	by "Una First" una@first.example "2022-11-12T13:14:15+01:00" &&
	kh_commit one/settings.ini "key=$k" "first copy" && a=$(git rev-parse HEAD) &&
	by "Vic Second" vic@second.example "2022-12-13T14:15:16-06:00" &&
	kh_commit two/settings.ini "key=$k" "second copy" && b=$(git rev-parse HEAD) &&
	test "$(git rev-parse HEAD:one/settings.ini)" = "$(git rev-parse HEAD:two/settings.ini)" &&
	test_expect_code 1 kh git --format json >../twopaths.json && cd .. &&
	{
		finding one/settings.ini 1 5 "$k" "$a" "Una First" una@first.example \
			"2022-11-12T13:14:15+01:00" "first copy" 1 &&
		finding two/settings.ini 1 5 "$k" "$b" "Vic Second" vic@second.example \
			"2022-12-13T14:15:16-06:00" "second copy" 1
	} >twopaths.expect &&
	check_attribution twopaths.json twopaths.expect
'

test_expect_success 'a bare clone: the same attribution as the original' '
	test -f edit.json && test -f edit.expect &&
	git clone -q --bare edit edit.git &&
	test "$(git -C edit.git rev-parse --is-bare-repository)" = true &&
	test_expect_code 1 kh git --format json edit.git >bare.json &&
	check_attribution bare.json edit.expect &&
	json_check bare.json "d[\"findings\"] == json.load(open(\"edit.json\"))[\"findings\"]"
'

test_done
