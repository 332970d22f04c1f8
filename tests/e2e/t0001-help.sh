#!/bin/sh
# t0001-help.sh - help, version and usage errors.
. "$(dirname "$0")/test-lib.sh"

test_expect_success 'keyhound --help lists commands and every common option' '
	"$KEYHOUND" --help >out &&
	for w in dir stdin rules version --format --output --report --config --no-config \
		--threads --max-file-size --color --no-color --quiet --show-secrets --exit-code \
		--fail-on --no-ignore --baseline; do
		grep -q -- "$w" out || { echo "missing $w"; exit 1; }
	done
'

test_expect_success 'every subcommand has --help, exit 0' '
	for c in dir stdin rules; do
		"$KEYHOUND" $c --help >out || exit 1
		grep -q "usage: keyhound $c" out || exit 1
	done &&
	"$KEYHOUND" dir --help | grep -q -- --max-file-size &&
	"$KEYHOUND" help dir | grep -q "usage: keyhound dir"
'

test_expect_success 'version' '
	"$KEYHOUND" version >out &&
	grep -q "^keyhound [0-9]" out &&
	"$KEYHOUND" --version | grep -q "^keyhound"
'

test_expect_success 'unknown command and option: exit 2 with one error line' '
	test_expect_code 2 "$KEYHOUND" frobnicate 2>err &&
	grep -q "^keyhound: error: unknown command" err &&
	test_expect_code 2 "$KEYHOUND" dir --frobnicate 2>err &&
	grep -q "^keyhound: error: unknown option" err &&
	test_expect_code 2 "$KEYHOUND" dir --format xml . 2>err &&
	grep -q "xml" err
'

test_done
