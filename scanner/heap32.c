/* heap32.c - a binary heap of 32-bit indexes (see heap32.h). */
#include <stdlib.h>
#include <string.h>
#include "heap32.h"
#include "xalloc.h"

void heap32_init(struct heap32 *h, heap32_first_fn first, const void *ctx)
{
	memset(h, 0, sizeof(*h));
	h->first = first;
	h->ctx = ctx;
}

void heap32_push(struct heap32 *h, uint32_t x)
{
	void *v = h->v;
	size_t i;

	xgrow(&v, &h->cap, h->n + 1, sizeof(uint32_t));
	h->v = v;
	for (i = h->n++; i > 0 && h->first(h->ctx, x, h->v[(i - 1) / 2]); i = (i - 1) / 2)
		h->v[i] = h->v[(i - 1) / 2];
	h->v[i] = x;
}

uint32_t heap32_pop(struct heap32 *h)
{
	uint32_t top = h->v[0], x = h->v[--h->n];
	size_t i = 0, c;

	while ((c = 2 * i + 1) < h->n) {
		if (c + 1 < h->n && h->first(h->ctx, h->v[c + 1], h->v[c]))
			c++;
		if (!h->first(h->ctx, h->v[c], x))
			break;
		h->v[i] = h->v[c];
		i = c;
	}
	if (h->n)
		h->v[i] = x;
	return top;
}

void heap32_release(struct heap32 *h)
{
	free(h->v);
	memset(h, 0, sizeof(*h));
}
