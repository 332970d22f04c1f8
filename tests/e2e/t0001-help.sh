#!/bin/sh
# t0001-help.sh - help, version and usage errors; every subcommand's --help
# lists exactly the options it accepts, and the manual page documents every
# subcommand and option.
. "$(dirname "$0")/test-lib.sh"

# help_opts ARGS...: "--name" or "--name ARG" for each option line of a help text
help_opts() {
	"$KEYHOUND" "$@" --help | sed -n 's/^  \(-[a-zA-Z], \)\{0,1\}\(--[a-z][a-z-]*\)\( [A-Z][A-Z:]*\)\{0,1\}\( .*\)\{0,1\}$/\2\3/p' | sort -u
}

test_expect_success 'keyhound --help lists commands and every common option' '
	"$KEYHOUND" --help >out &&
	for w in dir git staged stdin install-hook uninstall-hook rules version --format --output \
		--report --config --no-config --threads --max-file-size --color --no-color --quiet \
		--show-secrets --exit-code --fail-on --no-ignore --baseline; do
		grep -q -- "$w" out || { echo "missing $w"; exit 1; }
	done
'

test_expect_success 'every subcommand has --help, exit 0' '
	for c in dir git staged stdin rules baseline install-hook uninstall-hook version; do
		"$KEYHOUND" $c --help >out || exit 1
		grep -q "usage: keyhound $c" out || { echo "no usage line for $c"; exit 1; }
	done &&
	"$KEYHOUND" dir --help | grep -q -- --max-file-size &&
	"$KEYHOUND" help dir | grep -q "usage: keyhound dir"
'

test_expect_success 'each scanning command accepts exactly the options its --help lists' '
	git init -q repo && mkdir empty &&
	for c in dir git staged stdin rules; do help_opts $c; done | grep -v "^--help$" | sort -u >all &&
	test "$(wc -l <all)" -gt 20 &&
	for c in dir git staged stdin rules; do
		help_opts $c | sed "s/ .*//" | grep -v "^--help$" >listed.$c
		: >accepted.$c
		while read -r opt arg; do
			set -- "$opt"
			[ -n "$arg" ] && set -- "$opt" x
			case $c in
			dir) "$KEYHOUND" dir "$@" empty ;;
			git|staged) "$KEYHOUND" $c "$@" repo ;;
			stdin) "$KEYHOUND" stdin "$@" </dev/null ;;
			rules) "$KEYHOUND" rules "$@" ;;
			esac >/dev/null 2>err
			grep -q "unknown option\|unknown argument\|does not apply" err || echo "$opt" >>accepted.$c
		done <all
		sort -u accepted.$c -o accepted.$c
		test_cmp listed.$c accepted.$c || { echo "in $c"; exit 1; }
	done
'

test_expect_success 'an option of another command is refused with one clear line' '
	git init -q r2 &&
	test_expect_code 2 "$KEYHOUND" staged --no-ignore r2 2>err &&
	test "$(wc -l <err)" -eq 1 &&
	grep -q "^keyhound: error: --no-ignore does not apply to .keyhound staged." err
'

test_expect_success 'the manual page documents every subcommand and every option' '
	sed -e "s/\\\\-/-/g" -e "s/\\\\f[BIRP]//g" "$PROJECT_DIR/docs/keyhound.1" >man.txt &&
	for c in dir git staged stdin rules baseline install-hook uninstall-hook version; do
		grep -q "^\.B keyhound $c" man.txt || { echo "no synopsis for $c"; exit 1; }
		help_opts $c | sed "s/ .*//" | grep -v "^--help$" | while read -r opt; do
			grep -q -- "$opt\\b" man.txt || { echo "man page lacks $opt ($c)"; exit 1; }
		done || exit 1
	done
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
