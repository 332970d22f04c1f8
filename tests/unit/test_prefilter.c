/* test_prefilter.c - the keyword prefilter finds every keyword occurrence,
 * case-insensitively, overlapping ones included, with the right rules; every
 * test runs three times, with the AVX-512 and AVX2 scans (where the CPU
 * has them) and with the portable one, and all must agree on long random
 * data. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include "prefilter.h"

struct hits {
	unsigned rule[64];
	size_t start[64], end[64];
	size_t n;
};

static int use_simd = 2;

static struct prefilter *pf_new(void)
{
	struct prefilter *pf = prefilter_new();

	prefilter_use_simd(pf, use_simd);
	return pf;
}

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
	struct prefilter *pf = pf_new();
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
	struct prefilter *pf = pf_new();
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

struct count {
	size_t n;
	unsigned long long sum; /* of rule * 1000003 + start, order-free */
};

static int tally(unsigned rule, size_t start, size_t end, void *payload)
{
	struct count *c = payload;

	(void)end;
	c->n++;
	c->sum += (unsigned long long)rule * 1000003u + start;
	return 0;
}

static int ieq(const char *a, const char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char x = a[i], y = b[i];
		if (x >= 'A' && x <= 'Z')
			x = (char)(x + 32);
		if (y >= 'A' && y <= 'Z')
			y = (char)(y + 32);
		if (x != y)
			return 0;
	}
	return 1;
}

/* Random text sprinkled with keywords of 2 to 12 bytes in random case: the
 * prefilter reports exactly the occurrences a naive search finds, with and
 * without a 2-byte keyword (which switches to the slow path). */
static void test_matches_naive_search(void **state)
{
	static const char *const kws[] = {"T3BlbkFJ", "xoxb-", "AKIA", "org-", "hf_", "-us",
					  "token", "password", "sk_live_", "9q~", "EAA",
					  "glpat-", "ab_", "~~~~", "abcdefghijkl", "Pa"};
	static const char alpha[] = "abcdefghijkT3BlFJxo-_~9qAKIEupswrdtn. \n";
	size_t nk, round, planted = 0;
	unsigned seed = 12345;

	(void)state;
	for (nk = 15; nk <= 16; nk++) {
		struct prefilter *pf = pf_new();
		struct err err;
		size_t k;
		for (k = 0; k < nk; k++)
			prefilter_add(pf, kws[k], strlen(kws[k]), (unsigned)k);
		assert_int_equal(prefilter_build(pf, &err), 0);
		for (round = 0; round < 200; round++) {
			char buf[700];
			size_t len = 1 + (seed = seed * 1103515245u + 12345u) % (sizeof(buf) - 20), i;
			struct count got = {0, 0}, want = {0, 0};
			for (i = 0; i < len; i++)
				buf[i] = alpha[(seed = seed * 1103515245u + 12345u) >> 16 & 31];
			for (i = 0; i < 12; i++) { /* plant keywords, random case */
				size_t r = (seed = seed * 1103515245u + 12345u) >> 8, j;
				const char *w = kws[r % nk];
				size_t wl = strlen(w), at = (r >> 4) % len;
				for (j = 0; j < wl && at + j < len; j++)
					buf[at + j] = (char)((seed = seed * 1103515245u + 12345u) >> 20 & 1 &&
							     w[j] >= 'a' && w[j] <= 'z' ? w[j] - 32 : w[j]);
			}
			for (i = 0; i < len; i++)
				for (k = 0; k < nk; k++) {
					size_t wl = strlen(kws[k]);
					if (i + wl <= len && ieq(buf + i, kws[k], wl))
						tally((unsigned)k, i, i + wl, &want);
				}
			prefilter_scan(pf, (const unsigned char *)buf, len, tally, &got);
			planted += want.n;
			assert_int_equal(got.n, want.n);
			assert_true(got.sum == want.sum);
		}
		prefilter_free(pf);
	}
	assert_true(planted > 2000);
}

/* A keyword of each length (2 to 12) is found at every offset, including
 * ending exactly at the end of the data. */
static void test_every_length_at_the_end(void **state)
{
	static const char *const kws[] = {"Qz", "Qzx", "Qzx9", "Qzx9_", "Qzx9_w", "Qzx9_wv",
					  "Qzx9_wvK", "Qzx9_wvK1", "Qzx9_wvK1-", "Qzx9_wvK1-j",
					  "Qzx9_wvK1-jR"};
	size_t w, at;

	(void)state;
	for (w = 0; w < sizeof(kws) / sizeof(kws[0]); w++) {
		struct prefilter *pf = pf_new();
		struct err err;
		size_t kl = strlen(kws[w]);
		prefilter_add(pf, kws[w], kl, 0);
		assert_int_equal(prefilter_build(pf, &err), 0);
		for (at = 0; at < 40; at++) {
			char buf[64];
			struct hits h;
			memset(buf, ' ', sizeof(buf));
			memcpy(buf + at, kws[w], kl);
			memset(&h, 0, sizeof(h));
			prefilter_scan(pf, (const unsigned char *)buf, at + kl, collect, &h);
			assert_int_equal(h.n, 1);
			assert_int_equal(h.start[0], at);
		}
		prefilter_free(pf);
	}
}

/* Many keywords drawn from a small alphabet of letters, digits, symbols
 * and bytes that share their low four bits with letters (the long
 * keywords' byte classes) or are not ASCII: 30 short ones (more than the
 * eight buckets, so buckets are merged), keywords of repeated bytes (whose
 * two grams fall in one word) and keywords up to 12 bytes; random text from
 * the same alphabet. Every occurrence a naive search finds is reported
 * once, in every alignment, through every scan. */
static void test_many_keywords_naive(void **state)
{
	static const unsigned char alpha[] = "aAbq~_-.0971Zz\x01\x11\x80\xe1!p";
	enum { NK = 70 };
	char kws[NK][13];
	size_t kl[NK], k, round, planted = 0;
	unsigned seed = 777;
	struct prefilter *pf = pf_new();
	struct err err;

	(void)state;
	for (k = 0; k < NK; k++) {
		size_t j;
		seed = seed * 1103515245u + 12345u;
		kl[k] = k < 30 ? 2 + (seed >> 16) % 2 : 4 + (seed >> 16) % 9;
		for (j = 0; j < kl[k]; j++) {
			seed = seed * 1103515245u + 12345u;
			kws[k][j] = (char)alpha[(seed >> 16) % (sizeof(alpha) - 1)];
			if (k % 10 == 9 && j) /* a keyword of one repeated byte */
				kws[k][j] = kws[k][0];
		}
		kws[k][kl[k]] = '\0';
		prefilter_add(pf, kws[k], kl[k], (unsigned)k);
	}
	assert_int_equal(prefilter_build(pf, &err), 0);
	for (round = 0; round < 300; round++) {
		char buf[400];
		size_t len = 1 + (seed = seed * 1103515245u + 12345u) % (sizeof(buf) - 1), i;
		struct count got = {0, 0}, want = {0, 0};
		for (i = 0; i < len; i++)
			buf[i] = (char)alpha[((seed = seed * 1103515245u + 12345u) >> 16) %
					     (sizeof(alpha) - 1)];
		for (i = 0; i < 8; i++) { /* plant long keywords, random case */
			size_t r = (seed = seed * 1103515245u + 12345u) >> 8, j;
			size_t w = 30 + r % (NK - 30), at = (r >> 8) % len;
			for (j = 0; j < kl[w] && at + j < len; j++)
				buf[at + j] = (char)((seed = seed * 1103515245u + 12345u) >> 20 & 1 &&
						     kws[w][j] >= 'a' && kws[w][j] <= 'z' ? kws[w][j] - 32
										 : kws[w][j]);
		}
		for (i = 0; i < len; i++)
			for (k = 0; k < NK; k++)
				if (i + kl[k] <= len && ieq(buf + i, kws[k], kl[k]))
					tally((unsigned)k, i, i + kl[k], &want);
		prefilter_scan(pf, (const unsigned char *)buf, len, tally, &got);
		planted += want.n;
		assert_int_equal(got.n, want.n);
		assert_true(got.sum == want.sum);
	}
	assert_true(planted > 3000);
	prefilter_free(pf);
}

struct hitlist {
	unsigned long long *v;
	size_t n, cap;
};

static int record(unsigned rule, size_t start, size_t end, void *payload)
{
	struct hitlist *l = payload;

	(void)end;
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 1024;
		l->v = realloc(l->v, l->cap * sizeof(*l->v));
		assert_non_null(l->v);
	}
	l->v[l->n++] = (unsigned long long)start << 16 | rule;
	return 0;
}

/* The SIMD and the portable scan report the same occurrences in the same
 * order, on 1 MB of text-like random bytes full of keyword fragments, with
 * keywords of 2 to 10 bytes (the AVX2 loop's 32-byte blocks and the
 * portable loop's tail both see keywords across their edges). */
static void test_simd_agrees(void **state)
{
	static const char *const kws[] = {"T3BlbkFJ", "ghp_", "xoxb-", "AKIA", "hf_", "-us",
					  "sk_live_", "8q~", "eyj", "Pa", "password", "glpat-",
					  "token", "secret_access_key"};
	static const char alpha[] = "T3BlbkFJghp_xoAKIAhf-us8q~eyPaswrdtn. \n\t{}\"";
	size_t n = 1u << 20, i, k;
	unsigned char *buf = malloc(n);
	unsigned seed = 99;
	struct prefilter *a = prefilter_new(), *b = prefilter_new(), *c = prefilter_new();
	struct hitlist ha = {NULL, 0, 0}, hb = {NULL, 0, 0}, hc = {NULL, 0, 0};
	struct err err;

	(void)state;
	assert_non_null(buf);
	prefilter_use_simd(a, 2);
	prefilter_use_simd(b, 0);
	prefilter_use_simd(c, 1);
	for (k = 0; k < sizeof(kws) / sizeof(kws[0]); k++) {
		prefilter_add(a, kws[k], strlen(kws[k]), (unsigned)k);
		prefilter_add(b, kws[k], strlen(kws[k]), (unsigned)k);
		prefilter_add(c, kws[k], strlen(kws[k]), (unsigned)k);
	}
	assert_int_equal(prefilter_build(a, &err), 0);
	assert_int_equal(prefilter_build(b, &err), 0);
	assert_int_equal(prefilter_build(c, &err), 0);
	for (i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		buf[i] = (unsigned char)alpha[(seed >> 16) % (sizeof(alpha) - 1)];
		if ((seed >> 8 & 0xff) == 0) /* now and then a byte that is not text */
			buf[i] = (unsigned char)(seed >> 24);
	}
	for (i = 0; i + 20 < n; i += 997) { /* and whole keywords, in random case */
		const char *w = kws[(i / 997) % (sizeof(kws) / sizeof(kws[0]))];
		for (k = 0; w[k]; k++)
			buf[i + k] = (unsigned char)((i >> 3 & 1) && w[k] >= 'a' && w[k] <= 'z' ? w[k] - 32
											    : w[k]);
	}
	for (k = 0; k < 40; k++) { /* every length, so every tail */
		size_t len = n - k * 37;
		ha.n = hb.n = hc.n = 0;
		prefilter_scan(a, buf, len, record, &ha);
		prefilter_scan(b, buf, len, record, &hb);
		prefilter_scan(c, buf, len, record, &hc);
		assert_true(ha.n > 1000);
		assert_int_equal(ha.n, hb.n);
		assert_int_equal(hc.n, hb.n);
		assert_memory_equal(ha.v, hb.v, ha.n * sizeof(*ha.v));
		assert_memory_equal(hc.v, hb.v, hc.n * sizeof(*hc.v));
	}
	free(ha.v);
	free(hb.v);
	free(hc.v);
	free(buf);
	prefilter_free(a);
	prefilter_free(b);
	prefilter_free(c);
}

int main(void)
{
	int rc;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_finds_all_with_rules),
		cmocka_unit_test(test_no_hits_and_edges),
		cmocka_unit_test(test_stop),
		cmocka_unit_test(test_every_alignment),
		cmocka_unit_test(test_matches_naive_search),
		cmocka_unit_test(test_every_length_at_the_end),
		cmocka_unit_test(test_many_keywords_naive),
		cmocka_unit_test(test_simd_agrees),
	};

	use_simd = 2;
	rc = cmocka_run_group_tests_name("prefilter (widest SIMD available)", tests, NULL, NULL);
	use_simd = 1;
	rc |= cmocka_run_group_tests_name("prefilter (AVX2 where available)", tests, NULL, NULL);
	use_simd = 0;
	return rc | cmocka_run_group_tests_name("prefilter (portable)", tests, NULL, NULL);
}
