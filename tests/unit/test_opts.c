/* test_opts.c - common option parsing: sizes, --opt=value and --opt value,
 * repeatable --report/--config, and clear errors for bad values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include "opts.h"
#include "report.h"
#include "rules.h"

static void test_sizes(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(opts_parse_size("1000", &v), 0);
	assert_int_equal(v, 1000);
	assert_int_equal(opts_parse_size("2k", &v), 0);
	assert_int_equal(v, 2048);
	assert_int_equal(opts_parse_size("50M", &v), 0);
	assert_int_equal(v, 50u << 20);
	assert_int_equal(opts_parse_size("1GiB", &v), 0);
	assert_int_equal(v, 1u << 30);
	assert_int_equal(opts_parse_size("-1", &v), -1);
	assert_int_equal(opts_parse_size("12x", &v), -1);
	assert_int_equal(opts_parse_size("", &v), -1);
}

static int parse_all(struct common_opts *o, int argc, char **argv, struct err *err)
{
	int i, rc;

	for (i = 0; i < argc; i++)
		if ((rc = opts_parse_common(o, argc, argv, &i, err)) <= 0)
			return rc;
	return 1;
}

static void test_parse(void **state)
{
	struct common_opts o;
	struct err err;
	char *argv[] = {"--format=json", "--report", "sarif:out.sarif", "--report=json:a.json",
			"--threads", "3", "--fail-on", "critical", "--exit-code=9",
			"--max-file-size", "1M", "--no-color", "--show-secrets", "-q"};

	(void)state;
	common_opts_init(&o);
	assert_int_equal(parse_all(&o, 14, argv, &err), 1);
	assert_int_equal(o.format, REPORT_JSON);
	assert_int_equal(o.nreports, 2);
	assert_int_equal(o.reports[0].format, REPORT_SARIF);
	assert_string_equal(o.reports[0].path, "out.sarif");
	assert_string_equal(o.reports[1].path, "a.json");
	assert_int_equal(o.threads, 3);
	assert_int_equal(o.fail_on, SEV_CRITICAL);
	assert_int_equal(o.exit_code, 9);
	assert_int_equal(o.max_file_size, 1u << 20);
	assert_int_equal(o.color, 0);
	assert_true(o.show_secrets);
	assert_true(o.quiet);
	common_opts_release(&o);
}

static void test_errors(void **state)
{
	struct common_opts o;
	struct err err;
	char *bad_fmt[] = {"--format", "xml"};
	char *missing[] = {"--output"};
	char *bad_threads[] = {"--threads=0"};
	char *unknown[] = {"--frobnicate"};
	char *bad_report[] = {"--report", "sarif"};

	(void)state;
	common_opts_init(&o);
	assert_int_equal(parse_all(&o, 2, bad_fmt, &err), KH_EINVAL);
	assert_non_null(strstr(err.msg, "xml"));
	assert_int_equal(parse_all(&o, 1, missing, &err), KH_EINVAL);
	assert_int_equal(parse_all(&o, 1, bad_threads, &err), KH_EINVAL);
	assert_int_equal(parse_all(&o, 1, unknown, &err), 0);
	assert_int_equal(parse_all(&o, 2, bad_report, &err), KH_EINVAL);
	common_opts_release(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
