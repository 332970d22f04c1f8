#!/bin/sh
# t7002-verify-more.sh - more of `--verify` against the mock providers on
# 127.0.0.1 (issue #7), what t7001 leaves out: at most 4 requests in flight
# per provider; TLS certificate verification (a self-signed mock gets no
# request); 3 tries for 5xx and 429, with backoff and Retry-After honoured up
# to 5 s; the OpenAI admin key endpoint (403 live); 500 / timeout / redirect
# for every other provider, the redirect target never asked; GitHub's 403
# rate limit and lockout (unknown) against other 403s (live); Slack's
# "ok":false answers; no key in any output or in the mock's logs.
# No test reaches the internet: every provider's base URL points at a mock,
# and any other https request goes to a dead local proxy.
# shellcheck disable=SC2016 # test bodies are single-quoted: test_expect_* eval them
# shellcheck source=/dev/null # test-lib.sh, next to this file
. "$(dirname "$0")/test-lib.sh"

# shellcheck source=tests/e2e/verify-lib.sh
. "$TEST_DIR/verify-lib.sh"
# slow: beyond --verify-timeout 1; lag: well within --verify-timeout 8
start_mock mock --slow 3 --lag 1
use_mock mock

# since N: the mock log after its first N lines (one run's requests)
since() { tail -n +$(($1 + 1)) "$TRASH/mock.log"; }

# marks JSON FILE: prints "file verified status note" per finding, sorted
# (the note's spaces as _), to compare with test_cmp
marks() {
	"$PYTHON" - "$1" <<-\PY
	import json, sys
	d = json.load(open(sys.argv[1]))
	for f in sorted(d["findings"], key=lambda f: f["path"]):
	    print(f["path"].split("/")[-1], f["verified"], f["verify_status"],
	          (f["verify_note"] or "-").replace(" ", "_"))
	PY
}

test_expect_success 'setup: the mock listens' '
	test -s "$TRASH/mock.port" && test "$(requests)" -eq 0
'

# issue #7: at most 4 requests at once per provider (VERIFY_PER_PROVIDER);
# other providers are not held up by it
test_expect_success 'at most 4 requests in flight per provider (10 slow OpenAI keys)' '
	mkdir conc &&
	for i in 0 1 2 3 4 5 6 7 8 9; do
		case $i in 0|1) kind=openai-admin ;; 2|3) kind=openai-svcacct ;; *) kind=openai-proj ;; esac
		printf "KEY=%s\n" "$(key_for lag $kind)" >conc/openai$i.env || exit 1
	done &&
	for i in 0 1 2 3 4 5; do
		printf "TOKEN=%s\n" "$(key_for lag github)" >conc/github$i.env || exit 1
	done &&
	before=$(requests) &&
	test_expect_code 1 kh dir conc --verify --verify-timeout 8 --format json >conc.json 2>conc.err &&
	json_check conc.json "len(d[\"findings\"]) == 16" &&
	json_check conc.json "all((f[\"verified\"], f[\"verify_status\"]) == (\"live\", 200) for f in d[\"findings\"])" &&
	since "$before" >conc.log &&
	"$PYTHON" - conc.log "$TRASH/mock.times" <<-\PY
	import collections, json, sys
	log = [json.loads(l) for l in open(sys.argv[1])]
	seqs = {e["seq"] for e in log}
	times = [json.loads(l) for l in open(sys.argv[2])]
	times = [t for t in times if t["seq"] in seqs]
	assert len(log) == 16 and len(times) == 16, (len(log), len(times))
	assert all(e["form_ok"] and e["scenario"] == "lag" for e in log), log
	n = collections.Counter(e["base"] for e in log)
	assert n == {"openai": 10, "github": 6}, n
	def most(ts):  # the most intervals open at any one time
	    ev = sorted([(t["start"], 1) for t in ts] + [(t["end"], -1) for t in ts],
	                key=lambda x: (x[0], x[1]))
	    cur = top = 0
	    for _, d in ev:
	        cur += d
	        top = max(top, cur)
	    return top
	oa = most([t for t in times if t["base"] == "openai"])
	gh = most([t for t in times if t["base"] == "github"])
	both = most(times)
	flight = max(e["in_flight"] for e in log if e["base"] == "openai")
	print("in flight at most: openai", oa, "(mock count", flight, ") github", gh, "all", both)
	assert oa <= 4 and flight <= 4, (oa, flight)
	assert gh <= 4, gh
	# the limit is per provider, and the mock can see more than 4 at once,
	# so the checks above would catch a fifth request
	assert oa >= 2 and both > 4, (oa, both)
	PY
'

# issue #7: 3 tries in all for a 5xx and for a 429 that is not out of credit,
# with backoff (none given: 0.5 s, then 1 s; Retry-After: 1 honoured)
test_expect_success 'retries: 500 and 429 every time: 3 tries, then unknown with the last status' '
	mkdir retry &&
	printf "KEY=%s\n" "$(key_for error openai-proj)" >retry/error.env &&
	printf "KEY=%s\n" "$(key_for busy openai-proj)" >retry/busy.env &&
	printf "TOKEN=%s\n" "$(key_for busy github)" >retry/ghbusy.env &&
	before=$(requests) &&
	test_expect_code 1 kh dir retry --verify --format json >retry.json 2>retry.err &&
	marks retry.json >got &&
	cat >expect <<-\EOF &&
	busy.env unknown 429 rate_limited
	error.env unknown 500 server_error
	ghbusy.env unknown 429 rate_limited
	EOF
	test_cmp expect got &&
	grep -c "^keyhound: warning: --verify: .*: rate limited (HTTP 429); status unknown$" retry.err >count &&
	echo 2 >expect && test_cmp expect count &&
	grep "^keyhound: warning: --verify: openai-project-key .*: server error (HTTP 500); status unknown$" retry.err &&
	since "$before" >retry.log &&
	"$PYTHON" - retry.log <<-\PY
	import json, sys
	log = [json.loads(l) for l in open(sys.argv[1])]
	assert all(e["form_ok"] for e in log), log
	for base, sc, lo, hi in (("openai", "error", 0.4, None), ("openai", "busy", 0.9, 3.0),
	                         ("github", "busy", 0.9, 3.0)):
	    s = sorted(e["start"] for e in log if e["base"] == base and e["scenario"] == sc)
	    assert len(s) == 3, (base, sc, len(s))
	    gaps = [b - a for a, b in zip(s, s[1:])]
	    print(base, sc, "gaps", ["%.2f" % g for g in gaps])
	    assert all(g >= lo for g in gaps), (base, sc, gaps)
	    if hi:
	        assert all(g <= hi for g in gaps), (base, sc, gaps)
	    else:  # backoff: the second wait is longer
	        assert gaps[1] > gaps[0] + 0.2, (base, sc, gaps)
	assert len(log) == 9, len(log)
	PY
'

# issue #7: Retry-After: 30 waits 5 s, not 30
test_expect_success 'Retry-After above 5 s is capped: 429 (Retry-After: 30) then 200 is live, fast' '
	mkdir cap &&
	printf "KEY=%s\n" "$(key_for retry30 openai-proj)" >cap/retry30.env &&
	before=$(requests) &&
	t0=$(date +%s) &&
	test_expect_code 1 kh dir cap --verify --format json >cap.json 2>cap.err &&
	t1=$(date +%s) &&
	echo "took $((t1 - t0)) s" &&
	test $((t1 - t0)) -lt 20 &&
	json_check cap.json "[(f[\"verified\"], f[\"verify_status\"], f[\"verify_note\"], f[\"verify_identity\"]) for f in d[\"findings\"]] == [(\"live\", 200, None, \"openai-organization=org-mockorg, openai-project=proj_mockproject\")]" &&
	! grep "warning: --verify" cap.err &&
	since "$before" >cap.log &&
	"$PYTHON" - cap.log <<-\PY
	import json, sys
	log = [json.loads(l) for l in open(sys.argv[1])]
	assert [e["scenario"] for e in log] == ["retry30", "retry30"], log
	gap = log[1]["start"] - log[0]["start"]
	print("waited %.2f s" % gap)
	assert 4.5 <= gap <= 10, gap  # Retry-After honoured, up to 5 s
	PY
'

# issue #7: admin keys only work on the organization endpoints
test_expect_success 'OpenAI admin key: /v1/organization/admin_api_keys, 403 is live' '
	mkdir admin &&
	printf "OPENAI_ADMIN_KEY=%s\n" "$(key_for restricted openai-admin)" >admin/admin.env &&
	before=$(requests) &&
	test_expect_code 1 kh dir admin --verify --format json >admin.json 2>admin.err &&
	json_check admin.json "[(f[\"rule\"], f[\"verified\"], f[\"verify_status\"], f[\"verify_note\"]) for f in d[\"findings\"]] == [(\"openai-admin-key\", \"live\", 403, \"key accepted, but this request was refused (restricted key)\")]" &&
	! grep "warning: --verify" admin.err &&
	since "$before" >admin.log &&
	"$PYTHON" - admin.log <<-\PY
	import json, sys
	log = [json.loads(l) for l in open(sys.argv[1])]
	assert len(log) == 1, log
	e = log[0]
	assert (e["provider"], e["method"], e["path"], e["query"], e["scenario"]) == (
	    "openai-admin", "GET", "/v1/organization/admin_api_keys", "limit=1", "restricted"), e
	assert e["form_ok"] and not e["key_in_url"], e
	PY
'

# issue #7: the failure modes t7001 checks for OpenAI, for every other provider
test_expect_success 'every other provider: 500, timeout and redirect are unknown, the redirect not followed' '
	mkdir fail &&
	for p in anthropic anthropic-admin github gitlab slack stripe huggingface; do
		for s in error slow trap; do
			printf "TOKEN=%s\n" "$(key_for $s $p)" >fail/$p-$s.txt || exit 1
		done
	done &&
	before=$(requests) &&
	test_expect_code 1 kh dir fail --verify --verify-timeout 1 --format json -o fail.json \
		--report text:fail.txt >fail.out 2>fail.err &&
	marks fail.json | sort >got &&
	for p in anthropic anthropic-admin github gitlab huggingface slack stripe; do
		echo "$p-error.txt unknown 500 server_error" &&
		echo "$p-slow.txt unknown None timed_out" &&
		echo "$p-trap.txt unknown 302 redirect_not_followed" || exit 1
	done | sort >expect &&
	test_cmp expect got &&
	grep "^keyhound: --verify: 0 live, 0 invalid, 21 unknown$" fail.txt &&
	# 21 warnings: stderr shows 20 and "... and 1 more"; the JSON stats hold all
	grep -c "^keyhound: warning: --verify: " fail.err >count &&
	echo 20 >expect && test_cmp expect count &&
	grep "^keyhound: \.\.\. and 1 more (listed in the JSON report.s stats)$" fail.err &&
	json_get fail.json "\"\\n\".join(sorted(p[\"message\"].split(\": \", 2)[2] for p in d[\"stats\"][\"problems\"]))" >got &&
	for n in 1 2 3 4 5 6 7; do
		echo "redirect not followed (HTTP 302); status unknown" &&
		echo "server error (HTTP 500); status unknown" &&
		echo "timed out; status unknown" || exit 1
	done | sort >expect &&
	test_cmp expect got &&
	since "$before" >fail.log &&
	"$PYTHON" - fail.log <<-\PY
	import collections, json, sys
	log = [json.loads(l) for l in open(sys.argv[1])]
	# the Location (this mock, /trap/...) never asked, with or without the key
	assert not [e for e in log if e["base"] == "trap" or e["path"].startswith("/trap")], log
	assert all(e["form_ok"] and not e["key_in_url"] for e in log), log
	n = collections.Counter((e["provider"], e["scenario"]) for e in log)
	want = {}
	for p in ("anthropic", "anthropic-admin", "github", "gitlab", "slack", "stripe", "huggingface"):
	    want.update({(p, "error"): 3, (p, "slow"): 1, (p, "trap"): 1})
	assert n == want, n
	PY
'

# issue #7: GitHub sends its rate limit and its lockout as 403
test_expect_success 'GitHub 403: rate limit and lockout are unknown, another 403 is live' '
	mkdir gh403 &&
	printf "TOKEN=%s\n" "$(key_for "forbidden:API rate limit exceeded for user ID 1. If you reach out to GitHub Support for help, please include the request ID ABCD:1234." github)" >gh403/ratelimit.txt &&
	printf "TOKEN=%s\n" "$(key_for "forbidden:You have exceeded a secondary rate limit. Please wait a few minutes before you try again." github)" >gh403/secondary.txt &&
	printf "TOKEN=%s\n" "$(key_for "forbidden:Maximum number of login attempts exceeded. Please try again later." github)" >gh403/lockout.txt &&
	printf "TOKEN=%s\n" "$(key_for "forbidden:Resource not accessible by integration" github)" >gh403/other.txt &&
	before=$(requests) &&
	test_expect_code 1 kh dir gh403 --verify --format json >gh403.json 2>gh403.err &&
	marks gh403.json >got &&
	cat >expect <<-\EOF &&
	lockout.txt unknown 403 the_provider_refused_to_answer_(rate_limit_or_lockout)
	other.txt live 403 key_accepted,_but_this_request_was_refused_(restricted_key)
	ratelimit.txt unknown 403 the_provider_refused_to_answer_(rate_limit_or_lockout)
	secondary.txt unknown 403 the_provider_refused_to_answer_(rate_limit_or_lockout)
	EOF
	test_cmp expect got &&
	grep -c "^keyhound: warning: --verify: github-pat .*: the provider refused to answer (rate limit or lockout) (HTTP 403); status unknown$" gh403.err >count &&
	echo 3 >expect && test_cmp expect count &&
	since "$before" >gh403.log &&
	"$PYTHON" -c "
import json, sys
log = [json.loads(l) for l in open(sys.argv[1])]
assert all(e[\"form_ok\"] and e[\"provider\"] == \"github\" and e[\"path\"] == \"/user\" for e in log), log
sc = sorted({e[\"scenario\"].split(\".\")[0] for e in log})
assert sc == [\"forbidden:API rate limit exceeded for user ID 1\", \"forbidden:Maximum number of login attempts exceeded\",
              \"forbidden:Resource not accessible by integration\", \"forbidden:You have exceeded a secondary rate limit\"], sc
# not among the retried answers (a 429 or a 5xx): each asked once
assert len(log) == 4, log" gh403.log
'

# issue #7: Slack answers 200 either way; only ok:true is live, only the
# documented errors are invalid
test_expect_success 'Slack: 200 with "ok":false and another error is unknown; the documented errors are invalid' '
	mkdir slack &&
	printf "TOKEN=%s\n" "$(key_for okfalse:something_else slack)" >slack/other.txt &&
	for e in invalid_auth not_authed account_inactive token_revoked token_expired; do
		printf "TOKEN=%s\n" "$(key_for okfalse:$e slack)" >slack/$e.txt || exit 1
	done &&
	before=$(requests) &&
	test_expect_code 1 kh dir slack --verify --format json >slack.json 2>slack.err &&
	marks slack.json >got &&
	cat >expect <<-\EOF &&
	account_inactive.txt invalid 200 -
	invalid_auth.txt invalid 200 -
	not_authed.txt invalid 200 -
	other.txt unknown 200 the_answer_did_not_say_whether_the_key_works
	token_expired.txt invalid 200 -
	token_revoked.txt invalid 200 -
	EOF
	test_cmp expect got &&
	grep -c "^keyhound: warning: --verify:" slack.err >count &&
	echo 1 >expect && test_cmp expect count &&
	grep "^keyhound: warning: --verify: slack-bot-token .*: the answer did not say whether the key works (HTTP 200); status unknown$" slack.err &&
	test "$(since "$before" | wc -l)" -eq 6 &&
	since "$before" | "$PYTHON" -c "
import json, sys
log = [json.loads(l) for l in sys.stdin]
assert all(e[\"form_ok\"] and e[\"method\"] == \"POST\" and e[\"path\"] == \"/api/auth.test\" for e in log), log"
'

# issue #7: a self-signed certificate fails verification before any request
if openssl req -x509 -newkey rsa:2048 -nodes -keyout tls.key -out tls.crt -days 2 \
	-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 >/dev/null 2>&1 ||
	"$PYTHON" - <<-\PY 2>/dev/null
	import datetime, ipaddress
	from cryptography import x509
	from cryptography.hazmat.primitives import hashes, serialization
	from cryptography.hazmat.primitives.asymmetric import rsa
	from cryptography.x509.oid import NameOID
	key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
	name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
	now = datetime.datetime.now(datetime.timezone.utc)
	cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
	        .public_key(key.public_key()).serial_number(x509.random_serial_number())
	        .not_valid_before(now - datetime.timedelta(hours=1))
	        .not_valid_after(now + datetime.timedelta(days=2))
	        .add_extension(x509.SubjectAlternativeName(
	            [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
	        .sign(key, hashes.SHA256()))
	open("tls.key", "wb").write(key.private_bytes(
	    serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
	    serialization.NoEncryption()))
	open("tls.crt", "wb").write(cert.public_bytes(serialization.Encoding.PEM))
	PY
then
	start_mock tls --tls-cert "$TRASH/tls.crt" --tls-key "$TRASH/tls.key"
	# shellcheck disable=SC2034 # used in the test bodies
	TLS=https://127.0.0.1:$(cat "$TRASH/tls.port" 2>/dev/null)

	test_expect_success 'setup: the https mock answers a client that trusts its certificate' '
		test -s "$TRASH/tls.port" &&
		probe=$(key_for live openai-proj) &&
		"$PYTHON" - "$TLS" "$probe" <<-\PY &&
		import ssl, sys, urllib.request
		ctx = ssl.create_default_context(cafile="tls.crt")
		req = urllib.request.Request(sys.argv[1] + "/openai/v1/models",
		                             headers={"Authorization": "Bearer " + sys.argv[2]})
		opener = urllib.request.build_opener(urllib.request.ProxyHandler({}),
		                                     urllib.request.HTTPSHandler(context=ctx))
		assert opener.open(req, timeout=10).status == 200
		PY
		"$PYTHON" -c "
import json, sys
log = [json.loads(l) for l in open(sys.argv[1])]
assert [(e[\"scenario\"], e[\"form_ok\"]) for e in log] == [(\"live\", True)], log" "$TRASH/tls.log" &&
		test -s "$TRASH/tls.times" &&
		: >"$TRASH/tls.log" && : >"$TRASH/tls.times"
	'

	test_expect_success 'TLS: a self-signed https base URL is unknown, and no request reaches it' '
		mkdir tls &&
		printf "KEY=%s\n" "$(key_for live openai-proj)" >tls/live.env &&
		printf "TOKEN=%s\n" "$(key_for live github)" >tls/gh.env &&
		before=$(requests) &&
		# straight to the mock, not through the dead proxy
		test_expect_code 1 env NO_PROXY=127.0.0.1 no_proxy=127.0.0.1 \
			KEYHOUND_OPENAI_BASE_URL="$TLS/openai" KEYHOUND_GITHUB_BASE_URL="$TLS/github" \
			"$KEYHOUND" dir tls --verify --verify-timeout 5 --format json >tlsrun.json 2>tlsrun.err &&
		marks tlsrun.json >got &&
		printf "%s\n" "gh.env unknown None TLS_certificate_verification_failed" \
			"live.env unknown None TLS_certificate_verification_failed" >expect &&
		test_cmp expect got &&
		grep -c "^keyhound: warning: --verify: .*: TLS certificate verification failed; status unknown$" tlsrun.err >count &&
		echo 2 >expect && test_cmp expect count &&
		# keyhound did reach the mock, and broke off in the handshake
		grep "^mock: connection error: SSLError" "$TRASH/tls.err" &&
		test ! -s "$TRASH/tls.log" &&
		test ! -s "$TRASH/tls.times" &&
		test "$(requests)" -eq "$before"
	'
else
	test_skip 'TLS: a self-signed https base URL is unknown, and no request reaches it' \
		'neither openssl nor python cryptography can make a certificate'
fi

test_expect_success 'no key in any output, nor in the mocks'"'"' logs' '
	for f in *.json *.err *.txt *.out *.log *.times; do
		case $f in keys.json) ;; *) test -f "$f" && printf "%s\n" "$f" ;; esac
	done >files &&
	test "$(wc -l <files)" -gt 20 &&
	# shellcheck disable=SC2046 # the names are ours, without spaces
	no_leak $(cat files) &&
	"$PYTHON" -c "
import json, sys
for p in sys.argv[1:]:
    for l in open(p):
        e = json.loads(l)
        assert not e[\"key_in_url\"], e" mock.log
'

test_done
