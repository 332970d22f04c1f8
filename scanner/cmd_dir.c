/* cmd_dir.c - `keyhound dir [PATH...]`: scan files and directories on disk.
 *
 * Parses options, runs the directory source through the pipeline inside a
 * session, returns the exit code. The walk itself lives in source_dir.c.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cmd.h"
#include "session.h"
#include "source_dir.h"
#include "xalloc.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: keyhound dir [options] [PATH...]\n\n"
		"Scan files and directories (default: the current directory). Inside a git\n"
		"working tree, scans what git would see: tracked files and untracked files that\n"
		"are not ignored, never .git/. A path named explicitly is scanned even if\n"
		"ignored. Symlinks are not followed. .keyhound.yaml at the top of the working\n"
		"tree (or of the directory) is loaded automatically.\n\n"
		"Options:\n");
	opts_print_common_help(out, "dir");
}

/* Is path a, resolved, b or below it? */
static int within(const char *a, const char *b)
{
	size_t bl = strlen(b);

	return !strncmp(a, b, bl) && (a[bl] == '\0' || a[bl] == '/' || (bl == 1 && b[0] == '/'));
}

/* Drops the roots that another root holds (or that name the same place
 * again), so that each file is scanned, and reported, once. Returns the
 * number kept. */
static size_t drop_nested_roots(const char **roots, size_t n)
{
	char **abs = xcalloc(n ? n : 1, sizeof(char *));
	size_t i, j, out = 0;

	for (i = 0; i < n; i++)
		abs[i] = realpath(roots[i], NULL);
	for (i = 0; i < n; i++) {
		size_t holder = n;
		for (j = 0; j < n && holder == n; j++)
			if (j != i && abs[i] && abs[j] && within(abs[i], abs[j]) &&
			    (strcmp(abs[i], abs[j]) || j < i))
				holder = j;
		if (holder < n)
			session_print_warning("'%s' is already scanned as part of '%s'", roots[i],
					      roots[holder]);
		else
			roots[out++] = roots[i];
	}
	for (i = 0; i < n; i++)
		free(abs[i]);
	free(abs);
	return out;
}

/* With several roots, one configuration applies to all: the first root's.
 * Says so for any other root that has a configuration of its own. */
static void warn_other_configs(const char *const *roots, size_t n, const char *cfgroot,
			       const struct session *s)
{
	size_t i;

	if (s->opts.no_config)
		return;
	for (i = 1; i < n; i++) {
		char *c = source_dir_config_root(roots[i]);
		size_t l = strlen(c) + 32;
		char *f = xmalloc(l);
		struct stat st;
		snprintf(f, l, "%s/.keyhound.yaml", c);
		if (strcmp(c, cfgroot) && stat(f, &st) == 0)
			session_print_warning("%s is not loaded: with several paths, the first "
					      "path's configuration applies to all (scan '%s' on its "
					      "own, or pass --config)", f, roots[i]);
		free(f);
		free(c);
	}
}

int cmd_dir(int argc, char **argv)
{
	struct session s;
	struct source_dir_opts so;
	struct pipeline_opts po;
	struct pipeline *p = NULL;
	struct err err = {0, ""};
	const char **roots;
	size_t nroots = 0;
	char *cfgroot = NULL;
	int i, rc, dashdash = 0;

	session_init(&s, "dir");
	roots = xcalloc((size_t)argc + 1, sizeof(*roots));
	for (i = 1; i < argc; i++) {
		if (!dashdash && (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))) {
			usage(stdout);
			rc = 0;
			goto out;
		}
		if (!dashdash && !strcmp(argv[i], "--")) {
			dashdash = 1;
			continue;
		}
		if (!dashdash && argv[i][0] == '-' && argv[i][1]) {
			rc = opts_parse_common(&s.opts, argc, argv, &i, &err);
			if (rc == 0)
				err_set(&err, KH_EINVAL, "unknown option '%s' (see keyhound dir --help)",
					argv[i]);
			if (rc <= 0) {
				session_print_error("%s", err.msg);
				rc = KH_EXIT_ERROR;
				goto out;
			}
			continue;
		}
		roots[nroots++] = argv[i];
	}
	if (!nroots)
		roots[nroots++] = ".";
	nroots = drop_nested_roots(roots, nroots);
	cfgroot = source_dir_config_root(roots[0]);
	warn_other_configs(roots, nroots, cfgroot, &s);
	if (session_start(&s, cfgroot, &err) < 0) {
		session_print_error("%s", err.msg);
		rc = KH_EXIT_ERROR;
		goto out;
	}
	session_set_salt_repo(&s, cfgroot);
	memset(&so, 0, sizeof(so));
	so.roots = roots;
	so.nroots = nroots;
	so.no_ignore = s.opts.no_ignore;
	so.max_file_size = s.opts.max_file_size;
	so.cfg_root = cfgroot;
	memset(&po, 0, sizeof(po));
	po.threads = s.threads;
	po.rs = &s.rs;
	po.process = source_dir_process;
	po.payload = &so;
	po.item_free = source_dir_item_free;
	po.item_name = source_dir_item_name;
	if (pipeline_new(&p, &po, &err) < 0) {
		session_print_error("%s", err.msg);
		rc = KH_EXIT_ERROR;
		goto out;
	}
	source_dir_run(&so, p, &s.stats, &err);
	pipeline_finish(p, &s.findings, &s.stats);
	rc = session_finish(&s);
out:
	free(cfgroot);
	free(roots);
	session_release(&s);
	return rc;
}
