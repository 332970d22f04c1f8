# verify-lib.sh - shared by the `--verify` end-to-end tests (t7001, t7002):
# mock providers (tests/e2e/mock-provider.py) on 127.0.0.1, every provider's
# base URL pointed at one, a dead local proxy for any other https request,
# and keys of each provider's shape made at run time (never issued ones).
# Sourced after test-lib.sh, in the trash directory.

# start_mock NAME ARGS...: a mock-provider.py writing NAME.port, NAME.log,
# NAME.times and NAME.err in the trash directory; its pid is appended to
# mock.pids (stop_mocks ends them all, also on exit)
start_mock() {
	name=$1
	shift
	"$PYTHON" "$TEST_DIR/mock-provider.py" --port-file "$TRASH/$name.port" \
		--log "$TRASH/$name.log" --times "$TRASH/$name.times" \
		--keys "$TRASH/keys.json" "$@" 2>"$TRASH/$name.err" &
	echo $! >>"$TRASH/mock.pids"
	n=0
	while [ ! -s "$TRASH/$name.port" ] && [ $n -lt 100 ]; do
		sleep 0.1
		n=$((n + 1))
	done
}

stop_mocks() {
	if [ -f "$TRASH/mock.pids" ]; then
		while read -r pid; do kill "$pid" 2>/dev/null; done <"$TRASH/mock.pids"
	fi
}

: >keys.json
: >mock.pids
trap 'stop_mocks' EXIT
trap 'stop_mocks; exit 1' INT TERM

# use_mock NAME: every provider's base URL at mock NAME ($MOCK); https
# anywhere else goes to a dead proxy, so no test reaches the internet
use_mock() {
	MOCK=http://127.0.0.1:$(cat "$TRASH/$1.port" 2>/dev/null)
	for p in openai anthropic github gitlab slack stripe huggingface; do
		P=$(printf '%s' "$p" | tr '[:lower:]' '[:upper:]')
		eval "KEYHOUND_${P}_BASE_URL=\$MOCK/$p; export KEYHOUND_${P}_BASE_URL"
	done
	HTTPS_PROXY=http://127.0.0.1:9 https_proxy=http://127.0.0.1:9 ALL_PROXY=http://127.0.0.1:9
	export HTTPS_PROXY https_proxy ALL_PROXY
	unset NO_PROXY no_proxy
}

# gen_key KIND: a random, never-issued key of a provider's shape
gen_key() {
	"$PYTHON" - "$1" <<-\PY
	import random, string, sys, zlib
	r = random.SystemRandom()
	b62 = string.digits + string.ascii_uppercase + string.ascii_lowercase
	def rs(n, a=b62):
	    return "".join(r.choice(a) for _ in range(n))
	k = sys.argv[1]
	if k == "github":
	    body = rs(30)
	    c, tail = zlib.crc32(body.encode()) & 0xffffffff, ""
	    for _ in range(6):
	        tail, c = b62[c % 62] + tail, c // 62
	    print("gh" + "p_" + body + tail)
	elif k == "anthropic-admin":
	    url = string.ascii_letters + string.digits + "_-"
	    print("sk-ant-" + "admin01-" + rs(80, url) + "-" + rs(12, url) + "AA")
	elif k == "gitlab":
	    print("gl" + "pat-" + rs(20))
	elif k == "slack":
	    print("xo" + "xb-" + rs(12, string.digits) + "-" + rs(13, string.digits) + "-" + rs(24))
	elif k == "slack-webhook":
	    print("https://hooks." + "slack.com/services/T" + rs(10, string.ascii_uppercase + string.digits)
	          + "/B" + rs(10, string.ascii_uppercase + string.digits) + "/" + rs(24))
	elif k == "stripe":
	    print("sk" + "_live_" + rs(24))
	elif k == "huggingface":
	    print("hf" + "_" + rs(34, string.ascii_letters))
	PY
}

# key_for SCENARIO KIND: a new key the mock answers with SCENARIO
key_for() {
	case "$2" in
	openai-*|anthropic) k=$(fake_key "$2") ;;
	*) k=$(gen_key "$2") ;;
	esac
	"$PYTHON" -c '
import json, sys
d = json.load(open("keys.json")) if open("keys.json").read().strip() else {}
d[sys.argv[1]] = sys.argv[2]
json.dump(d, open("keys.json", "w"))' "$k" "$1" && printf '%s\n' "$k"
}

# requests: lines of the mock log so far
requests() { wc -l <"$TRASH/mock.log" | tr -d ' '; }

# no_leak FILE...: no key from keys.json, nor 8 characters of its random part
# (what follows the last - or _ of its first 16 characters, less the last 4)
no_leak() {
	"$PYTHON" - "$@" <<-\PY
	import json, sys
	keys = json.load(open("keys.json"))
	bad = 0
	for path in sys.argv[1:]:
	    data = open(path, "rb").read().decode("utf-8", "replace")
	    for k in keys:
	        pre = max([i + 1 for i, c in enumerate(k[:16]) if c in "-_"] or [4])
	        hidden = k[min(pre, len(k) // 3):len(k) - 4]
	        if any(hidden[i:i + 8] in data for i in range(len(hidden) - 7)):
	            print("key bytes in", path); bad = 1
	sys.exit(bad)
	PY
}
