#!/bin/sh
# t4003-no-secret-bytes.sh - with default options no 8-character window of the
# hidden part of any key appears anywhere: stdout, stderr, every report format,
# error messages; keys also placed in file names. --show-secrets shows them.
. "$(dirname "$0")/test-lib.sh"

test_expect_success 'setup: a corpus of fake keys, some in file names, plus errors' '
	mkdir corpus && : >keys &&
	for kind in openai-legacy openai-proj-short openai-proj openai-svcacct openai-admin openai-none; do
		k=$(fake_key $kind 58) && echo "$k" >>keys &&
		printf "a\nkey=%s\n" "$k" >"corpus/$kind.env"
	done &&
	k=$(fake_key openai-proj 20) && echo "$k" >>keys && echo "$k" >"corpus/$k" &&
	k=$(fake_key openai-legacy) && echo "$k" >>keys && mkdir "corpus/$k" && echo "$k" >"corpus/$k/f"
'

check_no_leak() {
	"$PYTHON" - keys "$@" <<-\PY
	import sys
	keys = [k for k in open(sys.argv[1]).read().split("\n") if k]
	def hidden(s): # all but the rule prefix (sk-proj-, ...) and the last 4
	    p = 0
	    for pre in ("sk-proj-", "sk-svcacct-", "sk-admin-", "sk-None-", "sk-"):
	        if s.startswith(pre):
	            p = len(pre)
	            break
	    return s[p:len(s) - 4]
	bad = 0
	for path in sys.argv[2:]:
	    data = open(path, "rb").read().decode("utf-8", "replace")
	    for k in keys:
	        h = hidden(k)
	        for i in range(len(h) - 7):
	            if h[i:i + 8] in data:
	                print("leak of a hidden part in", path); bad = 1; break
	sys.exit(bad)
	PY
}

test_expect_success 'no hidden bytes in any output format' '
	for f in text json sarif; do
		kh dir --format $f --report json:r.$f.json --report sarif:r.$f.sarif corpus no-such >out.$f 2>err.$f
		test $? -eq 2 || exit 1
	done &&
	check_no_leak out.text err.text out.json err.json out.sarif err.sarif r.text.json r.text.sarif
'

test_expect_success '--show-secrets shows them' '
	kh dir --format json --show-secrets corpus >shown.json
	! check_no_leak shown.json
'

test_done
