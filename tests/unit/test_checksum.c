/* test_checksum.c - token checksums: GitHub's and npm's base62 CRC32 of the
 * 30 random characters (not of the prefix), bad checksums, malformed input,
 * unknown schemes. Tokens are assembled from fragments so that this file
 * holds no key-shaped string. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include "checksum.h"

/* Two random 30-character bodies and the base62 CRC32 of each (computed
 * with Python's zlib.crc32), and the CRC32 of prefix + body 1, which is
 * what a checksum over the whole string would give. */
#define BODY1 "pGKCFCqy7IUyZdF9" "ZegW0sH1rzVBoq"
#define SUM1 "3EfJ5v"
#define SUM1_WITH_PREFIX "4I6UAC"
#define BODY2 "CWrOBLK75ZnGYUDE" "C45sCiZvScjY46"
#define SUM2 "4X1QiI"

static int check(const char *scheme, const char *prefix, const char *body, const char *sum)
{
	char tok[128];

	snprintf(tok, sizeof(tok), "%s%s%s", prefix, body, sum);
	return checksum_verify(scheme, tok, strlen(tok));
}

static void test_github_valid(void **state)
{
	(void)state;
	assert_int_equal(check("github", "gh" "p_", BODY1, SUM1), 1);
	assert_int_equal(check("github", "gh" "o_", BODY1, SUM1), 1);
	assert_int_equal(check("github", "gh" "s_", BODY2, SUM2), 1);
}

static void test_npm_valid(void **state)
{
	(void)state;
	assert_int_equal(check("npm", "np" "m_", BODY2, SUM2), 1);
}

static void test_bad_checksums(void **state)
{
	(void)state;
	/* the sum of another body, a changed last digit, the sum over prefix + body */
	assert_int_equal(check("github", "gh" "p_", BODY1, SUM2), 0);
	assert_int_equal(check("github", "gh" "p_", BODY1, "3EfJ5w"), 0);
	assert_int_equal(check("github", "gh" "p_", BODY1, SUM1_WITH_PREFIX), 0);
	assert_int_equal(check("npm", "np" "m_", BODY1, SUM2), 0);
}

static void test_malformed(void **state)
{
	(void)state;
	assert_int_equal(checksum_verify("github", "", 0), 0);
	assert_int_equal(checksum_verify("github", "gh" "p_", 4), 0);
	/* no '_' before the sum */
	assert_int_equal(check("github", "ghp", BODY1, SUM1), 0);
	/* a non-base62 byte in the sum */
	assert_int_equal(check("github", "gh" "p_", BODY1, "3Ef-5v"), 0);
}

static void test_schemes(void **state)
{
	(void)state;
	assert_true(checksum_known("github"));
	assert_true(checksum_known("npm"));
	assert_false(checksum_known("crc64"));
	assert_int_equal(checksum_verify("crc64", "x", 1), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_github_valid),
		cmocka_unit_test(test_npm_valid),
		cmocka_unit_test(test_bad_checksums),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_schemes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
