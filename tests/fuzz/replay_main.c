/* replay_main.c - a main() for the fuzz targets without libFuzzer: replays
 * every file named on the command line (directories: every file inside,
 * not recursive) through LLVMFuzzerTestOneInput, and prints TAP, one line
 * per argument. A crash or a broken invariant kills the process, which the
 * test runner counts as a failure. Used by `make test` with any compiler.
 *
 *   build/fuzz/fuzz_scan tests/fuzz/corpus/fuzz_scan tests/fuzz/regressions/fuzz_scan
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "fuzz.h"

static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	unsigned char *data = NULL;
	size_t len = 0, cap = 0, n;

	if (!f)
		return -1;
	for (;;) {
		if (len == cap) {
			cap = cap ? 2 * cap : 65536;
			data = realloc(data, cap);
			if (!data)
				abort();
		}
		n = fread(data + len, 1, cap - len, f);
		if (!n)
			break;
		len += n;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(data, len);
	free(data);
	return 0;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Replays path (a file, or each regular file in a directory); returns the
 * number of inputs replayed, or -1 when path cannot be read. */
static long replay(const char *path)
{
	struct stat st;
	DIR *d;
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, i;
	long done = 0;

	if (stat(path, &st) < 0)
		return -1;
	if (!S_ISDIR(st.st_mode))
		return replay_file(path) < 0 ? -1 : 1;
	if (!(d = opendir(path)))
		return -1;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		names = realloc(names, (n + 1) * sizeof(*names));
		if (!names)
			abort();
		names[n++] = strdup(de->d_name);
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), cmp_name);
	for (i = 0; i < n; i++) {
		size_t l = strlen(path) + strlen(names[i]) + 2;
		char *full = malloc(l);
		if (!full)
			abort();
		snprintf(full, l, "%s/%s", path, names[i]);
		if (stat(full, &st) == 0 && S_ISREG(st.st_mode) && replay_file(full) == 0)
			done++;
		free(full);
		free(names[i]);
	}
	free(names);
	return done;
}

int main(int argc, char **argv)
{
	int i, failed = 0;

	LLVMFuzzerInitialize(&argc, &argv);
	for (i = 1; i < argc; i++) {
		long n = replay(argv[i]);
		if (n < 0) {
			printf("not ok %d - %s: cannot read\n", i, argv[i]);
			failed = 1;
		} else {
			printf("ok %d - %s: %ld input%s replayed without a crash\n", i, argv[i], n,
			       n == 1 ? "" : "s");
		}
		fflush(stdout);
	}
	printf("1..%d\n", argc - 1);
	return failed;
}
