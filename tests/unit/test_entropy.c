/* test_entropy.c - Shannon entropy in bits per byte. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>
#include "entropy.h"

static void test_values(void **state)
{
	(void)state;
	assert_true(shannon_entropy((const unsigned char *)"", 0) == 0.0);
	assert_true(shannon_entropy((const unsigned char *)"aaaaaaaa", 8) == 0.0);
	assert_true(fabs(shannon_entropy((const unsigned char *)"abababab", 8) - 1.0) < 1e-9);
	assert_true(fabs(shannon_entropy((const unsigned char *)"abcdefgh", 8) - 3.0) < 1e-9);
	{
		unsigned char all[256];
		int i;
		for (i = 0; i < 256; i++)
			all[i] = (unsigned char)i;
		assert_true(fabs(shannon_entropy(all, 256) - 8.0) < 1e-9);
	}
}

static void test_placeholder_vs_random(void **state)
{
	const char *ph = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx";
	const char *rnd = "Qx7Lm2Vb9Tr4Wz8Np3KdHs6Yc1Fg5Jk0Ra2Ue7Io4";

	(void)state;
	assert_true(shannon_entropy((const unsigned char *)ph, strlen(ph)) < 1.0);
	assert_true(shannon_entropy((const unsigned char *)rnd, strlen(rnd)) > 4.0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_placeholder_vs_random),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
