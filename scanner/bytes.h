/* bytes.h - substring search over byte spans (memmem is not portable C).
 *
 * Header-only, pure: used where a short literal is looked for in a line or
 * a secret. Not for long haystacks searched many times (see prefilter.c).
 */
#ifndef KH_BYTES_H
#define KH_BYTES_H

#include <stddef.h>
#include <string.h>

/* 1 if the NUL-terminated needle occurs in p[0, len), else 0. */
static inline int bytes_contains(const unsigned char *p, size_t len, const char *needle)
{
	size_t nl = strlen(needle), i;

	for (i = 0; i + nl <= len; i++)
		if (p[i] == (unsigned char)needle[0] && !memcmp(p + i, needle, nl))
			return 1;
	return 0;
}

#endif
