/* xalloc.c - allocation that aborts on exhaustion (see xalloc.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "xalloc.h"

static void oom(size_t n)
{
	fprintf(stderr, "keyhound: fatal: out of memory (allocating %zu bytes)\n", n);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom(n);
	return p;
}

void *xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);
	if (!p)
		oom(nmemb * size);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		oom(n);
	return q;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void *xmemdup(const void *p, size_t n)
{
	void *q = xmalloc(n + 1);
	memcpy(q, p, n);
	((char *)q)[n] = '\0';
	return q;
}

void xgrow(void **arr, size_t *cap, size_t need, size_t elsize)
{
	size_t c = *cap;

	if (need <= c)
		return;
	if (c < 8)
		c = 8;
	while (c < need) {
		if (c > ((size_t)-1) / 2 / elsize)
			oom(need * elsize);
		c *= 2;
	}
	*arr = xrealloc(*arr, c * elsize);
	*cap = c;
}
