/* checksum.h - checksums that providers build into their token formats.
 *
 * A rule with `checksum: NAME` drops matches that fail NAME's check, which
 * removes look-alikes that a pattern alone cannot tell apart.
 */
#ifndef KH_CHECKSUM_H
#define KH_CHECKSUM_H

#include <stddef.h>

/* 1 if name is a known checksum scheme, else 0. */
int checksum_known(const char *name);
/* 1 valid, 0 invalid, -1 unknown scheme. */
int checksum_verify(const char *name, const char *secret, size_t len);

#endif
