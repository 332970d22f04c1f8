/* cmd_baseline.c - `keyhound baseline [dir|git] [options] [ARGS...]`: write a
 * baseline, the JSON report of everything found now.
 *
 * A thin wrapper: runs `keyhound dir` (default) or `keyhound git` with
 * `--format json --exit-code 0`, so the report goes to --output (or stdout)
 * and findings do not fail the command. A later scan with --baseline FILE
 * reports only findings absent from it. Scanning, reporting and matching are
 * the scan commands' and suppress.c's; this file only rewrites arguments.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cmd.h"
#include "opts.h"
#include "session.h"
#include "xalloc.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: keyhound baseline [dir|git] [options] [ARGS...]\n\n"
		"Write a baseline: the JSON report of every finding now, from `keyhound dir`\n"
		"(the default) or `keyhound git` with the same ARGS and options. Give it to later\n"
		"scans as --baseline FILE: they report only findings absent from it (matched on\n"
		"rule, fingerprint and path), so old, already revoked leaks do not block new\n"
		"work. Same as `keyhound dir|git --format json --output FILE`, except that\n"
		"findings do not fail the command.\n\n"
		"  -o, --output FILE        where to write it (default: standard output)\n\n"
		"Exit codes: 0 written, 2 error or incomplete scan.\n"
		"Run `keyhound dir --help` or `keyhound git --help` for the other options.\n");
}

static int is_format_option(const char *a)
{
	return !strcmp(a, "--format") || !strncmp(a, "--format=", 9) || !strcmp(a, "-f");
}

int cmd_baseline(int argc, char **argv)
{
	int (*run)(int, char **) = cmd_dir;
	const char *sub = "dir";
	char **args;
	int i, first = 1, n = 0, rc;

	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		usage(stdout);
		return 0;
	}
	if (argc > 1 && (!strcmp(argv[1], "dir") || !strcmp(argv[1], "git"))) {
		sub = argv[1];
		run = !strcmp(sub, "git") ? cmd_git : cmd_dir;
		first = 2;
	}
	for (i = first; i < argc && strcmp(argv[i], "--"); i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		}
		if (is_format_option(argv[i])) {
			session_print_error("a baseline is a JSON report: '%s' is not accepted "
					    "(use `keyhound %s --format ...` for other formats)",
					    argv[i], sub);
			return KH_EXIT_ERROR;
		}
	}
	args = xcalloc((size_t)argc + 8, sizeof(*args));
	args[n++] = (char *)sub;
	args[n++] = (char *)"--format";
	args[n++] = (char *)"json";
	args[n++] = (char *)"--exit-code";
	args[n++] = (char *)"0";
	for (i = first; i < argc; i++)
		args[n++] = argv[i];
	rc = run(n, args);
	free(args);
	return rc;
}
