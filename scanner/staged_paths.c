/* staged_paths.c - paths the index changes relative to HEAD (see
 * staged_paths.h). Reads trees and the index; never prints.
 *
 * HEAD's tree is walked from the top; a directory whose tree id equals the
 * one the index's cache-tree holds for it is skipped whole, unread (nothing
 * below it is staged). In the directories walked, each file is compared with its index
 * entry (id and mode). Index entries that were not met in the walk and lie
 * under no skipped directory are new. Without a cache-tree the walk reads
 * every tree, like a plain diff: slower, never wrong.
 */
#include <stdlib.h>
#include <string.h>
#include "buf.h"
#include "index_tree.h"
#include "staged_paths.h"
#include "xalloc.h"

struct walk {
	git_repository *repo;
	git_index *idx;
	struct index_tree ct;
	struct staged_paths skipped;    /* directories equal to the cache-tree */
	struct staged_paths head_files; /* files met in the walked directories */
	struct staged_paths *out;
};

static void paths_add(struct staged_paths *s, const char *str)
{
	void *v = s->v;

	xgrow(&v, &s->cap, s->n + 1, sizeof(char *));
	s->v = v;
	s->v[s->n++] = xstrdup(str);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int paths_has(const struct staged_paths *s, const char *str)
{
	return s->n && bsearch(&str, s->v, s->n, sizeof(char *), cmp_str) != NULL;
}

void staged_paths_init(struct staged_paths *p)
{
	memset(p, 0, sizeof(*p));
}

void staged_paths_release(struct staged_paths *p)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		free(p->v[i]);
	free(p->v);
	memset(p, 0, sizeof(*p));
}

/* Does the cache-tree vouch that directory dir is tree id? Then nothing
 * below it is staged, and it is not even read. */
static int unchanged(struct walk *w, const char *dir, const git_oid *id)
{
	const unsigned char *known = index_tree_lookup(&w->ct, dir);

	if (!known || memcmp(known, id->id, 20))
		return 0;
	paths_add(&w->skipped, dir);
	return 1;
}

static int walk_tree(struct walk *w, git_tree *t, struct buf *dir, struct err *err)
{
	size_t i, n, keep = dir->len;
	int rc = 0;

	n = git_tree_entrycount(t);
	for (i = 0; i < n && !rc; i++) {
		const git_tree_entry *e = git_tree_entry_byindex(t, i);
		if (keep)
			buf_addch(dir, '/');
		buf_adds(dir, git_tree_entry_name(e));
		if (git_tree_entry_type(e) == GIT_OBJECT_TREE) {
			git_tree *sub = NULL;
			if (unchanged(w, dir->data, git_tree_entry_id(e)))
				;
			else if ((rc = git_tree_lookup(&sub, w->repo, git_tree_entry_id(e))) < 0)
				err_from_git(err, rc, "reading HEAD's tree '%s'", dir->data);
			else
				rc = walk_tree(w, sub, dir, err);
			git_tree_free(sub);
		} else {
			const git_index_entry *ie = git_index_get_bypath(w->idx, dir->data, 0);
			paths_add(&w->head_files, dir->data);
			if (!ie || !git_oid_equal(&ie->id, git_tree_entry_id(e)) ||
			    ie->mode != (uint32_t)git_tree_entry_filemode(e))
				paths_add(w->out, dir->data);
		}
		dir->len = keep;
		dir->data[keep] = '\0';
	}
	return rc;
}

/* Is path below a directory that the walk skipped as unchanged? */
static int under_skipped(const struct walk *w, const char *path)
{
	char *p = xstrdup(path), *slash;
	int hit = paths_has(&w->skipped, ""); /* the whole tree */

	while (!hit && (slash = strrchr(p, '/'))) {
		*slash = '\0';
		hit = paths_has(&w->skipped, p);
	}
	free(p);
	return hit;
}

int staged_paths_find(struct staged_paths *p, git_repository *repo, git_tree *head,
		      git_index *idx, struct err *err)
{
	struct walk w;
	struct buf dir;
	size_t i, n, out;
	int rc = 0;

	memset(&w, 0, sizeof(w));
	w.repo = repo;
	w.idx = idx;
	w.out = p;
	index_tree_read(&w.ct, git_index_path(idx) ? git_index_path(idx) : "");
	buf_init(&dir, 0);
	if (!unchanged(&w, "", git_tree_id(head)))
		rc = walk_tree(&w, head, &dir, err);
	buf_release(&dir);
	if (w.skipped.n > 1)
		qsort(w.skipped.v, w.skipped.n, sizeof(char *), cmp_str);
	if (w.head_files.n > 1)
		qsort(w.head_files.v, w.head_files.n, sizeof(char *), cmp_str);
	n = git_index_entrycount(idx);
	for (i = 0; !rc && i < n; i++) { /* new files, and conflicts */
		const git_index_entry *ie = git_index_get_byindex(idx, i);
		if (git_index_entry_stage(ie) != 0 ||
		    (!paths_has(&w.head_files, ie->path) && !under_skipped(&w, ie->path)))
			paths_add(w.out, ie->path);
	}
	if (p->n > 1)
		qsort(p->v, p->n, sizeof(char *), cmp_str);
	for (i = 0, out = 0; i < p->n; i++) { /* distinct */
		if (out && !strcmp(p->v[out - 1], p->v[i]))
			free(p->v[i]);
		else
			p->v[out++] = p->v[i];
	}
	p->n = out;
	staged_paths_release(&w.skipped);
	staged_paths_release(&w.head_files);
	index_tree_release(&w.ct);
	return rc;
}
