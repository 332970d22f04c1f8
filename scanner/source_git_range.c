/* source_git_range.c - `keyhound git --range REVS`: what the commits of a
 * rev-list range add.
 *
 * REVS are rev-list arguments (`A..B`, `B --not --remotes=origin`, `^A B`,
 * `--all`, `--branches`, `--tags`). Each commit in the range is compared with
 * each of its parents (or the empty tree); a line counts only if it is added
 * relative to every parent, so a merge reports only what its resolution
 * adds. Keys added and removed again inside the range are still found, at the
 * commit that added them. Commit messages in the range are scanned too.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "buf.h"
#include "clock.h"
#include "git_added.h"
#include "heap32.h"
#include "pipeline.h"
#include "safepath.h"
#include "source_git.h"
#include "xalloc.h"

/* ---- the range: commits reachable from the positive tips but not from the
 * negative ones, walked like `git rev-list` (newest first by commit date,
 * marking what negative tips reach; a few extra steps once only those are
 * left, for clock skew). keyhound walks the graph itself rather than with
 * git_revwalk, which in libgit2 1.5 stops with "object not found" at a
 * shallow clone's boundary and at any missing commit: here a shallow
 * boundary commit is a root, and an unreadable commit is reported and the
 * rest of the range still walked. */

#define F_UNINTERESTING 1u /* reachable from a negative tip */
#define F_SEEN 2u          /* queued once */
#define F_QUEUED 4u        /* in the queue now */
#define F_LOADED 8u
#define F_IN_RANGE 16u     /* popped while interesting */
#define SLOP 5

struct revs {
	git_oid *pos, *neg;
	size_t npos, nneg, cappos, capneg;
};

struct range_walk {
	git_repository *repo;
	struct scan_stats *stats;
	struct git_graph g;
	uint8_t *flags;
	size_t capflags;
	struct oidset shallow;
	struct heap32 heap;  /* newest commit first */
	size_t interesting;  /* queued commits not (yet) known uninteresting */
};

static void add_rev(struct revs *r, const git_oid *oid, int hide)
{
	void *v = hide ? r->neg : r->pos;
	size_t *n = hide ? &r->nneg : &r->npos;

	xgrow(&v, hide ? &r->capneg : &r->cappos, *n + 1, sizeof(git_oid));
	if (hide)
		r->neg = v;
	else
		r->pos = v;
	git_oid_cpy(&(hide ? r->neg : r->pos)[(*n)++], oid);
}

/* Resolves rev to a commit and adds it (to the negative side when hide). */
static int push_rev(struct revs *r, git_repository *repo, const char *rev, const char *arg,
		    int hide, struct err *err)
{
	git_object *obj = NULL, *peeled = NULL;
	int rc;

	if ((rc = git_revparse_single(&obj, repo, rev)) < 0)
		return err_from_git(err, rc, "unknown revision '%s' in '%s'", rev, arg);
	rc = git_object_peel(&peeled, obj, GIT_OBJECT_COMMIT);
	git_object_free(obj);
	if (rc < 0)
		return err_from_git(err, rc, "'%s' is not a commit", rev);
	add_rev(r, git_object_id(peeled), hide);
	git_object_free(peeled);
	return 0;
}

struct glob_ctx {
	struct revs *r;
	git_repository *repo;
	int hide;
};

/* A ref matched by a glob: its commit, if it leads to one (a tag of a tree
 * or a blob adds nothing to walk). */
static int on_glob(const char *name, void *payload)
{
	struct glob_ctx *c = payload;
	git_object *obj = NULL, *peeled = NULL;

	if (git_revparse_single(&obj, c->repo, name) == 0 &&
	    git_object_peel(&peeled, obj, GIT_OBJECT_COMMIT) == 0)
		add_rev(c->r, git_object_id(peeled), c->hide);
	git_object_free(peeled);
	git_object_free(obj);
	return 0;
}

static int push_glob(struct revs *r, git_repository *repo, const char *glob, int hide)
{
	struct glob_ctx c = {r, repo, hide};
	int rc = git_reference_foreach_glob(repo, glob, on_glob, &c);

	return rc == GIT_ENOTFOUND ? 0 : rc;
}

static int glob_arg(struct revs *r, git_repository *repo, const char *arg, const char *opt,
		    const char *base, int hide, int *matched)
{
	size_t ol = strlen(opt);
	char glob[512];

	if (strncmp(arg, opt, ol) || (arg[ol] && arg[ol] != '='))
		return 0;
	*matched = 1;
	snprintf(glob, sizeof(glob), "%s%s", base, arg[ol] == '=' ? arg + ol + 1 : "*");
	if (arg[ol] == '=' && !strchr(arg + ol + 1, '*'))
		snprintf(glob, sizeof(glob), "%s%s/*", base, arg + ol + 1);
	return push_glob(r, repo, glob, hide);
}

static int parse_revs(struct revs *r, git_repository *repo, const char *const *args, size_t n,
		      struct err *err)
{
	size_t i;
	int hide = 0, rc, matched;

	for (i = 0; i < n; i++) {
		const char *a = args[i];
		matched = 0;
		if (!strcmp(a, "--not")) {
			hide = !hide;
			continue;
		}
		if (!strcmp(a, "--all")) {
			if ((rc = push_glob(r, repo, "refs/*", hide)) < 0)
				return err_from_git(err, rc, "--all");
			if ((rc = push_rev(r, repo, "HEAD", a, hide, err)) < 0 &&
			    !git_repository_head_unborn(repo))
				return rc;
			continue;
		}
		if ((rc = glob_arg(r, repo, a, "--remotes", "refs/remotes/", hide, &matched)) < 0 ||
		    (!matched &&
		     (rc = glob_arg(r, repo, a, "--branches", "refs/heads/", hide, &matched)) < 0) ||
		    (!matched && (rc = glob_arg(r, repo, a, "--tags", "refs/tags/", hide, &matched)) < 0))
			return err_from_git(err, rc, "bad revision argument '%s'", a);
		if (matched)
			continue;
		if (a[0] == '-')
			return err_set(err, KH_EINVAL, "unsupported rev-list option '%s'", a);
		if (strstr(a, "...")) {
			return err_set(err, KH_EINVAL, "symmetric ranges (A...B) are not supported: '%s'", a);
		} else if (strstr(a, "..")) {
			/* A..B is ^A B (an empty side is HEAD) */
			const char *dots = strstr(a, "..");
			char *left = dots > a ? xstrndup(a, (size_t)(dots - a)) : xstrdup("HEAD");
			rc = push_rev(r, repo, left, a, !hide, err);
			free(left);
			if (rc < 0 || (rc = push_rev(r, repo, dots[2] ? dots + 2 : "HEAD", a, hide, err)) < 0)
				return rc;
		} else if ((rc = push_rev(r, repo, a[0] == '^' ? a + 1 : a, a, hide ^ (a[0] == '^'),
					  err)) < 0) {
			return rc;
		}
	}
	return 0;
}

static uint32_t node(struct range_walk *w, const git_oid *oid)
{
	uint32_t i = git_graph_add(&w->g, oid);
	void *v = w->flags;

	if (w->g.n > w->capflags) {
		size_t old = w->capflags;
		xgrow(&v, &w->capflags, w->g.n, 1);
		w->flags = v;
		memset(w->flags + old, 0, w->capflags - old);
	}
	return i;
}

/* The walk takes the newest commit first (by time, then index). The heap
 * gets the walk itself: its graph's array moves as commits are added. */
static int newer(const void *ctx, uint32_t a, uint32_t b)
{
	const struct range_walk *w = ctx;

	if (w->g.v[a].time != w->g.v[b].time)
		return w->g.v[a].time > w->g.v[b].time;
	return a > b;
}

/* Reads commit i: its time and parents (none for a shallow boundary commit,
 * or for one that cannot be read, which is reported). */
static void load(struct range_walk *w, uint32_t i)
{
	git_commit *c = NULL;
	git_oid oid = w->g.v[i].oid;
	unsigned k, np;

	w->flags[i] |= F_LOADED;
	w->g.v[i].first_parent = (uint32_t)w->g.np;
	w->g.v[i].nparents = 0;
	if (git_commit_lookup(&c, w->repo, &oid) < 0) {
		const git_error *e = git_error_last();
		char hex[GIT_OID_HEXSZ + 1];
		git_oid_tostr(hex, sizeof(hex), &oid);
		if (git_repository_is_shallow(w->repo))
			w->stats->shallow = 1; /* beyond the boundary: not in this clone */
		else
			stats_problem(w->stats, NULL, KH_EGIT, 1, "cannot read commit %s: %s", hex,
				      e && e->message ? e->message : "error");
		w->g.v[i].time = 0;
		return;
	}
	w->g.v[i].time = (int64_t)git_commit_time(c);
	git_oid_cpy(&w->g.v[i].tree, git_commit_tree_id(c));
	np = oidset_get(&w->shallow, &oid, NULL) ? 0 : git_commit_parentcount(c);
	for (k = 0; k < np; k++) {
		uint32_t p = node(w, git_commit_parent_id(c, k));
		void *v = w->g.parents;
		xgrow(&v, &w->g.capp, w->g.np + 1, sizeof(uint32_t));
		w->g.parents = v;
		w->g.parents[w->g.np++] = p;
	}
	w->g.v[i].nparents = np;
	git_commit_free(c);
}

/* The time of a commit not walked yet, for the queue's order. */
static void peek_time(struct range_walk *w, uint32_t i)
{
	git_commit *c = NULL;

	if (w->g.v[i].time != -1)
		return;
	w->g.v[i].time = 0;
	if (git_commit_lookup(&c, w->repo, &w->g.v[i].oid) == 0) {
		w->g.v[i].time = (int64_t)git_commit_time(c);
		git_commit_free(c);
	}
}

static void enqueue(struct range_walk *w, uint32_t i)
{
	if (w->flags[i] & F_SEEN)
		return;
	w->flags[i] |= F_SEEN | F_QUEUED;
	if (!(w->flags[i] & F_UNINTERESTING))
		w->interesting++;
	peek_time(w, i);
	heap32_push(&w->heap, i);
}

/* Marks i and everything below it that is already loaded as reachable
 * from a negative tip. */
static void mark_uninteresting(struct range_walk *w, uint32_t i)
{
	uint32_t *stack = NULL;
	size_t n = 0, cap = 0;
	void *v;

	v = stack;
	xgrow(&v, &cap, 1, sizeof(uint32_t));
	stack = v;
	stack[n++] = i;
	while (n) {
		uint32_t x = stack[--n], k;
		if (w->flags[x] & F_UNINTERESTING)
			continue;
		w->flags[x] |= F_UNINTERESTING;
		if (w->flags[x] & F_QUEUED)
			w->interesting--;
		if (!(w->flags[x] & F_LOADED))
			continue;
		for (k = 0; k < w->g.v[x].nparents; k++) {
			v = stack;
			xgrow(&v, &cap, n + 1, sizeof(uint32_t));
			stack = v;
			stack[n++] = w->g.parents[w->g.v[x].first_parent + k];
		}
	}
	free(stack);
}

/* Walks the range; returns its commits (graph indexes), oldest first. */
static uint32_t *walk_range(struct range_walk *w, const struct revs *r, size_t *count)
{
	uint32_t *order, *out;
	size_t i, n = 0;
	int slop = SLOP;

	for (i = 0; i < r->nneg; i++) {
		uint32_t x = node(w, &r->neg[i]);
		mark_uninteresting(w, x);
		enqueue(w, x);
	}
	for (i = 0; i < r->npos; i++)
		enqueue(w, node(w, &r->pos[i]));
	while (w->heap.n && !kh_interrupted) {
		uint32_t x = heap32_pop(&w->heap), k;
		int unint;
		w->flags[x] &= (uint8_t)~F_QUEUED;
		unint = (w->flags[x] & F_UNINTERESTING) != 0;
		if (!unint)
			w->interesting--;
		load(w, x);
		if (unint) {
			for (k = 0; k < w->g.v[x].nparents; k++)
				mark_uninteresting(w, w->g.parents[w->g.v[x].first_parent + k]);
		} else {
			w->flags[x] |= F_IN_RANGE;
		}
		for (k = 0; k < w->g.v[x].nparents; k++)
			enqueue(w, w->g.parents[w->g.v[x].first_parent + k]);
		/* once only commits the negative tips reach are left, a few more
		 * steps (commit dates can be skewed), then stop */
		if (w->interesting == 0) {
			if (--slop == 0)
				break;
		} else {
			slop = SLOP;
		}
	}
	order = source_git_topo_order(&w->g);
	out = xmalloc((w->g.n ? w->g.n : 1) * sizeof(uint32_t));
	for (i = 0; i < w->g.n; i++) {
		uint8_t f = w->flags[order[i]];
		if ((f & F_IN_RANGE) && !(f & F_UNINTERESTING))
			out[n++] = order[i];
	}
	free(order);
	*count = n;
	return out;
}

/* ---- what a commit adds --------------------------------------------------------- */

/* The files under tree `tree` whose blob differs from the one at the same
 * path under `base` (NULL: none), compared by object id, each with the
 * lines it adds (compared blob to blob). For commits whose trees libgit2
 * cannot compare whole: an unreadable tree or blob is reported with its
 * path, and everything else is still compared. */
static void added_by_trees(git_repository *repo, const git_oid *tree, const git_oid *base,
			   struct buf *path, struct added_set *out, struct scan_stats *stats)
{
	git_tree *t = NULL, *b = NULL;
	size_t i, n, len = path->len;
	char hex[GIT_OID_HEXSZ + 1];

	if (git_tree_lookup(&t, repo, tree) < 0) {
		const git_error *e = git_error_last();
		git_oid_tostr(hex, sizeof(hex), tree);
		stats_problem(stats, len ? path->data : NULL, KH_EGIT, 1, "cannot read tree %s: %s", hex,
			      e && e->message ? e->message : "error");
		return;
	}
	if (base && git_tree_lookup(&b, repo, base) < 0) {
		const git_error *e = git_error_last();
		git_oid_tostr(hex, sizeof(hex), base);
		stats_problem(stats, len ? path->data : NULL, KH_EGIT, 1,
			      "cannot read tree %s (every file below is taken as added): %s", hex,
			      e && e->message ? e->message : "error");
	}
	n = git_tree_entrycount(t);
	for (i = 0; i < n; i++) {
		const git_tree_entry *e = git_tree_entry_byindex(t, i);
		const git_tree_entry *o = b ? git_tree_entry_byname(b, git_tree_entry_name(e)) : NULL;
		git_object_t type = git_tree_entry_type(e);
		if (o && git_oid_equal(git_tree_entry_id(o), git_tree_entry_id(e)) &&
		    git_tree_entry_filemode(o) == git_tree_entry_filemode(e))
			continue;
		if (len)
			buf_addch(path, '/');
		safepath_add_name(path, git_tree_entry_name(e), strlen(git_tree_entry_name(e)));
		if (type == GIT_OBJECT_TREE) {
			added_by_trees(repo, git_tree_entry_id(e),
				       o && git_tree_entry_type(o) == GIT_OBJECT_TREE ? git_tree_entry_id(o)
										: NULL,
				       path, out, stats);
		} else if (type == GIT_OBJECT_BLOB) {
			struct err err = {0, ""};
			const git_oid *old = o && git_tree_entry_type(o) == GIT_OBJECT_BLOB
						     ? git_tree_entry_id(o) : NULL;
			if (added_set_from_blobs(out, repo, old, git_tree_entry_id(e), path->data,
						 &err) < 0) {
				stats_problem(stats, path->data, KH_EGIT, 1, "%s", err.msg);
				/* the old side alone unreadable: take the file as new */
				if (old)
					added_set_from_blobs(out, repo, NULL, git_tree_entry_id(e),
							     path->data, &err);
			}
		}
		buf_truncate(path, len);
	}
	git_tree_free(b);
	git_tree_free(t);
}

/* What commit c (graph node i) adds against one parent tree (NULL: none),
 * into out: libgit2's diff with rename detection, or, where that fails on a
 * damaged object, the tree-by-tree comparison above. */
static void added_against(git_repository *repo, const git_oid *tree, git_tree *ctree,
			  const git_oid *ptree_id, struct added_set *out, struct scan_stats *stats)
{
	git_diff_options dopts;
	git_tree *ptree = NULL;
	git_diff *diff = NULL;
	struct err err = {0, ""};
	int rc = 0;

	git_diff_options_init(&dopts, GIT_DIFF_OPTIONS_VERSION);
	dopts.context_lines = 0;
	dopts.interhunk_lines = 0;
	if (ptree_id && (rc = git_tree_lookup(&ptree, repo, ptree_id)) < 0)
		goto fallback;
	if ((rc = git_diff_tree_to_tree(&diff, repo, ptree, ctree, &dopts)) == 0) {
		struct added_set try;
		added_set_init(&try);
		try.max_size = out->max_size;
		try.tree = ctree;
		if ((rc = added_set_from_diff(&try, diff, &err)) == 0) {
			added_set_release(out);
			*out = try;
			out->tree = NULL;
		} else {
			added_set_release(&try);
		}
	}
	git_diff_free(diff);
	git_tree_free(ptree);
	if (rc == 0)
		return;
fallback:
	{
		struct buf path;
		buf_init(&path, 0);
		added_by_trees(repo, tree, ptree_id, &path, out, stats);
		buf_release(&path);
	}
}

/* The lines commit node i adds relative to all its parents. */
static void commit_added(struct range_walk *w, uint32_t i, struct added_set *out)
{
	const struct git_node *c = &w->g.v[i];
	git_tree *tree = NULL;
	uint32_t k, np = c->nparents;

	if (git_oid_is_zero(&c->tree))
		return;
	if (git_tree_lookup(&tree, w->repo, &c->tree) < 0)
		tree = NULL; /* reported by the fallback */
	for (k = 0; k < (np ? np : 1); k++) {
		const git_oid *pt = NULL;
		struct added_set one;
		if (np) {
			/* a parent the walk stopped short of is read now; an unreadable
			 * one (reported) leaves the comparison with the empty tree */
			uint32_t p = w->g.parents[c->first_parent + k];
			if (!(w->flags[p] & F_LOADED))
				load(w, p);
			c = &w->g.v[i]; /* load() may have moved the nodes */
			if (!git_oid_is_zero(&w->g.v[p].tree))
				pt = &w->g.v[p].tree;
		}
		added_set_init(&one);
		one.max_size = out->max_size;
		if (tree)
			added_against(w->repo, &c->tree, tree, pt, k == 0 ? out : &one, w->stats);
		else {
			struct buf path;
			buf_init(&path, 0);
			added_by_trees(w->repo, &c->tree, pt, &path, k == 0 ? out : &one, w->stats);
			buf_release(&path);
		}
		if (k > 0)
			added_set_intersect(out, &one);
		added_set_release(&one);
	}
	git_tree_free(tree);
}

/* One finding per secret and path: the oldest commit wins (findings arrive
 * oldest first); the rest are counted as occurrences. */
static void keep_oldest(struct finding_list *fl, size_t from)
{
	size_t i, j, out = from;

	for (i = from; i < fl->n; i++) {
		struct finding *f = &fl->v[i];
		for (j = from; j < out; j++) {
			struct finding *k = &fl->v[j];
			if (k->secret_len == f->secret_len && !memcmp(k->secret, f->secret, f->secret_len) &&
			    !strcmp(k->path, f->path) && k->rule == f->rule)
				break;
		}
		if (j < out) {
			fl->v[j].occurrences++;
			finding_release(f);
		} else {
			fl->v[out++] = *f;
		}
	}
	fl->n = out;
}

int source_git_range(const struct source_git_opts *o, git_repository *repo,
		     const struct rule_set *rs, struct finding_list *out,
		     struct scan_stats *stats, struct err *err)
{
	struct range_walk w;
	struct revs r;
	struct scan_scratch *sc = NULL;
	uint32_t *commits = NULL;
	size_t first = out->n, ncommits = 0, i;
	double started = clock_seconds(), shown = 0;
	int rc;

	memset(&w, 0, sizeof(w));
	memset(&r, 0, sizeof(r));
	heap32_init(&w.heap, newer, &w);
	w.repo = repo;
	w.stats = stats;
	oidset_init(&w.g.index);
	oidset_init(&w.shallow);
	if (source_git_read_shallow(repo, &w.shallow))
		stats->shallow = 1;
	if ((rc = parse_revs(&r, repo, o->range, o->nrange, err)) < 0)
		goto out;
	commits = walk_range(&w, &r, &ncommits);
	sc = scan_scratch_new(rs);
	for (i = 0; i < ncommits && !kh_interrupted; i++) {
		uint32_t x = commits[i];
		git_commit *c = NULL;
		struct added_set as;
		size_t before = out->n, j;
		char hex[GIT_OID_HEXSZ + 1];

		if (git_oid_is_zero(&w.g.v[x].tree))
			continue; /* unreadable: reported when walked */
		stats->commits_scanned++;
		added_set_init(&as);
		as.max_size = o->max_file_size;
		commit_added(&w, x, &as);
		added_set_scan(&as, repo, rs, sc, out, stats);
		added_set_release(&as);
		if (git_commit_lookup(&c, repo, &w.g.v[x].oid) == 0) { /* the message */
			const char *msg = git_commit_message(c);
			struct content ct;
			char label[64];
			git_oid_tostr(hex, 13, &w.g.v[x].oid);
			snprintf(label, sizeof(label), "(commit %s message)", hex);
			content_whole(&ct, msg, strlen(msg), label);
			scan_content(rs, sc, &ct, out, stats, err);
			git_commit_free(c);
		}
		for (j = before; j < out->n; j++)
			source_git_set_commit(&out->v[j], repo, &w.g.v[x].oid);
		if (o->progress && (clock_seconds() - shown >= 0.25 || i + 1 == ncommits)) {
			double el = clock_seconds() - started;
			shown = clock_seconds();
			fprintf(stderr, "\rkeyhound: commits %zu/%zu, %.0f s   ", i + 1, ncommits, el);
			if (i + 1 == ncommits)
				fputc('\n', stderr);
			fflush(stderr);
		}
	}
	keep_oldest(out, first);
	rc = 0;
out:
	scan_scratch_free(sc);
	free(commits);
	free(r.pos);
	free(r.neg);
	free(w.flags);
	heap32_release(&w.heap);
	free(w.g.v);
	free(w.g.parents);
	oidset_release(&w.g.index);
	oidset_release(&w.shallow);
	return rc;
}
