/* heap32.h - a binary heap of 32-bit indexes (commits of a graph) in the
 * order the caller's comparison gives: the commit walks' queues of ready
 * commits (oldest first for attribution, newest first for a range walk).
 * The struct owns its array; heap32_release() frees it. Never prints.
 */
#ifndef KH_HEAP32_H
#define KH_HEAP32_H

#include <stddef.h>
#include <stdint.h>

/* Nonzero when index a must come out before index b. */
typedef int (*heap32_first_fn)(const void *ctx, uint32_t a, uint32_t b);

struct heap32 {
	uint32_t *v;
	size_t n, cap;
	heap32_first_fn first;
	const void *ctx; /* passed to first; may change between calls (a growing graph) */
};

void heap32_init(struct heap32 *h, heap32_first_fn first, const void *ctx);
void heap32_push(struct heap32 *h, uint32_t x);
/* The first index; h->n must not be 0. */
uint32_t heap32_pop(struct heap32 *h);
void heap32_release(struct heap32 *h);

#endif
