/* decode.h - find encoded spans (base64, percent-encoding, JSON/JS string
 * escapes, UTF-16 text) and hand their decoded bytes to the scanner. String
 * escapes include \\n, \\t and \\r, so a key right after one has its word
 * boundary in the decoded text.
 *
 * Keys hide inside encodings: Kubernetes Secret values, basic-auth headers,
 * .npmrc, data URLs, URLs, notebooks, UTF-16 files. The work is bounded: only
 * spans of at least DECODE_MIN_SPAN bytes, at most DECODE_MAX_SPAN each, and a
 * per-window budget of decoded bytes (the scanner also bounds the depth).
 * Every source byte is examined a bounded number of times whatever the input
 * (a base64 run longer than DECODE_MAX_SPAN is decoded up to that length and
 * the rest of the run skipped), and an exhausted budget stops the search.
 * Pure functions over bytes; knows nothing about rules or reports.
 */
#ifndef KH_DECODE_H
#define KH_DECODE_H

#include <stddef.h>
#include <stdint.h>

#define DECODE_MIN_SPAN 20
#define DECODE_MAX_SPAN (1u << 20)

struct decoded {
	const unsigned char *data; /* decoded bytes, valid during the callback */
	size_t len;
	size_t src_start, src_end; /* the encoded span in the source */
	const char *encoding;      /* "base64", "percent", "escape" */
	/* percent and escape spans: map[k] is where (relative to src_start) the
	 * source of decoded byte k begins, map[len] = src_end - src_start, so a
	 * decoded range maps back to its exact encoded bytes. NULL for base64,
	 * whose bytes do not align with characters: the span is the location. */
	const uint32_t *map;
};

/* Decoded bytes still allowed (left), and how many spans were decoded only
 * in part or not at all for lack of it or for being over DECODE_MAX_SPAN
 * (cut): the caller reports those. */
struct decode_budget {
	size_t left;
	size_t cut;
};

/* Return non-zero to stop. */
typedef int (*decoded_fn)(const struct decoded *d, void *payload);

/* Finds encoded spans starting in [from, to) of data[0, len) and calls fn for
 * each whose decoded form is mostly printable text; budget->left is
 * decreased, and the search stops when it reaches 0.
 * Returns what fn stopped with, or 0. */
int decode_spans(const unsigned char *data, size_t len, size_t from, size_t to,
		 struct decode_budget *budget, decoded_fn fn, void *payload);

/* Chooses how byte classes are found: 0 SSE2 (or portable C), 1 AVX2,
 * 2 AVX-512BW, capped at what the CPU has; by default the widest it has
 * (KEYHOUND_NO_SIMD=1: level 0). All give the same spans. For tests; not
 * thread-safe. */
void decode_use_simd(int level);

/* Is data UTF-16 text (a byte-order mark, or NUL in every other byte of its
 * start)? Returns 0 (no), 1 (little-endian) or 2 (big-endian). */
int decode_utf16_kind(const unsigned char *data, size_t len);

/* Narrows UTF-16 text to one byte per code unit (non-ASCII units become
 * 0xff), so that decoded offset k is source offset 2k. out has len/2 bytes. */
void decode_utf16_narrow(const unsigned char *data, size_t len, int kind, unsigned char *out);

#endif
