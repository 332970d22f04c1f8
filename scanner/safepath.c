/* safepath.c - percent-encoding of impossible path components (see safepath.h). */
#include <string.h>
#include "safepath.h"
#include "xalloc.h"

void safepath_add_name(struct buf *b, const char *name, size_t len)
{
	size_t i;

	if (len == 0) {
		buf_adds(b, "%00");
		return;
	}
	if ((len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.')) {
		for (i = 0; i < len; i++)
			buf_adds(b, "%2E");
		return;
	}
	if (!memchr(name, '/', len) && !memchr(name, '\0', len)) {
		buf_add(b, name, len);
		return;
	}
	for (i = 0; i < len; i++) {
		if (name[i] == '/')
			buf_adds(b, "%2F");
		else if (name[i] == '\0')
			buf_adds(b, "%00");
		else if (name[i] == '%')
			buf_adds(b, "%25");
		else
			buf_addch(b, name[i]);
	}
}

char *safepath_dup(const char *path)
{
	struct buf b;
	const char *p = path;
	size_t dummy;

	buf_init(&b, 0);
	for (;;) {
		size_t n = strcspn(p, "/");
		safepath_add_name(&b, p, n);
		if (!p[n])
			break;
		buf_addch(&b, '/');
		p += n + 1;
	}
	return buf_detach(&b, &dummy);
}
