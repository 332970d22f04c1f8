#!/bin/sh
# t4001-json-contract.sh - the JSON report's field names and types, byte
# columns, fingerprints, --output and several --report targets in one run.
. "$(dirname "$0")/test-lib.sh"

k=$(fake_key openai-proj)
other=$(fake_key openai-proj)

test_expect_success 'setup' '
	mkdir tree && printf "x\n  key: \"%s\"\n" "$k" >tree/a.yaml && printf "%s\n" "$k" >tree/b.txt &&
	printf "%s\n" "$other" >tree/c.txt
'

test_expect_success 'field names and types' '
	test_expect_code 1 kh dir --format json tree >out.json &&
	json_check out.json "set(d) >= {\"version\", \"findings\", \"stats\"} and isinstance(d[\"version\"], str)" &&
	json_check out.json "all(set(f) >= {\"rule\",\"description\",\"severity\",\"path\",\"line\",\"column\",\"end_column\",\"secret\",\"fingerprint\",\"commit\",\"author\",\"email\",\"date\",\"message\"} for f in d[\"findings\"])" &&
	json_check out.json "all(isinstance(f[\"line\"], int) and isinstance(f[\"column\"], int) and isinstance(f[\"end_column\"], int) for f in d[\"findings\"])" &&
	json_check out.json "all(f[k] is None for f in d[\"findings\"] for k in (\"commit\",\"author\",\"email\",\"date\",\"message\"))" &&
	json_check out.json "isinstance(d[\"stats\"][\"files_scanned\"], int) and d[\"stats\"][\"files_scanned\"] == 3"
'

test_expect_success 'columns are 1-based bytes, end exclusive, pointing at the key' '
	test_expect_code 1 kh dir --format json tree >out.json &&
	json_check out.json "d[\"findings\"][0][\"path\"] == \"a.yaml\" and d[\"findings\"][0][\"line\"] == 2 and d[\"findings\"][0][\"column\"] == 9" &&
	json_check out.json "all(f[\"end_column\"] - f[\"column\"] == len(\"$k\") for f in d[\"findings\"])" &&
	json_check out.json "open(\"tree/a.yaml\", \"rb\").read().split(b\"\\n\")[1][8:8+len(\"$k\")] == b\"$k\""
'

test_expect_success 'multibyte UTF-8 before a key: JSON columns count bytes, SARIF characters' '
	mkdir mb && printf "h\303\251llo\342\206\222 \"%s\" \346\227\245\n" "$k" >mb/u.txt &&
	test_expect_code 1 kh dir --format json --report sarif:mb.sarif mb >mb.json &&
	json_check mb.json "(d[\"findings\"][0][\"line\"], d[\"findings\"][0][\"column\"], d[\"findings\"][0][\"end_column\"]) == (1, 12, 12 + len(\"$k\"))" &&
	json_check mb.sarif "d[\"runs\"][0][\"results\"][0][\"locations\"][0][\"physicalLocation\"][\"region\"] == {\"startLine\": 1, \"startColumn\": 9, \"endColumn\": 9 + len(\"$k\")}"
'

test_expect_success 'one finding per secret span: plain, in a URL, percent- and base64-encoded' '
	mkdir span && enc=$(printf "%s" "$k" | sed "s/-/%2D/g") && b64=$(printf "%s" "$k" | base64 | tr -d "\n") &&
	printf "%s\nhttps://x.test/?k=%s\nhttps://x.test/?k=%s\n\"key\": \"%s\"\n" "$k" "$k" "$enc" "$b64" >span/a.txt &&
	test_expect_code 1 kh dir --format json span >span.json &&
	json_check span.json "[(f[\"line\"], f[\"column\"], f[\"end_column\"], f[\"rule\"], f[\"decoded\"]) for f in d[\"findings\"]] == [(1, 1, 1 + len(\"$k\"), \"openai-project-key\", None), (2, 19, 19 + len(\"$k\"), \"openai-project-key\", None), (3, 19, 19 + len(\"$enc\"), \"openai-project-key\", \"percent\"), (4, 9, 9 + len(\"$b64\"), \"openai-project-key\", \"base64\")]" &&
	json_check span.json "len(set(f[\"fingerprint\"] for f in d[\"findings\"])) == 1"
'

test_expect_success 'secret redacted; same key same fingerprint; other key other fingerprint' '
	test_expect_code 1 kh dir --format json tree >out.json &&
	red=$(redacted_of "$k") &&
	json_check out.json "d[\"findings\"][0][\"secret\"] == \"$red\"" &&
	json_check out.json "d[\"findings\"][0][\"fingerprint\"] == d[\"findings\"][1][\"fingerprint\"] != d[\"findings\"][2][\"fingerprint\"]" &&
	! grep -q "$k" out.json &&
	test_expect_code 1 kh dir --format json --show-secrets tree >shown.json &&
	grep -q "$k" shown.json
'

test_expect_success '--output writes the file; --report writes several formats in one run' '
	test_expect_code 1 kh dir --format json --output o.json --report sarif:o.sarif --report text:o.txt tree >stdout &&
	test ! -s stdout &&
	json_check o.json "len(d[\"findings\"]) == 3" &&
	json_check o.sarif "d[\"version\"] == \"2.1.0\" and len(d[\"runs\"][0][\"results\"]) == 3" &&
	grep -q "2 distinct secrets in 3 places" o.txt
'

test_expect_success 'an unwritable --output is an error (exit 2)' '
	test_expect_code 2 kh dir --output no/such/dir/o.json tree 2>err &&
	grep -q "cannot write" err
'

test_done
