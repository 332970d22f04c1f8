/* test_decode.c - keys hidden in encodings are found through the scanner:
 * base64 (a Kubernetes Secret value), percent-encoding, JSON \u escapes and
 * \/, UTF-16 text (LE and BE, with and without a byte-order mark); reported
 * at the encoded bytes with exact lines and columns; bounded work on hostile
 * input (a 10 MiB base64 blob, 10 MiB of escapes, base64 nested twelve deep);
 * identifiers and random words are not decoded. Keys are generated at run
 * time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "decode.h"
#include "rules.h"
#include "scan.h"
#include "xalloc.h"

#define MARKER "T3Blbk" "FJ"

static struct rule_set rs;
static struct scan_scratch *sc;

static void fake_proj(char *out)
{
	static const char cs[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	char a[21], b[21];
	int i;

	for (i = 0; i < 20; i++) {
		a[i] = cs[rand() % 62];
		b[i] = cs[rand() % 62];
	}
	a[20] = b[20] = '\0';
	snprintf(out, 128, "sk-proj-%s%s%s", a, MARKER, b);
}

static void b64(const char *in, char *out)
{
	static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t n = strlen(in), i, o = 0;

	for (i = 0; i + 2 < n; i += 3) {
		uint32_t v = ((uint32_t)(unsigned char)in[i] << 16) |
			     ((uint32_t)(unsigned char)in[i + 1] << 8) | (unsigned char)in[i + 2];
		out[o++] = t[v >> 18];
		out[o++] = t[(v >> 12) & 63];
		out[o++] = t[(v >> 6) & 63];
		out[o++] = t[v & 63];
	}
	if (n - i == 1) {
		uint32_t v = (uint32_t)(unsigned char)in[i] << 16;
		out[o++] = t[v >> 18];
		out[o++] = t[(v >> 12) & 63];
		out[o++] = '=';
		out[o++] = '=';
	} else if (n - i == 2) {
		uint32_t v = ((uint32_t)(unsigned char)in[i] << 16) | ((uint32_t)(unsigned char)in[i + 1] << 8);
		out[o++] = t[v >> 18];
		out[o++] = t[(v >> 12) & 63];
		out[o++] = t[(v >> 6) & 63];
		out[o++] = '=';
	}
	out[o] = '\0';
}

static int setup(void **state)
{
	struct err err;

	(void)state;
	srand(7);
	rule_set_init(&rs);
	if (rule_set_load_defaults(&rs, &err) || rule_set_compile(&rs, &err))
		return -1;
	sc = scan_scratch_new(&rs);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	scan_scratch_free(sc);
	rule_set_release(&rs);
	return 0;
}

static void scan_buf(const void *p, size_t n, struct finding_list *fl)
{
	struct content c;
	struct scan_stats st;
	struct err err;

	stats_init(&st);
	content_whole(&c, p, n, "f");
	scan_content(&rs, sc, &c, fl, &st, &err);
	stats_release(&st);
}

static void test_base64_k8s_secret(void **state)
{
	char key[128], enc[256], text[1024];
	struct finding_list fl;

	(void)state;
	fake_proj(key);
	b64(key, enc);
	snprintf(text, sizeof(text), "apiVersion: v1\nkind: Secret\ndata:\n  OPENAI_API_KEY: %s\n", enc);
	finding_list_init(&fl);
	scan_buf(text, strlen(text), &fl);
	assert_int_equal(fl.n, 1);
	assert_string_equal(fl.v[0].secret, key);
	assert_string_equal(fl.v[0].decoded, "base64");
	assert_int_equal(fl.v[0].line, 4);
	assert_int_equal(fl.v[0].column, 19); /* where the encoded value starts */
	assert_int_equal(fl.v[0].end_column, 19 + strlen(enc));
	finding_list_release(&fl);
}

static void test_basic_auth_and_nested(void **state)
{
	char key[128], cred[200], enc[400], twice[600], text[1024];
	struct finding_list fl;

	(void)state;
	fake_proj(key);
	snprintf(cred, sizeof(cred), "user:%s", key);
	b64(cred, enc);
	b64(enc, twice); /* base64 of base64: depth 2 */
	snprintf(text, sizeof(text), "Authorization: Basic %s\nx=%s\n", enc, twice);
	finding_list_init(&fl);
	scan_buf(text, strlen(text), &fl);
	assert_int_equal(fl.n, 2);
	assert_string_equal(fl.v[0].secret, key);
	assert_int_equal(fl.v[0].line, 1);
	assert_string_equal(fl.v[1].secret, key);
	assert_int_equal(fl.v[1].line, 2);
	finding_list_release(&fl);
}

static void test_percent_and_json_escapes(void **state)
{
	char key[128], text[1024], pct[400], esc[400];
	size_t i, o;
	struct finding_list fl;

	(void)state;
	fake_proj(key);
	/* every '-' percent-encoded; every '-' as \u002d */
	for (i = 0, o = 0; key[i]; i++) {
		if (key[i] == '-') {
			memcpy(pct + o, "%2D", 3);
			o += 3;
		} else {
			pct[o++] = key[i];
		}
	}
	pct[o] = '\0';
	for (i = 0, o = 0; key[i]; i++) {
		if (key[i] == '-') {
			memcpy(esc + o, "\\u002d", 6);
			o += 6;
		} else {
			esc[o++] = key[i];
		}
	}
	esc[o] = '\0';
	snprintf(text, sizeof(text), "https://x.test/?k=%s&a=1\n{\"k\": \"%s\"}\n", pct, esc);
	finding_list_init(&fl);
	scan_buf(text, strlen(text), &fl);
	assert_int_equal(fl.n, 2);
	assert_string_equal(fl.v[0].secret, key);
	assert_string_equal(fl.v[0].decoded, "percent");
	/* located at the key's own encoded bytes, not the whole URL */
	assert_int_equal(fl.v[0].line, 1);
	assert_int_equal(fl.v[0].column, 19);
	assert_int_equal(fl.v[0].end_column, 19 + strlen(pct));
	assert_string_equal(fl.v[1].secret, key);
	assert_string_equal(fl.v[1].decoded, "escape");
	assert_int_equal(fl.v[1].line, 2);
	assert_int_equal(fl.v[1].column, 8);
	assert_int_equal(fl.v[1].end_column, 8 + strlen(esc));
	finding_list_release(&fl);
}

static void test_plain_not_duplicated(void **state)
{
	char key[128], text[512];
	struct finding_list fl;

	(void)state;
	fake_proj(key);
	/* a JSON string with \/ escapes around a plain key: one finding */
	snprintf(text, sizeof(text), "{\"url\": \"https:\\/\\/x.test\\/%s\"}\n", key);
	finding_list_init(&fl);
	scan_buf(text, strlen(text), &fl);
	assert_int_equal(fl.n, 1);
	assert_null(fl.v[0].decoded);
	finding_list_release(&fl);
}

/* text as UTF-16 (big_endian or not, with or without a byte-order mark) */
static size_t to_utf16(const char *text, int big_endian, int bom, unsigned char *out)
{
	size_t i, n = 0;

	if (bom) {
		out[n++] = big_endian ? 0xfe : 0xff;
		out[n++] = big_endian ? 0xff : 0xfe;
	}
	for (i = 0; text[i]; i++) {
		out[n++] = big_endian ? 0 : (unsigned char)text[i];
		out[n++] = big_endian ? (unsigned char)text[i] : 0;
	}
	return n;
}

static void test_utf16(void **state)
{
	char key[128], text[512];
	unsigned char u16[1200];
	size_t n, bom = 0;
	int kind;
	struct finding_list fl;

	(void)state;
	fake_proj(key);
	snprintf(text, sizeof(text), "line one\nOPENAI_API_KEY=%s\nk=%s\n", key, key);
	for (kind = 0; kind < 4; kind++) {
		bom = kind & 1 ? 2 : 0;
		n = to_utf16(text, kind >> 1, (int)bom, u16);
		finding_list_init(&fl);
		scan_buf(u16, n, &fl);
		assert_int_equal(fl.n, 2);
		assert_string_equal(fl.v[0].secret, key);
		assert_string_equal(fl.v[0].decoded, "utf-16");
		assert_int_equal(fl.v[0].line, 2);
		assert_int_equal(fl.v[0].offset, bom + 2 * (9 + 15));
		/* columns: bytes from the line's first code unit, and characters */
		assert_int_equal(fl.v[0].column, 2 * 15 + 1);
		assert_int_equal(fl.v[0].end_column, 2 * 15 + 1 + 2 * strlen(key));
		assert_int_equal(fl.v[0].char_column, 16);
		assert_int_equal(fl.v[0].char_end_column, 16 + strlen(key));
		assert_int_equal(fl.v[1].line, 3);
		assert_int_equal(fl.v[1].column, 5);
		assert_int_equal(fl.v[1].char_column, 3);
		finding_list_release(&fl);
	}
	/* an inline allow comment on the line is read in UTF-16 too */
	snprintf(text, sizeof(text), "a=%s # keyhound:allow\nb=%s\n", key, key);
	n = to_utf16(text, 0, 1, u16);
	finding_list_init(&fl);
	scan_buf(u16, n, &fl);
	assert_int_equal(fl.n, 2);
	assert_int_equal(fl.v[0].suppressed, SUPPRESS_INLINE);
	assert_int_equal(fl.v[1].suppressed, SUPPRESS_NONE);
	finding_list_release(&fl);
	/* on line 1 a byte-order mark is not a column */
	snprintf(text, sizeof(text), "k=%s\n", key);
	n = to_utf16(text, 0, 1, u16);
	finding_list_init(&fl);
	scan_buf(u16, n, &fl);
	assert_int_equal(fl.n, 1);
	assert_int_equal(fl.v[0].line, 1);
	assert_int_equal(fl.v[0].column, 5);
	assert_int_equal(fl.v[0].char_column, 3);
	finding_list_release(&fl);
}

static int count_spans(const struct decoded *d, void *payload)
{
	(void)d;
	++*(int *)payload;
	return 0;
}

static void test_identifiers_not_decoded_and_budget(void **state)
{
	const char *code = "static int pthread_mutex_lock_recursive_helper(void);\n"
			   "#define THIS_IS_A_VERY_LONG_MACRO_NAME_FOR_TESTS 1\n"
			   "/usr/share/doc/some-package/changelog.Debian.gz\n";
	struct decode_budget budget = {1 << 20, 0};
	int n = 0;
	char *big;

	(void)state;
	decode_spans((const unsigned char *)code, strlen(code), 0, strlen(code), &budget,
		     count_spans, &n);
	assert_int_equal(n, 0);
	assert_int_equal(budget.cut, 0);
	/* a zero budget decodes nothing */
	big = xmalloc(4096);
	memset(big, 'Q', 4096);
	memcpy(big + 100, "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW", 29);
	budget.left = 0;
	n = 0;
	decode_spans((const unsigned char *)big, 4096, 0, 4096, &budget, count_spans, &n);
	assert_int_equal(n, 0);
	free(big);
}

struct tally {
	size_t calls, bytes, longest;
};

static int tally_spans(const struct decoded *d, void *payload)
{
	struct tally *t = payload;

	t->calls++;
	t->bytes += d->len;
	if (d->len > t->longest)
		t->longest = d->len;
	return 0;
}

#define BIG (10u << 20)

/* Hostile input: the work stays bounded. A 10 MiB base64 blob decodes at most
 * DECODE_MAX_SPAN of it; 10 MiB of percent escapes in one token, and 10 MiB
 * of small base64 words, are each examined once; whatever the input, the
 * decoded bytes never exceed the budget. (Before the bound, one token of
 * escapes was re-read from up to 1 MiB back at every escape: hours.) */
static void test_hostile_input_bounded(void **state)
{
	unsigned char *big = xmalloc(BIG + 1), *txt;
	struct decode_budget budget = {0, 0};
	size_t i, start_budget;
	struct tally t;
	struct finding_list fl;
	char key[128], line[256];

	(void)state;
	/* one base64 run of 10 MiB (of text holding a key at its start) */
	fake_proj(key);
	txt = xmalloc(BIG / 4 * 3 + 4);
	snprintf(line, sizeof(line), "OPENAI_API_KEY=%s\n", key);
	for (i = 0; i + 1 < BIG / 4 * 3; i++)
		txt[i] = (unsigned char)"The quick brown fox jumps over 13 lazy dogs.\n"[i % 45];
	memcpy(txt, line, strlen(line));
	txt[BIG / 4 * 3 - 1] = '\0';
	b64((const char *)txt, (char *)big);
	free(txt);
	memset(&t, 0, sizeof(t));
	start_budget = budget.left = 4 * (size_t)BIG;
	decode_spans(big, BIG, 0, BIG, &budget, tally_spans, &t);
	assert_int_equal(t.calls, 1);
	assert_true(t.longest <= DECODE_MAX_SPAN / 4 * 3);
	assert_int_equal(budget.cut, 1); /* the rest of the run: said so */
	assert_int_equal(start_budget - budget.left, t.bytes);
	/* through the scanner, the key at the start of the blob is found */
	finding_list_init(&fl);
	scan_buf(big, BIG, &fl);
	assert_int_equal(fl.n, 1);
	assert_string_equal(fl.v[0].secret, key);
	assert_string_equal(fl.v[0].decoded, "base64");
	assert_int_equal(fl.v[0].column, 1);
	finding_list_release(&fl);

	/* 10 MiB of %41 in one token */
	for (i = 0; i < BIG; i++)
		big[i] = (unsigned char)"%41"[i % 3];
	memset(&t, 0, sizeof(t));
	budget.left = start_budget;
	budget.cut = 0;
	decode_spans(big, BIG, 0, BIG, &budget, tally_spans, &t);
	assert_true(t.calls <= BIG / DECODE_MAX_SPAN + 1);
	assert_int_equal(budget.cut, 0); /* a long token is decoded in pieces, all of it */
	assert_int_equal(start_budget - budget.left, t.bytes);
	finding_list_init(&fl);
	scan_buf(big, BIG, &fl);
	assert_int_equal(fl.n, 0);
	finding_list_release(&fl);

	/* 10 MiB of short base64 words that decode to text: the budget ends it */
	for (i = 0; i + 25 <= BIG; i += 25)
		memcpy(big + i, "SGVsbG8gd29ybGQgaGVsbG8h ", 25);
	memset(&t, 0, sizeof(t));
	budget.left = 65536;
	budget.cut = 0;
	decode_spans(big, BIG, 0, BIG, &budget, tally_spans, &t);
	assert_true(t.bytes <= 65536);
	assert_true(t.calls <= 65536 / 8);
	assert_int_equal(65536 - budget.left, t.bytes);
	assert_true(budget.cut >= 1);
	free(big);
}

/* base64 of base64 of ... twelve levels deep: the scanner decodes two
 * levels (the budget is shared by all levels) and stops. */
static void test_nested_depth_bounded(void **state)
{
	char key[128];
	char *a = xmalloc(1 << 20), *b = xmalloc(1 << 20), *tmp;
	struct finding_list fl;
	int level;

	(void)state;
	fake_proj(key);
	snprintf(a, 1 << 20, "k=%s", key);
	for (level = 1; level <= 12; level++) {
		b64(a, b);
		tmp = a;
		a = b;
		b = tmp;
		finding_list_init(&fl);
		scan_buf(a, strlen(a), &fl);
		/* found through one or two levels, not deeper */
		assert_int_equal(fl.n, level <= 2 ? 1 : 0);
		finding_list_release(&fl);
	}
	free(a);
	free(b);
}

struct span_log {
	unsigned long long sum; /* of positions, lengths and decoded bytes, order-aware */
	size_t n;
};

static int log_span(const struct decoded *d, void *payload)
{
	struct span_log *l = payload;
	size_t i;

	l->n++;
	l->sum = l->sum * 1000003u + d->src_start * 31u + d->src_end * 7u + d->len;
	for (i = 0; i < d->len; i++)
		l->sum = l->sum * 131u + d->data[i];
	return 0;
}

/* Every way of finding byte classes (portable or SSE2, AVX2, AVX-512BW,
 * where the CPU has them) finds the same spans with the same decoded bytes:
 * base64 of text at every alignment to the 64-byte blocks, runs that cross
 * blocks, '=' padding, identifiers, one alphabet mixed with the other, and
 * a run longer than DECODE_MAX_SPAN. */
/* Long stretches with no run of 20 alphabet bytes (skipped a vector at a
 * time by the AVX-512 sweep), runs at every alignment, scans of sub-ranges
 * that start and end anywhere: every level finds the same spans. */
static void test_quiet_stretches_agree(void **state)
{
	size_t n = 1u << 20, i, r;
	unsigned char *buf = xmalloc(n);
	int level;

	(void)state;
	srand(11);
	for (i = 0; i < n; i++) /* words of at most 15 letters, digits and + / - _ */
		buf[i] = (unsigned char)(rand() % 16 == 0 ? ' ' : "aB3+/-_xYz9"[rand() % 11]);
	for (i = 0; i < 300; i++) { /* encoded text here and there */
		char text[64], enc[100];
		size_t at = (size_t)rand() % (n - 200), j, tl = 16 + (size_t)rand() % 40;
		for (j = 0; j < tl; j++)
			text[j] = (char)('a' + rand() % 26);
		text[tl] = '\0';
		b64(text, enc);
		buf[at] = ' ';
		memcpy(buf + at + 1, enc, strlen(enc));
		buf[at + 1 + strlen(enc)] = ' ';
	}
	for (r = 0; r < 40; r++) {
		size_t from = r ? (size_t)rand() % n : 0, to = r ? from + (size_t)rand() % (n - from) : n;
		struct span_log want = {0, 0};
		struct decode_budget budget = {(size_t)-1, 0};
		decode_use_simd(0);
		decode_spans(buf, n, from, to, &budget, log_span, &want);
		for (level = 1; level <= 2; level++) {
			struct span_log got = {0, 0};
			struct decode_budget b2 = {(size_t)-1, 0};
			decode_use_simd(level);
			decode_spans(buf, n, from, to, &b2, log_span, &got);
			assert_int_equal(got.n, want.n);
			assert_true(got.sum == want.sum);
		}
		if (!r)
			assert_true(want.n >= 250);
	}
	decode_use_simd(2);
	free(buf);
}

static void test_simd_levels_agree(void **state)
{
	size_t n = (3u << 20) + 777, i = 0, k = 0;
	unsigned char *buf = xmalloc(n);
	struct span_log want = {0, 0};
	int level;

	(void)state;
	srand(7);
	while (i + 400 < n && i < (1u << 20)) {
		char text[200], enc[300];
		size_t tl = 20 + (size_t)rand() % 100, j, el;
		for (j = 0; j < tl; j++)
			text[j] = (char)(' ' + rand() % 95);
		text[tl] = '\0';
		b64(text, enc);
		el = strlen(enc);
		if (k % 5 == 1) /* the URL-safe alphabet */
			for (j = 0; j < el; j++)
				enc[j] = enc[j] == '+' ? '-' : enc[j] == '/' ? '_' : enc[j];
		if (k % 7 == 3 && el > 10) /* both alphabets in one run: not decoded */
			enc[el / 2] = '_', enc[el / 3] = '+';
		buf[i++] = '\n';
		memcpy(buf + i, enc, el);
		i += el;
		buf[i++] = k % 3 ? ' ' : '"';
		for (j = (size_t)rand() % 70; j > 0; j--) /* filler: words, identifiers */
			buf[i++] = (unsigned char)(j % 9 == 0 ? ' ' : "abcXYZ_019.;\n"[rand() % 13]);
		k++;
	}
	memset(buf + i, 'A', n - i); /* an over-long run to the end */
	for (i += 5; i + 7 < n; i += 4096)
		memcpy(buf + i, "Zm9vYmFy", 8);
	decode_use_simd(0);
	{
		struct decode_budget budget = {(size_t)-1, 0};
		decode_spans(buf, n, 0, n, &budget, log_span, &want);
	}
	assert_true(want.n > 5000);
	for (level = 1; level <= 2; level++) {
		struct span_log got = {0, 0};
		struct decode_budget budget = {(size_t)-1, 0};
		decode_use_simd(level);
		decode_spans(buf, n, 0, n, &budget, log_span, &got);
		assert_int_equal(got.n, want.n);
		assert_true(got.sum == want.sum);
	}
	decode_use_simd(2);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_base64_k8s_secret),
		cmocka_unit_test(test_basic_auth_and_nested),
		cmocka_unit_test(test_percent_and_json_escapes),
		cmocka_unit_test(test_plain_not_duplicated),
		cmocka_unit_test(test_utf16),
		cmocka_unit_test(test_identifiers_not_decoded_and_budget),
		cmocka_unit_test(test_hostile_input_bounded),
		cmocka_unit_test(test_nested_depth_bounded),
		cmocka_unit_test(test_simd_levels_agree),
		cmocka_unit_test(test_quiet_stretches_agree),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
