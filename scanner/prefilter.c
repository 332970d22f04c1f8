/* prefilter.c - find every rule keyword in one pass: keywords of four
 * bytes or more by a table lookup at every second position, shorter ones by
 * byte tables at every position.
 *
 * Long keywords (4 bytes or more). Only even positions p of the data are
 * tested (a Wu-Manber-style sampling: half the lookups of testing every
 * position), each through the five-byte window b0..b4 at p. The middle
 * three bytes b1 b2 b3 (ASCII case folded, lossily, by an OR with 0x20) are
 * hashed to one of 32,768 32-bit words; bit c of the word says "a keyword's
 * gram is b0 b1 b2 b3 with c the class of b0", bit 16 + c "a keyword's gram
 * is b1 b2 b3 b4 with c the class of b4" (a byte's class: its low four
 * bits, the same for both cases of a letter). Each keyword is filed under
 * one gram, the one that tests positive least often on ordinary text and
 * code (from a table of how common grams are, prefilter_grams.c), twice: as
 * a left entry (found from the window at the gram, when that position is
 * even) and as a right entry (from the window one byte before, when that is
 * even); so every occurrence is found exactly once. A test is two loads, a
 * multiply, one word lookup and a mask, with no dependency between
 * positions; with the default rules, one tested position in 300 to 500
 * tests positive (measured on the benchmark tree and on text), and only
 * then is the word's entry list
 * read: each entry's whole gram is compared first, then the keyword
 * (exact ASCII case folding).
 *
 * Short keywords (2 or 3 bytes) are tested at every position, Teddy-style:
 * they are grouped into at most 8 buckets of keywords that look alike (each
 * merge adds the fewest byte combinations), and three 256-entry tables
 * give, for the byte at each offset 0..2, the buckets one of whose keywords
 * has that byte there (both cases of a letter); a position is a candidate
 * when the three agree on a bucket. The SIMD scans look the same tables up
 * by nibble with byte shuffles (a superset of the exact test, which every
 * candidate then passes).
 *
 * Where the CPU has AVX2 (x86-64, checked at run time), 32 positions are
 * handled per step: four unaligned loads give the 16 even positions'
 * windows, a vector multiply hashes them and two gathers fetch their words,
 * and three loads and six shuffles test all 32 positions for short
 * keywords; with AVX-512, 64 positions per step. Elsewhere a portable loop
 * does eight positions per step. All find exactly the same occurrences in
 * the same order: ascending position of the window or short keyword; at one
 * position, long keywords before short ones. A long keyword's start is its
 * window's position minus up to its length, or plus one.
 *
 * Every occurrence is found exactly once, at any alignment and up to the
 * last byte of the data (windows past the end are padded with zeros).
 *
 * Immutable after prefilter_build(); safe to share between threads.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "prefilter.h"
#include "xalloc.h"

#include "cpu.h"
#ifdef KH_X86_SIMD
#define PF_X86_SIMD 1
#include <immintrin.h>
#endif

#define WORD_BITS 15                     /* 2^15 words of 32 bits: 128 KiB */
#define NWORDS ((size_t)1 << WORD_BITS)
#define FOLD3 0x20202000u                /* case fold of the bytes hashed (after << 8) */
#define FOLD4 0x20202020u                /* the same fold of a whole gram */
/* The hash multiplier: odd, chosen among 40 random odd numbers as the one
 * whose table for the default rules' keywords tested positive least often
 * on 40 MB of files outside the benchmark trees (Python, Perl and shell
 * sources and configuration under /usr/lib, /etc), with this file's earlier
 * layout (a 4-byte gram at every position); not chosen again since. */
#ifndef PF_MUL
#define PF_MUL 0x8a013fdbu
#endif
#define MUL PF_MUL
#define SHORT_MAX 3                      /* keywords this long or shorter are short */
#define NBUCKETS 8                       /* buckets of short keywords (bits of a byte) */

struct kw {
	unsigned char *text; /* folded exactly (A-Z to a-z) */
	size_t len;
	unsigned *rules;     /* rule indexes owning this keyword */
	size_t nrules;
};

/* A long keyword filed under a word (the hash of three of its bytes b1 b2
 * b3 at a tested window b0..b4): bit is CLASS(b0) for a "left" entry (the
 * keyword's gram is b0..b3) or 16 + CLASS(b4) for a "right" one (b1..b4);
 * gram is that gram, folded as the hash folds, to dismiss most positive
 * tests without reading the keyword; the keyword starts at the window's
 * position minus delta. */
struct entry {
	uint32_t word;
	uint32_t kw;
	int32_t delta;
	uint32_t bit;
	uint32_t gram;
};

struct prefilter {
	struct kw *kws;
	size_t nkws;
	/* long keywords */
	uint32_t *words;       /* NWORDS masks of fourth-byte bits */
	uint32_t *start;       /* NWORDS + 1: entries of word w are [start[w], start[w+1]) */
	struct entry *entries; /* sorted by word */
	size_t nentries;
	/* short keywords */
	uint32_t *short_kw;                  /* keyword indexes, bucket after bucket */
	size_t nshort;
	uint32_t short_start[NBUCKETS + 1];  /* bucket b: short_kw[short_start[b] ..] */
	uint8_t sb[3][256];                  /* buckets with byte c at offset i */
	uint8_t nib[3][2][16];               /* the same by low [0] and high [1] nibble */
	unsigned char fold[256];
	int built;
	int simd;              /* the SIMD scan to use: 2 AVX-512, 1 AVX2, 0 none */
};

/* Bytes p[0..3] as a little-endian number, whatever the machine's order. */
static inline uint32_t load4(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* The class of a byte in a word's bits: its low four bits, the same for
 * both cases of a letter. */
#define CLASS(c) ((uint32_t)(c) & 15u)

static unsigned char fold_byte(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}


/* The word of three bytes: those of gram's low three, folded lossily. */
static inline uint32_t word_of(uint32_t gram)
{
	return (((gram << 8) | FOLD3) * MUL) >> (32 - WORD_BITS);
}

/* The word of the bytes at p[0..2]. */
static inline uint32_t word_at(const unsigned char *p)
{
	return word_of((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16);
}

struct prefilter *prefilter_new(void)
{
	struct prefilter *pf = xcalloc(1, sizeof(*pf));
	unsigned c;

	for (c = 0; c < 256; c++)
		pf->fold[c] = fold_byte((unsigned char)c);
	pf->simd = cpu_simd_level();
	return pf;
}

void prefilter_use_simd(struct prefilter *pf, int on)
{
	int have = cpu_simd_level();

	pf->simd = on < 0 ? 0 : on > have ? have : on;
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
	free(pf->words);
	free(pf->start);
	free(pf->entries);
	free(pf->short_kw);
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
	pf->kws[pf->nkws].rules = xmalloc(sizeof(unsigned));
	pf->kws[pf->nkws].rules[0] = rule;
	pf->kws[pf->nkws].nrules = 1;
	pf->nkws++;
}

/* ---- choosing grams: expected positive tests per million positions ------- */

/* How often an entry tests positive on ordinary text, from the table of
 * common grams: a left entry for gram g passes at every gram x g1 g2 g3
 * with CLASS(x) == CLASS(g0), a right one at every g0 g1 g2 x with
 * CLASS(x) == CLASS(g3). An open-addressing map from (side, three bytes,
 * class) to the sum of those grams' frequencies; grams outside the table
 * count as a small constant. Case folded as the table is (OR 0x20). */
#define LOAD_SLOTS ((size_t)1 << 15)
#define LOAD_REST 0.05f /* per million: a gram too rare to be listed */

struct load_map {
	uint32_t *key; /* key + 1; 0 = empty */
	float *load;
};

static uint32_t load_key(int right, uint32_t b0, uint32_t b1, uint32_t b2, uint32_t cls)
{
	uint32_t three = (b0 | 0x20) << 16 | (b1 | 0x20) << 8 | (b2 | 0x20);

	return (uint32_t)right << 28 | three << 4 | cls;
}

static size_t load_slot(const struct load_map *m, uint32_t key)
{
	size_t i = (key * 0x9E3779B1u) >> (32 - 15);

	while (m->key[i] && m->key[i] != key + 1)
		i = (i + 1) & (LOAD_SLOTS - 1);
	return i;
}

static void load_add(struct load_map *m, uint32_t key, float f)
{
	size_t i = load_slot(m, key);

	m->key[i] = key + 1;
	m->load[i] += f;
}

static float load_get(const struct load_map *m, uint32_t key)
{
	size_t i = load_slot(m, key);

	return (m->key[i] ? m->load[i] : 0.0f) + LOAD_REST;
}

static void load_map_init(struct load_map *m)
{
	size_t i;

	m->key = xcalloc(LOAD_SLOTS, sizeof(*m->key));
	m->load = xcalloc(LOAD_SLOTS, sizeof(*m->load));
	for (i = 0; i < prefilter_ngrams; i++) {
		uint32_t g = prefilter_grams[i].gram;
		uint32_t b0 = g & 0xff, b1 = g >> 8 & 0xff, b2 = g >> 16 & 0xff, b3 = g >> 24;
		load_add(m, load_key(0, b1, b2, b3, CLASS(b0)), prefilter_grams[i].per_million);
		load_add(m, load_key(1, b0, b1, b2, CLASS(b3)), prefilter_grams[i].per_million);
	}
}

static void load_map_release(struct load_map *m)
{
	free(m->key);
	free(m->load);
}

/* ---- building: long keywords ------------------------------------------------- */

static void add_entry(struct prefilter *pf, size_t *cap, uint32_t word, uint32_t kw,
		      int32_t delta, uint32_t bit, const unsigned char *gram)
{
	void *v = pf->entries;

	xgrow(&v, cap, pf->nentries + 1, sizeof(*pf->entries));
	pf->entries = v;
	pf->entries[pf->nentries].word = word;
	pf->entries[pf->nentries].kw = kw;
	pf->entries[pf->nentries].delta = delta;
	pf->entries[pf->nentries].bit = bit;
	pf->entries[pf->nentries].gram = load4(gram) | FOLD4;
	pf->nentries++;
}

/* Files long keyword i under its gram t[j..j+3] that tests positive least
 * often: a left entry (found from the window at the gram's position, when
 * even) and a right one (from the window one byte before, when that is). */
static void file_long(struct prefilter *pf, size_t *cap, const struct load_map *m, uint32_t i)
{
	const struct kw *k = &pf->kws[i];
	const unsigned char *t = k->text;
	size_t j, best_j = 0;
	float best = -1;

	for (j = 0; j + 4 <= k->len; j++) {
		float f = load_get(m, load_key(0, t[j + 1], t[j + 2], t[j + 3], CLASS(t[j]))) +
			  load_get(m, load_key(1, t[j], t[j + 1], t[j + 2], CLASS(t[j + 3])));
		if (best < 0 || f < best) {
			best = f;
			best_j = j;
		}
	}
	j = best_j;
	add_entry(pf, cap, word_at(t + j + 1), i, (int32_t)j, CLASS(t[j]), t + j);
	add_entry(pf, cap, word_at(t + j), i, (int32_t)j - 1, 16 + CLASS(t[j + 3]), t + j);
}

static int cmp_entry(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;

	if (x->word != y->word)
		return x->word < y->word ? -1 : 1;
	if (x->kw != y->kw)
		return x->kw < y->kw ? -1 : 1;
	return x->delta < y->delta ? -1 : x->delta > y->delta;
}

static void build_long(struct prefilter *pf)
{
	struct load_map m;
	size_t i, cap = 0;

	load_map_init(&m);
	for (i = 0; i < pf->nkws; i++)
		if (pf->kws[i].len > SHORT_MAX)
			file_long(pf, &cap, &m, (uint32_t)i);
	load_map_release(&m);
	if (pf->nentries)
		qsort(pf->entries, pf->nentries, sizeof(*pf->entries), cmp_entry);
	pf->words = xcalloc(NWORDS, sizeof(*pf->words));
	pf->start = xcalloc(NWORDS + 1, sizeof(*pf->start));
	for (i = 0; i < pf->nentries; i++) {
		pf->words[pf->entries[i].word] |= 1u << pf->entries[i].bit;
		pf->start[pf->entries[i].word + 1]++;
	}
	for (i = 1; i <= NWORDS; i++)
		pf->start[i] += pf->start[i - 1];
}

/* ---- building: short keywords ------------------------------------------------ */

/* A group of short keywords: the bytes each offset may hold (bit c of
 * set[i]), as a bitmap of 256. */
struct group {
	uint64_t set[3][4];
	double cost; /* byte combinations it lets through (group_cost) */
	int alive;
};

static double group_cost(const struct group *gr)
{
	double cost = 1;
	int o, w;

	for (o = 0; o < 3; o++) {
		int n = 0;
		for (w = 0; w < 4; w++)
			n += __builtin_popcountll(gr->set[o][w]);
		cost *= n;
	}
	return cost;
}

/* The union of groups a and b, its cost included. */
static void group_union(const struct group *a, const struct group *b, struct group *out)
{
	int o, w;

	for (o = 0; o < 3; o++)
		for (w = 0; w < 4; w++)
			out->set[o][w] = a->set[o][w] | b->set[o][w];
	out->cost = group_cost(out);
	out->alive = 1;
}

/* Groups the short keywords into at most NBUCKETS buckets, merging each
 * time the two groups whose union adds the fewest byte combinations (the
 * positions a bucket lets through), and fills the bucket tables. */
static void build_short(struct prefilter *pf)
{
	struct group *g;
	uint32_t *kwg, *idx;
	size_t n = 0, i, ng, b;
	unsigned c;

	for (i = 0; i < pf->nkws; i++)
		n += pf->kws[i].len <= SHORT_MAX;
	if (!n)
		return;
	g = xcalloc(n, sizeof(*g));
	kwg = xcalloc(n, sizeof(*kwg));
	idx = xcalloc(n, sizeof(*idx));
	for (i = 0, ng = 0; i < pf->nkws; i++) {
		const struct kw *k = &pf->kws[i];
		size_t o;
		if (k->len > SHORT_MAX)
			continue;
		for (o = 0; o < 3; o++) {
			if (o >= k->len) { /* a 2-byte keyword: any third byte */
				memset(g[ng].set[o], 0xff, sizeof(g[ng].set[o]));
				continue;
			}
			c = k->text[o];
			g[ng].set[o][c >> 6] |= 1ull << (c & 63);
			if (c >= 'a' && c <= 'z')
				g[ng].set[o][(c - 32) >> 6] |= 1ull << ((c - 32) & 63);
		}
		g[ng].cost = group_cost(&g[ng]);
		g[ng].alive = 1;
		idx[ng] = (uint32_t)i;
		kwg[ng] = (uint32_t)ng;
		ng++;
	}
	for (; ng > NBUCKETS; ng--) {
		size_t x, y, bx = 0, by = 1;
		double best = -1;
		for (x = 0; x < n; x++)
			for (y = x + 1; y < n && g[x].alive; y++) {
				struct group u;
				double d;
				if (!g[y].alive)
					continue;
				group_union(&g[x], &g[y], &u);
				d = u.cost - g[x].cost - g[y].cost;
				if (best < 0 || d < best) {
					best = d;
					bx = x;
					by = y;
				}
			}
		group_union(&g[bx], &g[by], &g[bx]);
		g[by].alive = 0;
		for (i = 0; i < n; i++)
			if (kwg[i] == by)
				kwg[i] = (uint32_t)bx;
	}
	/* number the surviving groups 0.. and file the keywords bucket by bucket */
	pf->short_kw = xcalloc(n, sizeof(*pf->short_kw));
	for (i = 0, b = 0; i < n; i++) {
		size_t j;
		int o;
		if (!g[i].alive)
			continue;
		pf->short_start[b] = (uint32_t)pf->nshort;
		for (j = 0; j < n; j++)
			if (kwg[j] == i)
				pf->short_kw[pf->nshort++] = idx[j];
		for (o = 0; o < 3; o++)
			for (c = 0; c < 256; c++)
				if (g[i].set[o][c >> 6] >> (c & 63) & 1) {
					pf->sb[o][c] |= (uint8_t)(1u << b);
					pf->nib[o][0][c & 15] |= (uint8_t)(1u << b);
					pf->nib[o][1][c >> 4] |= (uint8_t)(1u << b);
				}
		b++;
	}
	for (; b <= NBUCKETS; b++)
		pf->short_start[b] = (uint32_t)pf->nshort;
	free(g);
	free(kwg);
	free(idx);
}

int prefilter_build(struct prefilter *pf, struct err *err)
{
	size_t i;

	for (i = 0; i < pf->nkws; i++) {
		if (pf->kws[i].len < 2)
			return err_set(err, KH_EINVAL,
				       "keyword '%s' is too short: keywords need at least 2 characters",
				       (const char *)pf->kws[i].text);
	}
	build_long(pf);
	build_short(pf);
	pf->built = 1;
	return 0;
}

/* ---- scanning ------------------------------------------------------------------ */

/* Does keyword k occur at data[start] (folded)? */
static int kw_at(const struct prefilter *pf, const struct kw *k, const unsigned char *data,
		 size_t start)
{
	size_t i;

	for (i = 0; i < k->len; i++)
		if (pf->fold[data[start + i]] != k->text[i])
			return 0;
	return 1;
}

/* Reports keyword k at start to each of its rules. */
static int report(const struct kw *k, size_t start, prefilter_hit_fn fn, void *payload)
{
	size_t r;
	int rc;

	for (r = 0; r < k->nrules; r++)
		if ((rc = fn(k->rules[r], start, start + k->len, payload)))
			return rc;
	return 0;
}

/* The window of five bytes at pos, zero past the end. */
static inline void window_at(const unsigned char *data, size_t len, size_t pos, unsigned char q[5])
{
	size_t n = len - pos < 5 ? len - pos : 5;

	memset(q, 0, 5);
	memcpy(q, data + pos, n);
}

/* Reports the long keywords filed under the window at (even) position pos. */
static int verify_long(const struct prefilter *pf, const unsigned char *data, size_t len,
		       size_t pos, prefilter_hit_fn fn, void *payload)
{
	unsigned char q[5];
	uint32_t w, gl, gr, e;
	int rc;

	window_at(data, len, pos, q);
	w = word_at(q + 1);
	gl = load4(q) | FOLD4;
	gr = load4(q + 1) | FOLD4;
	for (e = pf->start[w]; e < pf->start[w + 1]; e++) {
		const struct entry *en = &pf->entries[e];
		const struct kw *k;
		size_t start;
		if (en->gram != (en->bit < 16 ? gl : gr) ||
		    (en->delta > 0 && pos < (size_t)en->delta))
			continue;
		k = &pf->kws[en->kw];
		start = en->delta >= 0 ? pos - (size_t)en->delta : pos + 1;
		if (start > len || k->len > len - start || !kw_at(pf, k, data, start))
			continue;
		if ((rc = report(k, start, fn, payload)))
			return rc;
	}
	return 0;
}

/* The buckets whose short keywords may start at pos (pos + 2 <= len). */
static inline unsigned short_test(const struct prefilter *pf, const unsigned char *data,
				  size_t len, size_t pos)
{
	return pf->sb[0][data[pos]] & pf->sb[1][data[pos + 1]] &
	       pf->sb[2][pos + 2 < len ? data[pos + 2] : 0];
}

/* Reports the short keywords that start at pos (pos + 2 <= len). */
static int verify_short(const struct prefilter *pf, const unsigned char *data, size_t len,
			size_t pos, prefilter_hit_fn fn, void *payload)
{
	unsigned bm = short_test(pf, data, len, pos);
	int rc;

	while (bm) {
		unsigned b = (unsigned)__builtin_ctz(bm);
		uint32_t e;
		bm &= bm - 1;
		for (e = pf->short_start[b]; e < pf->short_start[b + 1]; e++) {
			const struct kw *k = &pf->kws[pf->short_kw[e]];
			if (pos + k->len <= len && kw_at(pf, k, data, pos) &&
			    (rc = report(k, pos, fn, payload)))
				return rc;
		}
	}
	return 0;
}

/* Whether the window q (five bytes) tests positive for long keywords. */
static inline uint32_t test(const struct prefilter *pf, const unsigned char *q)
{
	return pf->words[word_at(q + 1)] & (1u << CLASS(q[0]) | 1u << (16 + CLASS(q[4])));
}

#ifdef PF_X86_SIMD
/* The SIMD scans' candidates in a block at i: bit p of lng (even p only) a
 * position whose gram tested positive, bit p of shrt a position where a
 * short keyword may start; visited in ascending position. */
static int verify_block(const struct prefilter *pf, const unsigned char *data, size_t len,
			size_t i, uint64_t lng, uint64_t shrt, prefilter_hit_fn fn, void *payload)
{
	uint64_t c = lng | shrt;
	int rc;

	while (c) {
		unsigned p = (unsigned)__builtin_ctzll(c);
		c &= c - 1;
		if ((lng >> p & 1) &&
		    (rc = verify_long(pf, data, len, i + p, fn, payload)))
			return rc;
		if ((shrt >> p & 1) && (rc = verify_short(pf, data, len, i + p, fn, payload)))
			return rc;
	}
	return 0;
}

/* Unaligned loads, and the nibble table of offset k, half h (low, high). */
#define LOAD256(p) _mm256_loadu_si256((const __m256i *)(const void *)(p))
#define LOAD512(p) _mm512_loadu_si512((const void *)(p))
#define NIBTAB(k, h) _mm_loadu_si128((const __m128i *)(const void *)pf->nib[k][h])

/* Bit j of m moved to bit 4j + s. */
static inline uint64_t spread4(uint32_t m, unsigned s)
{
	uint64_t r = 0;

	while (m) {
		r |= 1ull << (4 * (unsigned)__builtin_ctz(m) + s);
		m &= m - 1;
	}
	return r;
}

/* Tests positions from *at on, 32 at a time; *at: where it stopped (even). */
__attribute__((target("avx2"))) static int
scan_avx2(const struct prefilter *pf, const unsigned char *data, size_t len, size_t *at,
	  prefilter_hit_fn fn, void *payload)
{
	const __m256i fold = _mm256_set1_epi32((int)FOLD3), mul = _mm256_set1_epi32((int)MUL),
		      cls = _mm256_set1_epi32(15), one = _mm256_set1_epi32(1),
		      one16 = _mm256_set1_epi32(1 << 16), zero = _mm256_setzero_si256(),
		      nib = _mm256_set1_epi8(0x0f);
#define TAB256(k, h) _mm256_broadcastsi128_si256(NIBTAB(k, h))
	const __m256i l0 = TAB256(0, 0), h0 = TAB256(0, 1), l1 = TAB256(1, 0), h1 = TAB256(1, 1),
		      l2 = TAB256(2, 0), h2 = TAB256(2, 1);
#undef TAB256
	const int has_long = pf->nentries != 0, has_short = pf->nshort != 0;
	size_t i;

	for (i = *at; i + 35 <= len; i += 32) {
		uint64_t lng = 0, shrt = 0;
		int s, rc;

		if (has_long) {
			uint32_t m[2];
			/* lanes j of v and u: the windows at i + 2s + 4j, bytes 0..3 and 1..4 */
			for (s = 0; s < 2; s++) {
				__m256i v = LOAD256(data + i + 2 * s);
				__m256i u = LOAD256(data + i + 2 * s + 1);
				__m256i w = _mm256_srli_epi32(
					_mm256_mullo_epi32(_mm256_or_si256(_mm256_slli_epi32(u, 8), fold), mul),
					32 - WORD_BITS);
				__m256i bits = _mm256_i32gather_epi32((const int *)pf->words, w, 4);
				__m256i last = _mm256_and_si256(_mm256_srli_epi32(u, 24), cls);
				__m256i first = _mm256_and_si256(v, cls);
				__m256i want = _mm256_or_si256(_mm256_sllv_epi32(one, first),
							       _mm256_sllv_epi32(one16, last));
				__m256i none = _mm256_cmpeq_epi32(_mm256_and_si256(bits, want), zero);
				m[s] = ~(uint32_t)_mm256_movemask_ps(_mm256_castsi256_ps(none)) & 0xffu;
			}
			if (m[0] | m[1])
				lng = spread4(m[0], 0) | spread4(m[1], 2);
		}
		if (has_short) {
			const __m256i v0 = LOAD256(data + i), v1 = LOAD256(data + i + 1),
				      v2 = LOAD256(data + i + 2);
			/* the buckets of the byte at offset k, by its two nibbles */
#define NIB256(v, l, h)                                                          \
	_mm256_and_si256(_mm256_shuffle_epi8(l, _mm256_and_si256(v, nib)),       \
			 _mm256_shuffle_epi8(h, _mm256_and_si256(_mm256_srli_epi16(v, 4), nib)))
			const __m256i acc = _mm256_and_si256(
				_mm256_and_si256(NIB256(v0, l0, h0), NIB256(v1, l1, h1)),
				NIB256(v2, l2, h2));
#undef NIB256
			shrt = ~(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(acc, zero));
		}
		if ((lng | shrt) && (rc = verify_block(pf, data, len, i, lng, shrt, fn, payload))) {
			*at = i;
			return rc;
		}
	}
	*at = i;
	return 0;
}

/* The same with AVX-512 (64 positions per step, 16 lanes per gather). */
__attribute__((target("avx512f,avx512bw"))) static int
scan_avx512(const struct prefilter *pf, const unsigned char *data, size_t len, size_t *at,
	    prefilter_hit_fn fn, void *payload)
{
	const __m512i fold = _mm512_set1_epi32((int)FOLD3), mul = _mm512_set1_epi32((int)MUL),
		      cls = _mm512_set1_epi32(15), one = _mm512_set1_epi32(1),
		      one16 = _mm512_set1_epi32(1 << 16), nib = _mm512_set1_epi8(0x0f);
#define TAB512(k, h) _mm512_broadcast_i32x4(NIBTAB(k, h))
	const __m512i l0 = TAB512(0, 0), h0 = TAB512(0, 1), l1 = TAB512(1, 0), h1 = TAB512(1, 1),
		      l2 = TAB512(2, 0), h2 = TAB512(2, 1);
#undef TAB512
	const int has_long = pf->nentries != 0, has_short = pf->nshort != 0;
	size_t i;

	for (i = *at; i + 67 <= len; i += 64) {
		uint64_t lng = 0, shrt = 0;
		int s, rc;

		if (has_long) {
			uint32_t m[2];
			/* lanes j of v and u: the windows at i + 2s + 4j, bytes 0..3 and 1..4 */
			for (s = 0; s < 2; s++) {
				__m512i v = LOAD512(data + i + 2 * s);
				__m512i u = LOAD512(data + i + 2 * s + 1);
				__m512i w = _mm512_srli_epi32(
					_mm512_mullo_epi32(_mm512_or_si512(_mm512_slli_epi32(u, 8), fold), mul),
					32 - WORD_BITS);
				__m512i bits = _mm512_i32gather_epi32(w, (const void *)pf->words, 4);
				__m512i last = _mm512_and_si512(_mm512_srli_epi32(u, 24), cls);
				__m512i first = _mm512_and_si512(v, cls);
				__m512i want = _mm512_or_si512(_mm512_sllv_epi32(one, first),
							       _mm512_sllv_epi32(one16, last));
				m[s] = (uint32_t)_mm512_test_epi32_mask(bits, want);
			}
			if (m[0] | m[1])
				lng = spread4(m[0], 0) | spread4(m[1], 2);
		}
		if (has_short) {
			const __m512i v0 = LOAD512(data + i), v1 = LOAD512(data + i + 1),
				      v2 = LOAD512(data + i + 2);
			/* the buckets of the byte at offset k, by its two nibbles */
#define NIB512(v, l, h)                                                          \
	_mm512_and_si512(_mm512_shuffle_epi8(l, _mm512_and_si512(v, nib)),       \
			 _mm512_shuffle_epi8(h, _mm512_and_si512(_mm512_srli_epi16(v, 4), nib)))
			const __m512i acc = _mm512_and_si512(
				_mm512_and_si512(NIB512(v0, l0, h0), NIB512(v1, l1, h1)),
				NIB512(v2, l2, h2));
#undef NIB512
			shrt = _mm512_test_epi8_mask(acc, acc);
		}
		if ((lng | shrt) && (rc = verify_block(pf, data, len, i, lng, shrt, fn, payload))) {
			*at = i;
			return rc;
		}
	}
	*at = i;
	return 0;
}
#undef LOAD256
#undef LOAD512
#undef NIBTAB
#endif

/* Tests the one position i: its window when i is even, short keywords
 * always. */
static int scan_one(const struct prefilter *pf, const unsigned char *data, size_t len, size_t i,
		    prefilter_hit_fn fn, void *payload)
{
	int rc;

	if (!(i & 1) && pf->nentries) {
		unsigned char q[5];
		window_at(data, len, i, q);
		if (test(pf, q) && (rc = verify_long(pf, data, len, i, fn, payload)))
			return rc;
	}
	if (pf->nshort && short_test(pf, data, len, i) &&
	    (rc = verify_short(pf, data, len, i, fn, payload)))
		return rc;
	return 0;
}

int prefilter_scan(const struct prefilter *pf, const unsigned char *data, size_t len,
		   prefilter_hit_fn fn, void *payload)
{
	size_t i = 0;
	int rc, k;

	if (!pf->built || (!pf->nentries && !pf->nshort) || len < 2)
		return 0;
#ifdef PF_X86_SIMD
	if (pf->simd == 2 && (rc = scan_avx512(pf, data, len, &i, fn, payload)))
		return rc;
	if (pf->simd >= 1 && (rc = scan_avx2(pf, data, len, &i, fn, payload)))
		return rc;
#endif
	/* eight positions per step from an even i: the tests first, then a
	 * look at those that hit */
	for (; i + 11 <= len; i += 8) {
		uint32_t h[8] = {0, 0, 0, 0, 0, 0, 0, 0};
		unsigned sh[8] = {0, 0, 0, 0, 0, 0, 0, 0}, any = 0;
		if (pf->nentries)
			for (k = 0; k < 8; k += 2)
				any |= h[k] = test(pf, data + i + (size_t)k);
		if (pf->nshort)
			for (k = 0; k < 8; k++)
				any |= sh[k] = short_test(pf, data, len, i + (size_t)k);
		if (!any)
			continue;
		for (k = 0; k < 8; k++) {
			size_t p = i + (size_t)k;
			if (h[k] && (rc = verify_long(pf, data, len, p, fn, payload)))
				return rc;
			if (sh[k] && (rc = verify_short(pf, data, len, p, fn, payload)))
				return rc;
		}
	}
	/* the last positions, one at a time (zero padding past the end) */
	for (; i + 2 <= len; i++)
		if ((rc = scan_one(pf, data, len, i, fn, payload)))
			return rc;
	return 0;
}
