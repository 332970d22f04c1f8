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

test_expect_success 'large file: keys packed around every window boundary, each found once with its line' '
	mkdir dense &&
	"$PYTHON" - <<-\PY &&
	import random
	random.seed(7)
	A = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	mark = "T3Blbk" + "FJ"
	def key(i):
	    r = lambda n: "".join(random.choice(A) for _ in range(n))
	    n = [20, 58, 74, 150][i % 4]
	    return ("sk-" + r(20) + mark + r(20)) if n == 20 else ("sk-proj-" + r(n) + mark + r(n))
	filler = b"y" * 63 + b"\r\n"
	data = bytearray()
	want = []
	line = 1
	i = 0
	# windows own 8 MiB each (plus an overlap of at most a few hundred bytes):
	# keys every few bytes from 2 KiB before to 3 KiB after each boundary
	for boundary in (8 << 20, 16 << 20, 24 << 20):
	    while len(data) < boundary - 2048:
	        data += filler
	        line += 1
	    while len(data) < boundary + 3072:
	        k = key(i)
	        i += 1
	        pre = "x" * (i % 5) + "="
	        want.append("%d %d %s" % (line, len(pre) + 1, k))
	        data += (pre + k + "\n").encode()
	        line += 1
	data += filler * 1000
	open("dense/big.txt", "wb").write(data)
	open("expect", "w").write("\n".join(want) + "\n")
	PY
	test_expect_code 1 kh dir --format json --show-secrets dense >out.json &&
	json_get out.json "\"\\n\".join(\"%d %d %s\" % (f[\"line\"], f[\"column\"], f[\"secret\"]) for f in d[\"findings\"])" >actual &&
	test_cmp expect actual &&
	test "$(wc -l <expect)" -gt 60
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

if can_drop_root; then
	test_expect_success 'unreadable file and directory: reported on stderr and in stats, exit 2' '
		mkdir unread && chmod 755 unread "$TRASH" && echo hi >unread/a &&
		fake_key openai-proj >unread/b && mkdir unread/d && echo x >unread/d/x &&
		chmod 000 unread/a unread/d &&
		test_when_finished "chmod 755 unread/d" &&
		test_expect_code 2 as_user "$KEYHOUND" dir --no-color --format json unread >out.json 2>err &&
		grep -q "^keyhound: error: a: cannot open" err && grep -q "^keyhound: error: d: cannot open directory" err &&
		json_check out.json "d[\"stats\"][\"errors\"] == 2 and [f[\"path\"] for f in d[\"findings\"]] == [\"b\"]" &&
		json_check out.json "sorted(p[\"path\"] for p in d[\"stats\"][\"problems\"] if p[\"error\"]) == [\"a\", \"d\"]" &&
		test_expect_code 2 as_user "$KEYHOUND" dir --no-color unread >out.txt 2>/dev/null &&
		grep -q "not scanned: 2 could not be read" out.txt
	'

	test_expect_success 'problems come out in path order whatever the thread count (workers open the files)' '
		mkdir many && chmod 755 many &&
		for d in 1 2 3 4 5 6; do mkdir many/d$d && for f in a b c d e f g h i j k l m n o p q r s t; do
			echo x >many/d$d/$f && chmod 000 many/d$d/$f; done; done &&
		for t in 1 4 4 2; do
			test_expect_code 2 as_user "$KEYHOUND" dir --no-color --threads $t --format json many >p$t.json 2>/dev/null || return 1
		done &&
		json_check p4.json "[p[\"path\"] for p in d[\"stats\"][\"problems\"]] == sorted(\"d%d/%s\" % (i, c) for i in range(1, 7) for c in \"abcdefghijklmnopqrst\")" &&
		for t in 1 2; do
			python3 -c "import json, sys; a, b = (json.load(open(f))[\"stats\"][\"problems\"] for f in sys.argv[1:]); sys.exit(a != b)" p4.json p$t.json || return 1
		done
	'
else
	test_skip 'unreadable file and directory' "root without setpriv: permissions do not stop reads"
fi

test_expect_success 'stats: archives, Git LFS pointers and submodules are counted as not scanned' '
	git init -q st && cd st && k=$(fake_key openai-proj) &&
	echo "$k" >inner.txt && tar czf a.tgz inner.txt && rm inner.txt &&
	printf "version https://git-lfs.github.com/spec/v1\noid sha256:%064d\nsize 12\n" 0 >model.bin &&
	git init -q sub && (cd sub && echo "$k" >s && git add s && git commit -q -m s) &&
	git add a.tgz model.bin && git -c protocol.file.allow=always submodule add -q ./sub sub >/dev/null 2>&1 &&
	git commit -q -m x &&
	kh dir --format json . >../st.json 2>../st.err &&
	json_check ../st.json "d[\"findings\"] == [] and d[\"stats\"][\"skipped_archives\"] == 1 and d[\"stats\"][\"skipped_lfs\"] == 1 and d[\"stats\"][\"skipped_submodules\"] == 1" &&
	grep -q "sub: submodule: not scanned" ../st.err &&
	kh dir . >../st.txt 2>/dev/null &&
	grep -q "^keyhound: not scanned: 1 archive (not unpacked); 1 Git LFS pointer (content not here); 1 submodule (scan it on its own).$" ../st.txt
'

test_expect_success 'a tracked file inside an ignored directory is scanned; its untracked neighbours are not' '
	git init -q ig && cd ig && echo "vendor/" >.gitignore &&
	mkdir vendor && fake_key openai-proj >vendor/tracked.txt && git add -f vendor/tracked.txt .gitignore &&
	git commit -q -m t && fake_key openai-proj >vendor/untracked.txt &&
	test_expect_code 1 kh dir --format json >../ig.json &&
	json_check ../ig.json "[f[\"path\"] for f in d[\"findings\"]] == [\"vendor/tracked.txt\"]" &&
	test_expect_code 1 kh dir --format json vendor >../ig2.json &&
	json_check ../ig2.json "[f[\"path\"] for f in d[\"findings\"]] == [\"tracked.txt\"]"
'

test_expect_success 'stable order whatever the thread count; paths as given with several roots' '
	mkdir -p order/a order/b && for i in 1 2 3 4 5 6 7 8; do fake_key openai-proj >order/a/f$i; fake_key openai-legacy >order/b/g$i; done &&
	"$PYTHON" - <<-\PY &&
	import os, random
	random.seed(11)
	A = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	r = lambda n: "".join(random.choice(A) for _ in range(n))
	mark = "T3Blbk" + "FJ"
	shared = "sk-proj-" + r(58) + mark + r(58)
	for d in range(25):
	    os.makedirs("order/many/d%02d" % (24 - d), exist_ok=True)
	    for f in range(16):
	        with open("order/many/d%02d/f%d.txt" % (24 - d, f), "w") as out:
	            for j in range(f % 3 + 1):
	                out.write("line\n" * j + "a=%s b=%s\n" % ("sk-" + r(20) + mark + r(20), shared))
	PY
	test_expect_code 1 kh dir --threads 1 --format json order >t1.json &&
	test_expect_code 1 kh dir --threads 8 --format json order >t8.json &&
	test_expect_code 1 kh dir --format json order >tall.json &&
	json_get t1.json "[(f[\"path\"], f[\"line\"], f[\"column\"], f[\"rule\"], f[\"fingerprint\"]) for f in d[\"findings\"]]" >p1 &&
	json_get t8.json "[(f[\"path\"], f[\"line\"], f[\"column\"], f[\"rule\"], f[\"fingerprint\"]) for f in d[\"findings\"]]" >p8 &&
	json_get tall.json "[(f[\"path\"], f[\"line\"], f[\"column\"], f[\"rule\"], f[\"fingerprint\"]) for f in d[\"findings\"]]" >pall &&
	test_cmp p1 p8 && test_cmp p1 pall &&
	json_check t1.json "len(d[\"findings\"]) == 16 + 2 * 25 * 31" &&
	json_check t1.json "[(f[\"path\"], f[\"line\"], f[\"column\"]) for f in d[\"findings\"]] == sorted((f[\"path\"], f[\"line\"], f[\"column\"]) for f in d[\"findings\"])" &&
	json_check t1.json "d[\"stats\"][\"threads\"] == 1" && json_check t8.json "d[\"stats\"][\"threads\"] == 8" &&
	json_check tall.json "d[\"stats\"][\"threads\"] == $(getconf _NPROCESSORS_ONLN 2>/dev/null || getconf NPROCESSORS_ONLN)" &&
	test_expect_code 1 kh dir --format json order/a order/b >two.json &&
	json_check two.json "d[\"findings\"][0][\"path\"] == \"order/a/f1\" and d[\"findings\"][-1][\"path\"] == \"order/b/g8\""
'

test_done
