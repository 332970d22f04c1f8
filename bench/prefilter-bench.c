/* prefilter-bench.c - the keyword prefilter alone, on one file held in
 * memory: how fast prefilter_scan() runs with all default rules' keywords,
 * and how many keyword occurrences it reports. The file is fed in 256 KiB
 * windows copied into one buffer, as the directory scan's read() does, and
 * only the scans are timed; the fastest of seven passes counts.
 *
 *   build/prefilter-bench FILE [SIMD]    (SIMD: 0 portable, 1 AVX2, 2 AVX-512)
 *
 * Numbers, not a test. `make bench-prefilter FILE=...` builds and runs it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "err.h"
#include "prefilter.h"
#include "rules.h"

#define WIN ((size_t)1 << 18)

static int count_hit(unsigned rule, size_t start, size_t end, void *payload)
{
	(void)rule;
	(void)start;
	(void)end;
	(*(size_t *)payload)++;
	return 0;
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct rule_set rs;
	struct err err;
	FILE *f;
	unsigned char *data, *win;
	long len;
	double best = -1;
	size_t hits = 0;
	int pass;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: %s FILE [SIMD]\n", argv[0]);
		return 2;
	}
	rule_set_init(&rs);
	if (rule_set_load_defaults(&rs, &err) || rule_set_compile(&rs, &err)) {
		fprintf(stderr, "prefilter-bench: %s\n", err.msg);
		return 2;
	}
	if (argc == 3)
		prefilter_use_simd(rs.prefilter, atoi(argv[2]));
	if (!(f = fopen(argv[1], "rb")) || fseek(f, 0, SEEK_END) || (len = ftell(f)) <= 0 ||
	    fseek(f, 0, SEEK_SET) || !(data = malloc((size_t)len)) ||
	    fread(data, 1, (size_t)len, f) != (size_t)len) {
		fprintf(stderr, "prefilter-bench: cannot read %s\n", argv[1]);
		return 2;
	}
	fclose(f);
	if (!(win = malloc(WIN)))
		return 2;
	for (pass = 0; pass < 7; pass++) {
		double t = 0;
		size_t off;
		hits = 0;
		for (off = 0; off < (size_t)len; off += WIN) {
			size_t n = (size_t)len - off < WIN ? (size_t)len - off : WIN;
			double t0;
			memcpy(win, data + off, n);
			t0 = now();
			prefilter_scan(rs.prefilter, win, n, count_hit, &hits);
			t += now() - t0;
		}
		if (best < 0 || t < best)
			best = t;
	}
	printf("%s: %ld bytes, %zu keyword occurrences, %.1f ms, %.2f GB/s\n", argv[1], len, hits,
	       best * 1e3, (double)len / best / 1e9);
	free(win);
	free(data);
	rule_set_release(&rs);
	return 0;
}
