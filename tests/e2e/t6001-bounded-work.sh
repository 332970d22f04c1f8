#!/bin/sh
# t6001-bounded-work.sh - hostile inputs at CI size (issue #6): a 20 MB single
# line, a file of only "sk-", 20,000 tiny files, a 10,000-deep directory tree
# (deeper than PATH_MAX), a 128 MB sparse file, deeply nested JSON, a line
# holding 2,000 keys; each is scanned completely with exact positions. The
# full-size versions (100 MB line, 10^6 files, 1 GB sparse file) are in
# bench/adversarial.sh (`make adversarial`), which reports time and memory.
# A user rule that hits the PCRE2 match limit is reported (exit 2), not skipped,
# with the JIT and with the interpreter (KEYHOUND_NO_JIT=1); so is one that
# exhausts its thread's JIT stack.
. "$(dirname "$0")/test-lib.sh"

key=$(fake_key openai-proj)
key2=$(fake_key openai-legacy)
export key key2

gen() { # gen KIND OUT [N [M]]: one hostile input (see gen-adversarial.py)
	"$PYTHON" "$TEST_DIR/gen-adversarial.py" "$@"
}

test_expect_success 'a 20 MB single line: both keys, exact columns' '
	gen long-line long $((20 << 20)) &&
	test_expect_code 1 kh dir --format json long >out.json &&
	json_check out.json "len(d[\"findings\"]) == 2" &&
	json_check out.json "[(f[\"line\"], f[\"column\"]) for f in d[\"findings\"]] == [(1, 3), (1, 3 + len(\"$key2\") + 1 + (20 << 20) + 1)]" &&
	json_check out.json "d[\"stats\"][\"bytes_scanned\"] == 2 + len(\"$key2\") + (20 << 20) + 2 + len(\"$key\")"
'

test_expect_success 'a file of only sk-: nothing found, every byte scanned' '
	gen sk-only skonly $((5 << 20)) &&
	kh dir --format json skonly >out.json &&
	json_check out.json "d[\"findings\"] == [] and d[\"stats\"][\"bytes_scanned\"] == 3 * ((5 << 20) // 3)"
'

test_expect_success '20,000 tiny files: every one scanned, the key found' '
	gen tiny-files tiny 200 100 &&
	test_expect_code 1 kh dir --format json tiny >out.json &&
	json_check out.json "d[\"stats\"][\"files_scanned\"] == 20000 and d[\"stats\"][\"errors\"] == 0" &&
	json_check out.json "[f[\"path\"] for f in d[\"findings\"]] == [\"150/050.txt\"]"
'

test_expect_success 'a 10,000-deep directory tree (past PATH_MAX): the key at the bottom' '
	gen deep deep 10000 &&
	test_when_finished "rm -rf deep" &&
	test_expect_code 1 kh dir --format json deep >out.json 2>err &&
	! test -s err &&
	json_check out.json "[f[\"path\"] for f in d[\"findings\"]] == [\"d/\" * 10000 + \"key.txt\"]" &&
	json_check out.json "d[\"stats\"][\"problems\"] == []"
'

test_expect_success 'a 128 MB sparse file: scanned to the end' '
	gen sparse sparse $((128 << 20)) &&
	test_expect_code 1 kh dir --format json sparse >out.json &&
	json_check out.json "[(f[\"line\"], f[\"offset\"]) for f in d[\"findings\"]] == [(1, (128 << 20) - 200)]" &&
	json_check out.json "d[\"stats\"][\"bytes_scanned\"] == 128 << 20"
'

test_expect_success 'holes of a sparse file are stepped over: lines, columns, offsets exact' '
	key3=$(fake_key openai-svcacct) && key4=$(fake_key openai-admin) && export key3 key4 &&
	"$PYTHON" - <<-\PYEOF &&
	import os
	M = 1 << 20
	k = [os.environ[n].encode() for n in ("key", "key2", "key3", "key4")]
	with open("holes.bin", "wb") as f:
	    f.write(b"x=" + k[0] + b"\nprefix ")   # a line running into the first hole
	    f.seek(12 * M - len(k[1]))
	    f.write(k[1])                           # ends where a hole starts
	    f.seek(20 * M)
	    f.write(k[2] + b" ")                    # same line, after 8 MB of zeros
	    f.seek(28 * M)
	    f.write(b"\nB=" + k[3] + b"\n")
	    f.truncate(40 * M)                      # a hole up to the end
	data = open("holes.bin", "rb").read()
	with open("want.txt", "w") as w:
	    for key in k:
	        off = data.index(key)
	        line = data.count(b"\n", 0, off) + 1
	        col = off - (data.rfind(b"\n", 0, off) + 1) + 1
	        w.write("%d %d %d\n" % (off, line, col))
	PYEOF
	mkdir holes && mv holes.bin holes/ &&
	test_expect_code 1 kh dir --format json holes >out.json &&
	"$PYTHON" -c "import json; d = json.load(open(\"out.json\")); print(\"\n\".join(\"%d %d %d\" % (f[\"offset\"], f[\"line\"], f[\"column\"]) for f in sorted(d[\"findings\"], key=lambda f: f[\"offset\"])))" >got.txt &&
	test_cmp want.txt got.txt &&
	json_check out.json "d[\"stats\"][\"bytes_scanned\"] == 40 << 20" &&
	KEYHOUND_READ_HOLES=1 "$KEYHOUND" dir --no-color --format json holes >read.json
	test $? -eq 1 &&
	json_check read.json "[(f[\"offset\"], f[\"line\"], f[\"column\"], f[\"fingerprint\"]) for f in d[\"findings\"]] == [(f[\"offset\"], f[\"line\"], f[\"column\"], f[\"fingerprint\"]) for f in json.load(open(\"out.json\"))[\"findings\"]]"
'

test_expect_success 'deeply nested JSON (100,000 levels): the key inside' '
	gen nested-json json 100000 &&
	test_expect_code 1 kh dir --format json json >out.json &&
	json_check out.json "[(f[\"line\"], f[\"column\"]) for f in d[\"findings\"]] == [(1, 6 * 100000 + 2)]"
'

test_expect_success 'a 2 MiB base64 run: decoded up to 1 MiB, the cut counted in decode_partial' '
	"$PYTHON" -c "import base64,sys; t=(\"OPENAI_API_KEY=%s\\n\" % sys.argv[1]) + \"The quick brown fox jumps over 13 lazy dogs.\\n\" * 36000; sys.stdout.write(\"data = \\\"\" + base64.b64encode(t.encode()).decode() + \"\\\"\\n\")" "$key" >b64.txt &&
	test "$(wc -c <b64.txt)" -gt $((2 << 20)) &&
	test_expect_code 1 kh dir --format json b64.txt >out.json &&
	json_check out.json "[(f[\"decoded\"], f[\"secret\"]) for f in d[\"findings\"]] == [(\"base64\", \"$(redacted_of "$key")\")]" &&
	json_check out.json "d[\"stats\"][\"decode_partial\"] == 1" &&
	echo "k = \"$key2\"" >small.txt &&
	test_expect_code 1 kh dir --format json small.txt >out.json &&
	json_check out.json "d[\"stats\"][\"decode_partial\"] == 0"
'

test_expect_success '2,000 keys on one line: all found, character columns exact' '
	gen many-keys many 2000 &&
	test_expect_code 1 kh dir --format sarif many >out.sarif &&
	"$PYTHON" - <<-\EOF
	import json
	keys = [l.strip() for l in open("keys.txt")]
	res = json.load(open("out.sarif"))["runs"][0]["results"]
	cols = sorted(r["locations"][0]["physicalLocation"]["region"]["startColumn"] for r in res)
	want = []
	c = 3  # "é " is two characters
	for k in keys:
	    want.append(c)
	    c += len(k) + 1
	assert cols == want, (len(cols), cols[:3], want[:3])
	EOF
'

test_expect_success 'a rule that hits the PCRE2 match limit: reported, exit 2, the rest still scanned' '
	mkdir limit && "$PYTHON" -c "print(\"a\" * 300 + \"cb\")" >limit/aaa.txt &&
	echo "k=$key" >limit/key.txt &&
	cat >slow.yaml <<-\EOF &&
	rules:
	  - id: acme-slow-rule
	    pattern: (a+)+b
	    keywords: [aaaa]
	EOF
	test_expect_code 2 kh dir --no-config --config slow.yaml --format json limit >out.json 2>err &&
	json_check out.json "[f[\"path\"] for f in d[\"findings\"]] == [\"key.txt\"]" &&
	json_check out.json "d[\"stats\"][\"limit_hits\"] >= 1 and d[\"stats\"][\"errors\"] >= 1" &&
	grep "acme-slow-rule" err | grep -q "match limit" &&
	grep -q "aaa.txt" err
'

if [ -n "${KH_REAL_KEYHOUND:-}" ]; then # make check-valgrind: the JIT is off there
	test_skip 'a rule that exhausts its JIT stack: reported, exit 2' \
		"keyhound runs under valgrind, with PCRE2's interpreter (no JIT, no JIT stack)"
else
test_expect_success 'a rule that exhausts its JIT stack: reported, exit 2' '
	mkdir jitstack && "$PYTHON" -c "print(\"kq\" + \"a\" * 900000)" >jitstack/a.txt &&
	cat >deep.yaml <<-\EOF &&
	rules:
	  - id: acme-deep-rule
	    pattern: kq(a|b)*c
	    keywords: [kq]
	    max_length: 1000000
	EOF
	test_expect_code 2 kh dir --no-config --config deep.yaml --format json jitstack >out.json 2>err &&
	grep "acme-deep-rule" err | grep -q "JIT stack limit" &&
	json_check out.json "d[\"stats\"][\"limit_hits\"] == 1"
'
fi

test_expect_success 'without JIT (PCRE2 interpreter): the same findings, the same limit hit' '
	KEYHOUND_NO_JIT=1 "$KEYHOUND" dir --no-color --no-config --config slow.yaml --format json \
		limit >nojit.json 2>err
	test $? -eq 2 &&
	json_check nojit.json "[f[\"path\"] for f in d[\"findings\"]] == [\"key.txt\"]" &&
	json_check nojit.json "d[\"stats\"][\"limit_hits\"] >= 1" &&
	grep "acme-slow-rule" err | grep -q "limit"
'

test_done
