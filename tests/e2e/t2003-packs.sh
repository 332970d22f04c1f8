#!/bin/sh
# t2003-packs.sh - keyhound git reads pack files itself (scanner/git_pack.c):
# keys inside delta-compressed blobs, several packs, cruft packs of
# unreachable objects (--all-objects), a damaged pack (reported, exit 2, the
# rest still found), stats.blobs_scanned equal to the distinct blobs, and the
# progress line on a terminal only.
. "$(dirname "$0")/test-lib.sh"

k1=$(fake_key openai-proj)
k2=$(fake_key openai-legacy)
k3=$(fake_key openai-svcacct 58)
k4=$(fake_key openai-proj 58)

# grow FILE N: a file whose versions differ by a line, so git stores deltas
grow() {
	seq 1 "$2" | sed "s/^/line /" >"$1"
}

test_expect_success 'setup: keys in blobs that end up as deltas in a pack' '
	git init -q repo && cd repo &&
	grow notes.txt 3000 && git add notes.txt && git commit -q -m base &&
	grow notes.txt 3001 && echo "token = $k1" >>notes.txt && git commit -q -am "add key" &&
	grow notes.txt 3002 && git commit -q -am "key removed" &&
	i=0 && while [ $i -lt 20 ]; do grow notes.txt $((3003 + i)) && git commit -q -am "edit $i" && i=$((i + 1)); done &&
	git checkout -q -b side && grow notes.txt 2999 && echo "other = $k2" >>notes.txt && git commit -q -am side &&
	git checkout -q main &&
	git repack -adf -q --depth=50 --window=50 &&
	git verify-pack -v .git/objects/pack/*.idx | grep -q " blob .* [0-9]* [0-9]* [0-9]* [1-9][0-9]* "
'

test_expect_success 'keys in delta-compressed blobs are found and attributed' '
	cd repo && test_expect_code 1 kh git --format json >../d.json && cd .. &&
	json_check d.json "sorted(f[\"message\"] for f in d[\"findings\"]) == [\"add key\", \"side\"]" &&
	json_check d.json "[f[\"line\"] for f in d[\"findings\"] if f[\"message\"] == \"add key\"] == [3002]"
'

test_expect_success 'stats.blobs_scanned is the number of distinct blobs (--all-objects)' '
	cd repo && echo loose >loose.txt && git add loose.txt && git commit -q -m loose &&
	git repack -q && echo more >more.txt && git add more.txt && git commit -q -m more &&
	nblobs=$(git cat-file --batch-all-objects --batch-check | grep -c " blob ") &&
	test_expect_code 1 kh git --all-objects --format json >../n.json && cd .. &&
	json_check n.json "d[\"stats\"][\"blobs_scanned\"] == $nblobs"
'

test_expect_success 'unreachable objects in a cruft pack: only with --all-objects' '
	git init -q cruft && cd cruft &&
	kh_commit a.txt "plain" "base" && kh_commit gone.txt "$k3" "to be dropped" &&
	git reset -q --hard HEAD~1 && git reflog expire --expire=now --all &&
	git repack -adq --cruft && ls .git/objects/pack/*.mtimes >/dev/null &&
	test_expect_code 0 kh git --format json >../c0.json &&
	test_expect_code 1 kh git --all-objects --format json >../c1.json && cd .. &&
	json_check c0.json "d[\"findings\"] == []" &&
	json_check c1.json "[f[\"path\"] for f in d[\"findings\"]] == [\"gone.txt\"]"
'

test_expect_success 'a damaged pack: the damaged blob is named, exit 2, other keys still found' '
	git init -q dmg && cd dmg &&
	kh_commit good.txt "$k4" "good" &&
	seq 1 20000 >big.txt && git add big.txt && git commit -q -m big &&
	git repack -adq &&
	big=$(git rev-parse HEAD:big.txt) &&
	off=$(git verify-pack -v .git/objects/pack/*.idx | awk -v b="$big" "\$1 == b {print \$5 + 30}") &&
	p=$(ls .git/objects/pack/*.pack) && chmod u+w "$p" &&
	printf "\377\377\377\377\377\377" | dd of="$p" bs=1 seek="$off" conv=notrunc 2>/dev/null &&
	test_expect_code 2 kh git --format json >../dmg.json 2>../dmg.err && cd .. &&
	grep -q "$big" dmg.err && grep -q "big.txt" dmg.err &&
	test "$(grep -c "error" dmg.err)" -ge 1 &&
	json_check dmg.json "[f[\"path\"] for f in d[\"findings\"]] == [\"good.txt\"] and d[\"stats\"][\"errors\"] >= 1" &&
	git init -q dmg2 && cd dmg2 && seq 1 20000 >big.txt && git add big.txt &&
	git commit -q -m big && git repack -adq && b=$(git rev-parse HEAD:big.txt) &&
	o=$(git verify-pack -v .git/objects/pack/*.idx | awk -v b="$b" "\$1 == b {print \$5 + 30}") &&
	p=$(ls .git/objects/pack/*.pack) && chmod u+w "$p" &&
	printf "\377\377\377\377\377\377" | dd of="$p" bs=1 seek="$o" conv=notrunc 2>/dev/null &&
	test_expect_code 2 kh git >../dmg2.out 2>&1 && cd .. &&
	grep -q "^keyhound: no secrets found in what could be scanned" dmg2.out
'

test_expect_success '--max-file-size: a packed blob over it is skipped and reported, not built' '
	git init -q cap && cd cap &&
	kh_commit small.txt "$k4" "small" &&
	{ seq 1 3000; echo "$k1"; } >large.txt && git add large.txt && git commit -q -m large &&
	git repack -adq &&
	test_expect_code 1 kh git --max-file-size 2k --format json >../cap.json && cd .. &&
	json_check cap.json "[f[\"path\"] for f in d[\"findings\"]] == [\"small.txt\"]" &&
	json_check cap.json "d[\"stats\"][\"skipped_size\"] == 1 and d[\"stats\"][\"errors\"] == 0" &&
	json_check cap.json "any(p[\"path\"] == \"large.txt\" and \"max-file-size\" in p[\"message\"] for p in d[\"stats\"][\"problems\"])"
'

test_expect_success 'a progress line on a terminal, none otherwise or with --quiet' '
	cd repo &&
	script -qec "$KEYHOUND git --no-color . >/dev/null" /dev/null >../tty.out 2>&1;
	kh git . >/dev/null 2>../notty.err;
	script -qec "$KEYHOUND git --quiet --no-color . >/dev/null" /dev/null >../quiet.out 2>&1;
	cd .. &&
	grep -q "blobs [0-9]*/[0-9]*" tty.out &&
	! grep -q "blobs [0-9]*/" notty.err &&
	! grep -q "blobs [0-9]*/" quiet.out
'

test_done
