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

if [ -f "$SCHEMA" ] && "$PYTHON" -c "import jsonschema" 2>/dev/null; then
	test_expect_success 'valid against the SARIF 2.1.0 schema' '
		"$PYTHON" -c "
import json, sys, jsonschema
jsonschema.validate(json.load(open(\"out.sarif\")), json.load(open(sys.argv[1])))" "$SCHEMA"
	'
else
	test_skip 'valid against the SARIF 2.1.0 schema' "schema or python3-jsonschema not available"
fi

test_expect_success 'rule, location in characters, relative uri, fingerprints' '
	json_check out.sarif "d[\"runs\"][0][\"tool\"][\"driver\"][\"rules\"][0][\"id\"] == \"openai-project-key\"" &&
	json_check out.sarif "(lambda r: r[\"ruleId\"] == \"openai-project-key\" and r[\"locations\"][0][\"physicalLocation\"][\"region\"][\"startLine\"] == 1 and r[\"locations\"][0][\"physicalLocation\"][\"region\"][\"startColumn\"] == 6)(d[\"runs\"][0][\"results\"][0])" &&
	json_check out.sarif "d[\"runs\"][0][\"results\"][0][\"locations\"][0][\"physicalLocation\"][\"artifactLocation\"] == {\"uri\": \"sub/caf%C3%A9%20x.txt\", \"uriBaseId\": \"%SRCROOT%\"}" &&
	json_check out.sarif "len(d[\"runs\"][0][\"results\"][0][\"partialFingerprints\"][\"keyhound/v1\"]) == 32" &&
	! grep -q "$k" out.sarif
'

test_done
