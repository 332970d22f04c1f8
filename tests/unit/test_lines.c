/* test_lines.c - counting line ends: the same count and last position as a
 * byte-by-byte loop, at every length and alignment, with newlines dense,
 * sparse, absent, and next to bytes that differ from '\n' in one bit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include "lines.h"

static size_t naive(const unsigned char *p, size_t n, size_t *last)
{
	size_t i, c = 0;

	for (i = 0; i < n; i++)
		if (p[i] == '\n') {
			c++;
			*last = i;
		}
	return c;
}

static void check(const unsigned char *p, size_t n)
{
	size_t la = 12345, lb = 12345;
	size_t a = lines_count(p, n, &la), b = naive(p, n, &lb);

	assert_int_equal(a, b);
	assert_int_equal(la, lb);
}

static void test_against_loop(void **state)
{
	static const unsigned char near[] = {'\n', '\n' ^ 0x80, '\n' ^ 1, '\n' ^ 0x40, 0, 0xff, 0x7f, 'a'};
	size_t n = 5000, i, len, off;
	unsigned char *buf = malloc(n);
	unsigned seed = 7;
	int density;

	(void)state;
	for (density = 0; density < 4; density++) {
		for (i = 0; i < n; i++) {
			seed = seed * 1103515245u + 12345u;
			buf[i] = near[(seed >> 16) % sizeof(near)];
			if (density == 0 && buf[i] == '\n')
				buf[i] = 'x';                     /* no newline at all */
			else if (density == 1 && buf[i] == '\n' && (seed >> 8) % 50)
				buf[i] = '\n' ^ 0x80;             /* sparse */
			else if (density == 3)
				buf[i] = '\n';                    /* only newlines */
		}
		for (off = 0; off < 9; off++)
			for (len = 0; len + off <= 300; len++)
				check(buf + off, len);
		check(buf, n);   /* past 255 eight-byte steps */
		check(buf + 3, n - 3);
	}
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_against_loop),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
