/* suppress.c - .keyhoundignore fingerprints and --baseline reports (see
 * suppress.h). Config allowlists are decided in scan.c (commits: in
 * source_git_attrib.c, where findings get their commit).
 *
 * An ignore entry is a fingerprint with an optional path; a baseline entry
 * matches on (rule, fingerprint, path). Fingerprints are salted with the
 * repository's identity; a baseline records that salt ("fingerprint_salt"),
 * and when today's scan salts differently (a shallow clone, a copy outside
 * git, a repository that had no commit yet) the findings are fingerprinted
 * again with the baseline's salt for matching. Reading and marking only;
 * never prints.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include "readfile.h"
#include "session.h"
#include "suppress.h"
#include "xalloc.h"

/* fps[i] is the fingerprint of finding i to match against (NULL = its own). */
static void mark(struct session *s, char (*fps)[33], const char *rule, const char *fp,
		 const char *path, enum suppress_reason why)
{
	size_t i;

	for (i = 0; i < s->findings.n; i++) {
		struct finding *f = &s->findings.v[i];
		if (f->suppressed || strcasecmp(fps ? fps[i] : f->fingerprint, fp))
			continue;
		if (rule && strcmp(rule, f->rule->id))
			continue;
		if (path && *path && strcmp(path, f->path) &&
		    (!f->root_path || strcmp(path, f->root_path)))
			continue;
		f->suppressed = why;
	}
}

static int is_fingerprint(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') ||
		      (s[i] >= 'A' && s[i] <= 'F')))
			return 0;
	return i == 32;
}

static int apply_ignore_file(struct session *s, struct err *err)
{
	char *name, *text = NULL, *line, *next;
	size_t n, len;
	unsigned lineno = 0;
	int rc = 0;

	if (!s->root)
		return 0;
	{
		/* a root that cannot be entered (reported by the scan itself) has no
		 * ignore file to read */
		struct stat st;
		if (stat(s->root, &st) < 0 || !S_ISDIR(st.st_mode) || access(s->root, X_OK) < 0)
			return 0;
	}
	n = strlen(s->root) + 32;
	name = xmalloc(n);
	snprintf(name, n, "%s/.keyhoundignore", s->root);
	/* the scanned repository's own file: a regular file, not a link */
	rc = readfile(&text, &len, name, "ignore file", (size_t)16 << 20, READFILE_NO_FOLLOW, err);
	if (rc == KH_ENOTFOUND) {
		free(name);
		return 0;
	}
	if (rc < 0) {
		free(name);
		return rc;
	}
	for (line = text; line && *line && !rc; line = next) {
		char *p = line, *fp, *path, *save = NULL;
		char *hash;
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		if ((hash = strchr(p, '#')))
			*hash = '\0';
		fp = strtok_r(p, " \t\r", &save);
		if (!fp)
			continue;
		if (!is_fingerprint(fp)) {
			/* a typo must not silently leave a leak unreported or ignored */
			rc = err_set(err, KH_EINVAL,
				     "%s:%u: not a fingerprint (32 hex digits, as reports print them)",
				     name, lineno);
			break;
		}
		path = strtok_r(NULL, "\r", &save);
		while (path && (*path == ' ' || *path == '\t'))
			path++;
		if (path) {
			char *e = path + strlen(path);
			while (e > path && (e[-1] == ' ' || e[-1] == '\t'))
				*--e = '\0';
			while (path[0] == '.' && path[1] == '/')
				path += 2;
		}
		mark(s, NULL, NULL, fp, path, SUPPRESS_IGNORE);
	}
	free(text);
	free(name);
	return rc;
}

/* The findings' fingerprints under another salt; each distinct secret is
 * hashed once. Returns a new array, one per finding. */
static char (*refingerprint(const struct session *s, const char *salt))[33]
{
	char (*fps)[33] = xcalloc(s->findings.n ? s->findings.n : 1, sizeof(*fps));

	finding_list_fingerprint(fps, &s->findings, salt, s->threads);
	return fps;
}

static int apply_baseline(struct session *s, struct err *err)
{
	const char *cur = s->rs.fingerprint_key ? s->rs.fingerprint_key : s->salt ? s->salt : "";
	const char *salt;
	char (*fps)[33] = NULL;
	json_error_t je;
	json_t *root, *arr, *it;
	size_t i;

	if (!s->opts.baseline)
		return 0;
	{
		char *text = NULL;
		size_t len = 0;
		int rc = readfile(&text, &len, s->opts.baseline, "baseline", (size_t)1 << 30, 0, err);
		if (rc < 0)
			return rc;
		root = json_loadb(text, len, 0, &je);
		free(text);
	}
	if (!root)
		return err_set(err, KH_EINVAL, "%s:%d:%d: not a JSON report: %s", s->opts.baseline,
			       je.line, je.column, je.text);
	arr = json_object_get(root, "findings");
	if (!json_is_array(arr)) {
		json_decref(root);
		return err_set(err, KH_EINVAL, "%s: not a keyhound JSON report (no findings array)",
			       s->opts.baseline);
	}
	/* fingerprints made with another (public) salt: compare under that one */
	salt = json_string_value(json_object_get(root, "fingerprint_salt"));
	if (salt && strcmp(salt, cur) && s->findings.n)
		fps = refingerprint(s, salt);
	json_array_foreach(arr, i, it) {
		const char *rule = json_string_value(json_object_get(it, "rule"));
		const char *fp = json_string_value(json_object_get(it, "fingerprint"));
		const char *path = json_string_value(json_object_get(it, "path"));
		if (rule && fp && path)
			mark(s, fps, rule, fp, path, SUPPRESS_BASELINE);
	}
	free(fps);
	json_decref(root);
	return 0;
}

int suppress_apply(struct session *s, struct err *err)
{
	int rc = apply_ignore_file(s, err);

	if (rc < 0)
		return rc;
	return apply_baseline(s, err);
}
