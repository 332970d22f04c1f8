#!/bin/sh
# t4002-sarif-schema.sh - SARIF 2.1.0 valid against the official schema, with
# character columns, relative URIs and partial fingerprints.
. "$(dirname "$0")/test-lib.sh"

SCHEMA=$SHARED_DIR/schemas/sarif-schema-2.1.0.json
k=$(fake_key openai-proj)

test_expect_success 'setup' '
	mkdir -p tree/sub && name=$(printf "tree/sub/caf\303\251 x.txt") &&
	printf "\303\251\303\251 k=%s\n" "$k" >"$name" &&
	test_expect_code 1 kh dir --format sarif tree >out.sarif
'

test_expect_success 'setup: a history scan of a range, with a suppressed finding and a problem' '
	git init -q repo && cd repo && kh_commit README hi init && base=$(git rev-parse HEAD) &&
	k2=$(fake_key openai-legacy) && k3=$(fake_key openai-proj) &&
	kh_commit src/app.py "key = \"$k2\"" "add client" &&
	kh_commit src/ok.py "key = \"$k3\"  # keyhound:allow" "allowed one" &&
	test_expect_code 1 kh git --format sarif --range "$base..HEAD" >../hist.sarif &&
	cd .. && test_expect_code 2 kh dir --format sarif tree no-such-path >err.sarif 2>/dev/null
'

validate() { # validate FILE: against the SARIF 2.1.0 schema
	"$PYTHON" -c "
import json, sys, jsonschema
jsonschema.validate(json.load(open(sys.argv[2])), json.load(open(sys.argv[1])))" "$SCHEMA" "$1"
}

if [ -f "$SCHEMA" ] && "$PYTHON" -c "import jsonschema" 2>/dev/null; then
	test_expect_success 'valid against the SARIF 2.1.0 schema (dir, history range, errors)' '
		validate out.sarif && validate hist.sarif && validate err.sarif
	'
else
	test_skip 'valid against the SARIF 2.1.0 schema' "schema ($SCHEMA) or python3-jsonschema not available"
fi

test_expect_success 'history results carry their commit in properties; suppressed ones are marked' '
	commit=$(git -C repo log --format=%H --grep="add client") &&
	json_check hist.sarif "[(r[\"ruleId\"], r[\"properties\"][\"commit\"], r[\"properties\"][\"message\"], r[\"locations\"][0][\"physicalLocation\"][\"artifactLocation\"][\"uri\"], \"suppressions\" in r) for r in d[\"runs\"][0][\"results\"]] == [(\"openai-api-key\", \"$commit\", \"add client\", \"src/app.py\", False), (\"openai-project-key\", \"$(git -C repo rev-parse HEAD)\", \"allowed one\", \"src/ok.py\", True)]" &&
	json_check hist.sarif "d[\"runs\"][0][\"results\"][1][\"suppressions\"] == [{\"kind\": \"inSource\"}]" &&
	json_check err.sarif "d[\"runs\"][0][\"invocations\"][0][\"executionSuccessful\"] is False and any(\"no-such-path\" in n[\"message\"][\"text\"] for n in d[\"runs\"][0][\"invocations\"][0][\"toolExecutionNotifications\"])"
'

test_expect_success 'GitHub limits: at most 25,000 results and 10 MB, the most severe kept, and said' '
	mkdir many && k4=$(fake_key openai-legacy) &&
	"$PYTHON" -c "
import sys
with open(\"many/keys.txt\", \"w\") as f:
    for i in range(26000):
        f.write(\"key%d = %s\\n\" % (i, sys.argv[1]))
" "$k4" && printf "OPENAI_ORG_ID=%s\n" "$(fake_key openai-org)" >many/aaa.env &&
	test_expect_code 1 kh dir --format json --report sarif:many.sarif many >many.json &&
	test "$(wc -c <many.sarif)" -le 10000000 &&
	json_check many.json "len(d[\"findings\"]) == 26001" &&
	json_check many.sarif "0 < len(d[\"runs\"][0][\"results\"]) <= 25000" &&
	json_check many.sarif "all(r[\"ruleId\"] == \"openai-api-key\" for r in d[\"runs\"][0][\"results\"])" &&
	json_check many.sarif "any(\"results left out\" in n[\"message\"][\"text\"] for n in d[\"runs\"][0][\"invocations\"][0][\"toolExecutionNotifications\"])" &&
	json_check many.sarif "[r[\"locations\"][0][\"physicalLocation\"][\"region\"][\"startLine\"] for r in d[\"runs\"][0][\"results\"]][:3] == [1, 2, 3]"
'

test_expect_success 'rule, location in characters, relative uri, fingerprints' '
	json_check out.sarif "d[\"runs\"][0][\"tool\"][\"driver\"][\"rules\"][0][\"id\"] == \"openai-project-key\"" &&
	json_check out.sarif "(lambda r: r[\"ruleId\"] == \"openai-project-key\" and r[\"locations\"][0][\"physicalLocation\"][\"region\"][\"startLine\"] == 1 and r[\"locations\"][0][\"physicalLocation\"][\"region\"][\"startColumn\"] == 6)(d[\"runs\"][0][\"results\"][0])" &&
	json_check out.sarif "d[\"runs\"][0][\"results\"][0][\"locations\"][0][\"physicalLocation\"][\"artifactLocation\"] == {\"uri\": \"sub/caf%C3%A9%20x.txt\", \"uriBaseId\": \"%SRCROOT%\"}" &&
	json_check out.sarif "len(d[\"runs\"][0][\"results\"][0][\"partialFingerprints\"][\"keyhound/v1\"]) == 32" &&
	! grep -q "$k" out.sarif
'

test_expect_success 'the invocation carries the scan counters of the JSON report' '
	json_check out.sarif "(lambda s: s[\"findings\"] == 1 and s[\"files_scanned\"] >= 1 and s[\"errors\"] == 0 and \"skipped_size\" in s and \"decode_partial\" in s and \"problems\" not in s)(d[\"runs\"][0][\"invocations\"][0][\"properties\"][\"stats\"])"
'

test_done
