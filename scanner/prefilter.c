/* prefilter.c - find every rule keyword in one pass, by rare bigrams.
 *
 * Each keyword is indexed by its rarest two consecutive two-byte pairs
 * (ASCII case folded; rarity from a fixed estimate of byte frequencies in
 * text and code), with each pair's offset inside the keyword; one of the two
 * starts at an even position, so only every second position is tested. The scan loop loads each position's
 * pair as one 16-bit value and tests it against a 64 Kibit bitmap (all case
 * variants set, so no folding) that lives in L1 cache, with no dependency
 * from one byte to the next, so the CPU pipelines it; only a hit looks at
 * the keywords filed under that pair and compares them in full. A rare anchor
 * ("fj" in T3BlbkFJ) makes hits rare however many rules there are.
 * Immutable after prefilter_build(); safe to share between threads.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "prefilter.h"
#include "xalloc.h"

struct kw {
	unsigned char *text; /* folded */
	size_t len;
	size_t anchor;       /* offset of the indexed pair */
	unsigned *rules;     /* rule indexes owning this keyword */
	size_t nrules;
};

/* A keyword filed under one of its pairs. */
struct anchor {
	uint32_t kw;
	uint32_t off;
};

struct prefilter {
	struct kw *kws;
	size_t nkws;
	uint8_t bitmap[65536 / 8];
	uint32_t *bucket_start; /* 65537 entries: index entries by pair, CSR layout */
	struct anchor *bucket;  /* (keyword, offset of the pair in it) */
	unsigned stride;        /* positions tested: every `stride`-th */
	unsigned char fold[256];
	int built;
};

static unsigned char fold_byte(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

/* Rough frequency of a (folded) byte in source code and text. */
static double weight(unsigned char c)
{
	static const char order[] = "etaoinsrlcdhupmfgbyvwkxjqz";
	const char *p;

	if (c >= 'a' && c <= 'z') {
		p = strchr(order, c);
		return 14.0 - 13.5 * (double)(p - order) / 25.0;
	}
	if (c >= '0' && c <= '9')
		return 2.0;
	switch (c) {
	case ' ': case '\n': case '\t': return 30.0;
	case '.': case ',': case '(': case ')': case ';': case '"': case '=': return 4.0;
	case '_': case '-': case '/': case ':': case '\'': return 3.0;
	default: return 1.0;
	}
}

struct prefilter *prefilter_new(void)
{
	struct prefilter *pf = xcalloc(1, sizeof(struct prefilter));
	int c;

	for (c = 0; c < 256; c++)
		pf->fold[c] = fold_byte((unsigned char)c);
	return pf;
}

void prefilter_free(struct prefilter *pf)
{
	size_t i;

	if (!pf)
		return;
	for (i = 0; i < pf->nkws; i++) {
		free(pf->kws[i].rules);
		free(pf->kws[i].text);
	}
	free(pf->kws);
	free(pf->bucket_start);
	free(pf->bucket);
	free(pf);
}

void prefilter_add(struct prefilter *pf, const char *kw, size_t len, unsigned rule)
{
	size_t i, j;
	unsigned char *low = (unsigned char *)xstrndup(kw, len);

	for (j = 0; j < len; j++)
		low[j] = fold_byte(low[j]);
	for (i = 0; i < pf->nkws; i++) {
		struct kw *k = &pf->kws[i];
		if (k->len == len && !memcmp(k->text, low, len)) {
			for (j = 0; j < k->nrules; j++)
				if (k->rules[j] == rule)
					break;
			if (j == k->nrules) {
				k->rules = xrealloc(k->rules, (k->nrules + 1) * sizeof(unsigned));
				k->rules[k->nrules++] = rule;
			}
			free(low);
			return;
		}
	}
	pf->kws = xrealloc(pf->kws, (pf->nkws + 1) * sizeof(*pf->kws));
	pf->kws[pf->nkws].text = low;
	pf->kws[pf->nkws].len = len;
	pf->kws[pf->nkws].anchor = 0;
	pf->kws[pf->nkws].rules = xmalloc(sizeof(unsigned));
	pf->kws[pf->nkws].rules[0] = rule;
	pf->kws[pf->nkws].nrules = 1;
	pf->nkws++;
}

/* The pair at p as a 16-bit value in host byte order (one unaligned load). */
static inline unsigned pair_at(const unsigned char *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return v;
}

static unsigned char upper(unsigned char c)
{
	return (c >= 'a' && c <= 'z') ? (unsigned char)(c - 32) : c;
}

/* Rarity of the `stride` consecutive pairs starting at j (lower is rarer). */
static double score(const unsigned char *t, size_t j, unsigned stride)
{
	double w = 0;
	unsigned k;

	for (k = 0; k < stride; k++)
		w += weight(t[j + k]) * weight(t[j + k + 1]);
	return w;
}

static void mark_pair(struct prefilter *pf, const unsigned char *a)
{
	int v;

	/* every case variant of the pair, so the scan needs no folding */
	for (v = 0; v < 4; v++) {
		unsigned char q[2];
		q[0] = (v & 1) ? upper(a[0]) : a[0];
		q[1] = (v & 2) ? upper(a[1]) : a[1];
		pf->bitmap[pair_at(q) >> 3] |= (uint8_t)(1u << (pair_at(q) & 7));
	}
}

int prefilter_build(struct prefilter *pf, struct err *err)
{
	size_t i, j, nentries;
	uint32_t *count, *fill;
	unsigned k;

	/* Testing every second position is enough when each keyword is filed
	 * under two consecutive pairs: one of them starts at an even offset.
	 * That needs keywords of three bytes or more. */
	pf->stride = 2;
	for (i = 0; i < pf->nkws; i++) {
		if (pf->kws[i].len < 2)
			return err_set(err, KH_EINVAL,
				       "keyword '%s' is too short: keywords need at least 2 characters",
				       (const char *)pf->kws[i].text);
		if (pf->kws[i].len < 3)
			pf->stride = 1;
	}
	for (i = 0; i < pf->nkws; i++) {
		struct kw *kwd = &pf->kws[i];
		double best = 1e30;
		for (j = 0; j + pf->stride < kwd->len; j++) {
			double w = score(kwd->text, j, pf->stride);
			if (w < best) {
				best = w;
				kwd->anchor = j;
			}
		}
	}
	nentries = pf->nkws * pf->stride;
	count = xcalloc(65537, sizeof(uint32_t));
	for (i = 0; i < pf->nkws; i++)
		for (k = 0; k < pf->stride; k++)
			count[pair_at(pf->kws[i].text + pf->kws[i].anchor + k) + 1]++;
	for (i = 1; i <= 65536; i++)
		count[i] += count[i - 1];
	pf->bucket_start = count;
	pf->bucket = xcalloc(nentries ? nentries : 1, sizeof(*pf->bucket));
	fill = xcalloc(65536, sizeof(uint32_t));
	for (i = 0; i < pf->nkws; i++) {
		for (k = 0; k < pf->stride; k++) {
			const unsigned char *a = pf->kws[i].text + pf->kws[i].anchor + k;
			unsigned pr = pair_at(a);
			struct anchor *e = &pf->bucket[count[pr] + fill[pr]++];
			e->kw = (uint32_t)i;
			e->off = (uint32_t)(pf->kws[i].anchor + k);
			mark_pair(pf, a);
		}
	}
	free(fill);
	pf->built = 1;
	return 0;
}

/* Compares keyword k with data at start (folded). */
static int kw_at(const struct prefilter *pf, const struct kw *k, const unsigned char *data,
		 size_t start)
{
	size_t i;

	for (i = 0; i < k->len; i++)
		if (pf->fold[data[start + i]] != k->text[i])
			return 0;
	return 1;
}

static int on_pair(const struct prefilter *pf, unsigned pr, const unsigned char *data,
		   size_t len, size_t pos, prefilter_hit_fn fn, void *payload)
{
	uint32_t b;

	for (b = pf->bucket_start[pr]; b < pf->bucket_start[pr + 1]; b++) {
		const struct anchor *e = &pf->bucket[b];
		const struct kw *k = &pf->kws[e->kw];
		size_t start, r;
		if (pos < e->off)
			continue;
		start = pos - e->off;
		if (start + k->len > len || !kw_at(pf, k, data, start))
			continue;
		for (r = 0; r < k->nrules; r++) {
			int rc = fn(k->rules[r], start, start + k->len, payload);
			if (rc)
				return rc;
		}
	}
	return 0;
}

static inline unsigned pair_hit(const uint8_t *bm, const unsigned char *p)
{
	unsigned pr = pair_at(p);

	return (bm[pr >> 3] >> (pr & 7)) & 1u;
}

static int on_position(const struct prefilter *pf, const unsigned char *data, size_t len,
		       size_t pos, prefilter_hit_fn fn, void *payload)
{
	unsigned char q[2];

	q[0] = pf->fold[data[pos]];
	q[1] = pf->fold[data[pos + 1]];
	return on_pair(pf, pair_at(q), data, len, pos, fn, payload);
}

int prefilter_scan(const struct prefilter *pf, const unsigned char *data, size_t len,
		   prefilter_hit_fn fn, void *payload)
{
	const uint8_t *bm = pf->bitmap;
	size_t i = 0, k;
	int rc;

	if (!pf->built || !pf->nkws || len < 2)
		return 0;
	if (pf->stride == 2) {
		/* even positions, eight per step: a keyword's two anchor pairs are
		 * consecutive, so one of them starts at an even position */
		for (; i + 17 <= len; i += 16) {
			const unsigned char *p = data + i;
			unsigned hit = pair_hit(bm, p) | pair_hit(bm, p + 2) | pair_hit(bm, p + 4) |
				       pair_hit(bm, p + 6) | pair_hit(bm, p + 8) | pair_hit(bm, p + 10) |
				       pair_hit(bm, p + 12) | pair_hit(bm, p + 14);
			if (!hit)
				continue;
			for (k = i; k < i + 16; k += 2)
				if (pair_hit(bm, data + k) &&
				    (rc = on_position(pf, data, len, k, fn, payload)))
					return rc;
		}
		for (; i + 1 < len; i += 2)
			if (pair_hit(bm, data + i) && (rc = on_position(pf, data, len, i, fn, payload)))
				return rc;
		return 0;
	}
	/* Eight positions per step without branching; hits are rare, so the
	 * branch below is well predicted. */
	for (; i + 9 <= len; i += 8) {
		const unsigned char *p = data + i;
		unsigned hit = pair_hit(bm, p) | pair_hit(bm, p + 1) | pair_hit(bm, p + 2) |
			       pair_hit(bm, p + 3) | pair_hit(bm, p + 4) | pair_hit(bm, p + 5) |
			       pair_hit(bm, p + 6) | pair_hit(bm, p + 7);
		if (!hit)
			continue;
		for (k = i; k < i + 8; k++)
			if (pair_hit(bm, data + k) &&
			    (rc = on_position(pf, data, len, k, fn, payload)))
				return rc;
	}
	for (; i + 1 < len; i++)
		if (pair_hit(bm, data + i) && (rc = on_position(pf, data, len, i, fn, payload)))
			return rc;
	return 0;
}
