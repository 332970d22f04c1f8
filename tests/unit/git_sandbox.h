/* git_sandbox.h - a temporary directory for unit tests that build real
 * repositories with the git program (test_git_pack.c, test_git_odb_pack.c).
 *
 * sh() runs a shell command inside it with a fixed author and committer and
 * no user or system git configuration, quietly; sandbox_open() makes the
 * directory and starts libgit2, sandbox_close() removes it and stops
 * libgit2; idx_rewrite() damages a repository's pack index in place. Header-only: each unit test is one
 * file and one binary.
 */
#ifndef KH_TEST_GIT_SANDBOX_H
#define KH_TEST_GIT_SANDBOX_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

/* The object count of an .idx v2 (the last fan-out entry). */
static uint32_t idx_count(const unsigned char *idx)
{
	const unsigned char *p = idx + 8 + 1020;

	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put_be32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

/* Damage for idx_rewrite: a fan-out that goes down (bucket i ends at 2^31
 * for even i, at 0 for odd i; the last still counts the real objects). */
static void fanout_down(unsigned char *idx, void *arg)
{
	size_t i;

	(void)arg;
	for (i = 0; i < 255; i++)
		put_be32(idx + 8 + 4 * i, i % 2 ? 0 : 0x7fffffffu);
}

/* Rewrites the only .idx of repo (a directory in the sandbox) with
 * patch(idx, arg) applied to its bytes; 0 or -1. */
static int idx_rewrite(const char *repo, void (*patch)(unsigned char *idx, void *arg), void *arg)
{
	char list[1024], name[512], path[1024];
	unsigned char *data = NULL;
	FILE *f;
	long n;
	int ok;

	if (sh("cd '%s' && ls .git/objects/pack/*.idx > ../%s.idx-name", repo, repo) != 0)
		return -1;
	snprintf(list, sizeof(list), "%s/%s.idx-name", root, repo);
	if (!(f = fopen(list, "r")))
		return -1;
	ok = fgets(name, sizeof(name), f) != NULL;
	fclose(f);
	if (!ok)
		return -1;
	name[strcspn(name, "\n")] = '\0';
	snprintf(path, sizeof(path), "%s/%s/%s", root, repo, name);
	if (!(f = fopen(path, "rb")))
		return -1;
	ok = fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 8 + 1024 && (data = malloc((size_t)n)) &&
	     fseek(f, 0, SEEK_SET) == 0 && fread(data, 1, (size_t)n, f) == (size_t)n;
	fclose(f);
	if (ok) {
		patch(data, arg);
		/* git leaves pack files read-only */
		ok = chmod(path, 0644) == 0 && (f = fopen(path, "wb")) != NULL;
		if (ok) {
			ok = fwrite(data, 1, (size_t)n, f) == (size_t)n;
			ok = fclose(f) == 0 && ok;
		}
	}
	free(data);
	return ok ? 0 : -1;
}

#endif
