/* pathglob.c - gitignore-style path globs for allowlists (see pathglob.h).
 * Works on the strings in place, component by component; never allocates. */
#include <fnmatch.h>
#include <string.h>
#include "pathglob.h"

#define MAX_COMPONENT 1024

/* The next component of *s (up to '/' or the end) into out; advances *s
 * past it and its '/'. Returns its length, or -1 when it is too long. */
static int component(const char **s, char *out)
{
	size_t n = strcspn(*s, "/");

	if (n >= MAX_COMPONENT)
		return -1;
	memcpy(out, *s, n);
	out[n] = '\0';
	*s += n;
	if (**s == '/')
		(*s)++;
	return (int)n;
}

/* Does one glob component match one path component? */
static int one(const char *g, const char *p)
{
	return fnmatch(g, p, 0) == 0;
}

/* Anchored match of glob g against path p (both without leading '/').
 * dir_only: the last glob component must be a directory (more of p after
 * it). A glob used up while p goes on matches (a directory and what is
 * below it). */
static int anchored(const char *g, const char *p, int dir_only)
{
	char gc[MAX_COMPONENT], pc[MAX_COMPONENT];

	while (*g) {
		const char *gnext = g;
		if (component(&gnext, gc) < 0)
			return 0;
		if (!strcmp(gc, "**")) {
			/* zero or more components: try every place the rest may start */
			const char *q = p;
			if (!*gnext)
				return *p != 0; /* a trailing ** : everything below (not itself) */
			for (;;) {
				if (anchored(gnext, q, dir_only))
					return 1;
				if (!*q)
					return 0;
				if (component(&q, pc) < 0)
					return 0;
			}
		}
		if (!*p || component(&p, pc) < 0 || !one(gc, pc))
			return 0;
		g = gnext;
	}
	return !dir_only || *p;
}

int pathglob_match(const char *glob, const char *path)
{
	char g[4096];
	size_t gl;
	int dir_only = 0;

	while (glob[0] == '.' && glob[1] == '/')
		glob += 2;
	while (path[0] == '.' && path[1] == '/')
		path += 2;
	while (*path == '/')
		path++;
	gl = strlen(glob);
	if (!gl || gl >= sizeof(g))
		return 0;
	memcpy(g, glob, gl + 1);
	while (gl > 1 && g[gl - 1] == '/') {
		g[--gl] = '\0';
		dir_only = 1;
	}
	if (g[0] == '/')
		return anchored(g + 1, path, dir_only);
	if (!strchr(g, '/')) {
		/* a name: at any depth */
		const char *p = path;
		while (*p) {
			if (anchored(g, p, dir_only))
				return 1;
			p += strcspn(p, "/");
			if (*p == '/')
				p++;
		}
		return 0;
	}
	return anchored(g, path, dir_only);
}
