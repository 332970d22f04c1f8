#!/bin/sh
# t3001-staged.sh - keyhound staged: the index against HEAD, added lines only,
# line numbers of the staged version, partial staging, first commit, renames,
# deletions, binary files, merges.
. "$(dirname "$0")/test-lib.sh"

k1=$(fake_key openai-proj)
k2=$(fake_key openai-proj)

test_expect_success 'first commit (no HEAD yet): staged key found' '
	git init -q repo && cd repo &&
	printf "one\ntwo\nkey=%s\n" "$k1" >a.txt && git add a.txt &&
	test_expect_code 1 kh staged --format json >../o.json 2>../o.err &&
	json_check ../o.json "[(f[\"path\"], f[\"line\"], f[\"column\"]) for f in d[\"findings\"]] == [(\"a.txt\", 3, 5)]" &&
	grep -q "OPENAI_API_KEY" ../o.err && grep -q "no-verify" ../o.err && grep -q "keyhound:allow" ../o.err
'

test_expect_success 'only added lines count; committed keys are not re-reported' '
	cd repo && git commit -q --no-verify -m "old key" &&
	printf "more\n" >>a.txt && git add a.txt &&
	kh staged >/dev/null
'

test_expect_success 'partial staging: the staged version is judged, not the file on disk' '
	cd repo && printf "x\n" >b.txt && git add b.txt && git commit -q -m b &&
	printf "x\nsafe line\n" >b.staged && printf "x\nsafe line\nkey=%s\n" "$k2" >b.txt &&
	git update-index --cacheinfo "100644,$(git hash-object -w b.staged),b.txt" &&
	test "$(git show :b.txt)" = "$(printf "x\nsafe line")" &&
	kh staged >/dev/null &&
	git add b.txt && test_expect_code 1 kh staged --format json >../p.json &&
	json_check ../p.json "[(f[\"path\"], f[\"line\"]) for f in d[\"findings\"]] == [(\"b.txt\", 3)]"
'

test_expect_success 'deleted file and pure rename add nothing; a binary file counts' '
	cd repo && git reset -q --hard && git rm -q a.txt && kh staged >/dev/null &&
	git reset -q --hard && git mv a.txt renamed.txt && kh staged >/dev/null &&
	git reset -q --hard && { printf "\0\1\2"; printf "%s" "$k2"; printf "\0"; } >blob.bin && git add blob.bin &&
	test_expect_code 1 kh staged --format json >../bin.json &&
	json_check ../bin.json "[f[\"path\"] for f in d[\"findings\"]] == [\"blob.bin\"]"
'

test_expect_success 'a file moved and edited adds only its edited lines; a mode change adds nothing' '
	git init -q mv && cd mv &&
	{ for i in 1 2 3 4 5 6 7 8 9 10; do echo "line $i"; done; echo "old = \"$k1\""; } >conf.py &&
	git add conf.py && git commit -q -m "old key, allowed long ago" &&
	git mv conf.py settings.py && echo "line 11" >>settings.py && git add settings.py &&
	kh staged --format json >../mv.json &&
	json_check ../mv.json "d[\"findings\"] == []" &&
	echo "new = \"$k2\"" >>settings.py && git add settings.py &&
	test_expect_code 1 kh staged --format json >../mv2.json &&
	json_check ../mv2.json "[(f[\"path\"], f[\"line\"]) for f in d[\"findings\"]] == [(\"settings.py\", 13)]" &&
	git commit -q --no-verify -m moved && chmod +x settings.py && git add settings.py &&
	kh staged --format json >../mode.json && json_check ../mode.json "d[\"findings\"] == []"
'

test_expect_success 'GIT_INDEX_FILE is honoured (git commit -a and git commit PATH commit a temporary index)' '
	cd mv && git reset -q --hard && echo "k = \"$k2\"" >tmp.txt &&
	GIT_INDEX_FILE=$TRASH/other-index git read-tree HEAD &&
	GIT_INDEX_FILE=$TRASH/other-index git add tmp.txt &&
	kh staged >/dev/null &&
	GIT_INDEX_FILE=$TRASH/other-index test_expect_code 1 kh staged --format json >../idx.json &&
	json_check ../idx.json "[f[\"path\"] for f in d[\"findings\"]] == [\"tmp.txt\"]" &&
	(cd .. && GIT_INDEX_FILE=$TRASH/other-index kh staged mv >/dev/null)
'

test_expect_success 'staged honours --max-file-size; its fingerprints match a dir scan of the same repository' '
	cd mv && git reset -q --hard && rm -f tmp.txt &&
	{ head -c 3000 /dev/zero | tr "\0" a; echo; echo "k = \"$k2\""; } >big.txt && git add big.txt &&
	kh staged --max-file-size 1k --format json >../sz.json 2>../sz.err &&
	json_check ../sz.json "d[\"findings\"] == [] and d[\"stats\"][\"skipped_size\"] == 1" &&
	grep -q "big.txt: skipped" ../sz.err &&
	test_expect_code 1 kh staged --format json >../st.json &&
	test_expect_code 1 kh dir --format json big.txt >../dir.json &&
	json_check ../st.json "d[\"findings\"][0][\"fingerprint\"] == json.load(open(\"../dir.json\"))[\"findings\"][0][\"fingerprint\"]" &&
	json_check ../st.json "[(f[\"path\"], f[\"line\"], f[\"column\"], f[\"commit\"]) for f in d[\"findings\"]] == [(\"big.txt\", 2, 6, None)]"
'

test_expect_success 'large trees: only changed directories are compared (cache-tree), index v2, v3 and v4' '
	git init -q big && cd big &&
	for d in a b c d; do for e in x y z; do mkdir -p "$d/$e/deep" && for f in 1 2 3; do
		echo "file $d $e $f" >"$d/$e/deep/f$f.txt"; done; done; done &&
	mkdir gone && echo bye >gone/g.txt && echo "$k1" >old.txt &&
	git add . && git commit -q --no-verify -m base &&
	for v in 2 3 4; do
		git reset -q --hard && git clean -q -fd && git update-index --index-version $v &&
		echo "k = \"$k2\"" >>b/y/deep/f2.txt &&
		mkdir -p new/dir && echo "n = \"$k2\"" >new/dir/n.txt &&
		git rm -q -r gone && git mv a/x/deep/f1.txt a/z/moved.txt &&
		git add -A && test_expect_code 1 kh staged --format json >../v$v.json || exit 1
		json_check ../v$v.json "[(f[\"path\"], f[\"line\"]) for f in d[\"findings\"]] == [(\"b/y/deep/f2.txt\", 2), (\"new/dir/n.txt\", 1)]" || exit 1
	done &&
	git reset -q --hard && git clean -q -fd && kh staged >/dev/null &&
	echo "$k2" >>c/z/deep/f3.txt && git add c && rm -f .git/index.lock &&
	git -c index.skipHash=false update-index --refresh >/dev/null 2>&1; test_expect_code 1 kh staged >/dev/null
'

test_expect_success 'inline keyhound:allow passes' '
	cd repo && git reset -q --hard && printf "k = \"%s\"  # keyhound:allow\n" "$k2" >ok.txt && git add ok.txt &&
	kh staged >/dev/null
'

test_expect_success 'merge in progress: only what the resolution adds' '
	git init -q m && cd m && kh_commit f.txt "base" base &&
	git checkout -q -b side && k3=$(fake_key openai-legacy) && kh_commit s.txt "$k3" "side key" &&
	git checkout -q main && kh_commit f.txt "main" "main change" &&
	git merge -q --no-commit side >/dev/null 2>&1; true &&
	kh staged >/dev/null &&
	k4=$(fake_key openai-proj) && echo "$k4" >>f.txt && git add f.txt &&
	test_expect_code 1 kh staged --format json >../m.json &&
	json_check ../m.json "[f[\"path\"] for f in d[\"findings\"]] == [\"f.txt\"]"
'

test_expect_success 'bare repository: a clear error' '
	git init -q --bare bare.git && test_expect_code 2 kh staged bare.git 2>err && grep -q "bare" err
'

test_done
