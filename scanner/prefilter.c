/* prefilter.c - find every rule keyword in one pass, by rare trigrams.
 *
 * Keywords of four bytes or more are indexed by their two rarest consecutive
 * trigrams (rarity from a table measured in text and code, prefilter_grams.c);
 * one of the two starts at an even offset, so only every second position of
 * the data is tested. A test is one 32-bit load, an OR that folds ASCII case
 * (lossily: it also pairs up some punctuation and control bytes, which only
 * adds false hits), and a multiply-shift hash into a 128 Kibit bitmap that
 * stays in L1 cache; there is no dependency from one position to the next,
 * so the CPU pipelines the loop, and sixteen bytes with no hit cost eight such
 * tests. Only a hit looks at the keywords filed under that hash and compares
 * them in full (exact ASCII case folding).
 *
 * Why trigrams: many keywords are ordinary words (provider names such as
 * "zendesk", "cohere", or "secret"), and no byte pair inside such a word is
 * rare, so a pair index hits every dozen bytes and the fast path never runs.
 * A word's rarest trigram is typically a hundred times rarer than its rarest
 * pair.
 *
 * Keywords of two or three bytes have too few trigrams. A 3-byte keyword
 * "xyz" starting at an even position is its own trigram; starting at an odd
 * one, the even position next to it holds "?xy" or "yz?" with one byte
 * unknown, so the keyword is also filed under every value of that byte (128
 * after folding), on the side whose pair is rarer. A 2-byte keyword is filed
 * under both sides. The loop then tests trigrams only, the same loop however
 * many short keywords there are.
 *
 * Immutable after prefilter_build(); safe to share between threads.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "prefilter.h"
#include "xalloc.h"

#define TRI_BITS 17                   /* the trigram bitmap: 2^17 bits, 16 KiB */
#define TRI_SLOTS ((size_t)1 << TRI_BITS)
#define FOLD4 0x20202020u             /* ASCII upper to lower case, lossily */

struct kw {
	unsigned char *text; /* folded exactly (A-Z to a-z) */
	size_t len;
	size_t anchor;       /* offset of the first indexed gram */
	unsigned *rules;     /* rule indexes owning this keyword */
	size_t nrules;
};

/* A keyword filed under one of its grams. */
struct anchor {
	uint32_t kw;
	uint32_t off;
};

/* Keywords filed by gram: a bitmap to test, and buckets in CSR layout. */
struct gram_index {
	uint8_t *bitmap;
	uint32_t *start;      /* slots + 1 entries */
	struct anchor *bucket;
};

struct prefilter {
	struct kw *kws;
	size_t nkws;
	struct gram_index tri;  /* every keyword, by hashed trigram */
	uint32_t tri_mask;      /* the bytes p, p+1, p+2 of a 32-bit load at p */
	unsigned char fold[256];
	int built;
};

static unsigned char fold_byte(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

struct prefilter *prefilter_new(void)
{
	struct prefilter *pf = xcalloc(1, sizeof(*pf));
	unsigned c;
	union {
		uint32_t v;
		unsigned char b[4];
	} probe = {0};

	for (c = 0; c < 256; c++)
		pf->fold[c] = fold_byte((unsigned char)c);
	/* which bits of a 32-bit load hold the first three bytes */
	probe.b[0] = probe.b[1] = probe.b[2] = 0xff;
	pf->tri_mask = probe.v;
	return pf;
}

static void gram_index_release(struct gram_index *g)
{
	free(g->bitmap);
	free(g->start);
	free(g->bucket);
}

void prefilter_free(struct prefilter *pf)
{
	size_t i;

	if (!pf)
		return;
	for (i = 0; i < pf->nkws; i++) {
		free(pf->kws[i].text);
		free(pf->kws[i].rules);
	}
	free(pf->kws);
	gram_index_release(&pf->tri);
	free(pf);
}

void prefilter_add(struct prefilter *pf, const char *kw, size_t len, unsigned rule)
{
	unsigned char *low = xmalloc(len + 1);
	size_t i, j;

	memcpy(low, kw, len);
	low[len] = '\0';
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

/* The bitmap slot of the trigram at p, which must have 4 readable bytes. */
static inline uint32_t tri_slot(const struct prefilter *pf, const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return (((v | FOLD4) & pf->tri_mask) * 0x9E3779B1u) >> (32 - TRI_BITS);
}

/* The same for a trigram with fewer than 4 readable bytes (data's end, and
 * keywords, whose fourth byte may not exist). */
static uint32_t tri_slot3(const struct prefilter *pf, const unsigned char *p)
{
	unsigned char q[4] = {p[0], p[1], p[2], 0};

	return tri_slot(pf, q);
}

static inline int bit(const uint8_t *bm, uint32_t i)
{
	return (bm[i >> 3] >> (i & 7)) & 1;
}

static void set_bit(uint8_t *bm, uint32_t i)
{
	bm[i >> 3] |= (uint8_t)(1u << (i & 7));
}

/* Files (kw, off) under slot in g: first pass counts (bucket == NULL),
 * second pass fills. */
static void file_under(struct gram_index *g, uint32_t *fill, uint32_t slot, uint32_t kw,
		       uint32_t off)
{
	if (!g->bucket) {
		g->start[slot + 1]++;
		return;
	}
	g->bucket[g->start[slot] + fill[slot]].kw = kw;
	g->bucket[g->start[slot] + fill[slot]++].off = off;
	set_bit(g->bitmap, slot);
}

/* Files keyword kw under the trigram "t[0] t[1] ?" (wild == 2) or
 * "? t[0] t[1]" (wild == 0) for every value of the unknown byte; off is the
 * keyword's offset at the trigram's first byte (may be -1: the byte before
 * the keyword). Values that fold alike share a slot (filed once). */
static void file_wild(struct prefilter *pf, uint32_t *fill, const unsigned char *t, int wild,
		      uint32_t kw, uint32_t off)
{
	unsigned c;

	for (c = 0; c < 256; c++) {
		unsigned char q[3];
		if (c & 0x20 && (c ^ 0x20) < c)
			continue; /* ORing 0x20 makes c and c ^ 0x20 one value */
		q[0] = wild == 0 ? (unsigned char)c : t[0];
		q[1] = wild == 0 ? t[0] : t[1];
		q[2] = wild == 0 ? t[1] : (unsigned char)c;
		file_under(&pf->tri, fill, tri_slot3(pf, q), kw, off);
	}
}

/* Files every keyword (two passes: count, then fill). Offsets are stored
 * plus one, so that the byte before a keyword can be offset 0. */
static void file_all(struct prefilter *pf, uint32_t *fill)
{
	size_t i;

	for (i = 0; i < pf->nkws; i++) {
		const struct kw *k = &pf->kws[i];
		uint32_t n = (uint32_t)i;
		if (k->len >= 4) {
			file_under(&pf->tri, fill, tri_slot3(pf, k->text + k->anchor), n,
				   (uint32_t)k->anchor + 1);
			file_under(&pf->tri, fill, tri_slot3(pf, k->text + k->anchor + 1), n,
				   (uint32_t)k->anchor + 2);
		} else if (k->len == 3) {
			/* even start: itself; odd start: "?xy" at -1 or "yz?" at 1 */
			file_under(&pf->tri, fill, tri_slot3(pf, k->text), n, 1);
			if (k->anchor == 0)
				file_wild(pf, fill, k->text, 0, n, 0);
			else
				file_wild(pf, fill, k->text + 1, 2, n, 2);
		} else {
			file_wild(pf, fill, k->text, 0, n, 0);
			file_wild(pf, fill, k->text, 2, n, 1);
		}
	}
}

/* Expected occurrences per million of each trigram slot. */
static uint32_t *trigram_frequencies(const struct prefilter *pf)
{
	uint32_t *freq = xmalloc(TRI_SLOTS * sizeof(uint32_t));
	size_t i;

	for (i = 0; i < TRI_SLOTS; i++)
		freq[i] = PREFILTER_UNLISTED_TRIGRAM;
	for (i = 0; i < prefilter_ntrigrams; i++)
		freq[tri_slot3(pf, (const unsigned char *)prefilter_trigrams[i].tri)] +=
			prefilter_trigrams[i].per_million;
	return freq;
}

/* Expected occurrences per million of a (folded) pair. */
static unsigned pair_frequency(const unsigned char *a)
{
	size_t i;

	for (i = 0; i < prefilter_npairs; i++)
		if ((unsigned char)prefilter_pairs[i].pair[0] == a[0] &&
		    (unsigned char)prefilter_pairs[i].pair[1] == a[1])
			return prefilter_pairs[i].per_million;
	return PREFILTER_UNLISTED_PAIR;
}

static void index_alloc(struct gram_index *g, size_t slots)
{
	g->bitmap = xcalloc(slots / 8, 1);
	g->start = xcalloc(slots + 1, sizeof(uint32_t));
}

int prefilter_build(struct prefilter *pf, struct err *err)
{
	uint32_t *freq, *fill;
	size_t i, j;

	for (i = 0; i < pf->nkws; i++) {
		if (pf->kws[i].len < 2)
			return err_set(err, KH_EINVAL,
				       "keyword '%s' is too short: keywords need at least 2 characters",
				       (const char *)pf->kws[i].text);
	}
	/* each keyword's anchor: for long ones, the two consecutive trigrams
	 * whose expected occurrences (as the scan folds them) are fewest; for
	 * short ones, the rarest pair */
	freq = trigram_frequencies(pf);
	for (i = 0; i < pf->nkws; i++) {
		struct kw *k = &pf->kws[i];
		double best = 1e30;
		if (k->len < 4) {
			for (j = 0; j + 2 <= k->len; j++)
				if (pair_frequency(k->text + j) < best) {
					best = pair_frequency(k->text + j);
					k->anchor = j;
				}
			continue;
		}
		for (j = 0; j + 4 <= k->len; j++) {
			double w = (double)freq[tri_slot3(pf, k->text + j)] +
				   (double)freq[tri_slot3(pf, k->text + j + 1)];
			if (w < best) {
				best = w;
				k->anchor = j;
			}
		}
	}
	free(freq);
	index_alloc(&pf->tri, TRI_SLOTS);
	fill = xcalloc(TRI_SLOTS, sizeof(uint32_t));
	file_all(pf, fill); /* count */
	for (i = 1; i <= TRI_SLOTS; i++)
		pf->tri.start[i] += pf->tri.start[i - 1];
	pf->tri.bucket = xcalloc(pf->tri.start[TRI_SLOTS] + 1, sizeof(struct anchor));
	file_all(pf, fill); /* fill */
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

/* The keywords filed under slot of g that occur at pos. */
static int walk(const struct prefilter *pf, const struct gram_index *g, uint32_t slot,
		const unsigned char *data, size_t len, size_t pos, prefilter_hit_fn fn,
		void *payload)
{
	uint32_t b;

	for (b = g->start[slot]; b < g->start[slot + 1]; b++) {
		const struct anchor *e = &g->bucket[b];
		const struct kw *k = &pf->kws[e->kw];
		size_t start, r;
		if (pos + 1 < e->off) /* off is the keyword's offset plus one */
			continue;
		start = pos + 1 - e->off;
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

/* The keywords filed at even position pos (3 readable bytes or more). */
static int at_position(const struct prefilter *pf, const unsigned char *data, size_t len,
		       size_t pos, prefilter_hit_fn fn, void *payload)
{
	uint32_t s = pos + 4 <= len ? tri_slot(pf, data + pos) : tri_slot3(pf, data + pos);

	return bit(pf->tri.bitmap, s) ? walk(pf, &pf->tri, s, data, len, pos, fn, payload) : 0;
}

static inline unsigned hit_at(const struct prefilter *pf, const unsigned char *p)
{
	return (unsigned)bit(pf->tri.bitmap, tri_slot(pf, p));
}

int prefilter_scan(const struct prefilter *pf, const unsigned char *data, size_t len,
		   prefilter_hit_fn fn, void *payload)
{
	size_t i = 0, k;
	int rc;

	if (!pf->built || !pf->nkws || len < 2)
		return 0;
	/* sixteen bytes per step: eight tests, then a look at those that hit */
	for (; i + 19 <= len; i += 16) {
		const unsigned char *p = data + i;
		unsigned hit = hit_at(pf, p) | hit_at(pf, p + 2) << 1 | hit_at(pf, p + 4) << 2 |
			       hit_at(pf, p + 6) << 3 | hit_at(pf, p + 8) << 4 |
			       hit_at(pf, p + 10) << 5 | hit_at(pf, p + 12) << 6 |
			       hit_at(pf, p + 14) << 7;
		for (k = 0; hit; k++, hit >>= 1)
			if ((hit & 1) && (rc = at_position(pf, data, len, i + 2 * k, fn, payload)))
				return rc;
	}
	/* the tail, one even position at a time */
	for (; i + 2 < len; i += 2)
		if ((rc = at_position(pf, data, len, i, fn, payload)))
			return rc;
	if (i + 2 == len) {
		/* two bytes left: a short keyword ending here has its unknown
		 * byte beyond the data, and every value of it is filed */
		unsigned char q[3] = {data[i], data[i + 1], 0};
		uint32_t s = tri_slot3(pf, q);
		if (bit(pf->tri.bitmap, s) &&
		    (rc = walk(pf, &pf->tri, s, data, len, i, fn, payload)))
			return rc;
	}
	return 0;
}
