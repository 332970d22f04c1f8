/* test_finding.c - SHA-256/HMAC/PBKDF2 against published vectors; redaction
 * shapes and the property that no 8-byte window of a secret's hidden middle
 * is ever shown; fingerprints stable per salt; stable sort; redact_in_string. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "finding.h"
#include "sha256.h"
#include "xalloc.h"

static void hex(const unsigned char *d, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static void test_vectors(void **state)
{
	unsigned char d[64];
	char h[129];

	(void)state;
	sha256("abc", 3, d);
	hex(d, 32, h);
	assert_string_equal(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	sha256("", 0, d);
	hex(d, 32, h);
	assert_string_equal(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	/* 448-bit message, two blocks (FIPS 180-4 example) */
	sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, d);
	hex(d, 32, h);
	assert_string_equal(h, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	/* RFC 4231 test case 2 */
	hmac_sha256("Jefe", 4, "what do ya want for nothing?", 28, d);
	hex(d, 32, h);
	assert_string_equal(h, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
	/* RFC 7914 section 11, PBKDF2-HMAC-SHA256 */
	pbkdf2_hmac_sha256("passwd", 6, "salt", 4, 1, d, 64);
	hex(d, 64, h);
	assert_string_equal(h, "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
			       "49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783");
}

/* Messages whose padding falls on every side of a block boundary, HMAC keys
 * longer than a block, and PBKDF2 with many iterations (its one-block fast
 * path), checked with the SHA extensions and with the portable compression;
 * the expected values come from Python's hashlib. */
static void test_vectors_every_path(void **state)
{
	static const struct {
		size_t n;
		const char *hex;
	} as[] = {
		{55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"},
		{56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"},
		{63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34"},
		{64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"},
		{119, "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb"},
		{120, "2f3d335432c70b580af0e8e1b3674a7c020d683aa5f73aaaedfdc55af904c21c"},
	};
	unsigned char buf[1024], d[32];
	char h[65], key[100];
	struct sha256 c;
	size_t i, k;
	int simd;

	(void)state;
	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (unsigned char)i;
	memset(key, 'k', sizeof(key));
	for (simd = 1; simd >= 0; simd--) {
		sha256_use_simd(simd);
		for (i = 0; i < sizeof(as) / sizeof(as[0]); i++) {
			char a[120];

			memset(a, 'a', sizeof(a));
			sha256(a, as[i].n, d);
			hex(d, 32, h);
			assert_string_equal(h, as[i].hex);
		}
		/* 1024 bytes fed in uneven pieces */
		sha256_init(&c);
		for (i = 0, k = 1; i < sizeof(buf); i += k, k = k * 3 % 97 + 1)
			sha256_update(&c, buf + i, k < sizeof(buf) - i ? k : sizeof(buf) - i);
		sha256_final(&c, d);
		hex(d, 32, h);
		assert_string_equal(h, "785b0751fc2c53dc14a4ce3d800e69ef9ce1009eb327ccf458afe09c242c26c9");
		pbkdf2_hmac_sha256("password", 8, "salt", 4, 4096, d, 32);
		hex(d, 32, h);
		assert_string_equal(h, "c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a");
		pbkdf2_hmac_sha256(key, sizeof(key), "keyhound-fp-v1:abc", 18, 1000, d, 16);
		hex(d, 16, h);
		assert_string_equal(h, "6b24f1e6f9a5019910f90a93231ddf2a");
	}
	sha256_use_simd(1);
}

static void test_redaction_shapes(void **state)
{
	char *r;

	(void)state;
	r = redact_secret("sk-proj-abcdefghijklmnopqrstuvwxyz0123456789", 44);
	assert_string_equal(r, "sk-proj-\xe2\x80\xa6" "6789");
	free(r);
	r = redact_secret("AKIAABCDEFGHIJKLMNOP", 20);
	assert_string_equal(r, "AKIA\xe2\x80\xa6MNOP");
	free(r);
	r = redact_secret("short", 5);
	assert_string_equal(r, "\xe2\x80\xa6");
	free(r);
	r = redact_secret("pass1234", 8);
	assert_string_equal(r, "\xe2\x80\xa6" "34");
	free(r);
}

/* No 8-byte window of the hidden part appears in the redacted form. */
static void expect_redacted(const struct rule *r, const char *secret, const char *want)
{
	char *out = redact_secret_for(r, secret, strlen(secret));

	assert_string_equal(out, want);
	free(out);
}

/* The prefix comes from the rule's pattern, whatever the body starts with
 * (a body starting with '-' or "ab_" must not widen it). */
static void test_redaction_uses_rule_prefix(void **state)
{
	struct rule r;

	(void)state;
	memset(&r, 0, sizeof(r));
	r.secret_group = 1;
	r.pattern = (char *)"(?<![A-Za-z0-9_-])(sk-proj-[A-Za-z0-9_-]{16,160}T3BlbkFJ[A-Za-z0-9_-]{16,160})";
	expect_redacted(&r, "sk-proj--b_cdefghijklmnopqrstuvwxyz0123456789", "sk-proj-\xe2\x80\xa6" "6789");
	expect_redacted(&r, "sk-proj-ab_defghijklmnopqrstuvwxyz0123456789", "sk-proj-\xe2\x80\xa6" "6789");
	/* named group, an escaped digit class after the literal: whole words only */
	r.pattern = (char *)"\\b(?<key>sk-ant-api0\\d-[A-Za-z0-9_-]{80,120}AA)";
	expect_redacted(&r, "sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123456789AA", "sk-ant-\xe2\x80\xa6" "89AA");
	/* no literal prefix (alternatives, group 0): the shape heuristic */
	r.pattern = (char *)"(ghp_|gho_)[A-Za-z0-9]{36}";
	expect_redacted(&r, "ghp_abcdefghijklmnopqrstuvwxyz0123456789", "ghp_\xe2\x80\xa6" "6789");
	r.secret_group = 0;
	expect_redacted(&r, "sk-proj--bcdefghijklmnopqrstuvwxyz0123456789", "sk-proj-\xe2\x80\xa6" "6789");
}

static void test_hidden_part_never_shown(void **state)
{
	static const char cs[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	char s[200];
	int t;

	(void)state;
	srand(3);
	for (t = 0; t < 2000; t++) {
		size_t len = 8 + (size_t)(rand() % 150), i, shown_prefix, shown_tail;
		char *r;
		for (i = 0; i < len; i++)
			s[i] = cs[rand() % 64];
		s[len] = '\0';
		r = redact_secret(s, len);
		shown_prefix = (size_t)(strstr(r, "\xe2\x80\xa6") - r);
		shown_tail = strlen(r) - shown_prefix - 3;
		assert_true(shown_prefix <= len / 3);
		assert_true(shown_tail <= 4);
		for (i = shown_prefix; i + 8 <= len - shown_tail; i++) {
			char w[9];
			memcpy(w, s + i, 8);
			w[8] = '\0';
			assert_null(strstr(r, w));
		}
		free(r);
	}
}

static void test_fingerprints(void **state)
{
	char a[33], b[33], c[33], d[33];

	(void)state;
	finding_fingerprint(a, "secret-one-1234567890", 21, "repo-a");
	finding_fingerprint(b, "secret-one-1234567890", 21, "repo-a");
	finding_fingerprint(c, "secret-one-1234567890", 21, "repo-b");
	finding_fingerprint(d, "secret-two-1234567890", 21, "repo-a");
	assert_string_equal(a, b);
	assert_string_not_equal(a, c);
	assert_string_not_equal(a, d);
	assert_int_equal(strlen(a), 32);
	assert_true(strspn(a, "0123456789abcdef") == 32);
}

static void test_sort_and_redact_in_string(void **state)
{
	struct rule r1 = {0}, r2 = {0};
	struct finding_list fl;
	struct finding *f;
	char *s;

	(void)state;
	r1.id = "b-rule";
	r2.id = "a-rule";
	finding_list_init(&fl);
	f = finding_list_push(&fl);
	f->rule = &r1; f->path = xstrdup("z.txt"); f->line = 1; f->column = 1;
	f = finding_list_push(&fl);
	f->rule = &r1; f->path = xstrdup("a.txt"); f->line = 9; f->column = 1;
	f = finding_list_push(&fl);
	f->rule = &r1; f->path = xstrdup("a.txt"); f->line = 2; f->column = 5;
	f = finding_list_push(&fl);
	f->rule = &r2; f->path = xstrdup("a.txt"); f->line = 2; f->column = 5;
	finding_list_sort(&fl);
	assert_string_equal(fl.v[0].path, "a.txt");
	assert_int_equal(fl.v[0].line, 2);
	assert_string_equal(fl.v[0].rule->id, "a-rule");
	assert_string_equal(fl.v[1].rule->id, "b-rule");
	assert_int_equal(fl.v[2].line, 9);
	assert_string_equal(fl.v[3].path, "z.txt");
	finding_list_release(&fl);

	s = xstrdup("fix: remove KEY123456789 and KEY123456789!");
	redact_in_string(&s, "KEY123456789", 12, "KEY…89");
	assert_string_equal(s, "fix: remove KEY…89 and KEY…89!");
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_vectors_every_path),
		cmocka_unit_test(test_redaction_shapes),
		cmocka_unit_test(test_redaction_uses_rule_prefix),
		cmocka_unit_test(test_hidden_part_never_shown),
		cmocka_unit_test(test_fingerprints),
		cmocka_unit_test(test_sort_and_redact_in_string),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
