/* git_added.c - lines added by a diff, and scanning just those (see git_added.h). */
#include <stdlib.h>
#include <string.h>
#include "git_added.h"
#include "buf.h"
#include "safepath.h"
#include "xalloc.h"

void added_set_init(struct added_set *s)
{
	memset(s, 0, sizeof(*s));
}

void added_set_release(struct added_set *s)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		free(s->v[i].path);
		free(s->v[i].lines);
	}
	free(s->v);
	memset(s, 0, sizeof(*s));
}

/* Finds blob at the entry names that spell path below t (a name may itself
 * hold '/'), appending them made safe to b. Returns 1 when found. */
static int find_names(git_tree *t, const char *path, const git_oid *blob, struct buf *b,
		      int depth)
{
	size_t i, n = git_tree_entrycount(t), len = b->len, pl = strlen(path);

	if (depth > 4096)
		return 0;
	for (i = 0; i < n; i++) {
		const git_tree_entry *e = git_tree_entry_byindex(t, i);
		const char *name = git_tree_entry_name(e);
		size_t nl = strlen(name);
		git_tree *sub = NULL;
		if (nl > pl || memcmp(name, path, nl))
			continue;
		if (len)
			buf_addch(b, '/');
		safepath_add_name(b, name, nl);
		if (nl == pl && git_oid_equal(git_tree_entry_id(e), blob))
			return 1;
		if (nl < pl && path[nl] == '/' && git_tree_entry_type(e) == GIT_OBJECT_TREE &&
		    git_tree_lookup(&sub, git_tree_owner(t), git_tree_entry_id(e)) == 0) {
			int found = find_names(sub, path + nl + 1, blob, b, depth + 1);
			git_tree_free(sub);
			if (found)
				return 1;
		}
		buf_truncate(b, len);
	}
	return 0;
}

/* The report path of blob at the diff's path (see added_set.tree). */
static char *report_path(git_tree *tree, const char *path, const git_oid *blob)
{
	git_tree_entry *e = NULL;
	struct buf b;
	char *out;

	if (!tree)
		return safepath_dup(path);
	if (git_tree_entry_bypath(&e, tree, path) == 0 && git_oid_equal(git_tree_entry_id(e), blob)) {
		git_tree_entry_free(e);
		return safepath_dup(path);
	}
	git_tree_entry_free(e);
	buf_init(&b, 0);
	if (!find_names(tree, path, blob, &b, 0)) {
		buf_release(&b);
		return safepath_dup(path);
	}
	out = xstrdup(b.data);
	buf_release(&b);
	return out;
}

static struct added_file *file_for(struct added_set *s, const git_diff_delta *d)
{
	struct added_file *f;
	void *v;

	if (s->n && !strcmp(s->v[s->n - 1].path, d->new_file.path) &&
	    !git_oid_cmp(&s->v[s->n - 1].blob, &d->new_file.id))
		return &s->v[s->n - 1];
	v = s->v;
	xgrow(&v, &s->cap, s->n + 1, sizeof(*s->v));
	s->v = v;
	f = &s->v[s->n++];
	memset(f, 0, sizeof(*f));
	f->path = report_path(s->tree, d->new_file.path, &d->new_file.id);
	git_oid_cpy(&f->blob, &d->new_file.id);
	return f;
}

static int on_file(const git_diff_delta *d, float progress, void *payload)
{
	(void)progress;
	if (d->status == GIT_DELTA_DELETED || d->new_file.mode == GIT_FILEMODE_COMMIT ||
	    git_oid_is_zero(&d->new_file.id))
		return 0;
	if (d->status == GIT_DELTA_RENAMED && d->similarity == 100)
		return 0; /* a pure rename adds nothing */
	if (d->flags & GIT_DIFF_FLAG_BINARY)
		file_for(payload, d)->binary = 1;
	return 0;
}

static int on_binary(const git_diff_delta *d, const git_diff_binary *b, void *payload)
{
	(void)b;
	if (d->status != GIT_DELTA_DELETED && !git_oid_is_zero(&d->new_file.id) &&
	    d->new_file.mode != GIT_FILEMODE_COMMIT)
		file_for(payload, d)->binary = 1;
	return 0;
}

static int on_line(const git_diff_delta *d, const git_diff_hunk *h, const git_diff_line *l,
		   void *payload)
{
	struct added_file *f;
	void *v;

	(void)h;
	if (l->origin != GIT_DIFF_LINE_ADDITION || l->new_lineno <= 0 ||
	    d->status == GIT_DELTA_DELETED || d->new_file.mode == GIT_FILEMODE_COMMIT)
		return 0; /* a submodule's line is its commit id: nothing to read */
	f = file_for(payload, d);
	v = f->lines;
	xgrow(&v, &f->cap, f->n + 1, sizeof(uint32_t));
	f->lines = v;
	f->lines[f->n++] = (uint32_t)l->new_lineno;
	return 0;
}

/* Does a delta's path hold a component git never writes ("", ".", ".." or
 * a name with '/'), as only a hostile tree makes? */
static int has_unusual_path(git_diff *diff)
{
	size_t i, n = git_diff_num_deltas(diff);

	for (i = 0; i < n; i++) {
		const git_diff_delta *d = git_diff_get_delta(diff, i);
		const char *paths[2] = {d->old_file.path, d->new_file.path};
		int k;
		for (k = 0; k < 2; k++) {
			char *safe = paths[k] ? safepath_dup(paths[k]) : NULL;
			int odd = safe && strcmp(safe, paths[k]);
			free(safe);
			if (odd)
				return 1;
		}
	}
	return 0;
}

/* A diff of a hostile tree, one file at a time, comparing each delta's two
 * blobs under its report path: libgit2's patch generation leaks memory
 * (and looks up attributes) on paths such as "/abs.env". */
static int added_by_blobs(struct added_set *s, git_diff *diff, struct err *err)
{
	git_repository *repo = git_tree_owner(s->tree);
	size_t i, n = git_diff_num_deltas(diff);
	int rc = 0;

	for (i = 0; i < n && !rc; i++) {
		const git_diff_delta *d = git_diff_get_delta(diff, i);
		const git_oid *old = NULL;
		char *label;
		if (d->status == GIT_DELTA_DELETED || d->new_file.mode == GIT_FILEMODE_COMMIT ||
		    git_oid_is_zero(&d->new_file.id) ||
		    (d->status == GIT_DELTA_RENAMED && d->similarity == 100))
			continue;
		if (!git_oid_is_zero(&d->old_file.id) && d->old_file.mode != GIT_FILEMODE_COMMIT &&
		    d->old_file.mode != GIT_FILEMODE_TREE)
			old = &d->old_file.id;
		label = report_path(s->tree, d->new_file.path, &d->new_file.id);
		rc = added_set_from_blobs(s, repo, old, &d->new_file.id, label, err);
		free(label);
	}
	return rc;
}

int added_set_from_diff(struct added_set *s, git_diff *diff, struct err *err)
{
	git_diff_find_options fo;
	int rc;

	/* Renames as git finds them (50% similar by default), so a file that is
	 * moved and edited adds only its edited lines, not every line again. */
	git_diff_find_options_init(&fo, GIT_DIFF_FIND_OPTIONS_VERSION);
	fo.flags = GIT_DIFF_FIND_RENAMES;
	if ((rc = git_diff_find_similar(diff, &fo)) < 0)
		return err_from_git(err, rc, "finding renames");
	if (s->tree && has_unusual_path(diff))
		return added_by_blobs(s, diff, err);
	if ((rc = git_diff_foreach(diff, on_file, on_binary, NULL, on_line, s)) < 0)
		return err_from_git(err, rc, "reading a diff");
	return 0;
}

int added_set_from_blobs(struct added_set *s, git_repository *repo, const git_oid *old_blob,
			 const git_oid *new_blob, const char *path, struct err *err)
{
	git_blob *a = NULL, *b = NULL;
	git_diff_options dopts;
	int rc;

	if ((rc = git_blob_lookup(&b, repo, new_blob)) < 0)
		return err_from_git(err, rc, "cannot read the blob of '%s'", path);
	if (old_blob && (rc = git_blob_lookup(&a, repo, old_blob)) < 0) {
		/* the old side is unreadable: every line of the new one counts */
		git_blob_free(b);
		return err_from_git(err, rc, "cannot read the previous blob of '%s'", path);
	}
	git_diff_options_init(&dopts, GIT_DIFF_OPTIONS_VERSION);
	dopts.context_lines = 0;
	dopts.interhunk_lines = 0;
	rc = git_diff_blobs(a, path, b, path, &dopts, on_file, on_binary, NULL, on_line, s);
	git_blob_free(a);
	git_blob_free(b);
	if (rc < 0)
		return err_from_git(err, rc, "comparing two versions of '%s'", path);
	return 0;
}

static int has_line(const struct added_file *f, uint64_t line)
{
	size_t lo = 0, hi = f->n;

	if (f->binary)
		return 1;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (f->lines[mid] < line)
			lo = mid + 1;
		else if (f->lines[mid] > line)
			hi = mid;
		else
			return 1;
	}
	return 0;
}

/* Does a finding whose span covers lines [first, last] touch an added line?
 * (A private key is many lines; rotating one changes its body, not always
 * its first line.) */
static int has_any_line(const struct added_file *f, uint64_t first, uint64_t last)
{
	size_t lo = 0, hi = f->n;

	if (f->binary)
		return 1;
	while (lo < hi) { /* the first added line >= first */
		size_t mid = (lo + hi) / 2;
		if (f->lines[mid] < first)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < f->n && f->lines[lo] <= last;
}

/* The last line of finding d's span in data (its first line plus the
 * newlines inside the span). */
static uint64_t last_line(const struct finding *d, const unsigned char *data, size_t len)
{
	uint64_t line = d->line;
	size_t i, end;

	if (d->offset >= len)
		return line;
	end = d->offset + (size_t)(d->end_column - d->column);
	if (end > len || end < d->offset)
		end = len;
	for (i = (size_t)d->offset; i < end; i++)
		line += data[i] == '\n';
	return line;
}

void added_set_intersect(struct added_set *acc, const struct added_set *other)
{
	size_t i, j, k, out = 0;

	for (i = 0; i < acc->n; i++) {
		struct added_file *f = &acc->v[i];
		const struct added_file *g = NULL;
		for (j = 0; j < other->n; j++)
			if (!strcmp(other->v[j].path, f->path) && !git_oid_cmp(&other->v[j].blob, &f->blob)) {
				g = &other->v[j];
				break;
			}
		if (!g) { /* identical to that parent's file: adds nothing */
			free(f->path);
			free(f->lines);
			continue;
		}
		if (!g->binary) {
			size_t n = 0;
			if (f->binary) { /* take the other's lines */
				f->binary = 0;
				free(f->lines);
				f->lines = xmemdup(g->lines, g->n * sizeof(uint32_t));
				f->n = f->cap = g->n;
			} else {
				for (k = 0; k < f->n; k++)
					if (has_line(g, f->lines[k]))
						f->lines[n++] = f->lines[k];
				f->n = n;
			}
		}
		acc->v[out++] = *f;
	}
	acc->n = out;
}

void added_set_scan(const struct added_set *s, git_repository *repo, const struct rule_set *rs,
		    struct scan_scratch *sc, struct finding_list *out, struct scan_stats *stats)
{
	git_odb *odb = NULL;
	size_t i, j;

	if (git_repository_odb(&odb, repo) < 0) {
		stats_problem(stats, NULL, KH_EGIT, 1, "cannot open the object database");
		return;
	}
	for (i = 0; i < s->n; i++) {
		const struct added_file *f = &s->v[i];
		git_blob *blob = NULL;
		const unsigned char *data;
		size_t len;
		struct finding_list tmp;
		struct content c;
		struct err err = {0, ""};
		char hex[GIT_OID_HEXSZ + 1];

		if (!f->binary && !f->n)
			continue;
		git_oid_tostr(hex, sizeof(hex), &f->blob);
		if (s->max_size) {
			size_t sz = 0;
			git_object_t type;
			if (git_odb_read_header(&sz, &type, odb, &f->blob) == 0 &&
			    (uint64_t)sz > s->max_size) {
				stats->skipped_size++;
				stats_problem(stats, f->path, 0, 0,
					      "skipped: %llu bytes is over --max-file-size",
					      (unsigned long long)sz);
				continue;
			}
		}
		/* a blob lookup, not a raw odb read: the diff that found the
		 * added lines has just loaded it into libgit2's object cache */
		if (git_blob_lookup(&blob, repo, &f->blob) < 0) {
			const git_error *e = git_error_last();
			stats_problem(stats, f->path, KH_EGIT, 1, "cannot read blob %s: %s", hex,
				      e && e->message ? e->message : "error");
			continue;
		}
		data = git_blob_rawcontent(blob);
		len = (size_t)git_blob_rawsize(blob);
		finding_list_init(&tmp);
		content_whole(&c, data, len, f->path);
		scan_content(rs, sc, &c, &tmp, stats, &err);
		stats->blobs_scanned++;
		stats->bytes_scanned += len;
		for (j = 0; j < tmp.n; j++) {
			struct finding *d;
			if (!has_any_line(f, tmp.v[j].line, last_line(&tmp.v[j], data, len)))
				continue;
			d = finding_list_push(out);
			*d = tmp.v[j];
			memset(&tmp.v[j], 0, sizeof(tmp.v[j]));
			d->blob = xstrdup(hex);
		}
		finding_list_release(&tmp);
		git_blob_free(blob);
	}
	git_odb_free(odb);
}
