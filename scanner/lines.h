/* lines.h - counting line ends in a buffer, for line numbers.
 *
 * A scan needs the line number of each finding; large inputs are read in
 * windows, so the newlines of every window are counted as it goes by.
 * Counting them one memchr() call per line costs a call per line of
 * source code; this counts eight bytes per step instead. Pure functions.
 */
#ifndef KH_LINES_H
#define KH_LINES_H

#include <stddef.h>

/* The number of '\n' bytes in p[0, n); *last gets the offset of the last one
 * (left unchanged when there is none). */
size_t lines_count(const unsigned char *p, size_t n, size_t *last);

#endif
