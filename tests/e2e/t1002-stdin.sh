#!/bin/sh
# t1002-stdin.sh - keyhound stdin.
. "$(dirname "$0")/test-lib.sh"

key=$(fake_key openai-svcacct 58)

test_expect_success 'stdin with --name reports that path, line and column' '
	printf "a\nb\nx = \"%s\"\n" "$key" | test_expect_code 1 kh stdin --name foo.env --format json >out.json &&
	json_check out.json "d[\"findings\"][0][\"path\"] == \"foo.env\" and d[\"findings\"][0][\"line\"] == 3 and d[\"findings\"][0][\"column\"] == 6"
'

test_expect_success 'stdin loads .keyhound.yaml from the top of the git work tree; --name is matched by allowlists' '
	git init -q repo && mkdir -p repo/src repo/fixtures &&
	printf "allowlist:\n  paths: [fixtures/**]\n" >repo/.keyhound.yaml &&
	(cd repo/src && printf "k=%s\n" "$key" | kh stdin --name fixtures/a.env --format json >../../in.json) &&
	json_check in.json "[(f[\"path\"], f[\"suppressed\"]) for f in d[\"findings\"]] == [(\"fixtures/a.env\", \"config\")]" &&
	(cd repo/src && printf "k=%s\n" "$key" | test_expect_code 1 kh stdin --no-config --name fixtures/a.env >/dev/null)
'

test_expect_success 'options that do not apply to stdin are refused' '
	test_expect_code 2 kh stdin --no-ignore </dev/null 2>err && grep -q "does not apply" err &&
	test_expect_code 2 "$KEYHOUND" stdin --name </dev/null 2>err && grep -q "needs a value" err
'

test_expect_success 'empty stdin is clean' '
	kh stdin </dev/null >out && grep -q "no secrets found" out
'

test_done
