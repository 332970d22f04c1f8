/* prefilter.h - find every rule keyword in one pass.
 *
 * Rules are only tried near places where one of their literal keywords
 * occurs. With hundreds of keywords, one automaton pass that finds them all
 * beats one search per keyword. Matching is ASCII case-insensitive.
 * Immutable after prefilter_build(); safe to share across threads.
 */
#ifndef KH_PREFILTER_H
#define KH_PREFILTER_H

#include <stddef.h>
#include <stdint.h>
#include "err.h"

struct prefilter;

struct prefilter *prefilter_new(void);
void prefilter_free(struct prefilter *pf);
/* Registers keyword kw (len bytes) for rule index `rule`. Before build only. */
void prefilter_add(struct prefilter *pf, const char *kw, size_t len, unsigned rule);
/* Builds the index. Returns 0, or KH_EINVAL for a keyword shorter than 2. */
int prefilter_build(struct prefilter *pf, struct err *err);

/* Called for each keyword occurrence [start, end) with each rule that owns
 * the keyword, in nearly ascending order of start (occurrences are found by
 * an anchor inside them, so starts may go back by less than a keyword's
 * length, or forward by one). Return non-zero to stop. */
typedef int (*prefilter_hit_fn)(unsigned rule, size_t start, size_t end, void *payload);
/* Scans data; returns what the callback stopped with, or 0. */
int prefilter_scan(const struct prefilter *pf, const unsigned char *data, size_t len,
		   prefilter_hit_fn fn, void *payload);

/* Chooses the scan: 0 the portable one, 1 AVX2, 2 AVX-512 (x86-64), capped
 * at what the CPU has; by default the widest it has. KEYHOUND_NO_SIMD=1 in
 * the environment makes every prefilter start with the portable scan. All
 * find exactly the same occurrences (tests compare them). */
void prefilter_use_simd(struct prefilter *pf, int on);

/* How common 4-byte grams are (prefilter_grams.c), in occurrences per
 * million positions, each byte ORed with 0x20 as the scan folds it; byte k
 * of the gram in bits 8k..8k+7. */
struct prefilter_gram {
	uint32_t gram;
	float per_million;
};
extern const struct prefilter_gram prefilter_grams[];
extern const size_t prefilter_ngrams;
extern const float prefilter_grams_listed; /* sum of the listed frequencies */

#endif
