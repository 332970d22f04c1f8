/* fuzz.h - what every fuzz target defines, and small helpers they share.
 *
 * Each tests/fuzz/fuzz_*.c defines LLVMFuzzerInitialize() and
 * LLVMFuzzerTestOneInput(). Built with clang -fsanitize=fuzzer they are
 * libFuzzer binaries (`make fuzz`); linked with replay_main.c they replay a
 * corpus with any compiler (`make test`). A target aborts on a broken
 * invariant so that the fuzzer records the input; it never prints.
 */
#ifndef KH_FUZZ_H
#define KH_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts with a message when cond is false (the fuzzer then keeps the input). */
#define FUZZ_CHECK(cond)                                                            \
	do {                                                                        \
		if (!(cond)) {                                                      \
			fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__,  \
				__LINE__, #cond);                                   \
			abort();                                                    \
		}                                                                   \
	} while (0)

/* memmem without relying on the GNU extension. */
static inline int fuzz_contains(const void *hay, size_t hl, const void *needle, size_t nl)
{
	const unsigned char *h = hay, *n = needle;
	size_t i;

	if (!nl)
		return 1;
	for (i = 0; i + nl <= hl; i++)
		if (h[i] == n[0] && !memcmp(h + i, n, nl))
			return 1;
	return 0;
}

#endif
