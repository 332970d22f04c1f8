/* sha256.h - SHA-256, HMAC-SHA256 and PBKDF2-HMAC-SHA256 (FIPS 180-4, RFC 2104,
 * RFC 8018), small and portable, for fingerprints; the x86 SHA extensions
 * where the CPU has them. Pure functions. */
#ifndef KH_SHA256_H
#define KH_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct sha256 {
	uint32_t h[8];
	uint64_t len;
	unsigned char buf[64];
	size_t nbuf;
};

void sha256_init(struct sha256 *c);
void sha256_update(struct sha256 *c, const void *data, size_t len);
void sha256_final(struct sha256 *c, unsigned char out[32]);
void sha256(const void *data, size_t len, unsigned char out[32]);
void hmac_sha256(const void *key, size_t klen, const void *msg, size_t mlen,
		 unsigned char out[32]);
/* Chooses the SHA extensions (on = 1, where the CPU has them) or the
 * portable compression (on = 0); for tests. Both give the same digests. */
void sha256_use_simd(int on);
/* Derives outlen bytes (at most 32 * 255) into out. */
void pbkdf2_hmac_sha256(const void *pw, size_t pwlen, const void *salt, size_t saltlen,
			unsigned iterations, unsigned char *out, size_t outlen);

#endif
