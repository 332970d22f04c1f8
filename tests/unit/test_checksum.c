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

/* GitLab's routable tokens: the CRC32 of everything before the last 7
 * characters, in base36 (a token built here the way GitLab's generator
 * builds one, from its published algorithm, with zlib's CRC32). */
static void test_gitlab_routable(void **state)
{
	const char *ok = "gl" "pat-YzoxCm86YQp1OjJrn0G9W8uw8de9puyHB9d3xhA.01.130vugz4e";
	const char *old = "gl" "pat-YzoxCm86YQp1OjJrA7s3aEcu6t7EYyjDzBIjnhA.130xspjr1";
	char bad[128];

	(void)state;
	assert_int_equal(checksum_verify("gitlab", ok, strlen(ok)), 1);
	assert_int_equal(checksum_verify("gitlab", old, strlen(old)), 1);
	snprintf(bad, sizeof(bad), "%s", ok);
	bad[strlen(bad) - 1] = 'f'; /* one digit of the sum */
	assert_int_equal(checksum_verify("gitlab", bad, strlen(bad)), 0);
	snprintf(bad, sizeof(bad), "%s", ok);
	bad[10] = bad[10] == 'A' ? 'B' : 'A'; /* one byte of the payload */
	assert_int_equal(checksum_verify("gitlab", bad, strlen(bad)), 0);
	assert_int_equal(checksum_verify("gitlab", "gl", 2), 0);
	assert_int_equal(checksum_verify("gitlab", "glpat-x.01.130VUGZ4E", 20), 0); /* upper case */
}

static void test_schemes(void **state)
{
	(void)state;
	assert_true(checksum_known("gitlab"));
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
		cmocka_unit_test(test_gitlab_routable),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_schemes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
