#!/bin/sh
# shellcheck disable=SC2016,SC2317 # test bodies are single-quoted and eval'd (functions used only there)
# t3006-hooks-more.sh - more of the hooks (issue #4): an octopus merge in
# progress, a bare repository used with a separate work tree, a chained hook
# that keeps its name and directory, pre-push to a remote given as a path
# (no remote-tracking branches of its own), a nested core.hooksPath that
# install-hook creates and uninstall-hook removes, staged SARIF against the
# schema, and a conflicted index.
# shellcheck source=tests/e2e/test-lib.sh disable=SC1091
. "$(dirname "$0")/test-lib.sh"

# The hooks find keyhound through KEYHOUND (exported by test-lib.sh) or PATH;
# install-hook is run as `keyhound` (kh appends --no-color, which
# install-hook does not take).
PATH=$(dirname "$KEYHOUND"):$PATH
export PATH
SCHEMA=$SHARED_DIR/schemas/sarif-schema-2.1.0.json
# shellcheck disable=SC2034 # used in the test bodies
k=$(fake_key openai-proj)

# A plain sh pre-commit hook that records the name and directory it runs
# under and sources a helper next to it; it exits with $HOOK_EXIT (default 0).
write_named_hook() { # write_named_hook HOOKS_DIR
	cat >"$1/pre-commit" <<'EOF'
#!/bin/sh
. "$(dirname "$0")/helper.sh"
printf '%s\n' "$(basename "$0")" >"$HOME/named.base"
printf '%s\n' "$(dirname "$0")" >"$HOME/named.dir"
printf '%s\n' "$helper_value" >"$HOME/named.helper"
exit "${HOOK_EXIT:-0}"
EOF
	cat >"$1/helper.sh" <<'EOF'
helper_value="helper sourced"
EOF
	chmod 755 "$1/pre-commit"
}

# --- 1. octopus merge in progress (issue #4) ---------------------------------

test_expect_success 'octopus merge in progress: a key already committed on a merged branch adds nothing' '
	git init -q oct && cd oct && kh_commit README base init &&
	git checkout -q -b a && kh_commit a.txt "clean" "a: clean" &&
	git checkout -q main && git checkout -q -b b && kh_commit b.txt "key=$k" "b: a key" &&
	git checkout -q main && kh_commit m.txt "main" "main moves on" &&
	git merge -q --no-commit --no-ff a b >/dev/null 2>&1 &&
	test "$(wc -l <.git/MERGE_HEAD)" -eq 2 &&
	test "$(git show :b.txt)" = "key=$k" && test "$(git show :a.txt)" = clean &&
	kh staged --format json >../oct.json 2>../oct.err &&
	json_check ../oct.json "d[\"findings\"] == []" &&
	! grep -q "$k" ../oct.json ../oct.err
'

test_expect_success 'octopus merge in progress: a key the resolution adds is still found (only it)' '
	cd oct && k2=$(fake_key openai-legacy) && echo "new=$k2" >>b.txt && git add b.txt &&
	test_expect_code 1 kh staged --format json >../oct2.json 2>/dev/null &&
	json_check ../oct2.json "[(f[\"rule\"], f[\"path\"], f[\"line\"]) for f in d[\"findings\"]] == [(\"openai-api-key\", \"b.txt\", 2)]"
'

# --- 2. bare repository with a separate work tree (issue #4) ------------------

test_expect_success 'bare repository + --work-tree: install-hook DIR, a clean commit passes' '
	git init -q --bare dot && mkdir wt && echo hi >wt/README &&
	git --git-dir=dot --work-tree=wt add README &&
	git --git-dir=dot --work-tree=wt commit -q -m init &&
	keyhound install-hook dot >install.out && test -x dot/hooks/pre-commit &&
	grep -q "installed .*dot/hooks/pre-commit" install.out &&
	head=$(git --git-dir=dot rev-parse HEAD) &&
	echo fine >wt/clean.txt && git --git-dir=dot --work-tree=wt add clean.txt &&
	git --git-dir=dot --work-tree=wt commit -q -m clean >bare-clean.out 2>&1 &&
	test "$(git --git-dir=dot rev-parse HEAD~1)" = "$head" &&
	test "$(git --git-dir=dot log -1 --format=%s)" = clean
'

test_expect_success 'bare repository + --work-tree: a commit adding a key is blocked, HEAD unchanged' '
	head=$(git --git-dir=dot rev-parse HEAD) &&
	echo "key=$k" >wt/leak.env && git --git-dir=dot --work-tree=wt add leak.env &&
	test_expect_code 1 git --git-dir=dot --work-tree=wt commit -q -m leak >bare.out 2>bare.err &&
	test "$(git --git-dir=dot rev-parse HEAD)" = "$head" &&
	cat bare.out bare.err >bare.all &&
	grep -q "^openai-project-key  *critical" bare.all &&
	grep -q "^    leak.env:1:5$" bare.all &&
	grep -q "this commit is blocked" bare.err &&
	! grep -q "$k" bare.out bare.err
'

test_expect_success 'bare repository + --work-tree, absolute paths: blocked too' '
	head=$(git --git-dir=dot rev-parse HEAD) &&
	test_expect_code 1 git --git-dir="$TRASH/dot" --work-tree="$TRASH/wt" commit -q -m leak >/dev/null 2>&1 &&
	test "$(git --git-dir=dot rev-parse HEAD)" = "$head"
'

# --- 3. a chained hook keeps its name (issue #4) ------------------------------

test_expect_success 'chained plain sh hook runs as pre-commit, in the hooks directory, with its helper' '
	git init -q named && cd named && kh_commit README hi init &&
	write_named_hook .git/hooks &&
	echo one >one.txt && git add one.txt && git commit -q -m "before install" &&
	cp "$HOME/named.dir" ../dir.before && rm -f "$HOME"/named.* &&
	keyhound install-hook >../named-install.out &&
	test -f .git/hooks/pre-commit.keyhound-chained && test -f .git/hooks/helper.sh &&
	echo two >two.txt && git add two.txt && git commit -q -m "after install" &&
	test "$(git log -1 --format=%s)" = "after install" &&
	test "$(cat "$HOME/named.base")" = pre-commit &&
	test "$(cat "$HOME/named.helper")" = "helper sourced" &&
	test_cmp ../dir.before "$HOME/named.dir" &&
	test "$(cd "$(cat "$HOME/named.dir")" && pwd -P)" = "$(cd .git/hooks && pwd -P)"
'

test_expect_success 'the chained hook still runs first and a key is still blocked after it' '
	cd named && rm -f "$HOME"/named.* && head=$(git rev-parse HEAD) &&
	echo "$k" >s.txt && git add s.txt &&
	test_expect_code 1 git commit -q -m leak >../n.out 2>../n.err &&
	test "$(git rev-parse HEAD)" = "$head" &&
	test "$(cat "$HOME/named.base")" = pre-commit &&
	cat ../n.out ../n.err >../n.all && grep -q "^    s.txt:1:1$" ../n.all
'

test_expect_success 'a failing chained hook (keeping its name) still blocks a clean commit' '
	cd named && git reset -q && rm -f s.txt "$HOME"/named.* && head=$(git rev-parse HEAD) &&
	echo clean >c.txt && git add c.txt &&
	HOOK_EXIT=3 test_expect_code 1 git commit -q -m blocked >/dev/null 2>&1 &&
	test "$(git rev-parse HEAD)" = "$head" &&
	test "$(cat "$HOME/named.base")" = pre-commit &&
	git commit -q -m passes && test "$(git log -1 --format=%s)" = passes
'

# --- 4. pre-push to a remote given as a path (issue #4) -----------------------

test_expect_success 'setup: main with an old key pushed by path; no refs/remotes at all' '
	git init -q --bare remote.git &&
	git init -q pp && cd pp && kh_commit README hi init &&
	kh_commit old.txt "$(fake_key openai-legacy)" "old key, pushed before the hook" &&
	git push -q ../remote.git main 2>/dev/null &&
	keyhound install-hook --pre-push >/dev/null && test -x .git/hooks/pre-push &&
	test -z "$(git for-each-ref refs/remotes)" && test -z "$(git remote)" &&
	test "$(git --git-dir=../remote.git rev-parse main)" = "$(git rev-parse main)"
'

test_expect_success 'no remote-tracking ref anywhere: the whole new branch is scanned, the push is blocked' '
	cd pp && git checkout -q -b newbranch && kh_commit new.txt "fine" "clean work" &&
	test_expect_code 1 git push ../remote.git newbranch >../nb.out 2>&1 &&
	grep -q "old.txt:1:1" ../nb.out && ! grep -q "new.txt" ../nb.out &&
	grep -q "keyhound: this push is blocked" ../nb.out &&
	grep -q "git push --no-verify" ../nb.out &&
	! git --git-dir=../remote.git rev-parse -q --verify refs/heads/newbranch >/dev/null
'

test_expect_success 'another remote-tracking ref covering main: the clean new branch passes' '
	git init -q --bare mirror.git && cd pp &&
	git remote add mirror ../mirror.git && git push -q --no-verify mirror main &&
	git fetch -q mirror && test "$(git rev-parse mirror/main)" = "$(git rev-parse main)" &&
	git push -q ../remote.git newbranch >../nb2.out 2>&1 &&
	test "$(git --git-dir=../remote.git rev-parse newbranch)" = "$(git rev-parse newbranch)" &&
	! grep -q "old.txt" ../nb2.out
'

test_expect_success 'path remote: a new branch adding a key is still blocked (only the new key shown)' '
	cd pp && git checkout -q -b keybranch newbranch && kh_commit k.txt "k=$k" "a new key" &&
	test_expect_code 1 git push ../remote.git keybranch >../kb.out 2>&1 &&
	grep -q "k.txt:1:3" ../kb.out && ! grep -q "old.txt" ../kb.out &&
	grep -q "keyhound: this push is blocked" ../kb.out &&
	! git --git-dir=../remote.git rev-parse -q --verify refs/heads/keybranch >/dev/null
'

test_expect_success 'path remote: force push over an old id missing here, clean new commits, passes' '
	git clone -q remote.git other 2>/dev/null &&
	(cd other && kh_commit theirs.txt "theirs" "theirs" && git push -q origin main) &&
	theirs=$(git --git-dir=remote.git rev-parse main) &&
	cd pp && ! git cat-file -e "$theirs" 2>/dev/null &&
	git checkout -q main && kh_commit mine.txt "mine" "mine, clean" &&
	test_expect_code 1 git push -q ../remote.git main >/dev/null 2>&1 &&
	git push -q --force ../remote.git main >../force.out 2>&1 &&
	test "$(git --git-dir=../remote.git rev-parse main)" = "$(git rev-parse main)"
'

test_expect_success 'path remote: force push over an old id missing here, a new key, is blocked' '
	(cd other && git fetch -q && git reset -q --hard origin/main &&
	 kh_commit again.txt "again" "again" && git push -q --force origin main) &&
	cd pp && kh_commit fk.txt "k=$k" "key in a force push" &&
	test_expect_code 1 git push --force ../remote.git main >../fk.out 2>&1 &&
	grep -q "fk.txt:1:3" ../fk.out && ! grep -q "old.txt" ../fk.out &&
	test "$(git --git-dir=../remote.git rev-parse main)" != "$(git rev-parse main)" &&
	git reset -q --hard HEAD~1
'

test_expect_success 'pushing two branches at once, one with a key: blocked, neither is pushed' '
	cd pp && git checkout -q -b two-clean main && kh_commit tc.txt "fine" "fine" &&
	git checkout -q -b two-leak main && kh_commit tl.txt "k=$k" "leak" &&
	test_expect_code 1 git push ../remote.git two-clean two-leak >../two.out 2>&1 &&
	grep -q "tl.txt:1:3" ../two.out && ! grep -q "tc.txt" ../two.out &&
	grep -q "keyhound: this push is blocked" ../two.out &&
	! git --git-dir=../remote.git rev-parse -q --verify refs/heads/two-clean >/dev/null &&
	! git --git-dir=../remote.git rev-parse -q --verify refs/heads/two-leak >/dev/null &&
	test_expect_code 1 git push ../remote.git two-leak two-clean >/dev/null 2>&1 &&
	! git --git-dir=../remote.git rev-parse -q --verify refs/heads/two-clean >/dev/null &&
	git push -q ../remote.git two-clean newbranch &&
	test "$(git --git-dir=../remote.git rev-parse two-clean)" = "$(git rev-parse two-clean)"
'

# --- 5. nested core.hooksPath that does not exist yet (issue #4) --------------

test_expect_success 'core.hooksPath .config/git/hooks (missing): install-hook creates it, the hook works' '
	git init -q nest && cd nest && kh_commit README hi init &&
	git config core.hooksPath .config/git/hooks && ! test -e .config &&
	keyhound install-hook >/dev/null &&
	test -x .config/git/hooks/pre-commit && ! test -e .git/hooks/pre-commit &&
	head=$(git rev-parse HEAD) &&
	echo "$k" >s && git add s && test_expect_code 1 git commit -q -m leak >/dev/null 2>&1 &&
	test "$(git rev-parse HEAD)" = "$head" &&
	git reset -q && rm -f s && echo ok >c && git add c && git commit -q -m clean &&
	test "$(git log -1 --format=%s)" = clean
'

test_expect_success 'uninstall-hook removes the hook and the hooks directory it created' '
	cd nest && keyhound uninstall-hook >../nest-un.out &&
	grep -q "removed .*\.config/git/hooks/pre-commit" ../nest-un.out &&
	! test -e .config/git/hooks
'

test_expect_success 'uninstall-hook removes every directory install-hook created (.config/git and .config)' '
	cd nest && ! test -e .config/git/hooks && ! test -e .config/git && ! test -e .config
'

test_expect_success 'an existing hooks directory with another file in it is left in place' '
	git init -q keep && cd keep && kh_commit README hi init &&
	mkdir -p tools/hooks && echo "notes" >tools/hooks/NOTES && git config core.hooksPath tools/hooks &&
	keyhound install-hook --pre-commit --pre-push >/dev/null &&
	test -x tools/hooks/pre-commit && test -x tools/hooks/pre-push &&
	keyhound uninstall-hook >/dev/null &&
	test -d tools/hooks && test "$(cat tools/hooks/NOTES)" = notes &&
	test "$(ls -A tools/hooks)" = NOTES
'

test_expect_success 'a created hooks directory that gained another file is left in place (with that file)' '
	git init -q gained && cd gained && kh_commit README hi init &&
	git config core.hooksPath .hooks/nested && keyhound install-hook >/dev/null &&
	echo mine >.hooks/nested/post-commit &&
	keyhound uninstall-hook >/dev/null &&
	! test -e .hooks/nested/pre-commit && test "$(cat .hooks/nested/post-commit)" = mine
'

# --- 6. staged SARIF against the schema (issue #4) ---------------------------

validate() { # validate FILE: against the SARIF 2.1.0 schema (as t4002-sarif-schema.sh)
	"$PYTHON" -c "
import json, sys, jsonschema
jsonschema.validate(json.load(open(sys.argv[2])), json.load(open(sys.argv[1])))" "$SCHEMA" "$1"
}

test_expect_success 'setup: staged --format sarif with a finding, clean, and on a conflicted index' '
	git init -q sarif && cd sarif && kh_commit README hi init &&
	mkdir -p src && echo "key = \"$k\"" >src/app.py && git add src/app.py &&
	test_expect_code 1 kh staged --format sarif >../staged.sarif 2>/dev/null &&
	git reset -q && kh staged --format sarif >../clean.sarif &&
	json_check ../staged.sarif "[(r[\"ruleId\"], r[\"locations\"][0][\"physicalLocation\"][\"artifactLocation\"][\"uri\"], r[\"locations\"][0][\"physicalLocation\"][\"region\"][\"startLine\"]) for r in d[\"runs\"][0][\"results\"]] == [(\"openai-project-key\", \"src/app.py\", 1)]" &&
	json_check ../clean.sarif "d[\"runs\"][0][\"results\"] == []" &&
	! grep -q "$k" ../staged.sarif
'

# --- 7. a conflicted index (issue #4) ----------------------------------------

test_expect_success 'conflicted index: staged exits 0 with a warning about unresolved conflicts' '
	git init -q conf && cd conf && kh_commit f.txt "base" base &&
	git checkout -q -b side && kh_commit f.txt "key=$k" "side: a key" &&
	git checkout -q main && kh_commit f.txt "main" "main change" &&
	test_expect_code 1 git merge -q side >/dev/null 2>&1 &&
	test -n "$(git ls-files -u f.txt)" &&
	kh staged >../conf.out 2>../conf.err &&
	grep -q "^keyhound: warning: .*unresolved conflicts" ../conf.err &&
	! grep -q "$k" ../conf.out ../conf.err &&
	kh staged --format json >../conf.json 2>/dev/null &&
	json_check ../conf.json "d[\"findings\"] == []" &&
	kh staged --format sarif >../conf.sarif 2>/dev/null
'

test_expect_success 'conflicted index: the warning is in the reports too' '
	json_check conf.json "any(\"unresolved conflicts\" in p[\"message\"] for p in d[\"stats\"][\"problems\"])" &&
	json_check conf.sarif "d[\"runs\"][0][\"invocations\"][0][\"executionSuccessful\"] is True and any(\"unresolved conflicts\" in n[\"message\"][\"text\"] for n in d[\"runs\"][0][\"invocations\"][0][\"toolExecutionNotifications\"])"
'

test_expect_success 'conflicted index resolved with a new key: found' '
	cd conf && k3=$(fake_key openai-legacy) && printf "merged\nnew=%s\n" "$k3" >f.txt && git add f.txt &&
	test -z "$(git ls-files -u)" &&
	test_expect_code 1 kh staged --format json >../res.json 2>../res.err &&
	json_check ../res.json "[(f[\"path\"], f[\"line\"]) for f in d[\"findings\"]] == [(\"f.txt\", 2)]" &&
	! grep -q "unresolved conflicts" ../res.err
'

if [ -f "$SCHEMA" ] && "$PYTHON" -c "import jsonschema" 2>/dev/null; then
	test_expect_success 'staged SARIF is valid against the SARIF 2.1.0 schema (finding, clean, conflicted)' '
		validate staged.sarif && validate clean.sarif && validate conf.sarif
	'
else
	test_skip 'staged SARIF is valid against the SARIF 2.1.0 schema' "schema ($SCHEMA) or python3-jsonschema not available"
fi

test_done
