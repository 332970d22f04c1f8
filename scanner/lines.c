/* lines.c - counting line ends eight bytes at a time (see lines.h). */
#include <stdint.h>
#include <string.h>
#include "lines.h"

#define ONES 0x0101010101010101ull
#define LOW7 0x7f7f7f7f7f7f7f7full

size_t lines_count(const unsigned char *p, size_t n, size_t *last)
{
	size_t i = 0, count = 0, k;

	while (n - i >= 8) {
		/* per byte lane, how many '\n' it has seen: at most 255 steps */
		size_t steps = (n - i) / 8 > 255 ? 255 : (n - i) / 8;
		uint64_t acc = 0;
		for (k = 0; k < steps; k++, i += 8) {
			uint64_t w;
			memcpy(&w, p + i, 8);
			w ^= ONES * '\n';
			/* high bit of a lane set exactly when the lane is zero: no
			 * carry crosses lanes, since (b & 0x7f) + 0x7f <= 0xfe */
			acc += (~(((w & LOW7) + LOW7) | w) >> 7) & ONES;
		}
		acc = (acc & 0x00ff00ff00ff00ffull) + ((acc >> 8) & 0x00ff00ff00ff00ffull);
		count += (size_t)((acc * 0x0001000100010001ull) >> 48);
	}
	for (; i < n; i++)
		count += p[i] == '\n';
	if (count)
		for (i = n; i-- > 0;)
			if (p[i] == '\n') {
				*last = i;
				break;
			}
	return count;
}
