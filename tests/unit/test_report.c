/* test_report.c - terminal sanitizing, UTF-8 repair and percent-encoding used
 * by the writers, and a JSON report parsed back with jansson: field types,
 * nulls outside history, redacted secret unless asked. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "report.h"
#include "report_util.h"
#include "xalloc.h"

static void test_sanitize(void **state)
{
	char *s;

	(void)state;
	s = sanitize_for_terminal("a\033[31mb\nc\xff\\d \xc3\xa9", 15);
	assert_string_equal(s, "a\\x1b[31mb\\nc\\xff\\\\d \xc3\xa9");
	free(s);
	s = sanitize_for_terminal("\xc2\x9b" "x", 3); /* C1 CSI */
	assert_string_equal(s, "\\xc2\\x9bx");
	free(s);
}

static void test_utf8_and_percent(void **state)
{
	int exact;
	char *s;

	(void)state;
	s = utf8_valid_copy("ok\xc3\xa9", 4, &exact);
	assert_true(exact);
	assert_string_equal(s, "ok\xc3\xa9");
	free(s);
	s = utf8_valid_copy("a\xff" "b", 3, &exact);
	assert_false(exact);
	assert_string_equal(s, "a\xef\xbf\xbd" "b");
	free(s);
	s = percent_encode("dir/caf\xc3\xa9 x%.txt");
	assert_string_equal(s, "dir/caf%C3%A9%20x%25.txt");
	free(s);
}

static void test_json_roundtrip(void **state)
{
	struct rule r = {0};
	struct finding_list fl;
	struct finding *f;
	struct scan_stats st;
	struct report_opts o;
	struct err err;
	char *buf = NULL;
	size_t len = 0;
	FILE *mem;
	json_t *root, *j;
	json_error_t je;

	(void)state;
	r.id = "test-rule";
	r.description = "Test";
	r.severity = SEV_HIGH;
	finding_list_init(&fl);
	f = finding_list_push(&fl);
	f->rule = &r;
	f->path = xstrdup("a/b.txt");
	f->line = 3;
	f->column = 5;
	f->end_column = 25;
	f->secret = xstrdup("SECRETSECRETSECRET12");
	f->secret_len = 20;
	f->redacted = redact_secret(f->secret, f->secret_len);
	strcpy(f->fingerprint, "00112233445566778899aabbccddeeff");
	stats_init(&st);
	memset(&o, 0, sizeof(o));
	o.version = "9.9";
	o.stats = &st;
	mem = open_memstream(&buf, &len);
	assert_int_equal(report_json_write(mem, &fl, &o, &err), 0);
	fclose(mem);
	assert_null(strstr(buf, "SECRETSECRETSECRET12"));
	root = json_loads(buf, 0, &je);
	assert_non_null(root);
	j = json_array_get(json_object_get(root, "findings"), 0);
	assert_string_equal(json_string_value(json_object_get(j, "rule")), "test-rule");
	assert_int_equal(json_integer_value(json_object_get(j, "line")), 3);
	assert_true(json_is_null(json_object_get(j, "commit")));
	assert_true(json_is_null(json_object_get(j, "verified")));
	assert_string_equal(json_string_value(json_object_get(j, "secret")), f->redacted);
	json_decref(root);
	free(buf);
	o.show_secrets = 1;
	buf = NULL;
	mem = open_memstream(&buf, &len);
	assert_int_equal(report_json_write(mem, &fl, &o, &err), 0);
	fclose(mem);
	assert_non_null(strstr(buf, "SECRETSECRETSECRET12"));
	free(buf);
	stats_release(&st);
	finding_list_release(&fl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sanitize),
		cmocka_unit_test(test_utf8_and_percent),
		cmocka_unit_test(test_json_roundtrip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
