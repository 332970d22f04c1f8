#!/bin/sh
# t0003-color.sh - colour only on a terminal by default; --color=always|never
# and --no-color; NO_COLOR (when not empty) turns the automatic colour off.
. "$(dirname "$0")/test-lib.sh"

esc=$(printf '\033')
k=$(fake_key openai-proj)

# on_tty CMD...: runs CMD with stdout on a pseudo-terminal (util-linux script)
on_tty() {
	script -qec "$*" /dev/null </dev/null
}

test_expect_success 'setup' '
	mkdir t && echo "key = \"$k\"" >t/a.env
'

test_expect_success 'a pipe gets no colour; --color=always forces it; never and --no-color remove it' '
	test_expect_code 1 "$KEYHOUND" dir t >plain &&
	! grep -q "$esc" plain &&
	test_expect_code 1 "$KEYHOUND" dir --color=always t >forced &&
	grep -q "$esc\[" forced &&
	NO_COLOR=1 "$KEYHOUND" dir --color always t >forced2; test $? -eq 1 &&
	grep -q "$esc\[" forced2 &&
	"$KEYHOUND" dir --color=never t | grep -q "openai-project-key" &&
	test_expect_code 1 "$KEYHOUND" dir --color=never t >never && ! grep -q "$esc" never &&
	test_expect_code 2 "$KEYHOUND" dir --color=sometimes t 2>err && grep -q "auto, always or never" err
'

if script -qec true /dev/null </dev/null >/dev/null 2>&1; then
	test_expect_success 'a terminal gets colour, unless NO_COLOR, --no-color or --color=never' '
		test_expect_code 1 on_tty "$KEYHOUND" dir t >tty.out &&
		grep -q "$esc\[31m" tty.out &&
		NO_COLOR=1 test_expect_code 1 on_tty "$KEYHOUND" dir t >nc.out &&
		grep -q "openai-project-key" nc.out && ! grep -q "$esc" nc.out &&
		NO_COLOR= test_expect_code 1 on_tty "$KEYHOUND" dir t >empty.out &&
		grep -q "$esc\[31m" empty.out &&
		test_expect_code 1 on_tty "$KEYHOUND" dir --no-color t >nocolor.out &&
		! grep -q "$esc" nocolor.out &&
		test_expect_code 1 on_tty "$KEYHOUND" dir --color=never t >never.out &&
		! grep -q "$esc" never.out
	'
else
	test_skip 'a terminal gets colour' "no util-linux script(1) to make a terminal"
fi

test_expect_success 'reports written to files never get colour' '
	test_expect_code 1 "$KEYHOUND" dir --color=always --report text:r.txt t >/dev/null &&
	grep -q "openai-project-key" r.txt && ! grep -q "$esc" r.txt
'

test_done
