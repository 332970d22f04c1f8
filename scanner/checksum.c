/* checksum.c - token checksums (see checksum.h).
 *
 * github: GitHub's ghp_/gho_/ghu_/ghs_ tokens are a 4-character prefix, 30
 * random base62 characters and 6 base62 digits holding the CRC32 of those 30
 * characters (the prefix is not part of the sum); npm's npm_ tokens use the
 * same scheme.
 * gitlab: GitLab's routable tokens (glpat-PAYLOAD.01.LLCCCCCCC, and the
 * earlier glpat-PAYLOAD.LLCCCCCCC) end in 7 base36 digits holding the CRC32
 * (zlib's) of everything before them, prefix included, zero-padded.
 * Pure functions; no allocation.
 */
#include <stdint.h>
#include <string.h>
#include "checksum.h"

static uint32_t crc32_of(const unsigned char *p, size_t n)
{
	uint32_t c = 0xffffffffu;
	size_t i;
	int k;

	for (i = 0; i < n; i++) {
		c ^= p[i];
		for (k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
	}
	return ~c;
}

static int b62_value(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A' + 10;
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a' + 36;
	return -1;
}

/* s is PREFIX_ BODY CRC: the last 6 characters are base62(CRC32(BODY)),
 * zero-padded, where BODY is what lies between the first '_' and them. */
static int crc32_base62_tail(const char *s, size_t len)
{
	const char *us = memchr(s, '_', len);
	size_t body, i;
	uint64_t v = 0;

	if (!us || len < 7 || (size_t)(us - s) + 1 > len - 6)
		return 0;
	body = (size_t)(us - s) + 1;
	for (i = len - 6; i < len; i++) {
		int d = b62_value(s[i]);
		if (d < 0)
			return 0;
		v = v * 62 + (uint64_t)d;
	}
	return v == crc32_of((const unsigned char *)s + body, len - 6 - body);
}

/* s ends in 7 base36 digits (0-9 a-z) of the CRC32 of everything before. */
static int crc32_base36_tail(const char *s, size_t len)
{
	uint64_t v = 0;
	size_t i;

	if (len < 8)
		return 0;
	for (i = len - 7; i < len; i++) {
		char ch = s[i];
		int d = ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'z' ? ch - 'a' + 10 : -1;
		if (d < 0)
			return 0;
		v = v * 36 + (uint64_t)d;
	}
	return v == crc32_of((const unsigned char *)s, len - 7);
}

int checksum_known(const char *name)
{
	return !strcmp(name, "github") || !strcmp(name, "npm") || !strcmp(name, "gitlab");
}

int checksum_verify(const char *name, const char *secret, size_t len)
{
	if (!strcmp(name, "github") || !strcmp(name, "npm"))
		return crc32_base62_tail(secret, len);
	if (!strcmp(name, "gitlab"))
		return crc32_base36_tail(secret, len);
	return -1;
}
