/* checksum.c - token checksums (see checksum.h).
 *
 * github: GitHub's ghp_/gho_/ghu_/ghs_/ghr_ tokens end with 6 base62 digits
 * holding the CRC32 of everything before them; npm's npm_ tokens use the
 * same scheme. Pure functions.
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

/* The last 6 characters are base62(CRC32(the rest)), zero-padded. */
static int crc32_base62_tail(const char *s, size_t len)
{
	uint64_t v = 0;
	size_t i;

	if (len < 7)
		return 0;
	for (i = len - 6; i < len; i++) {
		int d = b62_value(s[i]);
		if (d < 0)
			return 0;
		v = v * 62 + (uint64_t)d;
	}
	return v == crc32_of((const unsigned char *)s, len - 6);
}

int checksum_known(const char *name)
{
	return !strcmp(name, "github") || !strcmp(name, "npm");
}

int checksum_verify(const char *name, const char *secret, size_t len)
{
	if (!strcmp(name, "github") || !strcmp(name, "npm"))
		return crc32_base62_tail(secret, len);
	return -1;
}
