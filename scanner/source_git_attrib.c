/* source_git_attrib.c - which commit introduced a secret, and where.
 *
 * Runs after the scan, only for blobs that had findings (Nosey Parker's
 * "first seen"). Commits are ordered oldest first (topological, ties by
 * commit time); each commit's tree is compared with its parents' by object
 * id, descending only into subtrees that changed, to list where it adds a
 * blob of interest at a path (for a merge: only what is at that path in none
 * of its parents, i.e. what the resolution adds). Then one finding per
 * secret and path is kept: the oldest introduction; the others are counted
 * in `occurrences`. Pure git knowledge; never prints.
 */
#include <stdlib.h>
#include <string.h>
#include "source_git.h"
#include "xalloc.h"

struct intro {
	uint32_t target;  /* index of the blob in the targets set */
	uint32_t rank;    /* topological rank of the commit (0 = oldest) */
	uint32_t commit;  /* graph index */
	char *path;
};

struct attrib {
	git_repository *repo;
	const struct git_graph *g;
	struct oidset targets;
	struct intro *v;
	size_t n, cap;
	uint32_t rank, commit;
	const git_tree *const *others; /* a merge's other parents' trees */
	size_t nothers;
};

/* ---- topological order --------------------------------------------------- */

struct heap {
	uint32_t *v;
	size_t n;
	const struct git_graph *g;
};

static int before(const struct heap *h, uint32_t a, uint32_t b)
{
	if (h->g->v[a].time != h->g->v[b].time)
		return h->g->v[a].time < h->g->v[b].time;
	return git_oid_cmp(&h->g->v[a].oid, &h->g->v[b].oid) < 0;
}

static void heap_push(struct heap *h, uint32_t x)
{
	size_t i = h->n++;

	while (i && before(h, x, h->v[(i - 1) / 2])) {
		h->v[i] = h->v[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	h->v[i] = x;
}

static uint32_t heap_pop(struct heap *h)
{
	uint32_t top = h->v[0], x = h->v[--h->n];
	size_t i = 0;

	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= h->n)
			break;
		if (c + 1 < h->n && before(h, h->v[c + 1], h->v[c]))
			c++;
		if (!before(h, h->v[c], x))
			break;
		h->v[i] = h->v[c];
		i = c;
	}
	if (h->n)
		h->v[i] = x;
	return top;
}

/* Parents before children; among ready commits, the oldest first. */
static uint32_t *topo_order(const struct git_graph *g)
{
	uint32_t *pending = xcalloc(g->n ? g->n : 1, sizeof(uint32_t));
	uint32_t *nchild = xcalloc(g->n + 1, sizeof(uint32_t));
	uint32_t *children, *order = xmalloc((g->n ? g->n : 1) * sizeof(uint32_t));
	struct heap h = {xmalloc((g->n ? g->n : 1) * sizeof(uint32_t)), 0, g};
	size_t i, j, out = 0;

	for (i = 0; i < g->n; i++) {
		pending[i] = g->v[i].nparents;
		for (j = 0; j < g->v[i].nparents; j++)
			nchild[g->parents[g->v[i].first_parent + j] + 1]++;
	}
	for (i = 1; i <= g->n; i++)
		nchild[i] += nchild[i - 1];
	children = xmalloc((nchild[g->n] ? nchild[g->n] : 1) * sizeof(uint32_t));
	{
		uint32_t *fill = xcalloc(g->n ? g->n : 1, sizeof(uint32_t));
		for (i = 0; i < g->n; i++)
			for (j = 0; j < g->v[i].nparents; j++) {
				uint32_t p = g->parents[g->v[i].first_parent + j];
				children[nchild[p] + fill[p]++] = (uint32_t)i;
			}
		free(fill);
	}
	for (i = 0; i < g->n; i++)
		if (!pending[i])
			heap_push(&h, (uint32_t)i);
	while (h.n) {
		uint32_t c = heap_pop(&h);
		order[out++] = c;
		for (j = nchild[c]; j < nchild[c + 1]; j++)
			if (--pending[children[j]] == 0)
				heap_push(&h, children[j]);
	}
	free(pending);
	free(nchild);
	free(children);
	free(h.v);
	return order; /* `out` == g->n: the graph has no cycles */
}

/* ---- tree comparison ------------------------------------------------------ */

static int in_other_parent(struct attrib *a, const char *path, const git_oid *blob)
{
	size_t i;

	for (i = 0; i < a->nothers; i++) {
		git_tree_entry *e = NULL;
		int same = 0;
		if (a->others[i] && git_tree_entry_bypath(&e, a->others[i], path) == 0) {
			same = !git_oid_cmp(git_tree_entry_id(e), blob);
			git_tree_entry_free(e);
		}
		if (same)
			return 1;
	}
	return 0;
}

static void record(struct attrib *a, uint32_t target, const char *path)
{
	void *v = a->v;

	xgrow(&v, &a->cap, a->n + 1, sizeof(*a->v));
	a->v = v;
	a->v[a->n].target = target;
	a->v[a->n].rank = a->rank;
	a->v[a->n].commit = a->commit;
	a->v[a->n].path = xstrdup(path);
	a->n++;
}

/* Lists blobs of interest that `new` has and `old` (may be NULL) has not,
 * at the same path. */
static void diff_trees(struct attrib *a, const git_tree *old, const git_tree *new,
		       const char *prefix)
{
	size_t i, n = git_tree_entrycount(new), pl = strlen(prefix);

	for (i = 0; i < n; i++) {
		const git_tree_entry *e = git_tree_entry_byindex(new, i);
		const char *name = git_tree_entry_name(e);
		const git_tree_entry *o = old ? git_tree_entry_byname(old, name) : NULL;
		git_object_t type = git_tree_entry_type(e);
		size_t nl = strlen(name);
		char *path;
		uint32_t target;

		if (o && !git_oid_cmp(git_tree_entry_id(o), git_tree_entry_id(e)) &&
		    git_tree_entry_type(o) == type)
			continue;
		path = xmalloc(pl + nl + 2);
		memcpy(path, prefix, pl);
		memcpy(path + pl, name, nl + 1);
		if (type == GIT_OBJECT_BLOB) {
			if (oidset_get(&a->targets, git_tree_entry_id(e), &target) &&
			    !in_other_parent(a, path, git_tree_entry_id(e)))
				record(a, target, path);
		} else if (type == GIT_OBJECT_TREE) {
			git_tree *sub_new = NULL, *sub_old = NULL;
			if (git_tree_lookup(&sub_new, a->repo, git_tree_entry_id(e)) == 0) {
				if (o && git_tree_entry_type(o) == GIT_OBJECT_TREE)
					git_tree_lookup(&sub_old, a->repo, git_tree_entry_id(o));
				path[pl + nl] = '/';
				path[pl + nl + 1] = '\0';
				diff_trees(a, sub_old, sub_new, path);
				git_tree_free(sub_old);
				git_tree_free(sub_new);
			}
		}
		free(path);
	}
}

static void commit_intros(struct attrib *a, uint32_t c)
{
	const struct git_node *node = &a->g->v[c];
	git_tree *tree = NULL, *first = NULL, **others = NULL;
	uint32_t i;

	if (git_oid_is_zero(&node->tree) || git_tree_lookup(&tree, a->repo, &node->tree) < 0)
		return;
	if (node->nparents) {
		const struct git_node *p = &a->g->v[a->g->parents[node->first_parent]];
		if (!git_oid_is_zero(&p->tree))
			git_tree_lookup(&first, a->repo, &p->tree);
	}
	if (node->nparents > 1) {
		others = xcalloc(node->nparents - 1, sizeof(*others));
		for (i = 1; i < node->nparents; i++) {
			const struct git_node *p = &a->g->v[a->g->parents[node->first_parent + i]];
			if (!git_oid_is_zero(&p->tree))
				git_tree_lookup(&others[i - 1], a->repo, &p->tree);
		}
	}
	a->commit = c;
	a->others = (const git_tree *const *)others;
	a->nothers = node->nparents > 1 ? node->nparents - 1 : 0;
	diff_trees(a, first, tree, "");
	for (i = 0; i + 1 < node->nparents; i++)
		git_tree_free(others[i]);
	free(others);
	git_tree_free(first);
	git_tree_free(tree);
}

/* ---- grouping ------------------------------------------------------------- */

struct cand {
	size_t finding;
	const struct intro *in;
};

static const struct finding_list *sort_fl;

static int cmp_cand(const void *x, const void *y)
{
	const struct cand *a = x, *b = y;
	const struct finding *fa = &sort_fl->v[a->finding], *fb = &sort_fl->v[b->finding];
	int c;

	if (fa->secret_len != fb->secret_len)
		return fa->secret_len < fb->secret_len ? -1 : 1;
	if ((c = memcmp(fa->secret, fb->secret, fa->secret_len)))
		return c;
	if ((c = strcmp(fa->rule->id, fb->rule->id)))
		return c;
	if ((c = strcmp(a->in->path, b->in->path)))
		return c;
	if (a->in->rank != b->in->rank)
		return a->in->rank < b->in->rank ? -1 : 1;
	if (fa->offset != fb->offset)
		return fa->offset < fb->offset ? -1 : 1;
	return 0;
}

static int same_secret(const struct finding *a, const struct finding *b)
{
	return a->secret_len == b->secret_len && !memcmp(a->secret, b->secret, a->secret_len) &&
	       !strcmp(a->rule->id, b->rule->id);
}

static void copy_finding(struct finding *d, const struct finding *s)
{
	*d = *s;
	d->path = xstrdup(s->path);
	d->secret = xmemdup(s->secret, s->secret_len);
	d->redacted = xstrdup(s->redacted);
	d->blob = s->blob ? xstrdup(s->blob) : NULL;
	d->decoded = s->decoded ? xstrdup(s->decoded) : NULL;
	d->commit = s->commit ? xstrdup(s->commit) : NULL;
	d->author = s->author ? xstrdup(s->author) : NULL;
	d->email = s->email ? xstrdup(s->email) : NULL;
	d->date = s->date ? xstrdup(s->date) : NULL;
	d->message = s->message ? xstrdup(s->message) : NULL;
	d->verify_identity = NULL;
}

void source_git_attribute(git_repository *repo, const struct git_graph *g,
			  struct finding_list *fl, struct scan_stats *stats)
{
	struct attrib a;
	uint32_t *order, *first_intro = NULL, *nintro = NULL;
	struct intro *sorted = NULL;
	struct cand *cands = NULL;
	size_t i, j, ncand = 0, capcand = 0, ntargets;
	struct finding_list out;

	(void)stats;
	memset(&a, 0, sizeof(a));
	a.repo = repo;
	a.g = g;
	oidset_init(&a.targets);
	for (i = 0; i < fl->n; i++) {
		git_oid oid;
		if (fl->v[i].blob && !fl->v[i].commit && git_oid_fromstr(&oid, fl->v[i].blob) == 0)
			oidset_add(&a.targets, &oid, (uint32_t)a.targets.n, NULL);
	}
	ntargets = a.targets.n;
	if (!ntargets) {
		oidset_release(&a.targets);
		return;
	}
	order = topo_order(g);
	for (i = 0; i < g->n; i++) {
		a.rank = (uint32_t)i;
		commit_intros(&a, order[i]);
	}
	free(order);
	/* introductions by target, in rank order (they were recorded that way) */
	nintro = xcalloc(ntargets + 1, sizeof(uint32_t));
	first_intro = xcalloc(ntargets + 1, sizeof(uint32_t));
	for (i = 0; i < a.n; i++)
		nintro[a.v[i].target + 1]++;
	for (i = 1; i <= ntargets; i++)
		first_intro[i] = first_intro[i - 1] + nintro[i];
	sorted = xcalloc(a.n ? a.n : 1, sizeof(*sorted));
	{
		uint32_t *fill = xcalloc(ntargets, sizeof(uint32_t));
		for (i = 0; i < a.n; i++)
			sorted[first_intro[a.v[i].target] + fill[a.v[i].target]++] = a.v[i];
		free(fill);
	}
	/* candidates: each finding of a blob, at each introduction of that blob */
	finding_list_init(&out);
	for (i = 0; i < fl->n; i++) {
		struct finding *f = &fl->v[i];
		git_oid oid;
		uint32_t t;
		if (!f->blob || f->commit || git_oid_fromstr(&oid, f->blob) ||
		    !oidset_get(&a.targets, &oid, &t) || first_intro[t] == first_intro[t + 1]) {
			/* not from a blob, or a blob no commit introduces: as scanned */
			copy_finding(finding_list_push(&out), f);
			continue;
		}
		for (j = first_intro[t]; j < first_intro[t + 1]; j++) {
			void *v = cands;
			xgrow(&v, &capcand, ncand + 1, sizeof(*cands));
			cands = v;
			cands[ncand].finding = i;
			cands[ncand].in = &sorted[j];
			ncand++;
		}
	}
	sort_fl = fl; /* attribution runs on one thread */
	qsort(cands, ncand, sizeof(*cands), cmp_cand);
	/* sorted by (secret, rule, path, rank): a secret's candidates are one
	 * block, and within it each path's candidates, oldest first */
	for (i = 0; i < ncand;) {
		const struct finding *f = &fl->v[cands[i].finding];
		size_t end = i + 1, k;
		while (end < ncand && same_secret(f, &fl->v[cands[end].finding]))
			end++;
		for (k = i; k < end; k = j) {
			struct finding *d;
			for (j = k + 1; j < end && !strcmp(cands[j].in->path, cands[k].in->path); j++)
				;
			d = finding_list_push(&out);
			copy_finding(d, &fl->v[cands[k].finding]);
			free(d->path);
			d->path = xstrdup(cands[k].in->path);
			/* every other introduction of this secret, at any path */
			d->occurrences = (unsigned)(end - i - 1);
			source_git_set_commit(d, repo, &g->v[cands[k].in->commit].oid);
		}
		i = end;
	}
	finding_list_release(fl);
	*fl = out;
	for (i = 0; i < a.n; i++)
		free(a.v[i].path);
	free(a.v);
	free(sorted);
	free(cands);
	free(nintro);
	free(first_intro);
	oidset_release(&a.targets);
}
