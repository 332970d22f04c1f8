/* entropy.c - Shannon entropy in bits per byte; used to drop low-randomness
 * matches such as placeholders ("xxxxxxxx") and repeated characters. */
#include <math.h>
#include "entropy.h"

double shannon_entropy(const unsigned char *p, size_t len)
{
	size_t counts[256] = {0};
	double h = 0.0;
	size_t i;

	if (len == 0)
		return 0.0;
	for (i = 0; i < len; i++)
		counts[p[i]]++;
	for (i = 0; i < 256; i++) {
		if (counts[i]) {
			double q = (double)counts[i] / (double)len;
			h -= q * log2(q);
		}
	}
	return h;
}
