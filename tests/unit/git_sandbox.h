/* git_sandbox.h - a temporary directory for unit tests that build real
 * repositories with the git program (test_git_pack.c, test_git_odb_pack.c).
 *
 * sh() runs a shell command inside it with a fixed author and committer and
 * no user or system git configuration, quietly; sandbox_open() makes the
 * directory and starts libgit2, sandbox_close() removes it and stops
 * libgit2. Header-only: each unit test is one file and one binary.
 */
#ifndef KH_TEST_GIT_SANDBOX_H
#define KH_TEST_GIT_SANDBOX_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <git2.h>

static char root[256];

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	char cmd[4096], full[8192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	snprintf(full, sizeof(full),
		 "cd '%s' && (GIT_CONFIG_NOSYSTEM=1 HOME='%s' GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@t "
		 "GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@t; export GIT_CONFIG_NOSYSTEM HOME "
		 "GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL GIT_COMMITTER_NAME GIT_COMMITTER_EMAIL; %s) "
		 ">/dev/null 2>&1",
		 root, root, cmd);
	return system(full);
}

/* Makes $TMPDIR/NAME.XXXXXX the sandbox; 0 or -1. */
static int sandbox_open(const char *name)
{
	snprintf(root, sizeof(root), "%s/%s.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
		 name);
	if (!mkdtemp(root))
		return -1;
	git_libgit2_init();
	return 0;
}

static int sandbox_close(void)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd) != 0)
		return -1;
	git_libgit2_shutdown();
	return 0;
}

#endif
