#!/bin/sh
# t4004-terminal-escapes.sh - file names with newlines, ANSI escapes and invalid
# UTF-8 are escaped in text output and exact (recoverable) in JSON.
. "$(dirname "$0")/test-lib.sh"

k=$(fake_key openai-proj)
name=$(printf "evil\033[31mred\nline\377.txt")

test_expect_success 'setup' '
	mkdir t && echo "$k" >"t/$name"
'

test_expect_success 'text output holds no raw escape or control bytes' '
	test_expect_code 1 kh dir t >out.txt &&
	! grep -q "$(printf "\033")" out.txt &&
	grep -q "evil\\\\x1b\[31mred\\\\nline\\\\xff.txt" out.txt
'

test_expect_success 'JSON keeps the exact name (path_bytes when not UTF-8)' '
	test_expect_code 1 kh dir --format json t >out.json &&
	"$PYTHON" -c "
import json, sys, urllib.parse
f = json.load(open(\"out.json\"))[\"findings\"][0]
exact = urllib.parse.unquote_to_bytes(f[\"path_bytes\"])
sys.exit(0 if exact == b\"evil\\x1b[31mred\\nline\\xff.txt\" else 1)"
'

test_done
