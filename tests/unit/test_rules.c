/* test_rules.c - loading rules and configs: the schema, merge order, errors
 * that name file:line:column, rules disabled by id, verifiers refused from
 * configs, invalid patterns named by rule id and offset. (Every default
 * rule's examples are run by `keyhound rules check` in `make test`.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
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

static void test_severity_names(void **state)
{
	(void)state;
	assert_int_equal(severity_parse("critical"), SEV_CRITICAL);
	assert_int_equal(severity_parse("LOW"), SEV_LOW);
	assert_int_equal(severity_parse("nope"), -1);
	assert_string_equal(severity_name(SEV_HIGH), "high");
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
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
