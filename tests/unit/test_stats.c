/* test_stats.c - the problem list is put in one order whatever order the
 * threads recorded it in: general problems first, then by path, each
 * path's problems in the order recorded; stats_add merges counters and
 * problems. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include "stats.h"

static void test_sort_problems(void **state)
{
	static const char *const paths[] = {"d2/b", "d1/a", NULL, "d2/a", "d1/a", "d10/x", NULL};
	static const char *const want[][2] = {
		{NULL, "m2"}, {NULL, "m6"}, {"d1/a", "m1"}, {"d1/a", "m4"},
		{"d10/x", "m5"}, {"d2/a", "m3"}, {"d2/b", "m0"}};
	struct scan_stats s;
	size_t i;

	(void)state;
	stats_init(&s);
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		stats_problem(&s, paths[i], 0, i == 1, "m%zu", i);
	stats_sort_problems(&s);
	assert_int_equal(s.nproblems, 7);
	assert_int_equal(s.errors, 1);
	for (i = 0; i < s.nproblems; i++) {
		if (want[i][0])
			assert_string_equal(s.problems[i].path, want[i][0]);
		else
			assert_null(s.problems[i].path);
		assert_string_equal(s.problems[i].message, want[i][1]);
	}
	stats_release(&s);
}

/* Two workers' problems merged in either order sort to the same list. */
static void test_merge_then_sort_is_order_free(void **state)
{
	struct scan_stats a, b, x, y;
	size_t i;

	(void)state;
	stats_init(&a);
	stats_init(&b);
	stats_init(&x);
	stats_init(&y);
	stats_problem(&a, "z", 0, 0, "za");
	stats_problem(&a, "b", 0, 1, "ba");
	stats_problem(&b, "a", 0, 1, "ab");
	stats_problem(&b, "y", 0, 0, "yb");
	a.files_scanned = 2;
	b.files_scanned = 3;
	stats_add(&x, &a);
	stats_add(&x, &b);
	stats_add(&y, &b);
	stats_add(&y, &a);
	stats_sort_problems(&x);
	stats_sort_problems(&y);
	assert_int_equal(x.files_scanned, 5);
	assert_int_equal(x.errors, 2);
	assert_int_equal(x.nproblems, 4);
	assert_int_equal(y.nproblems, 4);
	for (i = 0; i < 4; i++) {
		assert_string_equal(x.problems[i].path, y.problems[i].path);
		assert_string_equal(x.problems[i].message, y.problems[i].message);
	}
	assert_string_equal(x.problems[0].path, "a");
	assert_string_equal(x.problems[3].path, "z");
	stats_release(&a);
	stats_release(&b);
	stats_release(&x);
	stats_release(&y);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sort_problems),
		cmocka_unit_test(test_merge_then_sort_is_order_free),
	};

	return cmocka_run_group_tests_name("stats", tests, NULL, NULL);
}
