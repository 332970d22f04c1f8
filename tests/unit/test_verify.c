/* test_verify.c - the pure parts of --verify: what an answer means (status
 * codes, body markers, out-of-credit 429s, retries), the owner read from
 * headers and JSON (an echoed key never shown), the base-URL policy (https,
 * plain http only on loopback), the environment variable names, and the
 * strict schema of a built-in rule's verify block. No network. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "http.h"
#include "rules.h"
#include "verify.h"

/* A built-in rule set with one rule whose verify block holds `lines`. */
static int load_builtin(struct rule_set *rs, const char *lines, struct err *err)
{
	char y[2048];

	snprintf(y, sizeof(y),
		 "rules:\n  - id: acme-token\n    pattern: x\n    keywords: [xx]\n"
		 "    verify:\n      provider: acme\n      base_url: https://api.acme.example\n%s",
		 lines);
	rule_set_init(rs);
	return rule_set_load_yaml(rs, y, strlen(y), "builtin:rules/acme.yml", 1, err);
}

/* Status codes like OpenAI's, plus Slack-style body markers when asked. */
static const struct verify_spec *spec_new(struct rule_set *rs, int slack)
{
	struct err err;

	assert_int_equal(load_builtin(rs, slack ?
		"      headers: ['Authorization: Bearer {{secret}}']\n"
		"      path: /api/auth.test\n      live_status: ['200', '403']\n"
		"      invalid_status: ['401']\n      live_body: ['\"ok\":true']\n"
		"      invalid_body: ['\"error\":\"invalid_auth\"']\n" :
		"      headers: ['Authorization: Bearer {{secret}}']\n"
		"      path: /v1/models\n      live_status: ['200', '403']\n"
		"      invalid_status: ['401']\n      quota_body: insufficient_quota\n"
		"      identity_header: [openai-organization, openai-project]\n"
		"      identity_field: [owner.login, id, missing]\n", &err), 0);
	return rs->rules[0].verify;
}

static enum verify_status classify(const struct verify_spec *vs, long status,
				   const char *body, int *retry, const char **note)
{
	return verify_classify(vs, status, body, body ? strlen(body) : 0, retry, note);
}

static void test_classify_status_codes(void **state)
{
	struct rule_set rs;
	const struct verify_spec *vs = spec_new(&rs, 0);
	const char *note;
	int retry;

	(void)state;
	assert_int_equal(classify(vs, 200, "{}", &retry, &note), VERIFY_LIVE);
	assert_null(note);
	assert_int_equal(retry, 0);
	assert_int_equal(classify(vs, 403, "{}", &retry, &note), VERIFY_LIVE);
	assert_non_null(strstr(note, "restricted"));
	assert_int_equal(classify(vs, 401, "{}", &retry, &note), VERIFY_INVALID);
	assert_int_equal(classify(vs, 429,
				  "{\"error\": {\"type\": \"insufficient_quota\"}}", &retry, &note),
			 VERIFY_LIVE);
	assert_string_equal(note, "valid but out of credit");
	assert_int_equal(retry, 0);
	assert_int_equal(classify(vs, 429, "{\"error\": {\"type\": \"requests\"}}", &retry, &note),
			 VERIFY_UNKNOWN);
	assert_int_equal(retry, 1);
	assert_int_equal(classify(vs, 503, NULL, &retry, &note), VERIFY_UNKNOWN);
	assert_int_equal(retry, 1);
	assert_string_equal(note, "server error");
	assert_int_equal(classify(vs, 302, "", &retry, &note), VERIFY_UNKNOWN);
	assert_int_equal(retry, 0);
	assert_string_equal(note, "redirect not followed");
	assert_int_equal(classify(vs, 404, "", &retry, &note), VERIFY_UNKNOWN);
	assert_int_equal(retry, 0);
	assert_string_equal(note, "unexpected HTTP status");
	rule_set_release(&rs);
}

static void test_classify_body_markers(void **state)
{
	struct rule_set rs;
	const struct verify_spec *vs = spec_new(&rs, 1);
	const char *note;
	int retry;

	(void)state;
	assert_int_equal(classify(vs, 200, "{\"ok\":true,\"team\":\"x\"}", &retry, &note),
			 VERIFY_LIVE);
	assert_int_equal(classify(vs, 200, "{\n  \"ok\": true\n}", &retry, &note), VERIFY_LIVE);
	assert_int_equal(classify(vs, 200, "{\"ok\":false,\"error\":\"invalid_auth\"}", &retry,
				  &note), VERIFY_INVALID);
	assert_int_equal(classify(vs, 200, "{\"ok\": false, \"error\": \"invalid_auth\"}", &retry,
				  &note), VERIFY_INVALID);
	assert_int_equal(classify(vs, 200, "{\"ok\":false,\"error\":\"fatal_error\"}", &retry,
				  &note), VERIFY_UNKNOWN);
	assert_non_null(note);
	/* a marker inside a string value is not JSON structure */
	assert_int_equal(classify(vs, 200, "{\"msg\":\"\\\"ok\\\": true\"}", &retry, &note),
			 VERIFY_UNKNOWN);
	rule_set_release(&rs);
}

/* A live status whose body says the provider refused to judge (GitHub's
 * 403 rate limit or lockout after many bad tokens) is unknown, not live. */
static void test_classify_unknown_body(void **state)
{
	struct rule_set rs;
	struct err err;
	const char *note;
	int retry;

	(void)state;
	assert_int_equal(load_builtin(&rs,
		"      headers: ['Authorization: Bearer {{secret}}']\n"
		"      path: /user\n      live_status: ['200', '403']\n"
		"      invalid_status: ['401']\n"
		"      unknown_body: ['rate limit', 'Maximum number of login attempts']\n", &err), 0);
	assert_int_equal(classify(rs.rules[0].verify, 403,
				  "{\"message\":\"Maximum number of login attempts exceeded.\"}",
				  &retry, &note), VERIFY_UNKNOWN);
	assert_non_null(strstr(note, "refused"));
	assert_int_equal(classify(rs.rules[0].verify, 403, "{\"message\":\"API rate limit exceeded\"}",
				  &retry, &note), VERIFY_UNKNOWN);
	assert_int_equal(classify(rs.rules[0].verify, 403, "{\"message\":\"Resource not accessible\"}",
				  &retry, &note), VERIFY_LIVE);
	assert_int_equal(classify(rs.rules[0].verify, 200, "{\"login\":\"x\"}", &retry, &note),
			 VERIFY_LIVE);
	rule_set_release(&rs);
}

static void test_body_holds(void **state)
{
	(void)state;
	assert_true(verify_body_holds("a \"ok\" : true", 14, "\"ok\":true"));
	assert_false(verify_body_holds("\"ok\":tru", 8, "\"ok\":true"));
	assert_false(verify_body_holds(NULL, 0, "x"));
	assert_true(verify_body_holds("x\0y insufficient_quota", 22, "insufficient_quota"));
}

static void test_identity(void **state)
{
	struct rule_set rs;
	const struct verify_spec *vs = spec_new(&rs, 0);
	const char *hv[2] = {"org-abc", NULL};
	const char *secret = "sk-proj-SECRETSECRETSECRETSECRET";
	struct verify_key k = {secret, strlen(secret), "sk-proj-\xe2\x80\xa6RET"};
	const char *body = "{\"owner\":{\"login\":\"oct\\u0007o\"},\"id\":42}";
	char *id;

	(void)state;
	id = verify_identity_new(vs, body, strlen(body), (char *const *)hv, &k);
	assert_string_equal(id, "openai-organization=org-abc, owner.login=oct?o, id=42");
	free(id);
	id = verify_identity_new(vs, "not json", 8, NULL, &k);
	assert_null(id);
	/* a server echoing the key: redacted when whole, withheld when cut */
	hv[0] = secret;
	hv[1] = "sk-proj-SECRETSECRETSEC";
	id = verify_identity_new(vs, NULL, 0, (char *const *)hv, &k);
	assert_string_equal(id, "openai-organization=sk-proj-\xe2\x80\xa6RET, "
				"openai-project=(withheld: holds part of the key)");
	free(id);
	rule_set_release(&rs);
}

static void test_base_url_policy(void **state)
{
	struct err err;
	int plain;

	(void)state;
	assert_int_equal(http_check_base_url("https://api.openai.com", &plain, &err), 0);
	assert_int_equal(plain, 0);
	assert_int_equal(http_check_base_url("https://proxy.example:8443/openai/", &plain, &err), 0);
	assert_int_equal(http_check_base_url("http://127.0.0.1:8080/x", &plain, &err), 0);
	assert_int_equal(plain, 1);
	assert_int_equal(http_check_base_url("http://127.9.8.7", &plain, &err), 0);
	assert_int_equal(http_check_base_url("http://localhost:1", &plain, &err), 0);
	assert_int_equal(http_check_base_url("http://[::1]:9/", &plain, &err), 0);
	assert_int_equal(plain, 1);
	assert_int_equal(http_check_base_url("http://api.openai.com", &plain, &err), KH_EINVAL);
	assert_non_null(strstr(err.msg, "loopback"));
	assert_int_equal(plain, 0);
	assert_int_equal(http_check_base_url("http://128.0.0.1", &plain, &err), KH_EINVAL);
	assert_int_equal(http_check_base_url("http://[::2]", &plain, &err), KH_EINVAL);
	assert_int_equal(http_check_base_url("http://localhost.evil.example", &plain, &err),
			 KH_EINVAL);
	assert_int_equal(http_check_base_url("ftp://127.0.0.1", &plain, &err), KH_EINVAL);
	assert_int_equal(http_check_base_url("https://u:p@api.example", &plain, &err), KH_EINVAL);
	assert_null(strstr(err.msg, "u:p"));
	assert_int_equal(http_check_base_url("https://api.example/?a=1", &plain, &err), KH_EINVAL);
	assert_int_equal(http_check_base_url("not a url", &plain, &err), KH_EINVAL);
}

static void test_env_name(void **state)
{
	char env[64];

	(void)state;
	verify_env_name(env, sizeof(env), "openai");
	assert_string_equal(env, "KEYHOUND_OPENAI_BASE_URL");
	verify_env_name(env, sizeof(env), "hugging_face2");
	assert_string_equal(env, "KEYHOUND_HUGGING_FACE2_BASE_URL");
	verify_env_name(env, 12, "openai");
	assert_string_equal(env, "KEYHOUND_OP");
}

static void test_spec_schema(void **state)
{
	struct rule_set rs;
	struct err err;
	const char *ok = "      path: /v1/me\n      live_status: [200]\n";
	const char *auth = "      headers: ['Authorization: Bearer {{secret}}']\n";
	char y[1024];

	(void)state;
	snprintf(y, sizeof(y), "%s%s", ok, auth);
	assert_int_equal(load_builtin(&rs, y, &err), 0);
	rule_set_release(&rs);
	/* each case: the valid block plus one bad line (headers replace `auth`) */
#define BAD(lines, want)                                                                  \
	do {                                                                              \
		snprintf(y, sizeof(y), "%s%s", ok,                                        \
			 strstr(lines, "headers:") ? lines : auth);                       \
		if (!strstr(lines, "headers:"))                                           \
			snprintf(y + strlen(y), sizeof(y) - strlen(y), "%s", lines);      \
		assert_int_equal(load_builtin(&rs, y, &err), KH_EINVAL);                  \
		assert_non_null(strstr(err.msg, want));                                   \
		rule_set_release(&rs);                                                    \
	} while (0)
	BAD("      base_url: http://api.acme.example\n", "https");
	BAD("      path: /v1/me?key={{secret}}\n", "never hold the secret");
	BAD("      path: v1/me\n", "start with /");
	BAD("      headers: ['Authorization: Bearer']\n", "no header carries");
	BAD("      headers: ['Authorization: Bearer {{token}}']\n", "only one {{secret}}");
	BAD("      headers: ['Bad Name: {{secret}}']\n", "Name: value");
	BAD("      live_status: [20]\n", "three digits");
	BAD("      provider: Acme\n", "lowercase");
	BAD("      method: DELETE\n", "GET, POST or HEAD");
	BAD("      secret_in_body: yes\n", "unknown verify key");
#undef BAD
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classify_status_codes),
		cmocka_unit_test(test_classify_body_markers),
		cmocka_unit_test(test_classify_unknown_body),
		cmocka_unit_test(test_body_holds),
		cmocka_unit_test(test_identity),
		cmocka_unit_test(test_base_url_policy),
		cmocka_unit_test(test_env_name),
		cmocka_unit_test(test_spec_schema),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
