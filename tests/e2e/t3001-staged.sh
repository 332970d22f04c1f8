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
