/* test_rules.c - loading rules and configs: the schema, merge order, errors
 * that name file:line:column, rules disabled by id, verifiers refused from
 * configs, invalid patterns named by rule id and offset; and the default rule
 * pack as a whole: its size, id format and uniqueness, a revocation URL in
 * every remediation, keyword lengths, the families the project promises.
 * (Every default rule's examples are run by `keyhound rules check` in
 * `make test`.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "rules.h"

static int load(struct rule_set *rs, const char *yaml, int builtin, struct err *err)
{
	return rule_set_load_yaml(rs, yaml, strlen(yaml), "cfg.yaml", builtin, err);
}

static const char *one_rule =
	"rules:\n"
	"  - id: acme-token\n"
	"    description: ACME token\n"
	"    severity: medium\n"
	"    pattern: '(acme_[a-z0-9]{8})'\n"
	"    secret_group: 1\n"
	"    keywords: [acme_]\n"
	"    examples: ['x acme_abcd1234']\n"
	"    negative_examples: ['acme_']\n";

static void test_defaults_load_and_compile(void **state)
{
	struct rule_set rs;
	struct err err;

	(void)state;
	rule_set_init(&rs);
	assert_int_equal(rule_set_load_defaults(&rs, &err), 0);
	assert_true(rs.n >= 6);
	assert_int_equal(rule_set_compile(&rs, &err), 0);
	assert_non_null(rule_set_find(&rs, "openai-project-key"));
	assert_non_null(rule_set_find(&rs, "openai-api-key"));
	assert_true(rule_set_find(&rs, "openai-org-id")->context_only);
	assert_true(rule_set_find(&rs, "openai-project-key")->builtin);
	assert_non_null(rule_set_find(&rs, "openai-project-key")->verify);
	rule_set_release(&rs);
}

static void test_config_rule_and_replace(void **state)
{
	struct rule_set rs;
	struct err err;
	const struct rule *r;

	(void)state;
	rule_set_init(&rs);
	assert_int_equal(load(&rs, one_rule, 0, &err), 0);
	r = rule_set_find(&rs, "acme-token");
	assert_non_null(r);
	assert_int_equal(r->severity, SEV_MEDIUM);
	assert_int_equal(r->secret_group, 1);
	assert_false(r->builtin);
	/* same id again replaces, not duplicates */
	assert_int_equal(load(&rs, one_rule, 0, &err), 0);
	assert_int_equal(rs.n, 1);
	assert_int_equal(rule_set_compile(&rs, &err), 0);
	assert_int_equal(rs.config_files.n, 2);
	rule_set_release(&rs);
}

static void test_errors_name_position(void **state)
{
	struct rule_set rs;
	struct err err;

	(void)state;
	rule_set_init(&rs);
	assert_int_equal(load(&rs, "rules:\n  - id: x-y\n    patern: 'a'\n", 0, &err), KH_EINVAL);
	assert_non_null(strstr(err.msg, "cfg.yaml:3:5"));
	assert_non_null(strstr(err.msg, "patern"));
	assert_int_equal(load(&rs, "alowlist: {}\n", 0, &err), KH_EINVAL);
	assert_non_null(strstr(err.msg, "cfg.yaml:1:1"));
	assert_int_equal(load(&rs, "rules: [\n", 0, &err), KH_EINVAL);
	assert_non_null(strstr(err.msg, "cfg.yaml:"));
	assert_int_equal(load(&rs, "rules:\n  - id: a-b\n    pattern: x\n    keywords: [x]\n    severity: huge\n", 0, &err), KH_EINVAL);
	assert_non_null(strstr(err.msg, "cfg.yaml:5:"));
	rule_set_release(&rs);
}

static void test_invalid_pattern_names_rule_and_offset(void **state)
{
	struct rule_set rs;
	struct err err;

	(void)state;
	rule_set_init(&rs);
	assert_int_equal(load(&rs, "rules:\n  - id: bad-rule\n    pattern: 'ab(c'\n    keywords: [ab]\n", 0, &err), 0);
	assert_int_equal(rule_set_compile(&rs, &err), KH_ERULE);
	assert_non_null(strstr(err.msg, "bad-rule"));
	assert_non_null(strstr(err.msg, "offset 4"));
	rule_set_release(&rs);
}

static void test_verify_only_builtin(void **state)
{
	struct rule_set rs;
	struct err err;
	const char *y = "rules:\n  - id: evil-rule\n    pattern: x\n    keywords: [xx]\n"
			"    verify: {provider: evil, base_url: 'https://evil.example', path: /}\n";

	(void)state;
	rule_set_init(&rs);
	assert_int_equal(load(&rs, y, 0, &err), KH_EINVAL);
	assert_non_null(strstr(err.msg, "built-in"));
	rule_set_release(&rs);
}

static void test_disable(void **state)
{
	struct rule_set rs;
	struct err err;

	(void)state;
	rule_set_init(&rs);
	assert_int_equal(rule_set_load_defaults(&rs, &err), 0);
	assert_int_equal(load(&rs, "disable: [openai-org-id]\n", 0, &err), 0);
	assert_int_equal(rule_set_compile(&rs, &err), 0);
	assert_true(rule_set_find(&rs, "openai-org-id")->disabled);
	rule_set_release(&rs);

	rule_set_init(&rs);
	assert_int_equal(load(&rs, "disable: [no-such-rule]\n", 0, &err), 0);
	assert_int_equal(rule_set_compile(&rs, &err), KH_EINVAL);
	assert_non_null(strstr(err.msg, "no-such-rule"));
	rule_set_release(&rs);
}

static void load_defaults(struct rule_set *rs)
{
	struct err err;

	rule_set_init(rs);
	assert_int_equal(rule_set_load_defaults(rs, &err), 0);
	assert_int_equal(rule_set_compile(rs, &err), 0);
}

/* provider-first, lowercase: ^[a-z0-9]+(-[a-z0-9]+)+$ */
static int id_well_formed(const char *id)
{
	const char *p;
	int dashes = 0;

	if (!*id || *id == '-')
		return 0;
	for (p = id; *p; p++) {
		if (*p == '-') {
			if (p[1] == '-' || p[1] == '\0')
				return 0;
			dashes++;
		} else if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p)) {
			return 0;
		}
	}
	return dashes > 0;
}

/* Counts rule definitions ("  - id: ") in the embedded rule files: a second
 * definition of an id silently replaces the first, so the count must equal
 * the number of rules loaded. */
static size_t defined_rules(void)
{
	size_t i, n = 0;

	for (i = 0; i < builtin_rule_files_count; i++) {
		const char *t = builtin_rule_files[i].text, *end = t + builtin_rule_files[i].len;
		const char *needle = "\n  - id: ";
		size_t nl = strlen(needle);
		for (; t + nl <= end; t++)
			if (!memcmp(t, needle, nl))
				n++;
	}
	return n;
}

static void test_rule_pack_shape(void **state)
{
	struct rule_set rs;
	size_t i, j;

	(void)state;
	load_defaults(&rs);
	assert_true(rs.n >= 150);
	assert_true(builtin_rule_files_count >= 100); /* one file per provider family */
	assert_int_equal(defined_rules(), rs.n);      /* no id defined twice */
	for (i = 0; i < rs.n; i++) {
		const struct rule *r = &rs.rules[i];
		if (!id_well_formed(r->id))
			fail_msg("rule id '%s' is not provider-first lowercase", r->id);
		if (!r->context_only && (!r->remediation || !strstr(r->remediation, "https://")))
			fail_msg("rule '%s' has no remediation URL (where to revoke)", r->id);
		if (!r->examples.n || !r->negative_examples.n)
			fail_msg("rule '%s' needs examples and negative examples", r->id);
		if (!r->description || !strcmp(r->description, r->id))
			fail_msg("rule '%s' has no description", r->id);
		for (j = 0; j < r->keywords.n; j++)
			if (strlen(r->keywords.v[j]) < 3)
				fail_msg("rule '%s': keyword '%s' is shorter than 3 bytes", r->id,
					 r->keywords.v[j]);
	}
	rule_set_release(&rs);
}

static void test_rule_pack_families(void **state)
{
	/* every family the project promises (issue 5), by one rule each */
	static const char *const ids[] = {
		"openai-project-key", "openai-azure-api-key", "anthropic-api-key", "aws-access-key-id",
		"aws-secret-access-key", "github-pat", "github-fine-grained-pat", "github-oauth-token",
		"github-user-to-server-token", "github-server-to-server-token", "github-refresh-token",
		"gitlab-pat", "gitlab-runner-token", "slack-bot-token", "slack-user-token",
		"slack-app-token", "slack-webhook-url", "stripe-secret-key", "stripe-restricted-key",
		"google-api-key", "google-service-account-key", "huggingface-access-token",
		"npm-access-token", "pypi-upload-token", "sendgrid-api-token", "twilio-api-key",
		"mailgun-private-api-token", "discord-bot-token", "telegram-bot-api-token",
		"shopify-access-token", "digitalocean-pat", "heroku-api-key-v2", "heroku-api-key",
		"azure-storage-account-key", "azure-sas-token", "jwt-token", "privatekey-pem",
		"privatekey-openssh", "database-postgres-url", "database-mysql-url",
		"database-mongodb-url", "generic-secret-assignment", NULL,
	};
	struct rule_set rs;
	size_t i;

	(void)state;
	load_defaults(&rs);
	for (i = 0; ids[i]; i++)
		if (!rule_set_find(&rs, ids[i]))
			fail_msg("rule '%s' is missing", ids[i]);
	/* checksummed formats are checked */
	assert_string_equal(rule_set_find(&rs, "github-pat")->checksum, "github");
	assert_string_equal(rule_set_find(&rs, "npm-access-token")->checksum, "npm");
	/* the heuristic never outranks a provider rule on the same span */
	assert_int_equal(rule_set_find(&rs, "generic-secret-assignment")->severity, SEV_LOW);
	rule_set_release(&rs);
}

static void test_severity_names(void **state)
{
	(void)state;
	assert_int_equal(severity_parse("critical"), SEV_CRITICAL);
	assert_int_equal(severity_parse("LOW"), SEV_LOW);
	assert_int_equal(severity_parse("nope"), -1);
	assert_string_equal(severity_name(SEV_HIGH), "high");
}

/* ---- the build-time tables (rules_table.h) against the YAML they come from */

static void same_str(const char *a, const char *b, const char *id, const char *what)
{
	if ((a == NULL) != (b == NULL) || (a && strcmp(a, b)))
		fail_msg("%s: %s differs between rules/ and the built-in table", id, what);
}

static void same_list(const struct strlist *a, const struct strlist *b, const char *id,
		      const char *what)
{
	size_t i;

	if (a->n != b->n)
		fail_msg("%s: %s has %zu entries in rules/, %zu in the table", id, what, a->n,
			 b->n);
	for (i = 0; i < a->n; i++)
		same_str(a->v[i], b->v[i], id, what);
}

static void test_table_matches_yaml(void **state)
{
	struct rule_set y, t;
	struct err err;
	size_t i;

	(void)state;
	rule_set_init(&y);
	rule_set_init(&t);
	for (i = 0; i < builtin_rule_files_count; i++) {
		char name[512];
		snprintf(name, sizeof(name), "builtin:%s", builtin_rule_files[i].name);
		assert_int_equal(rule_set_load_yaml(&y, builtin_rule_files[i].text,
						    builtin_rule_files[i].len, name, 1, &err), 0);
	}
	assert_int_equal(rule_set_compile(&y, &err), 0); /* resolves named groups */
	assert_int_equal(rule_set_load_defaults(&t, &err), 0);
	assert_int_equal(rule_set_compile(&t, &err), 0);
	assert_int_equal(y.n, t.n);
	for (i = 0; i < y.n; i++) {
		const struct rule *a = &y.rules[i], *b = &t.rules[i];
		same_str(a->id, b->id, a->id, "id");
		same_str(a->description, b->description, a->id, "description");
		same_str(a->remediation, b->remediation, a->id, "remediation");
		same_str(a->source, b->source, a->id, "source");
		same_str(a->pattern, b->pattern, a->id, "pattern");
		same_str(a->checksum, b->checksum, a->id, "checksum");
		assert_int_equal(a->severity, b->severity);
		assert_int_equal(a->secret_group, b->secret_group);
		assert_int_equal(a->ngroups, b->ngroups);
		assert_true(a->min_entropy == b->min_entropy);
		assert_int_equal(a->max_length, b->max_length);
		assert_int_equal(a->context_only, b->context_only);
		assert_int_equal(a->builtin, b->builtin);
		same_list(&a->keywords, &b->keywords, a->id, "keywords");
		same_list(&a->examples, &b->examples, a->id, "examples");
		same_list(&a->negative_examples, &b->negative_examples, a->id, "negative_examples");
		same_list(&a->references, &b->references, a->id, "references");
		same_list(&a->allow.paths, &b->allow.paths, a->id, "allow.paths");
		same_list(&a->allow.regexes, &b->allow.regexes, a->id, "allow.regexes");
		same_list(&a->allow.lines, &b->allow.lines, a->id, "allow.lines");
		same_list(&a->allow.stopwords, &b->allow.stopwords, a->id, "allow.stopwords");
		same_list(&a->allow.commits, &b->allow.commits, a->id, "allow.commits");
		assert_true((a->verify == NULL) == (b->verify == NULL));
		if (a->verify) {
			const struct verify_spec *va = a->verify, *vb = b->verify;
			same_str(va->provider, vb->provider, a->id, "verify.provider");
			same_str(va->base_url, vb->base_url, a->id, "verify.base_url");
			same_str(va->method, vb->method, a->id, "verify.method");
			same_str(va->path, vb->path, a->id, "verify.path");
			same_list(&va->headers, &vb->headers, a->id, "verify.headers");
			same_list(&va->live_status, &vb->live_status, a->id, "verify.live_status");
			same_list(&va->invalid_status, &vb->invalid_status, a->id,
				  "verify.invalid_status");
			same_list(&va->live_body, &vb->live_body, a->id, "verify.live_body");
			same_list(&va->invalid_body, &vb->invalid_body, a->id, "verify.invalid_body");
			same_list(&va->unknown_body, &vb->unknown_body, a->id, "verify.unknown_body");
			same_list(&va->quota_body, &vb->quota_body, a->id, "verify.quota_body");
			same_list(&va->identity_field, &vb->identity_field, a->id,
				  "verify.identity_field");
			same_list(&va->identity_header, &vb->identity_header, a->id,
				  "verify.identity_header");
		}
	}
	rule_set_release(&y);
	rule_set_release(&t);
}

/* Built-in patterns are compiled on first use; one that this PCRE2 refuses
 * is reported by rule_set_ready, never matched as NULL. */
static void test_deferred_compile(void **state)
{
	struct rule_set rs;
	struct rule bad;
	struct err err;
	size_t i, open_ai = 0;

	(void)state;
	rule_set_init(&rs);
	assert_int_equal(rule_set_load_defaults(&rs, &err), 0);
	memset(&bad, 0, sizeof(bad));
	bad.id = strdup("zz-broken");
	bad.description = strdup("broken");
	bad.source = strdup("test");
	bad.pattern = strdup("(unclosed");
	strlist_add(&bad.keywords, "zz_");
	bad.max_length = 64;
	bad.builtin = bad.deferred = 1;
	rule_set_put(&rs, &bad);
	assert_int_equal(rule_set_compile(&rs, &err), 0); /* deferred: not compiled yet */
	for (i = 0; i < rs.n; i++) {
		assert_null(rs.rules[i].code);
		if (!strcmp(rs.rules[i].id, "openai-project-key"))
			open_ai = i;
	}
	assert_int_equal(rule_set_ready(&rs, open_ai), 0);
	assert_non_null(rs.rules[open_ai].code);
	assert_int_equal(rule_set_ready(&rs, open_ai), 0); /* once */
	assert_int_equal(rule_set_ready(&rs, rs.n - 1), -1);
	assert_null(rs.rules[rs.n - 1].code);
	assert_int_equal(rule_set_ready(&rs, rs.n - 1), -1);
	rule_set_release(&rs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_load_and_compile),
		cmocka_unit_test(test_config_rule_and_replace),
		cmocka_unit_test(test_errors_name_position),
		cmocka_unit_test(test_invalid_pattern_names_rule_and_offset),
		cmocka_unit_test(test_verify_only_builtin),
		cmocka_unit_test(test_disable),
		cmocka_unit_test(test_severity_names),
		cmocka_unit_test(test_rule_pack_shape),
		cmocka_unit_test(test_rule_pack_families),
		cmocka_unit_test(test_table_matches_yaml),
		cmocka_unit_test(test_deferred_compile),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
