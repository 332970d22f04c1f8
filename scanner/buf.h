/* buf.h - growable byte buffer, always NUL-terminated (git's strbuf, curl's dynbuf).
 *
 * A buf owns its memory. buf_init() on a stack value, buf_release() to free.
 * A non-zero `max` caps the length: appends past it fail with KH_ELIMIT.
 */
#ifndef KH_BUF_H
#define KH_BUF_H

#include <stddef.h>

struct buf {
	char *data; /* NUL-terminated; never NULL after buf_init */
	size_t len;
	size_t cap;
	size_t max; /* 0 = unlimited */
};

void buf_init(struct buf *b, size_t max);
void buf_release(struct buf *b);
void buf_reset(struct buf *b);
/* Shortens b to len bytes (no-op if it is not longer). */
void buf_truncate(struct buf *b, size_t len);
int buf_add(struct buf *b, const void *data, size_t len);
int buf_adds(struct buf *b, const char *s);
int buf_addch(struct buf *b, char c);
int buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Hands the data to the caller (who frees it); b is left released (call
 * buf_init before using it again). */
char *buf_detach(struct buf *b, size_t *len);

#endif
