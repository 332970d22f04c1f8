/* entropy.h - Shannon entropy of a byte span (pure function). */
#ifndef KH_ENTROPY_H
#define KH_ENTROPY_H

#include <stddef.h>

/* Bits per byte, 0.0 for an empty span. */
double shannon_entropy(const unsigned char *p, size_t len);

#endif
