#!/bin/sh
# t1001-dir-walk.sh - what `keyhound dir` finds and where: every OpenAI key
# generation, look-alikes that are not keys, byte 0 and end of file, CRLF,
# notebooks, URLs, binary files, minified bundles, files larger than the read
# window, size limits, symlinks, git ignore rules, stable order.
. "$(dirname "$0")/test-lib.sh"

count() { json_get "$1" "len([f for f in d[\"findings\"] if not f[\"suppressed\"]])"; }

test_expect_success 'every OpenAI key format and body length is found' '
	mkdir gens &&
	for k in "$(fake_key openai-legacy)" "$(fake_key openai-proj-short)" \
		"$(fake_key openai-proj 74)" "$(fake_key openai-proj 58)" \
		"$(fake_key openai-svcacct 74)" "$(fake_key openai-admin 58)" \
		"$(fake_key openai-none 58)"; do
		echo "key: $k" >>gens/keys.yaml
	done &&
	test_expect_code 1 kh dir --format json --show-secrets gens >out.json &&
	json_check out.json "sorted(f[\"rule\"] for f in d[\"findings\"]) == sorted([\"openai-api-key\", \"openai-project-key\", \"openai-project-key\", \"openai-project-key\", \"openai-service-account-key\", \"openai-admin-key\", \"openai-none-key\"])" &&
	json_check out.json "all(f[\"secret\"] in open(\"gens/keys.yaml\").read() for f in d[\"findings\"])"
'

test_expect_success 'placeholders, CSS classes and other providers are not OpenAI keys' '
	mkdir neg &&
	cat >neg/a.md <<-EOF &&
	OPENAI_API_KEY=sk-...
	OPENAI_API_KEY=sk-xxxx
	api_key = "sk-YOUR-KEY"
	<div class="sk-spinner sk-spinner-pulse"></div>
	pip install scikit-learn # sk-learn
	ANTHROPIC_API_KEY=sk-ant-api03-$(rand_chars 40 A-Za-z0-9)
	STRIPE=sk_live_$(rand_chars 24 A-Za-z0-9)
	EOF
	kh dir --format json neg >out.json;
	json_check out.json "not [f for f in d[\"findings\"] if f[\"rule\"].startswith(\"openai\")]"
'

test_expect_success 'key at byte 0, at end of file without newline, in CRLF lines' '
	mkdir pos &&
	k1=$(fake_key openai-proj 58) && k2=$(fake_key openai-legacy) && k3=$(fake_key openai-proj 20) &&
	printf "%s rest\n" "$k1" >pos/first &&
	printf "line\nend %s" "$k2" >pos/last &&
	printf "a\r\nbb\r\nkey=%s\r\n" "$k3" >pos/crlf &&
	test_expect_code 1 kh dir --format json pos >out.json &&
	json_check out.json "[(f[\"path\"], f[\"line\"], f[\"column\"]) for f in d[\"findings\"]] == [(\"crlf\", 3, 5), (\"first\", 1, 1), (\"last\", 2, 5)]"
'

test_expect_success 'notebook JSON strings, URLs, binary files' '
	mkdir misc &&
	k1=$(fake_key openai-proj) && k2=$(fake_key openai-legacy) && k3=$(fake_key openai-svcacct) &&
	printf "{\"cells\": [{\"source\": [\"import openai\\\\n\", \"openai.api_key = \\\\\"%s\\\\\"\\\\n\"]}]}\n" "$k1" >misc/nb.ipynb &&
	printf "GET https://api.example.test/v1?key=%s&x=1\n" "$k2" >misc/url.log &&
	{ head -c 1000 /dev/urandom | tr -d "\n"; printf "\0\0%s\0\0" "$k3"; head -c 1000 /dev/zero; } >misc/data.bin &&
	test_expect_code 1 kh dir --format json --show-secrets misc >out.json &&
	json_check out.json "sorted(f[\"secret\"] for f in d[\"findings\"]) == sorted([\"$k1\", \"$k2\", \"$k3\"])"
'

test_expect_success 'single-line minified bundle of several MB: line 1, exact column' '
	mkdir min && k=$(fake_key openai-proj) &&
	"$PYTHON" -c "import sys; sys.stdout.write(\"var a=1;\" * 700000 + \"x=\\\"$k\\\";\" + \"b();\" * 10)" >min/app.min.js &&
	test_expect_code 1 kh dir --format json min >out.json &&
	json_check out.json "d[\"findings\"][0][\"line\"] == 1 and d[\"findings\"][0][\"column\"] == 8 * 700000 + 4"
'

test_expect_success 'large file: keys across read-window boundaries found once, exact lines' '
	mkdir big &&
	k1=$(fake_key openai-proj 58) && k2=$(fake_key openai-legacy) && k3=$(fake_key openai-proj 74) && k4=$(fake_key openai-svcacct 20) &&
	"$PYTHON" - "$k1" "$k2" "$k3" "$k4" <<-\PY &&
	import sys
	keys = sys.argv[1:]
	line = b"x" * 99 + b"\n"
	data = bytearray(line * (41 * 1024 * 1024 // 100))
	spots = [(1 << 20) - 10, (4 << 20) - 3, (8 << 20) - 40, (16 << 20) - 7]
	for k, at in zip(keys, spots):
	    data[at - 1:at] = b" "
	    data[at:at + len(k)] = k.encode()
	    data[at + len(k):at + len(k) + 1] = b" "
	open("big/big.txt", "wb").write(data)
	with open("expect", "w") as f:
	    for k, at in zip(keys, spots):
	        f.write("%d %d\n" % (data[:at].count(b"\n") + 1, at - data.rfind(b"\n", 0, at)))
	PY
	test_expect_code 1 kh dir --format json big >out.json &&
	json_get out.json "\"\\n\".join(\"%d %d\" % (f[\"line\"], f[\"column\"]) for f in d[\"findings\"])" >actual &&
	test_cmp expect actual
'

test_expect_success '--max-file-size skips and reports larger files' '
	mkdir sized && k=$(fake_key openai-proj) &&
	{ head -c 4096 /dev/zero | tr "\0" a; echo "$k"; } >sized/big.txt &&
	kh dir --max-file-size 1k --format json sized >out.json &&
	json_check out.json "d[\"stats\"][\"skipped_size\"] == 1 and not d[\"findings\"]" &&
	kh dir --max-file-size 1k sized >out.txt && grep -q "over --max-file-size" out.txt
'

test_expect_success 'symlinks are not followed' '
	mkdir outside tree && k=$(fake_key openai-proj) &&
	echo "$k" >outside/secret.txt && ln -s ../outside/secret.txt tree/link &&
	ln -s ../outside tree/dirlink && echo hi >tree/ok.txt &&
	kh dir --format json tree >out.json &&
	json_check out.json "not d[\"findings\"] and d[\"stats\"][\"skipped_symlinks\"] == 2"
'

test_expect_success 'git working tree: tracked and untracked scanned, ignored and .git not' '
	git init -q repo && cd repo &&
	echo "ignored.txt" >.gitignore && echo "build/" >>.gitignore && echo "forced.txt" >>.gitignore &&
	k1=$(fake_key openai-proj) && k2=$(fake_key openai-proj) && k3=$(fake_key openai-proj) &&
	k4=$(fake_key openai-proj) && k5=$(fake_key openai-proj) &&
	echo "$k1" >tracked.txt && echo "$k2" >forced.txt && git add .gitignore tracked.txt && git add -f forced.txt &&
	git commit -q -m init &&
	echo "$k3" >untracked.txt && echo "$k4" >ignored.txt && mkdir build && echo "$k5" >build/out.txt &&
	echo "$k5" >.git/leak &&
	test_expect_code 1 kh dir --format json >../out.json &&
	json_check ../out.json "sorted(f[\"path\"] for f in d[\"findings\"]) == [\"forced.txt\", \"tracked.txt\", \"untracked.txt\"]" &&
	test_expect_code 1 kh dir --format json ignored.txt >../out2.json &&
	json_check ../out2.json "[f[\"path\"] for f in d[\"findings\"]] == [\"ignored.txt\"]" &&
	test_expect_code 1 kh dir --no-ignore --format json >../out3.json &&
	json_check ../out3.json "sorted(f[\"path\"] for f in d[\"findings\"]) == [\"build/out.txt\", \"forced.txt\", \"ignored.txt\", \"tracked.txt\", \"untracked.txt\"]"
'

test_expect_success 'unreadable file: reported on stderr and in stats, exit 2' '
	if [ "$(id -u)" = 0 ]; then
		echo "running as root: permissions do not stop reads; using a FIFO-free directory check" &&
		mkdir unread && echo hi >unread/a && kh dir unread >/dev/null
	else
		mkdir unread && echo hi >unread/a && chmod 000 unread/a &&
		test_expect_code 2 kh dir --format json unread >out.json 2>err &&
		grep -q "unread/a\|a: " err && json_check out.json "d[\"stats\"][\"errors\"] == 1"
	fi
'

test_expect_success 'stable order whatever the thread count; paths as given with several roots' '
	mkdir -p order/a order/b && for i in 1 2 3 4 5 6 7 8; do fake_key openai-proj >order/a/f$i; fake_key openai-legacy >order/b/g$i; done &&
	test_expect_code 1 kh dir --threads 1 --format json order >t1.json &&
	test_expect_code 1 kh dir --threads 4 --format json order >t4.json &&
	json_get t1.json "[(f[\"path\"], f[\"fingerprint\"]) for f in d[\"findings\"]]" >p1 &&
	json_get t4.json "[(f[\"path\"], f[\"fingerprint\"]) for f in d[\"findings\"]]" >p4 &&
	test_cmp p1 p4 &&
	test_expect_code 1 kh dir --format json order/a order/b >two.json &&
	json_check two.json "d[\"findings\"][0][\"path\"] == \"order/a/f1\" and d[\"findings\"][-1][\"path\"] == \"order/b/g8\""
'

test_done
