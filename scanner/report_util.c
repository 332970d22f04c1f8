/* report_util.c - string helpers for report writers: valid UTF-8 and
 * percent-encoding (JSON needs the first, SARIF URIs the second). */
#include <string.h>
#include "buf.h"
#include "report_util.h"

size_t utf8_seq_len(const unsigned char *p, size_t n)
{
	size_t len, i;
	unsigned c = p[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	/* overlong forms, UTF-16 surrogates, beyond U+10FFFF */
	if ((c == 0xe0 && p[1] < 0xa0) || (c == 0xed && p[1] >= 0xa0) ||
	    (c == 0xf0 && p[1] < 0x90) || (c == 0xf4 && p[1] >= 0x90))
		return 0;
	return len;
}

char *utf8_valid_copy(const char *s, size_t len, int *exact)
{
	const unsigned char *p = (const unsigned char *)s;
	struct buf b;
	size_t i = 0;

	if (exact)
		*exact = 1;
	buf_init(&b, 0);
	while (i < len) {
		size_t l = p[i] ? utf8_seq_len(p + i, len - i) : 0; /* NUL is not text */
		if (l) {
			buf_add(&b, p + i, l);
			i += l;
		} else {
			buf_adds(&b, "\xef\xbf\xbd");
			if (exact)
				*exact = 0;
			i++;
		}
	}
	return buf_detach(&b, NULL);
}

char *percent_encode(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p = (const unsigned char *)s;
	struct buf b;

	buf_init(&b, 0);
	for (; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    *p == '-' || *p == '.' || *p == '_' || *p == '~' || *p == '/') {
			buf_addch(&b, (char)*p);
		} else {
			char e[3] = {'%', hex[*p >> 4], hex[*p & 15]};
			buf_add(&b, e, 3);
		}
	}
	return buf_detach(&b, NULL);
}
