/* test_prefilter.c - the keyword automaton finds every keyword occurrence,
 * case-insensitively, overlapping ones included, with the right rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include "prefilter.h"

struct hits {
	unsigned rule[64];
	size_t start[64], end[64];
	size_t n;
};

static int collect(unsigned rule, size_t start, size_t end, void *payload)
{
	struct hits *h = payload;

	if (h->n < 64) {
		h->rule[h->n] = rule;
		h->start[h->n] = start;
		h->end[h->n] = end;
		h->n++;
	}
	return 0;
}

static struct prefilter *build(void)
{
	struct prefilter *pf = prefilter_new();
	struct err err;

	prefilter_add(pf, "T3BlbkFJ", 8, 0);
	prefilter_add(pf, "ghp_", 4, 1);
	prefilter_add(pf, "hp_x", 4, 2);
	prefilter_add(pf, "t3blbkfj", 8, 3); /* same keyword, second rule */
	assert_int_equal(prefilter_build(pf, &err), 0);
	return pf;
}

static void test_finds_all_with_rules(void **state)
{
	struct prefilter *pf = build();
	struct hits h;
	const char *text = "xx sk-aaT3BLBKFJbb ghp_xyz";

	(void)state;
	memset(&h, 0, sizeof(h));
	prefilter_scan(pf, (const unsigned char *)text, strlen(text), collect, &h);
	/* T3BlbkFJ (rules 0 and 3), ghp_ (1), hp_x (2, overlapping ghp_) */
	assert_int_equal(h.n, 4);
	assert_int_equal(h.start[0], 8);
	assert_int_equal(h.end[0], 16);
	assert_true((h.rule[0] == 0 && h.rule[1] == 3) || (h.rule[0] == 3 && h.rule[1] == 0));
	assert_int_equal(h.rule[2], 1);
	assert_int_equal(h.start[2], 19);
	assert_int_equal(h.rule[3], 2);
	assert_int_equal(h.start[3], 20);
	prefilter_free(pf);
}

static void test_no_hits_and_edges(void **state)
{
	struct prefilter *pf = build();
	struct hits h;
	const char *text = "T3BlbkF";

	(void)state;
	memset(&h, 0, sizeof(h));
	prefilter_scan(pf, (const unsigned char *)text, strlen(text), collect, &h);
	assert_int_equal(h.n, 0);
	/* keyword at the very end and at byte 0 */
	memset(&h, 0, sizeof(h));
	prefilter_scan(pf, (const unsigned char *)"ghp_", 4, collect, &h);
	assert_int_equal(h.n, 1);
	assert_int_equal(h.start[0], 0);
	/* binary bytes do not confuse it */
	{
		unsigned char bin[] = {0, 0xff, 'G', 'H', 'P', '_', 0x80, 0};
		memset(&h, 0, sizeof(h));
		prefilter_scan(pf, bin, sizeof(bin), collect, &h);
		assert_int_equal(h.n, 1);
		assert_int_equal(h.start[0], 2);
	}
	prefilter_free(pf);
}

static int stop_first(unsigned rule, size_t start, size_t end, void *payload)
{
	(void)rule;
	(void)start;
	(void)end;
	++*(int *)payload;
	return 7;
}

static void test_stop(void **state)
{
	struct prefilter *pf = build();
	int calls = 0;

	(void)state;
	assert_int_equal(prefilter_scan(pf, (const unsigned char *)"ghp_ ghp_", 9, stop_first, &calls), 7);
	assert_int_equal(calls, 1);
	prefilter_free(pf);
}

/* Every occurrence is found once, at any alignment and at the end of data,
 * whether the scan tests every position or every second one. */
static void test_every_alignment(void **state)
{
	struct prefilter *pf = prefilter_new();
	struct err err;
	char buf[64];
	size_t at;

	(void)state;
	prefilter_add(pf, "xoxb-", 5, 0);
	prefilter_add(pf, "AKIA", 4, 1);
	assert_int_equal(prefilter_build(pf, &err), 0);
	for (at = 0; at + 5 <= 40; at++) {
		struct hits h;
		memset(buf, '.', sizeof(buf));
		memcpy(buf + at, "XOXB-", 5);
		memset(&h, 0, sizeof(h));
		prefilter_scan(pf, (const unsigned char *)buf, at + 5, collect, &h);
		assert_int_equal(h.n, 1);
		assert_int_equal(h.start[0], at);
		memset(&h, 0, sizeof(h));
		prefilter_scan(pf, (const unsigned char *)buf, 40, collect, &h);
		assert_int_equal(h.n, 1);
	}
	prefilter_free(pf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_finds_all_with_rules),
		cmocka_unit_test(test_no_hits_and_edges),
		cmocka_unit_test(test_stop),
		cmocka_unit_test(test_every_alignment),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
