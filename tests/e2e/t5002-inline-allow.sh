#!/bin/sh
# t5002-inline-allow.sh - a `keyhound:allow` comment silences findings on its
# own line only, in any comment syntax, in directory, history and staged
# scans; on a line longer than 1,000 bytes (minified code) it is ignored;
# silenced findings are counted. (issue #5)
. "$(dirname "$0")/test-lib.sh"

k1=$(fake_key openai-proj)
k2=$(fake_key openai-proj)
k3=$(fake_key openai-proj)
k4=$(fake_key openai-proj)
k5=$(fake_key openai-legacy)
k6=$(fake_key anthropic)

# pad N: N bytes of filler (no key-shaped text)
pad() {
	printf "%$1s" "" | tr " " "a"
}

test_expect_success 'setup' '
	mkdir d &&
	printf "a = \"%s\"  # keyhound:allow\n" "$k1" >d/hash.py &&
	printf "const a = \"%s\"; // keyhound:allow test fixture\n" "$k2" >d/slash.js &&
	printf "<!-- keyhound:allow --><meta content=\"%s\">\n" "$k3" >d/html.html &&
	printf "key: %s /* keyhound:allow */ other: %s\n" "$k4" "$k5" >d/two.yaml &&
	printf "x = 1  # keyhound:allow\nk = \"%s\"\nANTHROPIC_API_KEY=%s\n# keyhound:allow\n" "$k1" "$k6" >d/adjacent.env &&
	printf "k = \"%s\"  # keyhound:allow\r\nj = \"%s\"\r\n" "$k2" "$k3" >d/crlf.txt
'

test_expect_success 'the comment silences its own line, whatever the comment syntax' '
	test_expect_code 1 kh dir --format json d >out.json &&
	json_get out.json "[(f[\"path\"], f[\"line\"], f[\"suppressed\"]) for f in d[\"findings\"]]" >got &&
	cat >want <<-\EOF &&
	[["adjacent.env", 2, null], ["adjacent.env", 3, null], ["crlf.txt", 1, "inline"], ["crlf.txt", 2, null], ["hash.py", 1, "inline"], ["html.html", 1, "inline"], ["slash.js", 1, "inline"], ["two.yaml", 1, "inline"], ["two.yaml", 1, "inline"]]
	EOF
	test_cmp want got &&
	json_check out.json "d[\"stats\"][\"suppressed_inline\"] == 6 and d[\"stats\"][\"findings\"] == 3"
'

test_expect_success 'the text report counts them' '
	test_expect_code 1 kh dir d >out.txt &&
	grep -q "^keyhound: 3 distinct secrets in 3 places (6 suppressed by" out.txt
'

test_expect_success 'only silenced findings: exit 0' '
	mkdir only && printf "k = \"%s\" # keyhound:allow\n" "$k1" >only/a.py &&
	kh dir --format json only >o.json &&
	json_check o.json "[f[\"suppressed\"] for f in d[\"findings\"]] == [\"inline\"]"
'

test_expect_success 'lines up to 1,000 bytes honour it; longer lines (minified code) do not' '
	mkdir long &&
	tag="// keyhound:allow" &&
	n=$((1000 - 5 - ${#k1} - ${#tag})) &&
	printf "k=\"%s\";%s%s\n" "$k1" "$(pad $n)" "$tag" >long/exact.js &&
	printf "k=\"%s\";%s%s\n" "$k2" "$(pad $((n + 1)))" "$tag" >long/over.js &&
	printf "k=\"%s\";%s%s\r\n" "$k3" "$(pad $n)" "$tag" >long/crlf.js &&
	test "$(head -n 1 long/exact.js | wc -c)" -eq 1001 &&
	test "$(head -n 1 long/over.js | wc -c)" -eq 1002 &&
	test_expect_code 1 kh dir --format json long >l.json &&
	json_check l.json "[(f[\"path\"], f[\"suppressed\"]) for f in d[\"findings\"]] == [(\"crlf.js\", \"inline\"), (\"exact.js\", \"inline\"), (\"over.js\", None)]"
'

test_expect_success 'a long line is silenced with the ignore file instead' '
	fp=$(json_get l.json "d[\"findings\"][2][\"fingerprint\"]") &&
	echo "$fp over.js" >long/.keyhoundignore &&
	kh dir --format json long >l2.json &&
	json_check l2.json "[f[\"suppressed\"] for f in d[\"findings\"]] == [\"inline\", \"inline\", \"ignore\"]"
'

test_expect_success 'history and staged scans honour it too' '
	git init -q repo &&
	(cd repo &&
	 kh_commit a.py "k = \"$k4\"  # keyhound:allow" "allowed key" &&
	 kh_commit b.py "k = \"$k5\"" "a real leak") &&
	test_expect_code 1 kh git --format json repo >g.json &&
	json_check g.json "[(f[\"path\"], f[\"suppressed\"]) for f in d[\"findings\"]] == [(\"a.py\", \"inline\"), (\"b.py\", None)]" &&
	printf "j = \"%s\" # keyhound:allow\n" "$k6" >repo/c.py &&
	git -C repo add c.py &&
	(cd repo && kh staged --format json >../s.json) &&
	json_check s.json "[(f[\"path\"], f[\"suppressed\"]) for f in d[\"findings\"]] == [(\"c.py\", \"inline\")]"
'

test_done
