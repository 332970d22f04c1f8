/* decode.h - find encoded spans (base64, percent-encoding, JSON/JS string
 * escapes, UTF-16 text) and hand their decoded bytes to the scanner.
 *
 * Keys hide inside encodings: Kubernetes Secret values, basic-auth headers,
 * .npmrc, data URLs, URLs, notebooks, UTF-16 files. The work is bounded: only
 * spans of at least DECODE_MIN_SPAN bytes, at most DECODE_MAX_SPAN each, and a
 * per-window budget of decoded bytes (the scanner also bounds the depth).
 * Pure functions over bytes; knows nothing about rules or reports.
 */
#ifndef KH_DECODE_H
#define KH_DECODE_H

#include <stddef.h>

#define DECODE_MIN_SPAN 20
#define DECODE_MAX_SPAN (1u << 20)

struct decoded {
	const unsigned char *data; /* decoded bytes, valid during the callback */
	size_t len;
	size_t src_start, src_end; /* the encoded span in the source */
	const char *encoding;      /* "base64", "percent", "escape" */
};

/* Return non-zero to stop. */
typedef int (*decoded_fn)(const struct decoded *d, void *payload);

/* Finds encoded spans starting in [from, to) of data[0, len) and calls fn for
 * each whose decoded form is mostly printable text; *budget (bytes of decoded
 * output still allowed) is decreased. Returns what fn stopped with, or 0. */
int decode_spans(const unsigned char *data, size_t len, size_t from, size_t to,
		 size_t *budget, decoded_fn fn, void *payload);

/* Is data UTF-16 text (a byte-order mark, or NUL in every other byte of its
 * start)? Returns 0 (no), 1 (little-endian) or 2 (big-endian). */
int decode_utf16_kind(const unsigned char *data, size_t len);

/* Narrows UTF-16 text to one byte per code unit (non-ASCII units become
 * 0xff), so that decoded offset k is source offset 2k. out has len/2 bytes. */
void decode_utf16_narrow(const unsigned char *data, size_t len, int kind, unsigned char *out);

#endif
