/* decode.c - encoded spans and their decoded bytes (see decode.h).
 *
 * base64 runs are found 64 bytes at a time: a bit mask of alphabet bytes
 * (SSE2 where available) and a few shifts tell whether 20 consecutive bytes
 * are in the alphabet, so ordinary text and code pass without per-byte
 * branches; a run's extent and the character classes it mixes come from
 * per-class masks of the same kind, 64 bytes per step. A run that could be
 * encoded text is decoded with an early exit: random identifiers decode to
 * binary noise, and decoding stops once too much of it is not printable.
 * Percent and backslash escapes are found with memchr, and the token
 * around each with a table lookup per byte. Decoded output that is not
 * mostly printable text is dropped unscanned.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "cpu.h"
#include "decode.h"
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include "xalloc.h"

enum { B64_STD = 1, B64_URL = 2, B64_UP = 4, B64_LOW = 8, B64_DIG = 16 };

static signed char b64val[256];
static unsigned char b64class[256]; /* bit B64_STD / B64_URL: byte is in that alphabet */
static unsigned char tokbyte[256];  /* can be part of a URL-encoded or escaped token */
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;
static int simd_level; /* 2 AVX-512BW, 1 AVX2, 0 SSE2 or portable; set once in init_tables */

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
	for (i = 0x21; i < 0x7f; i++)
		tokbyte[i] = !strchr("\"'<>`,;(){}[]", i);
	simd_level = cpu_simd_level();
}

static void init_tables(void)
{
	pthread_once(&tables_once, init_tables_once);
}

static int printable_byte(unsigned char c)
{
	return (c >= 0x20 && c < 0x7f) || c == '\n' || c == '\r' || c == '\t';
}

static int printable_enough(const unsigned char *p, size_t n)
{
	size_t i, ok = 0;

	if (!n)
		return 0;
	for (i = 0; i < n; i++)
		ok += (size_t)printable_byte(p[i]);
	return ok * 10 >= n * 9;
}

/* Decodes n bytes of a base64 run (either alphabet, every byte in it) into
 * out, which has room for n * 3 / 4 bytes; returns the length, or 0 as soon
 * as more than a tenth of the output is not printable text (the output
 * could not pass printable_enough, so decoding the rest is wasted). */
static size_t b64_decode_text(const unsigned char *p, size_t n, unsigned char *out)
{
	size_t i, o = 0, bad = 0, limit = n * 6 / 8 / 10;
	uint32_t acc = 0;
	int bits = 0;

	for (i = 0; i < n; i++) {
		acc = (acc << 6) | (uint32_t)b64val[p[i]];
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o] = (unsigned char)(acc >> bits);
			if (!printable_byte(out[o]) && ++bad > limit)
				return 0;
			o++;
		}
	}
	return o;
}

static int emit(const unsigned char *dec, size_t dlen, const uint32_t *map, size_t s, size_t e,
		const char *enc, struct decode_budget *budget, decoded_fn fn, void *payload)
{
	struct decoded d;

	if (dlen < 8 || !printable_enough(dec, dlen))
		return 0;
	if (dlen > budget->left) {
		budget->cut++;
		return 0;
	}
	budget->left -= dlen;
	d.data = dec;
	d.len = dlen;
	d.src_start = s;
	d.src_end = e;
	d.encoding = enc;
	d.map = map;
	return fn(&d, payload);
}

/* Bit k of each mask is set when data[k] is in that class. */
struct masks {
	uint64_t alpha;    /* a base64 alphabet: A-Z a-z 0-9 + / - _ ('=' padding is handled after a run) */
	uint64_t up, low, dig;
	uint64_t std_only; /* + / */
	uint64_t url_only; /* - _ */
};

/* The alphabet mask of 64 bytes (SSE2, or portable). */
static uint64_t alphabet_mask64_base(const unsigned char *data)
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
		__m128i all = _mm_andnot_si128(bad, _mm_or_si128(_mm_or_si128(a, b), c));
		m |= (uint64_t)(uint16_t)_mm_movemask_epi8(all) << (16 * k);
	}
#else
	for (k = 0; k < 64; k++)
		m |= (uint64_t)(b64class[data[k]] != 0) << k;
#endif
	return m;
}

/* Every class mask of n <= 64 bytes, a byte at a time. */
static void classify_bytes(const unsigned char *data, size_t n, struct masks *m)
{
	size_t k;

	memset(m, 0, sizeof(*m));
	for (k = 0; k < n; k++) {
		unsigned q = b64class[data[k]];
		uint64_t bit = (uint64_t)1 << k;
		if (!q)
			continue;
		m->alpha |= bit;
		m->up |= q & B64_UP ? bit : 0;
		m->low |= q & B64_LOW ? bit : 0;
		m->dig |= q & B64_DIG ? bit : 0;
		m->std_only |= q & B64_URL ? 0 : bit;
		m->url_only |= q & B64_STD ? 0 : bit;
	}
}

/* Every class mask of 64 bytes (SSE2, or portable). */
static void classify64_base(const unsigned char *data, struct masks *m)
{
	int k;
#if defined(__SSE2__)
	memset(m, 0, sizeof(*m));
	for (k = 0; k < 4; k++) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(data + 16 * k));
		__m128i up = IN_RANGE(v, 'A', 'Z'), low = IN_RANGE(v, 'a', 'z'), dig = IN_RANGE(v, '0', '9');
		__m128i so = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('+')),
					  _mm_cmpeq_epi8(v, _mm_set1_epi8('/')));
		__m128i uo = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('-')),
					  _mm_cmpeq_epi8(v, _mm_set1_epi8('_')));
		__m128i all = _mm_or_si128(_mm_or_si128(_mm_or_si128(up, low), dig), _mm_or_si128(so, uo));
#undef IN_RANGE
		int sh = 16 * k;
		m->alpha |= (uint64_t)(uint16_t)_mm_movemask_epi8(all) << sh;
		m->up |= (uint64_t)(uint16_t)_mm_movemask_epi8(up) << sh;
		m->low |= (uint64_t)(uint16_t)_mm_movemask_epi8(low) << sh;
		m->dig |= (uint64_t)(uint16_t)_mm_movemask_epi8(dig) << sh;
		m->std_only |= (uint64_t)(uint16_t)_mm_movemask_epi8(so) << sh;
		m->url_only |= (uint64_t)(uint16_t)_mm_movemask_epi8(uo) << sh;
	}
#else
	classify_bytes(data, 64, m);
#endif
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

#ifdef KH_X86_SIMD
#define DECODE_X86_SIMD 1
#include <immintrin.h>

/* AVX-512BW: a compare gives a 64-bit mask directly. */
__attribute__((target("avx512bw"))) static void classify64_avx512(const unsigned char *data,
								   struct masks *m)
{
	__m512i v = _mm512_loadu_si512((const void *)data);
#define RANGE512(lo, n) _mm512_cmplt_epu8_mask(_mm512_sub_epi8(v, _mm512_set1_epi8((char)(lo))), \
					       _mm512_set1_epi8((char)(n)))
#define EQ512(c) _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8((char)(c)))
	m->up = RANGE512('A', 26);
	m->low = RANGE512('a', 26);
	m->dig = RANGE512('0', 10);
	m->std_only = EQ512('+') | EQ512('/');
	m->url_only = EQ512('-') | EQ512('_');
#undef RANGE512
#undef EQ512
	m->alpha = m->up | m->low | m->dig | m->std_only | m->url_only;
}

/* The alphabet mask of 64 bytes, AVX-512BW: letters are one range after
 * folding case (v | 0x20), digits another, then + / - _. */
__attribute__((target("avx512bw"))) static inline uint64_t alpha_avx512(const unsigned char *data)
{
	__m512i v = _mm512_loadu_si512((const void *)data);
	__m512i folded = _mm512_or_si512(v, _mm512_set1_epi8(0x20));

	return _mm512_cmplt_epu8_mask(_mm512_sub_epi8(folded, _mm512_set1_epi8('a')),
				      _mm512_set1_epi8(26)) |
	       _mm512_cmplt_epu8_mask(_mm512_sub_epi8(v, _mm512_set1_epi8('0')), _mm512_set1_epi8(10)) |
	       _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('+')) |
	       _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('/')) |
	       _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('-')) |
	       _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('_'));
}

/* AVX2: 32 bytes per compare. */
__attribute__((target("avx2"))) static void classify64_avx2(const unsigned char *data,
							   struct masks *m)
{
	int h;

	memset(m, 0, sizeof(*m));
	for (h = 0; h < 2; h++) {
		__m256i v = _mm256_loadu_si256((const __m256i *)(const void *)(data + 32 * h));
		/* unsigned c - lo < n, as a signed compare after flipping the top bit */
#define RANGE256(lo, n)                                                                       \
	_mm256_cmpgt_epi8(_mm256_set1_epi8((char)((n) - 128)),                                  \
			  _mm256_add_epi8(v, _mm256_set1_epi8((char)(-(lo) - 128))))
#define EQ256(c) _mm256_cmpeq_epi8(v, _mm256_set1_epi8((char)(c)))
		__m256i up = RANGE256('A', 26), low = RANGE256('a', 26), dig = RANGE256('0', 10);
		__m256i so = _mm256_or_si256(EQ256('+'), EQ256('/'));
		__m256i uo = _mm256_or_si256(EQ256('-'), EQ256('_'));
#undef RANGE256
#undef EQ256
		int sh = 32 * h;
		m->up |= (uint64_t)(uint32_t)_mm256_movemask_epi8(up) << sh;
		m->low |= (uint64_t)(uint32_t)_mm256_movemask_epi8(low) << sh;
		m->dig |= (uint64_t)(uint32_t)_mm256_movemask_epi8(dig) << sh;
		m->std_only |= (uint64_t)(uint32_t)_mm256_movemask_epi8(so) << sh;
		m->url_only |= (uint64_t)(uint32_t)_mm256_movemask_epi8(uo) << sh;
	}
	m->alpha = m->up | m->low | m->dig | m->std_only | m->url_only;
}
#endif


void decode_use_simd(int level)
{
	int have;

	init_tables();
	have = cpu_simd_level();
	simd_level = level < 0 ? 0 : level > have ? have : level;
}

static void classify64(const unsigned char *data, struct masks *m)
{
#ifdef DECODE_X86_SIMD
	if (simd_level == 2) {
		classify64_avx512(data, m);
		return;
	}
	if (simd_level == 1) {
		classify64_avx2(data, m);
		return;
	}
#endif
	classify64_base(data, m);
}

static uint64_t alphabet_mask64(const unsigned char *data)
{
#ifdef DECODE_X86_SIMD
	if (simd_level == 2)
		return alpha_avx512(data);
	if (simd_level) {
		struct masks m;
		classify64(data, &m);
		return m.alpha;
	}
#endif
	return alphabet_mask64_base(data);
}

/* The class masks of the (up to) 64 bytes at b; bits past len are clear. */
static void block_masks(const unsigned char *data, size_t len, size_t b, struct masks *m)
{
	if (b + 64 <= len) {
		classify64(data + b, m);
		return;
	}
	classify_bytes(data + b, len - b, m);
}

/* The alphabet mask of the (up to) 64 bytes at b; bits past len are clear. */
static uint64_t block_alpha(const unsigned char *data, size_t len, size_t b)
{
	struct masks m;

	if (b >= len)
		return 0;
	if (b + 64 <= len)
		return alphabet_mask64(data + b);
	block_masks(data, len, b, &m);
	return m.alpha;
}

/* Bit j set: the DECODE_MIN_SPAN (20) bytes from j are all in the alphabet,
 * where a holds bits 0..63 and next bits 64..127. */
#if defined(__GNUC__) || defined(__clang__)
__attribute__((always_inline))
#endif
static inline uint64_t long_runs(uint64_t a, uint64_t next)
{
	uint64_t r0 = a, r1 = next, q0, q1;

	/* after a step of d: bit j = bits j .. j+2d-1 all set */
	r0 &= (r0 >> 1) | (r1 << 63), r1 &= r1 >> 1;  /* 2 */
	r0 &= (r0 >> 2) | (r1 << 62), r1 &= r1 >> 2;  /* 4 */
	q0 = r0, q1 = r1;
	r0 &= (r0 >> 4) | (r1 << 60), r1 &= r1 >> 4;  /* 8 */
	r0 &= (r0 >> 8) | (r1 << 56), r1 &= r1 >> 8;  /* 16 */
	return r0 & ((q0 >> 16) | (q1 << 48));        /* 20 */
}

#ifdef DECODE_X86_SIMD
/* From block b on (64-byte steps, below to), the first block where a run
 * of DECODE_MIN_SPAN alphabet bytes starts or goes on; stops earlier where
 * fewer than 128 bytes are left (the caller's own loop takes those). *a is
 * the alphabet mask of block b on entry, of the block returned on exit;
 * *next gets the next block's mask when it was computed (*have_next = 1).
 * Most text has no such run for long stretches: this skips them without
 * leaving the vector unit. */
__attribute__((target("avx512bw"))) static size_t quiet_blocks_avx512(const unsigned char *data,
								       size_t len, size_t b, size_t to,
								       uint64_t *a, uint64_t *next,
								       int *have_next)
{
	uint64_t x = *a, y;

	*have_next = 0;
	while (b < to && b + 128 <= len) {
		y = alpha_avx512(data + b + 64);
		if (long_runs(x, y)) {
			*next = y;
			*have_next = 1;
			break;
		}
		b += 64;
		x = y;
	}
	*a = x;
	return b;
}
#endif

/* One run [s, e) found: decodes it if it could be encoded text. */
static int base64_run(const unsigned char *data, size_t len, size_t s, size_t e, unsigned mix,
		      unsigned cls, struct decode_budget *budget, decoded_fn fn, void *payload)
{
	unsigned char small[4096];
	size_t end = e;
	int rc = 0;

	/* a run must be one alphabet; '=' padding may follow it */
	while (end < len && end - e < 2 && data[end] == '=')
		end++;
	/* identifiers, paths and hex are runs of the alphabet too; encoded text
	 * mixes upper and lower case with digits or '+' '/' (or is long) */
	if (e - s >= DECODE_MIN_SPAN && cls && (mix & B64_UP) && (mix & B64_LOW) &&
	    ((mix & B64_DIG) || e - s >= 40)) {
		unsigned char *dec;
		size_t dlen;
		if ((e - s) / 4 * 3 > budget->left) {
			budget->cut++;
			return 0;
		}
		dec = (e - s) / 4 * 3 + 3 <= sizeof(small) ? small : xmalloc(e - s);
		dlen = b64_decode_text(data + s, e - s, dec);
		if (dlen)
			rc = emit(dec, dlen, NULL, s, end, "base64", budget, fn, payload);
		if (dec != small)
			free(dec);
	}
	return rc;
}

/* base64 runs starting in [from, to): one sweep of 64-byte blocks, each
 * block's masks computed once. A block is only looked at closely when a run
 * of DECODE_MIN_SPAN alphabet bytes starts in it or continues through it. */
static int base64_spans(const unsigned char *data, size_t len, size_t from, size_t to,
			struct decode_budget *budget, decoded_fn fn, void *payload)
{
	size_t b, s = 0;          /* s: start of the run being read */
	int active = 0, skipping = 0, rc = 0;
	unsigned mix = 0, cls = 0;
	uint64_t a = block_alpha(data, len, from), an;

	for (b = from; b < len && !rc && budget->left && (active || b < to); b += 64, a = an) {
		struct masks m;
		uint64_t longs;
		size_t pos = 0;
		int have_next = 0;
#ifdef DECODE_X86_SIMD
		if (!active && simd_level == 2) {
			b = quiet_blocks_avx512(data, len, b, to, &a, &an, &have_next);
			if (b >= to || b >= len)
				break;
		}
#endif
		if (!have_next)
			an = block_alpha(data, len, b + 64);
		longs = long_runs(a, an);
		if (!active && !longs)
			continue;
		block_masks(data, len, b, &m);
		while (pos < 64 && !rc) {
			if (active) {
				/* the run goes on from pos for t bytes */
				uint64_t rest = m.alpha >> pos, range;
				size_t t = ~rest ? (size_t)low_zeros(~rest) : 64 - pos, room;
				if (t > 64 - pos)
					t = 64 - pos;
				room = skipping ? 0 : s + DECODE_MAX_SPAN - (b + pos);
				range = (t < room ? t : room) >= 64 ? ~(uint64_t)0 :
					(((uint64_t)1 << (t < room ? t : room)) - 1) << pos;
				mix |= (m.up & range ? B64_UP : 0u) | (m.low & range ? B64_LOW : 0u) |
				       (m.dig & range ? B64_DIG : 0u);
				if (m.std_only & range)
					cls &= ~(unsigned)B64_URL;
				if (m.url_only & range)
					cls &= ~(unsigned)B64_STD;
				if (!skipping && t >= room) {
					/* an over-long run: decoded up to the cap, the rest skipped */
					budget->cut++;
					rc = base64_run(data, len, s, s + DECODE_MAX_SPAN, mix, cls, budget,
							fn, payload);
					skipping = 1;
				}
				pos += t;
				if (pos < 64 || b + 64 >= len) {
					if (!skipping)
						rc = base64_run(data, len, s, b + pos, mix, cls, budget, fn,
								payload);
					active = skipping = 0;
				}
			} else {
				uint64_t cand = pos < 64 ? longs & (~(uint64_t)0 << pos) : 0;
				if (!cand)
					break;
				pos = (size_t)low_zeros(cand);
				s = b + pos;
				if (s >= to)
					return rc;
				active = 1;
				mix = 0;
				cls = B64_STD | B64_URL;
			}
		}
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
	return tokbyte[c];
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
			} else if (c == '/' || c == '\\' || c == '-' || c == '+' || c == '=' ||
				   c == '"' || c == '\'') {
				out[o++] = c;
				i += 2;
			} else if (c == 'n' || c == 'r' || c == 't' || c == 'f' || c == 'b' || c == 'v') {
				/* a control character: what ends a word before a key in
				 * JSON strings, notebooks and string literals */
				out[o++] = c == 'n' ? '\n' : c == 'r' ? '\r' : c == 't' ? '\t' : ' ';
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
			unsigned char marker, struct decode_budget *budget, decoded_fn fn, void *payload)
{
	size_t i = from, floor = from > DECODE_MAX_SPAN ? from - DECODE_MAX_SPAN : 0;
	int rc = 0;

	while (i < to && !rc && budget->left) {
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
		 struct decode_budget *budget, decoded_fn fn, void *payload)
{
	int rc;

	init_tables();
	if (to > len)
		to = len;
	if ((rc = base64_spans(data, len, from, to, budget, fn, payload)) || !budget->left)
		return rc;
	if ((rc = escape_spans(data, len, from, to, '%', budget, fn, payload)) || !budget->left)
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
