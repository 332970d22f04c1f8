#!/bin/sh
# t0002-exit-codes.sh - 0 clean, 1 findings (or --exit-code), 2 errors (after
# reporting what could be scanned), --fail-on, context-only findings.
. "$(dirname "$0")/test-lib.sh"

key=$(fake_key openai-proj)
org=$(fake_key openai-org)

test_expect_success 'setup' '
	mkdir clean dirty && echo "hello" >clean/a.txt &&
	echo "OPENAI_API_KEY=$key" >dirty/.env
'

test_expect_success 'clean tree: exit 0' '
	kh dir clean >out && grep -q "no secrets found" out
'

test_expect_success 'findings: exit 1; --exit-code 7: exit 7' '
	test_expect_code 1 kh dir dirty >out &&
	test_expect_code 7 kh dir --exit-code 7 dirty >out
'

test_expect_success 'nonexistent path: exit 2, other paths still reported' '
	test_expect_code 2 kh dir --format json dirty no-such-path >out.json 2>err &&
	grep -q "no-such-path" err &&
	json_check out.json "len(d[\"findings\"]) == 1 and d[\"stats\"][\"errors\"] == 1"
'

test_expect_success 'bad config: exit 2, message names file:line:column' '
	printf "rules:\n  - id: x-y\n    patern: a\n" >bad.yaml &&
	test_expect_code 2 kh dir --config bad.yaml clean 2>err &&
	grep -q "bad.yaml:3:5" err
'

test_expect_success '--fail-on: critical fails at critical, not above' '
	test_expect_code 1 kh dir --fail-on critical dirty >/dev/null &&
	printf "rules:\n  - id: acme-token\n    severity: low\n    pattern: (acme_[a-z0-9]{12})\n    secret_group: 1\n    keywords: [acme_]\n" >low.yaml &&
	mkdir lowonly && echo "see acme_q7w8e9r0t1y2 here" >lowonly/f &&
	kh dir --config low.yaml lowonly >out &&
	test_expect_code 1 kh dir --config low.yaml --fail-on low lowonly >out
'

test_expect_success 'an organization id alone does not fail a scan, whatever --fail-on' '
	mkdir orgonly && echo "OPENAI_ORG_ID=$org" >orgonly/.env &&
	kh dir --format json orgonly >out.json &&
	json_check out.json "d[\"findings\"][0][\"rule\"] == \"openai-org-id\" and d[\"findings\"][0][\"context_only\"] and d[\"findings\"][0][\"severity\"] in (\"info\", \"low\")" &&
	kh dir --fail-on info orgonly >out.txt &&
	grep -q "1 context finding" out.txt &&
	echo "OPENAI_API_KEY=$key" >>orgonly/.env &&
	test_expect_code 1 kh dir --fail-on info orgonly >/dev/null
'

test_expect_success '--exit-code 0 reports findings but exits 0; errors still exit 2' '
	kh dir --exit-code 0 dirty >out && grep -q "1 distinct secret in 1 place" out &&
	test_expect_code 2 kh dir --exit-code 0 dirty no-such-path >/dev/null 2>&1 &&
	test_expect_code 2 kh dir --exit-code 300 dirty 2>err && grep -q "exit-code" err
'

test_done
