#!/bin/sh
# t2005-range-robust.sh - keyhound git --range where history is incomplete or
# unusual: a shallow clone, a commit adding a submodule, a damaged object in
# the middle of a commit, a private key rotated in place, --max-file-size.
. "$(dirname "$0")/test-lib.sh"

k1=$(fake_key openai-proj)
k2=$(fake_key openai-proj)
k3=$(fake_key openai-proj)

# pem_body N: N lines of base64 that look like a private key's body
pem_body() {
	i=0
	printf 'MIIEowIBAAKCAQEA%s\n' "$(rand_chars 48 A-Za-z0-9+/)"
	while [ $i -lt "$1" ]; do
		printf '%s\n' "$(rand_chars 64 A-Za-z0-9+/)"
		i=$((i + 1))
	done
}

test_expect_success 'setup: a history and a shallow clone of it' '
	git init -q src && cd src &&
	kh_commit a.txt "one" "one" && kh_commit b.txt "two" "two" &&
	kh_commit c.txt "three" "three" && kh_commit d.txt "four" "four" &&
	cd .. && git clone -q --depth 2 "file://$PWD/src" shallow &&
	test -f shallow/.git/shallow
'

test_expect_success 'shallow clone: the range is walked, the boundary is a root (issue #3)' '
	cd shallow && kh_commit new.txt "$k1" "new key" &&
	test_expect_code 1 kh git --range HEAD~1..HEAD --format json >../s1.json &&
	json_check ../s1.json "[(f[\"path\"], f[\"message\"]) for f in d[\"findings\"]] == [(\"new.txt\", \"new key\")] and d[\"stats\"][\"commits_scanned\"] == 1 and d[\"stats\"][\"shallow\"]" &&
	test_expect_code 1 kh git --range HEAD --not --remotes=origin --format json >../s2.json &&
	json_check ../s2.json "[f[\"path\"] for f in d[\"findings\"]] == [\"new.txt\"] and d[\"stats\"][\"commits_scanned\"] == 1"
'

test_expect_success 'shallow clone: a range reaching the boundary scans what it holds' '
	cd shallow && test_expect_code 1 kh git --range HEAD --format json >../s3.json &&
	json_check ../s3.json "[f[\"path\"] for f in d[\"findings\"]] == [\"new.txt\"] and d[\"stats\"][\"errors\"] == 0"
'

test_expect_success 'a commit adding a submodule is not an error (issue #3)' '
	git init -q sub && (cd sub && kh_commit s.txt "sub" "sub") &&
	git init -q sm && cd sm && kh_commit top.txt "top" "top" &&
	git -c protocol.file.allow=always submodule -q add ../sub lib 2>/dev/null &&
	echo "$k2" >key.txt && git add key.txt && git commit -q -m "submodule and key" &&
	test_expect_code 1 kh git --range HEAD~1..HEAD --format json >../sm.json 2>../sm.err &&
	json_check ../sm.json "[f[\"path\"] for f in d[\"findings\"]] == [\"key.txt\"] and d[\"stats\"][\"errors\"] == 0" &&
	test ! -s ../sm.err
'

test_expect_success 'a missing blob loses only its own file: the rest of the commit is scanned (issue #3)' '
	git init -q dmg && cd dmg && kh_commit base.txt "base" "base" &&
	mkdir d && echo "$k3" >d/in.txt && echo "other content" >d/p.txt &&
	git add d && git commit -q -m "two files" &&
	blob=$(git rev-parse HEAD:d/p.txt) &&
	rm -f .git/objects/$(echo $blob | cut -c1-2)/$(echo $blob | cut -c3-) &&
	test_expect_code 2 kh git --range HEAD~1..HEAD --format json >../dmg.json 2>../dmg.err &&
	json_check ../dmg.json "[f[\"path\"] for f in d[\"findings\"]] == [\"d/in.txt\"] and d[\"stats\"][\"errors\"] >= 1" &&
	grep -q "p.txt" ../dmg.err
'

test_expect_success 'a private key rotated in place is found by --range and by staged (issue #4)' '
	git init -q rot && cd rot &&
	{ echo "-----BEGIN RSA PRIVATE KEY-----"; pem_body 12; echo "-----END RSA PRIVATE KEY-----"; } >id_rsa &&
	git add id_rsa && git commit -q -m "first key" &&
	{ echo "-----BEGIN RSA PRIVATE KEY-----"; pem_body 12; echo "-----END RSA PRIVATE KEY-----"; } >id_rsa &&
	git add id_rsa &&
	test_expect_code 1 kh staged --format json >../rot-staged.json &&
	json_check ../rot-staged.json "[(f[\"rule\"], f[\"line\"]) for f in d[\"findings\"]] == [(\"privatekey-pem\", 1)]" &&
	git commit -q -m "second key" &&
	test_expect_code 1 kh git --range HEAD~1..HEAD --format json >../rot-range.json &&
	json_check ../rot-range.json "[(f[\"rule\"], f[\"message\"]) for f in d[\"findings\"]] == [(\"privatekey-pem\", \"second key\")]"
'

test_expect_success '--max-file-size applies to --range: skipped and reported' '
	git init -q big && cd big && kh_commit base.txt "base" "base" &&
	"$PYTHON" -c "import sys; sys.stdout.write(\"x\" * 300000 + \"\\n\" + sys.argv[1] + \"\\n\")" "$k1" >big.txt &&
	git add big.txt && git commit -q -m big &&
	kh git --range HEAD~1..HEAD --max-file-size 100k --format json >../big.json &&
	json_check ../big.json "d[\"findings\"] == [] and d[\"stats\"][\"skipped_size\"] == 1"
'

test_expect_success '--range cannot be combined with --all-objects' '
	cd big && test_expect_code 2 kh git --all-objects --range HEAD~1..HEAD 2>../ao.err &&
	grep -q "all-objects" ../ao.err
'

test_done
