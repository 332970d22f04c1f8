/* sha256.c - SHA-256 (FIPS 180-4; the x86 SHA extensions where the CPU has them), HMAC
 * (RFC 2104), PBKDF2 (RFC 8018). */
#include <stdlib.h>
#include <string.h>
#include "cpu.h"
#include "sha256.h"

static const uint32_t K[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

/* Portable compression of nblocks 64-byte blocks into h. */
static void compress_portable(uint32_t hs[8], const unsigned char *p, size_t nblocks)
{
	uint32_t w[64], a, b, d, e, f, g, h, cc, t1, t2;
	int i;

	for (; nblocks--; p += 64) {
		for (i = 0; i < 16; i++)
			w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
			       (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
		for (i = 16; i < 64; i++) {
			uint32_t s0 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3);
			uint32_t s1 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10);
			w[i] = w[i - 16] + s0 + w[i - 7] + s1;
		}
		a = hs[0]; b = hs[1]; cc = hs[2]; d = hs[3];
		e = hs[4]; f = hs[5]; g = hs[6]; h = hs[7];
		for (i = 0; i < 64; i++) {
			t1 = h + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i];
			t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) + ((a & b) ^ (a & cc) ^ (b & cc));
			h = g; g = f; f = e; e = d + t1;
			d = cc; cc = b; b = a; a = t1 + t2;
		}
		hs[0] += a; hs[1] += b; hs[2] += cc; hs[3] += d;
		hs[4] += e; hs[5] += f; hs[6] += g; hs[7] += h;
	}
}

#ifdef KH_X86_SIMD
#include <immintrin.h>

/* The same with the x86 SHA extensions (Intel since Ice Lake/Goldmont, AMD
 * since Zen): the state lives as ABEF/CDGH lanes, four rounds per group of
 * four message words, the schedule from SHA256MSG1/MSG2. */
__attribute__((target("sha,sse4.1,ssse3"))) static void compress_shani(uint32_t hs[8],
								       const unsigned char *p,
								       size_t nblocks)
{
	const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
	__m128i tmp, s0, s1, save0, save1, w[4], m;
	int g;

	tmp = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)(const void *)&hs[0]), 0xB1);
	s1 = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)(const void *)&hs[4]), 0x1B);
	s0 = _mm_alignr_epi8(tmp, s1, 8);     /* ABEF */
	s1 = _mm_blend_epi16(s1, tmp, 0xF0); /* CDGH */
	for (; nblocks--; p += 64) {
		save0 = s0;
		save1 = s1;
		for (g = 0; g < 16; g++) {
			if (g < 4)
				w[g] = _mm_shuffle_epi8(
					_mm_loadu_si128((const __m128i *)(const void *)(p + 16 * g)), bswap);
			else /* w[g&3] holds W(g-4); W(g-3), W(g-2), W(g-1) follow */
				w[g & 3] = _mm_sha256msg2_epu32(
					_mm_add_epi32(_mm_sha256msg1_epu32(w[g & 3], w[(g + 1) & 3]),
						      _mm_alignr_epi8(w[(g + 3) & 3], w[(g + 2) & 3], 4)),
					w[(g + 3) & 3]);
			m = _mm_add_epi32(w[g & 3], _mm_loadu_si128((const __m128i *)(const void *)&K[4 * g]));
			s1 = _mm_sha256rnds2_epu32(s1, s0, m);
			s0 = _mm_sha256rnds2_epu32(s0, s1, _mm_shuffle_epi32(m, 0x0E));
		}
		s0 = _mm_add_epi32(s0, save0);
		s1 = _mm_add_epi32(s1, save1);
	}
	tmp = _mm_shuffle_epi32(s0, 0x1B);   /* FEBA */
	s1 = _mm_shuffle_epi32(s1, 0xB1);    /* DCHG */
	s0 = _mm_blend_epi16(tmp, s1, 0xF0); /* DCBA */
	s1 = _mm_alignr_epi8(s1, tmp, 8);    /* HGFE */
	_mm_storeu_si128((__m128i *)(void *)&hs[0], s0);
	_mm_storeu_si128((__m128i *)(void *)&hs[4], s1);
}
#endif

static int portable_only; /* set by the tests through sha256_use_simd(0) */

void sha256_use_simd(int on)
{
	portable_only = !on;
}

static void compress(uint32_t hs[8], const unsigned char *p, size_t nblocks)
{
#ifdef KH_X86_SIMD
	if (!portable_only && cpu_has_sha()) {
		compress_shani(hs, p, nblocks);
		return;
	}
#endif
	compress_portable(hs, p, nblocks);
}

void sha256_init(struct sha256 *c)
{
	static const uint32_t iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
				       0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
	memcpy(c->h, iv, sizeof(iv));
	c->len = 0;
	c->nbuf = 0;
}

void sha256_update(struct sha256 *c, const void *data, size_t len)
{
	const unsigned char *p = data;

	c->len += len;
	if (c->nbuf) {
		size_t take = 64 - c->nbuf < len ? 64 - c->nbuf : len;
		memcpy(c->buf + c->nbuf, p, take);
		c->nbuf += take;
		p += take;
		len -= take;
		if (c->nbuf < 64)
			return;
		compress(c->h, c->buf, 1);
		c->nbuf = 0;
	}
	if (len >= 64) {
		compress(c->h, p, len / 64);
		p += len & ~(size_t)63;
		len &= 63;
	}
	memcpy(c->buf, p, len);
	c->nbuf = len;
}

static void put_be32(unsigned char *o, uint32_t v)
{
	o[0] = (unsigned char)(v >> 24);
	o[1] = (unsigned char)(v >> 16);
	o[2] = (unsigned char)(v >> 8);
	o[3] = (unsigned char)v;
}

/* The message length in bits at the end of the last block (FIPS 180-4 5.1.1). */
static void put_length(unsigned char b[64], uint64_t totlen)
{
	put_be32(b + 56, (uint32_t)(totlen >> 29));
	put_be32(b + 60, (uint32_t)(totlen << 3));
}

void sha256_final(struct sha256 *c, unsigned char out[32])
{
	int i;

	c->buf[c->nbuf++] = 0x80;
	if (c->nbuf > 56) {
		memset(c->buf + c->nbuf, 0, 64 - c->nbuf);
		compress(c->h, c->buf, 1);
		c->nbuf = 0;
	}
	memset(c->buf + c->nbuf, 0, 56 - c->nbuf);
	put_length(c->buf, c->len);
	compress(c->h, c->buf, 1);
	for (i = 0; i < 8; i++)
		put_be32(out + 4 * i, c->h[i]);
}

void sha256(const void *data, size_t len, unsigned char out[32])
{
	struct sha256 c;

	sha256_init(&c);
	sha256_update(&c, data, len);
	sha256_final(&c, out);
}

/* The HMAC key's inner and outer states: SHA-256 after the padded key block. */
static void hmac_states(const void *key, size_t klen, struct sha256 *in, struct sha256 *out)
{
	unsigned char k[64], pad[64];
	int i;

	memset(k, 0, sizeof(k));
	if (klen > 64)
		sha256(key, klen, k);
	else
		memcpy(k, key, klen);
	for (i = 0; i < 64; i++)
		pad[i] = k[i] ^ 0x36;
	sha256_init(in);
	sha256_update(in, pad, 64);
	for (i = 0; i < 64; i++)
		pad[i] = k[i] ^ 0x5c;
	sha256_init(out);
	sha256_update(out, pad, 64);
}

void hmac_sha256(const void *key, size_t klen, const void *msg, size_t mlen,
		 unsigned char out[32])
{
	struct sha256 in, outer;
	unsigned char inner[32];

	hmac_states(key, klen, &in, &outer);
	sha256_update(&in, msg, mlen);
	sha256_final(&in, inner);
	sha256_update(&outer, inner, 32);
	sha256_final(&outer, out);
}

void pbkdf2_hmac_sha256(const void *pw, size_t pwlen, const void *salt, size_t saltlen,
			unsigned iterations, unsigned char *out, size_t outlen)
{
	struct sha256 in, outer, c;
	unsigned char u[64], t[32], cnt[4];
	uint32_t blockno, h[8];
	unsigned it;
	size_t done = 0, j;
	int i;

	hmac_states(pw, pwlen, &in, &outer);
	/* after the first round every message is the 32-byte U of the round
	 * before, so each hash is one block: U, padding, length 64+32 bytes */
	for (blockno = 1; done < outlen; blockno++) {
		put_be32(cnt, blockno);
		c = in;
		sha256_update(&c, salt, saltlen);
		sha256_update(&c, cnt, 4);
		sha256_final(&c, u);
		c = outer;
		sha256_update(&c, u, 32);
		sha256_final(&c, u);
		u[32] = 0x80;
		memset(u + 33, 0, 23);
		put_length(u, 64 + 32);
		memcpy(t, u, 32);
		for (it = 1; it < iterations; it++) {
			memcpy(h, in.h, sizeof(h));
			compress(h, u, 1);
			for (i = 0; i < 8; i++)
				put_be32(u + 4 * i, h[i]);
			memcpy(h, outer.h, sizeof(h));
			compress(h, u, 1);
			for (i = 0; i < 8; i++)
				put_be32(u + 4 * i, h[i]);
			for (j = 0; j < 32; j++)
				t[j] ^= u[j];
		}
		for (j = 0; j < 32 && done < outlen; j++)
			out[done++] = t[j];
	}
}
