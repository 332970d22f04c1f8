#!/bin/sh
# t1002-stdin.sh - keyhound stdin.
. "$(dirname "$0")/test-lib.sh"

key=$(fake_key openai-svcacct 58)

test_expect_success 'stdin with --name reports that path, line and column' '
	printf "a\nb\nx = \"%s\"\n" "$key" | test_expect_code 1 kh stdin --name foo.env --format json >out.json &&
	json_check out.json "d[\"findings\"][0][\"path\"] == \"foo.env\" and d[\"findings\"][0][\"line\"] == 3 and d[\"findings\"][0][\"column\"] == 6"
'

test_expect_success 'empty stdin is clean' '
	kh stdin </dev/null >out && grep -q "no secrets found" out
'

test_done
