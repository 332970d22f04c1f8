/* prefilter.c - find every rule keyword in one pass, by rare bigrams.
 *
 * Each keyword is indexed by its rarest two-byte pair (ASCII case folded;
 * rarity from a fixed estimate of byte frequencies in text and code), with
 * the pair's offset inside the keyword. The scan loop loads each position's
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

struct prefilter {
	struct kw *kws;
	size_t nkws;
	uint8_t bitmap[65536 / 8];
	uint32_t *bucket_start; /* 65537 entries: keywords by pair, CSR layout */
	uint32_t *bucket;       /* keyword ids */
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

int prefilter_build(struct prefilter *pf, struct err *err)
{
	size_t i, j;
	uint32_t *count;

	for (i = 0; i < pf->nkws; i++) {
		struct kw *k = &pf->kws[i];
		double best = 1e30;
		if (k->len < 2)
			return err_set(err, KH_EINVAL,
				       "keyword '%s' is too short: keywords need at least 2 characters",
				       (const char *)k->text);
		for (j = 0; j + 1 < k->len; j++) {
			double w = weight(k->text[j]) * weight(k->text[j + 1]);
			if (w < best) {
				best = w;
				k->anchor = j;
			}
		}
	}
	count = xcalloc(65537, sizeof(uint32_t));
	for (i = 0; i < pf->nkws; i++)
		count[pair_at(pf->kws[i].text + pf->kws[i].anchor) + 1]++;
	for (i = 1; i <= 65536; i++)
		count[i] += count[i - 1];
	pf->bucket_start = count;
	pf->bucket = xcalloc(pf->nkws ? pf->nkws : 1, sizeof(uint32_t));
	{
		uint32_t *fill = xcalloc(65536, sizeof(uint32_t));
		for (i = 0; i < pf->nkws; i++) {
			unsigned pr = pair_at(pf->kws[i].text + pf->kws[i].anchor);
			const unsigned char *a = pf->kws[i].text + pf->kws[i].anchor;
			int v;
			pf->bucket[count[pr] + fill[pr]++] = (uint32_t)i;
			/* every case variant of the pair, so the scan needs no folding */
			for (v = 0; v < 4; v++) {
				unsigned char q[2];
				q[0] = (v & 1) ? upper(a[0]) : a[0];
				q[1] = (v & 2) ? upper(a[1]) : a[1];
				pf->bitmap[pair_at(q) >> 3] |= (uint8_t)(1u << (pair_at(q) & 7));
			}
		}
		free(fill);
	}
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
		const struct kw *k = &pf->kws[pf->bucket[b]];
		size_t start, r;
		if (pos < k->anchor)
			continue;
		start = pos - k->anchor;
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
