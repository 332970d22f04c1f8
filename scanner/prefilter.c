/* prefilter.c - find every rule keyword in one pass, by each keyword's
 * rarest 4-byte gram.
 *
 * Each keyword is filed under one gram: of a keyword of four bytes or more,
 * its rarest 4-byte gram (how common grams are comes from a table measured
 * on ordinary text and code, prefilter_grams.c); of a 3-byte keyword, its
 * three bytes and any fourth. The scan tests every position of the data:
 * the first three bytes there (ASCII case folded, lossily, by an OR with
 * 0x20) are hashed to one of 32,768 32-bit words, and bit k of the word
 * says "some keyword's gram with these first three bytes has a fourth byte
 * whose low five bits are k" (bit 30 also stands for 31); bit 31 says "any
 * fourth byte". So a test is a load, a multiply, one word lookup and a mask,
 * with no dependency between positions; the word table (128 KiB) stays in
 * cache, and a position tests positive only when the hash and the fourth
 * byte both agree with a keyword's gram: about once in a thousand positions
 * of ordinary text with the default rules, where a trigram bitmap tested
 * every second position (this file's previous design) hit thirty times as
 * often. Only a positive position looks at the keywords filed under that
 * word and compares them in full (exact ASCII case folding).
 *
 * Where the CPU has AVX2 (x86-64, checked at run time), 32 positions are
 * tested at once: four unaligned loads give the 32 grams, a vector multiply
 * hashes them and a gather fetches their words; with AVX-512, 64 at once.
 * Elsewhere a portable loop tests eight positions per step. All find
 * exactly the same occurrences, in ascending order of the position of the
 * anchor gram.
 *
 * Every occurrence is found exactly once, at any alignment and up to the
 * last byte of the data (the last three positions are tested with zero
 * padding). A 2-byte keyword (allowed, but slow: none of the default rules
 * has one) is filed under every third byte.
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
#define ANY 31u                          /* bit: any fourth byte */
#define FOLD3 0x20202000u                /* case fold of the bytes hashed (after << 8) */
/* The hash multiplier: odd, chosen among 40 random odd numbers as the one
 * whose table for the default rules' keywords tested positive least often
 * on 40 MB of files outside the benchmark trees (Python, Perl and shell
 * sources and configuration under /usr/lib, /etc): 0.10% of positions. */
#ifndef PF_MUL
#define PF_MUL 0x8a013fdbu
#endif
#define MUL PF_MUL

struct kw {
	unsigned char *text; /* folded exactly (A-Z to a-z) */
	size_t len;
	unsigned *rules;     /* rule indexes owning this keyword */
	size_t nrules;
};

/* A keyword filed under a word: its gram starts at offset off of the
 * keyword, and bit is the fourth-byte bit (or ANY). */
struct entry {
	uint32_t word;
	uint32_t kw;
	uint32_t off;
	uint32_t bit;
};

struct prefilter {
	struct kw *kws;
	size_t nkws;
	uint32_t *words;       /* NWORDS masks of fourth-byte bits */
	uint32_t *start;       /* NWORDS + 1: entries of word w are [start[w], start[w+1]) */
	struct entry *entries; /* sorted by word */
	size_t nentries;
	unsigned char fold[256];
	int built;
	int simd;              /* the SIMD scan to use: 2 AVX-512, 1 AVX2, 0 none */
};

static const uint32_t want_mask[32] = {
#define W2(k) (1u << (k)) | (1u << ANY), (1u << ((k) + 1)) | (1u << ANY)
	W2(0), W2(2), W2(4), W2(6), W2(8), W2(10), W2(12), W2(14),
	W2(16), W2(18), W2(20), W2(22), W2(24), W2(26), W2(28),
	(1u << 30) | (1u << ANY), (1u << 30) | (1u << ANY) /* 31 shares bit 30 */
#undef W2
};

static unsigned char fold_byte(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

/* Bytes p[0..3] as a little-endian number, whatever the machine's order. */
static inline uint32_t load4(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* The word of a gram (its first three bytes, folded). */
static inline uint32_t word_of(uint32_t gram)
{
	return (((gram << 8) | FOLD3) * MUL) >> (32 - WORD_BITS);
}

/* The fourth-byte bit of a gram. */
static inline uint32_t bit_of(uint32_t gram)
{
	uint32_t b = (gram >> 24) & 31u;

	return b == 31u ? 30u : b;
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

/* How often each (word, bit), and each word whatever the bit (bit ANY),
 * tests positive on ordinary text: the listed grams' frequencies, plus the
 * unlisted rest spread evenly. An open-addressing map of keys word*32+bit. */
#define LOAD_SLOTS ((size_t)1 << 15)

struct load_map {
	uint32_t *key; /* key + 1; 0 = empty */
	float *load;
	float rest_bit, rest_word;
};

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

	return m->key[i] ? m->load[i] : 0.0f;
}

static void load_map_init(struct load_map *m)
{
	size_t i;
	float rest = 1e6f - prefilter_grams_listed;

	m->key = xcalloc(LOAD_SLOTS, sizeof(*m->key));
	m->load = xcalloc(LOAD_SLOTS, sizeof(*m->load));
	if (rest < 0)
		rest = 0;
	m->rest_bit = rest / (float)(NWORDS * 31);
	m->rest_word = rest / (float)NWORDS;
	for (i = 0; i < prefilter_ngrams; i++) {
		uint32_t g = prefilter_grams[i].gram, w = word_of(g);
		load_add(m, w << 5 | bit_of(g), prefilter_grams[i].per_million);
		load_add(m, w << 5 | ANY, prefilter_grams[i].per_million);
	}
}

static void load_map_release(struct load_map *m)
{
	free(m->key);
	free(m->load);
}

/* ---- building ------------------------------------------------------------------ */

static void add_entry(struct prefilter *pf, size_t *cap, uint32_t word, uint32_t kw,
		      uint32_t off, uint32_t bit)
{
	void *v = pf->entries;

	xgrow(&v, cap, pf->nentries + 1, sizeof(*pf->entries));
	pf->entries = v;
	pf->entries[pf->nentries].word = word;
	pf->entries[pf->nentries].kw = kw;
	pf->entries[pf->nentries].off = off;
	pf->entries[pf->nentries].bit = bit;
	pf->nentries++;
}

/* Files keyword i under its rarest gram (or grams, for 2 bytes). */
static void file_keyword(struct prefilter *pf, size_t *cap, const struct load_map *m,
			 uint32_t i)
{
	const struct kw *k = &pf->kws[i];
	const unsigned char *t = k->text;
	unsigned c;

	if (k->len >= 4) {
		size_t j, best_j = 0;
		float best = 0;
		for (j = 0; j + 4 <= k->len; j++) {
			uint32_t g = load4(t + j);
			float f = load_get(m, word_of(g) << 5 | bit_of(g)) + m->rest_bit;
			if (j == 0 || f < best) {
				best = f;
				best_j = j;
			}
		}
		{
			uint32_t g = load4(t + best_j);
			add_entry(pf, cap, word_of(g), i, (uint32_t)best_j, bit_of(g));
		}
	} else if (k->len == 3) {
		add_entry(pf, cap, word_of(load4((const unsigned char[4]){t[0], t[1], t[2], 0})),
			  i, 0, ANY);
	} else {
		/* two bytes: every third byte (values that fold alike once) */
		for (c = 0; c < 256; c++) {
			if ((c & 0x20) && (c ^ 0x20) < c)
				continue;
			add_entry(pf, cap,
				  word_of(load4((const unsigned char[4]){t[0], t[1], (unsigned char)c, 0})),
				  i, 0, ANY);
		}
	}
}

static int cmp_entry(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;

	if (x->word != y->word)
		return x->word < y->word ? -1 : 1;
	if (x->kw != y->kw)
		return x->kw < y->kw ? -1 : 1;
	if (x->off != y->off)
		return x->off < y->off ? -1 : 1;
	return x->bit < y->bit ? -1 : x->bit > y->bit;
}

int prefilter_build(struct prefilter *pf, struct err *err)
{
	struct load_map m;
	size_t i, out, cap = 0;

	for (i = 0; i < pf->nkws; i++) {
		if (pf->kws[i].len < 2)
			return err_set(err, KH_EINVAL,
				       "keyword '%s' is too short: keywords need at least 2 characters",
				       (const char *)pf->kws[i].text);
	}
	load_map_init(&m);
	for (i = 0; i < pf->nkws; i++)
		file_keyword(pf, &cap, &m, (uint32_t)i);
	load_map_release(&m);
	if (pf->nentries)
		qsort(pf->entries, pf->nentries, sizeof(*pf->entries), cmp_entry);
	/* a 2-byte keyword's third bytes may share a word: keep one entry */
	for (i = 0, out = 0; i < pf->nentries; i++)
		if (!out || cmp_entry(&pf->entries[out - 1], &pf->entries[i]))
			pf->entries[out++] = pf->entries[i];
	pf->nentries = out;
	pf->words = xcalloc(NWORDS, sizeof(*pf->words));
	pf->start = xcalloc(NWORDS + 1, sizeof(*pf->start));
	for (i = 0; i < pf->nentries; i++) {
		pf->words[pf->entries[i].word] |= 1u << pf->entries[i].bit;
		pf->start[pf->entries[i].word + 1]++;
	}
	for (i = 1; i <= NWORDS; i++)
		pf->start[i] += pf->start[i - 1];
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

/* Reports the keywords whose gram is gram at position pos. */
static int verify(const struct prefilter *pf, const unsigned char *data, size_t len, size_t pos,
		  uint32_t gram, prefilter_hit_fn fn, void *payload)
{
	uint32_t w = word_of(gram), b = bit_of(gram), e;

	for (e = pf->start[w]; e < pf->start[w + 1]; e++) {
		const struct entry *en = &pf->entries[e];
		const struct kw *k = &pf->kws[en->kw];
		size_t start, r;
		if ((en->bit != ANY && en->bit != b) || pos < en->off)
			continue;
		start = pos - en->off;
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

static inline uint32_t test(const struct prefilter *pf, uint32_t gram)
{
	return pf->words[word_of(gram)] & want_mask[(gram >> 24) & 31u];
}

#ifdef PF_X86_SIMD
/* The SIMD scans' positive lanes: bit j of m[s] is position i + s + 4j;
 * verified in ascending position, visiting the set bits only. */
static int verify_lanes(const struct prefilter *pf, const unsigned char *data, size_t len,
			size_t i, const uint32_t m[4], prefilter_hit_fn fn, void *payload)
{
	uint32_t left[4];
	int s, rc;

	memcpy(left, m, sizeof(left));
	for (;;) { /* the lowest position among the four masks' lowest bits */
		size_t best = (size_t)-1, p;
		int bs = -1;
		for (s = 0; s < 4; s++)
			if (left[s] && (p = 4 * (size_t)__builtin_ctz(left[s]) + (size_t)s) < best) {
				best = p;
				bs = s;
			}
		if (bs < 0)
			return 0;
		left[bs] &= left[bs] - 1;
		if ((rc = verify(pf, data, len, i + best, load4(data + i + best), fn, payload)))
			return rc;
	}
}

/* Tests positions from *at on, 32 at a time; *at: where it stopped. */
__attribute__((target("avx2"))) static int
scan_avx2(const struct prefilter *pf, const unsigned char *data, size_t len, size_t *at,
	  prefilter_hit_fn fn, void *payload)
{
	const __m256i fold = _mm256_set1_epi32((int)FOLD3), mul = _mm256_set1_epi32((int)MUL),
		      low5 = _mm256_set1_epi32(31), top = _mm256_set1_epi32(30),
		      one = _mm256_set1_epi32(1), anyb = _mm256_set1_epi32((int)(1u << ANY)),
		      zero = _mm256_setzero_si256();
	size_t i;

	for (i = *at; i + 36 <= len; i += 32) {
		uint32_t m[4], all;
		int s, rc;
		/* load s holds the grams at i + s + 4j in its lanes j */
		for (s = 0; s < 4; s++) {
			__m256i v = _mm256_loadu_si256((const __m256i *)(const void *)(data + i + s));
			__m256i w = _mm256_srli_epi32(
				_mm256_mullo_epi32(_mm256_or_si256(_mm256_slli_epi32(v, 8), fold), mul),
				32 - WORD_BITS);
			__m256i bits = _mm256_i32gather_epi32((const int *)pf->words, w, 4);
			__m256i b = _mm256_min_epu32(_mm256_and_si256(_mm256_srli_epi32(v, 24), low5), top);
			__m256i want = _mm256_or_si256(_mm256_sllv_epi32(one, b), anyb);
			__m256i none = _mm256_cmpeq_epi32(_mm256_and_si256(bits, want), zero);
			m[s] = ~(uint32_t)_mm256_movemask_ps(_mm256_castsi256_ps(none)) & 0xffu;
		}
		all = m[0] | m[1] | m[2] | m[3];
		if (all && (rc = verify_lanes(pf, data, len, i, m, fn, payload))) {
			*at = i;
			return rc;
		}
	}
	*at = i;
	return 0;
}

/* The same with AVX-512 (64 positions per step, 16 lanes per gather). */
__attribute__((target("avx512f"))) static int
scan_avx512(const struct prefilter *pf, const unsigned char *data, size_t len, size_t *at,
	    prefilter_hit_fn fn, void *payload)
{
	const __m512i fold = _mm512_set1_epi32((int)FOLD3), mul = _mm512_set1_epi32((int)MUL),
		      low5 = _mm512_set1_epi32(31), top = _mm512_set1_epi32(30),
		      one = _mm512_set1_epi32(1), anyb = _mm512_set1_epi32((int)(1u << ANY));
	size_t i;

	for (i = *at; i + 68 <= len; i += 64) {
		uint32_t m[4];
		int s, rc;
		/* load s holds the grams at i + s + 4j in its lanes j */
		for (s = 0; s < 4; s++) {
			__m512i v = _mm512_loadu_si512((const void *)(data + i + s));
			__m512i w = _mm512_srli_epi32(
				_mm512_mullo_epi32(_mm512_or_si512(_mm512_slli_epi32(v, 8), fold), mul),
				32 - WORD_BITS);
			__m512i bits = _mm512_i32gather_epi32(w, (const void *)pf->words, 4);
			__m512i b = _mm512_min_epu32(_mm512_and_si512(_mm512_srli_epi32(v, 24), low5), top);
			__m512i want = _mm512_or_si512(_mm512_sllv_epi32(one, b), anyb);
			m[s] = (uint32_t)_mm512_test_epi32_mask(bits, want);
		}
		if ((m[0] | m[1] | m[2] | m[3]) &&
		    (rc = verify_lanes(pf, data, len, i, m, fn, payload))) {
			*at = i;
			return rc;
		}
	}
	*at = i;
	return 0;
}
#endif

int prefilter_scan(const struct prefilter *pf, const unsigned char *data, size_t len,
		   prefilter_hit_fn fn, void *payload)
{
	size_t i = 0;
	int rc, k;

	if (!pf->built || !pf->nentries || len < 2)
		return 0;
#ifdef PF_X86_SIMD
	if (pf->simd == 2 && (rc = scan_avx512(pf, data, len, &i, fn, payload)))
		return rc;
	if (pf->simd >= 1 && (rc = scan_avx2(pf, data, len, &i, fn, payload)))
		return rc;
#endif
	/* eight positions per step: the tests first, then a look at those that hit */
	for (; i + 11 <= len; i += 8) {
		uint32_t h[8];
		for (k = 0; k < 8; k++)
			h[k] = test(pf, load4(data + i + (size_t)k));
		if (!(h[0] | h[1] | h[2] | h[3] | h[4] | h[5] | h[6] | h[7]))
			continue;
		for (k = 0; k < 8; k++)
			if (h[k] && (rc = verify(pf, data, len, i + (size_t)k,
						 load4(data + i + (size_t)k), fn, payload)))
				return rc;
	}
	for (; i + 4 <= len; i++) {
		uint32_t g = load4(data + i);
		if (test(pf, g) && (rc = verify(pf, data, len, i, g, fn, payload)))
			return rc;
	}
	/* the last positions, with fewer than four bytes left: zero padding */
	for (; i + 2 <= len; i++) {
		unsigned char q[4] = {0, 0, 0, 0};
		uint32_t g;
		memcpy(q, data + i, len - i);
		g = load4(q);
		if (test(pf, g) && (rc = verify(pf, data, len, i, g, fn, payload)))
			return rc;
	}
	return 0;
}
