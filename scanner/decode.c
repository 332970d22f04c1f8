/* decode.c - encoded spans and their decoded bytes (see decode.h).
 *
 * base64 runs are found 64 bytes at a time: a bit mask of alphabet bytes
 * (SSE2 where available) and a few shifts tell whether 20 consecutive bytes
 * are in the alphabet, so ordinary text and code pass without per-byte
 * branches. Percent and
 * backslash escapes are found with memchr. Decoded output that is not mostly
 * printable (random words decode to binary noise) is dropped unscanned.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "decode.h"
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include "xalloc.h"

enum { B64_STD = 1, B64_URL = 2, B64_UP = 4, B64_LOW = 8, B64_DIG = 16 };

static signed char b64val[256];
static unsigned char b64class[256]; /* bit B64_STD / B64_URL: byte is in that alphabet */
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

static void init_tables_once(void)
{
	static const char std[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	int i;

	memset(b64val, -1, sizeof(b64val));
	for (i = 0; i < 64; i++) {
		b64val[(unsigned char)std[i]] = (signed char)i;
		b64class[(unsigned char)std[i]] = (unsigned char)(B64_STD | (i < 62 ? B64_URL : 0) |
			(i < 26 ? B64_UP : i < 52 ? B64_LOW : B64_DIG));
	}
	b64val['-'] = 62;
	b64val['_'] = 63;
	b64class['-'] = B64_URL;
	b64class['_'] = B64_URL;
}

static void init_tables(void)
{
	pthread_once(&tables_once, init_tables_once);
}

static int printable_enough(const unsigned char *p, size_t n)
{
	size_t i, ok = 0;

	if (!n)
		return 0;
	for (i = 0; i < n; i++)
		ok += (p[i] >= 0x20 && p[i] < 0x7f) || p[i] == '\n' || p[i] == '\r' || p[i] == '\t';
	return ok * 10 >= n * 9;
}

/* Decodes base64 (either alphabet, padding optional) into out; returns length. */
static size_t b64_decode(const unsigned char *p, size_t n, unsigned char *out)
{
	uint32_t acc = 0;
	size_t i, o = 0;
	int bits = 0;

	for (i = 0; i < n; i++) {
		signed char v = b64val[p[i]];
		if (p[i] == '=')
			break;
		if (v < 0)
			continue;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (unsigned char)(acc >> bits);
		}
	}
	return o;
}

static int emit(const unsigned char *dec, size_t dlen, const uint32_t *map, size_t s, size_t e,
		const char *enc, size_t *budget, decoded_fn fn, void *payload)
{
	struct decoded d;

	if (dlen < 8 || dlen > *budget || !printable_enough(dec, dlen))
		return 0;
	*budget -= dlen;
	d.data = dec;
	d.len = dlen;
	d.src_start = s;
	d.src_end = e;
	d.encoding = enc;
	d.map = map;
	return fn(&d, payload);
}

/* Bit k of the result is set when data[k] is in a base64 alphabet
 * (A-Z a-z 0-9 + / - _; '=' padding is handled after a run); 64 bytes at a time. */
static uint64_t alphabet_mask64(const unsigned char *data)
{
	uint64_t m = 0;
	int k;
#if defined(__SSE2__)
	for (k = 0; k < 4; k++) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(data + 16 * k));
/* unsigned lo <= c <= hi, with signed compares: (c - lo) ^ 0x80 < (n ^ 0x80) */
#define IN_RANGE(v, lo, hi)                                                         \
	_mm_cmplt_epi8(_mm_add_epi8(v, _mm_set1_epi8((char)(128 - (lo)))),             \
		       _mm_set1_epi8((char)((hi) - (lo) + 1 - 128)))
		__m128i a = _mm_or_si128(IN_RANGE(v, 'A', 'Z'), IN_RANGE(v, 'a', 'z'));
		__m128i b = _mm_or_si128(IN_RANGE(v, '0', '9'), IN_RANGE(v, '+', '/')); /* + , - . / */
		__m128i c = _mm_cmpeq_epi8(v, _mm_set1_epi8('_'));
		/* ',' and '.' are in '+'..'/' but not in the alphabet */
		__m128i bad = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(',')),
					   _mm_cmpeq_epi8(v, _mm_set1_epi8('.')));
#undef IN_RANGE
		__m128i all = _mm_andnot_si128(bad, _mm_or_si128(_mm_or_si128(a, b), c));
		m |= (uint64_t)(uint16_t)_mm_movemask_epi8(all) << (16 * k);
	}
#else
	for (k = 0; k < 64; k++)
		m |= (uint64_t)(b64class[data[k]] != 0) << k;
#endif
	return m;
}

/* Count of trailing (low) zero bits of m, which must not be 0. */
static int low_zeros(uint64_t m)
{
#if defined(__GNUC__) || defined(__clang__)
	return __builtin_ctzll(m);
#else
	int n = 0;
	while (!((m >> n) & 1u))
		n++;
	return n;
#endif
}

static int trailing_ones(uint64_t m)
{
	return ~m ? low_zeros(~m) : 64;
}

static int leading_ones(uint64_t m)
{
#if defined(__GNUC__) || defined(__clang__)
	return ~m ? __builtin_clzll(~m) : 64;
#else
	int n = 0;
	while (n < 64 && (m >> (63 - n)) & 1u)
		n++;
	return n;
#endif
}

/* Finds the start of the first run of at least DECODE_MIN_SPAN alphabet bytes
 * at or after i (and before to); returns len when there is none. */
static size_t next_run(const unsigned char *data, size_t len, size_t i, size_t to)
{
	size_t run = 0; /* alphabet bytes just before i, within this search */

	while (i + 64 <= len && i < to) {
		uint64_t m = alphabet_mask64(data + i), a;
		int t;
		if (m == ~(uint64_t)0) {
			run += 64;
			if (run >= DECODE_MIN_SPAN && i + 64 - run < to)
				return i + 64 - run;
			i += 64;
			continue;
		}
		t = trailing_ones(m);
		if (run + (size_t)t >= DECODE_MIN_SPAN)
			return i - run;
		/* bit j of a: bits j .. j+19 of m are all set */
		a = m & (m >> 1);       /* 2 */
		a = a & (a >> 2);       /* 4 */
		{
			uint64_t a4 = a;
			a = a & (a >> 4);   /* 8 */
			a = a & (a >> 8);   /* 16 */
			a = a & (a4 >> 16); /* 20 */
		}
		if (a) {
			int j = low_zeros(a);
			return i + (size_t)j < to ? i + (size_t)j : len;
		}
		run = (size_t)leading_ones(m);
		i += 64;
	}
	/* the tail, byte by byte */
	for (; i < len && i < to + DECODE_MIN_SPAN; i++) {
		if (b64class[data[i]]) {
			if (++run >= DECODE_MIN_SPAN)
				return i + 1 - run < to ? i + 1 - run : len;
		} else {
			run = 0;
		}
	}
	return len;
}

static int base64_spans(const unsigned char *data, size_t len, size_t from, size_t to,
			size_t *budget, decoded_fn fn, void *payload)
{
	size_t i = from;
	int rc = 0;

	while (i < to && !rc && *budget) {
		size_t s = next_run(data, len, i, to), e, q;
		unsigned cls, mix;
		if (s >= len || s >= to)
			break;
		/* one pass: the run's end, the alphabets all its bytes belong to, and
		 * which character classes it mixes */
		cls = B64_STD | B64_URL;
		mix = 0;
		for (e = s; e < len && (q = b64class[data[e]]) != 0 && e - s < DECODE_MAX_SPAN; e++) {
			cls &= (unsigned)q;
			mix |= (unsigned)q;
		}
		cls &= B64_STD | B64_URL;
		/* a run must be one alphabet; '=' padding may follow it */
		{
			size_t end = e;
			while (end < len && end - e < 2 && data[end] == '=')
				end++;
			/* identifiers, paths and hex are runs of the alphabet too;
			 * encoded text mixes upper and lower case with digits or '+' '/'
			 * (or is long) */
			if (e - s >= DECODE_MIN_SPAN && cls && (mix & B64_UP) && (mix & B64_LOW) &&
			    ((mix & B64_DIG) || e - s >= 40) && (e - s) / 4 * 3 <= *budget) {
				unsigned char *dec = xmalloc(e - s);
				size_t dlen = b64_decode(data + s, e - s, dec);
				rc = emit(dec, dlen, NULL, s, end, "base64", budget, fn, payload);
				free(dec);
			}
			e = end;
		}
		i = e;
		while (i < len && b64class[data[i]]) /* the rest of an over-long run */
			i++;
	}
	return rc;
}

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Bytes that can be part of a URL-encoded or escaped token. */
static int token_byte(unsigned char c)
{
	return c > 0x20 && c < 0x7f && c != '"' && c != '\'' && c != '<' && c != '>' &&
	       c != '`' && c != ',' && c != ';' && c != '(' && c != ')' && c != '{' && c != '}' &&
	       c != '[' && c != ']';
}

/* Percent (%2D) or backslash (\u002d, \x2d, \/) escapes in a token; map[o]
 * is where the source of out[o] begins, map[o_end] = n. */
static size_t unescape(const unsigned char *p, size_t n, unsigned char *out, uint32_t *map,
		       int percent, size_t *nesc)
{
	size_t i = 0, o = 0;

	*nesc = 0;
	while (i < n) {
		map[o] = (uint32_t)i;
		if (percent && p[i] == '%' && i + 2 < n && hexval(p[i + 1]) >= 0 &&
		    hexval(p[i + 2]) >= 0) {
			out[o++] = (unsigned char)(hexval(p[i + 1]) * 16 + hexval(p[i + 2]));
			i += 3;
			(*nesc)++;
		} else if (!percent && p[i] == '\\' && i + 1 < n) {
			unsigned char c = p[i + 1];
			if (c == 'u' && i + 5 < n && hexval(p[i + 2]) >= 0 && hexval(p[i + 3]) >= 0 &&
			    hexval(p[i + 4]) >= 0 && hexval(p[i + 5]) >= 0) {
				int v = (hexval(p[i + 2]) << 12) | (hexval(p[i + 3]) << 8) |
					(hexval(p[i + 4]) << 4) | hexval(p[i + 5]);
				out[o++] = v < 0x80 ? (unsigned char)v : 0xff;
				i += 6;
			} else if (c == 'x' && i + 3 < n && hexval(p[i + 2]) >= 0 && hexval(p[i + 3]) >= 0) {
				out[o++] = (unsigned char)(hexval(p[i + 2]) * 16 + hexval(p[i + 3]));
				i += 4;
			} else if (c == '/' || c == '\\' || c == '-' || c == '+' || c == '=') {
				out[o++] = c;
				i += 2;
			} else {
				out[o++] = p[i++];
				continue;
			}
			(*nesc)++;
		} else {
			out[o++] = p[i++];
		}
	}
	map[o] = (uint32_t)n;
	return o;
}

static int escape_spans(const unsigned char *data, size_t len, size_t from, size_t to,
			unsigned char marker, size_t *budget, decoded_fn fn, void *payload)
{
	size_t i = from, floor = from > DECODE_MAX_SPAN ? from - DECODE_MAX_SPAN : 0;
	int rc = 0;

	while (i < to && !rc && *budget) {
		const unsigned char *hit = memchr(data + i, marker, to - i);
		size_t s, e, dlen, nesc;
		unsigned char *dec;
		uint32_t *map;
		if (!hit)
			break;
		/* a token never reaches back before the previous one's end, so each
		 * byte is looked at a bounded number of times */
		s = e = (size_t)(hit - data);
		while (s > floor && token_byte(data[s - 1]) && e - s < DECODE_MAX_SPAN)
			s--;
		while (e < len && (token_byte(data[e]) || data[e] == '\\') && e - s < DECODE_MAX_SPAN)
			e++;
		if (e - s >= DECODE_MIN_SPAN) {
			dec = xmalloc(e - s);
			map = xmalloc((e - s + 1) * sizeof(*map));
			dlen = unescape(data + s, e - s, dec, map, marker == '%', &nesc);
			if (nesc)
				rc = emit(dec, dlen, map, s, e, marker == '%' ? "percent" : "escape",
					  budget, fn, payload);
			free(map);
			free(dec);
		}
		i = e > (size_t)(hit - data) ? e : (size_t)(hit - data) + 1;
		floor = i;
	}
	return rc;
}

int decode_spans(const unsigned char *data, size_t len, size_t from, size_t to,
		 size_t *budget, decoded_fn fn, void *payload)
{
	int rc;

	init_tables();
	if (to > len)
		to = len;
	if ((rc = base64_spans(data, len, from, to, budget, fn, payload)) || !*budget)
		return rc;
	if ((rc = escape_spans(data, len, from, to, '%', budget, fn, payload)) || !*budget)
		return rc;
	return escape_spans(data, len, from, to, '\\', budget, fn, payload);
}

int decode_utf16_kind(const unsigned char *data, size_t len)
{
	size_t i, n = len < 512 ? len : 512, even = 0, odd = 0;

	if (len >= 2 && data[0] == 0xff && data[1] == 0xfe)
		return 1;
	if (len >= 2 && data[0] == 0xfe && data[1] == 0xff)
		return 2;
	if (n < 16)
		return 0;
	for (i = 0; i + 1 < n; i += 2) {
		even += data[i] == 0;
		odd += data[i + 1] == 0;
	}
	if (odd * 10 >= (n / 2) * 9 && even * 10 < n / 2)
		return 1;
	if (even * 10 >= (n / 2) * 9 && odd * 10 < n / 2)
		return 2;
	return 0;
}

void decode_utf16_narrow(const unsigned char *data, size_t len, int kind, unsigned char *out)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2) {
		unsigned char lo = kind == 1 ? data[i] : data[i + 1];
		unsigned char hi = kind == 1 ? data[i + 1] : data[i];
		out[i / 2] = hi == 0 && lo < 0x80 ? lo : 0xff;
	}
}
