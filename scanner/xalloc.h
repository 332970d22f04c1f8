/* xalloc.h - allocation wrappers that abort with a message when memory runs out.
 *
 * Out of memory is not a recoverable condition for a scanner; aborting here
 * means there are no untested OOM branches anywhere else (git's xmalloc).
 */
#ifndef KH_XALLOC_H
#define KH_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
void *xmemdup(const void *p, size_t n);
/* Grow *arr (of *cap elements of elsize) to hold at least need elements. */
void xgrow(void **arr, size_t *cap, size_t need, size_t elsize);

#endif
