/* suppress.c - .keyhoundignore fingerprints and --baseline reports (see suppress.h).
 *
 * An ignore entry is a fingerprint with an optional path; a baseline entry
 * matches on (rule, fingerprint, path). Reading only; never prints.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "session.h"
#include "suppress.h"
#include "xalloc.h"

static void mark(struct session *s, const char *rule, const char *fp, const char *path,
		 enum suppress_reason why)
{
	size_t i;

	for (i = 0; i < s->findings.n; i++) {
		struct finding *f = &s->findings.v[i];
		if (f->suppressed || strcmp(f->fingerprint, fp))
			continue;
		if (rule && strcmp(rule, f->rule->id))
			continue;
		if (path && *path && strcmp(path, f->path))
			continue;
		f->suppressed = why;
	}
}

static int apply_ignore_file(struct session *s, struct err *err)
{
	char *name, line[8192];
	size_t n;
	FILE *f;

	if (!s->root)
		return 0;
	n = strlen(s->root) + 32;
	name = xmalloc(n);
	snprintf(name, n, "%s/.keyhoundignore", s->root);
	f = fopen(name, "r");
	if (!f) {
		int rc = errno == ENOENT ? 0 : err_set(err, KH_EIO, "cannot read '%s': %s", name,
							strerror(errno));
		free(name);
		return rc;
	}
	while (fgets(line, sizeof(line), f)) {
		char *p = line, *fp, *path;
		char *hash = strchr(p, '#');
		if (hash)
			*hash = '\0';
		fp = strtok(p, " \t\r\n");
		if (!fp)
			continue;
		path = strtok(NULL, "\r\n");
		while (path && (*path == ' ' || *path == '\t'))
			path++;
		if (path) {
			char *e = path + strlen(path);
			while (e > path && (e[-1] == ' ' || e[-1] == '\t'))
				*--e = '\0';
		}
		mark(s, NULL, fp, path, SUPPRESS_IGNORE);
	}
	fclose(f);
	free(name);
	return 0;
}

static int apply_baseline(struct session *s, struct err *err)
{
	json_error_t je;
	json_t *root, *arr, *it;
	size_t i;

	if (!s->opts.baseline)
		return 0;
	root = json_load_file(s->opts.baseline, 0, &je);
	if (!root)
		return err_set(err, KH_EINVAL, "%s:%d:%d: cannot read baseline: %s",
			       s->opts.baseline, je.line, je.column, je.text);
	arr = json_object_get(root, "findings");
	if (!json_is_array(arr)) {
		json_decref(root);
		return err_set(err, KH_EINVAL, "%s: not a keyhound JSON report (no findings array)",
			       s->opts.baseline);
	}
	json_array_foreach(arr, i, it) {
		const char *rule = json_string_value(json_object_get(it, "rule"));
		const char *fp = json_string_value(json_object_get(it, "fingerprint"));
		const char *path = json_string_value(json_object_get(it, "path"));
		if (rule && fp && path)
			mark(s, rule, fp, path, SUPPRESS_BASELINE);
	}
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
