/* source_git_attrib.c - which commit introduced a secret, and where.
 *
 * Runs after the scan, only for blobs that had findings (Nosey Parker's
 * "first seen"). The walk (source_git.c) has already listed, oldest commit
 * first in topological order, every (commit, path) at which a commit holds
 * a blob that none of its parents holds at that path (for a merge: only
 * what its resolution adds). Here each finding of a blob is paired with
 * that blob's introductions; then one finding per secret and path is kept,
 * attributed to the oldest introduction, and the other introductions of the
 * same secret are counted in `occurrences`. Path and commit allowlists are
 * applied again for the attributed path and commit (the blob may have been
 * scanned before its path was known). Pure git knowledge; never prints.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "heap32.h"
#include "scan.h"
#include "source_git.h"
#include "xalloc.h"

#define NONE UINT32_MAX

/* ---- topological order --------------------------------------------------- */

/* Ready commits come out oldest first (by time, then object id). */
static int older(const void *ctx, uint32_t a, uint32_t b)
{
	const struct git_graph *g = ctx;

	if (g->v[a].time != g->v[b].time)
		return g->v[a].time < g->v[b].time;
	return git_oid_cmp(&g->v[a].oid, &g->v[b].oid) < 0;
}

/* Parents before children; among ready commits, the oldest first. */
uint32_t *source_git_topo_order(const struct git_graph *g)
{
	uint32_t *pending = xcalloc(g->n ? g->n : 1, sizeof(uint32_t));
	uint32_t *nchild = xcalloc(g->n + 1, sizeof(uint32_t));
	uint32_t *children, *order = xmalloc((g->n ? g->n : 1) * sizeof(uint32_t));
	struct heap32 h;
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
	heap32_init(&h, older, g);
	for (i = 0; i < g->n; i++)
		if (!pending[i])
			heap32_push(&h, (uint32_t)i);
	while (h.n) {
		uint32_t c = heap32_pop(&h);
		order[out++] = c;
		for (j = nchild[c]; j < nchild[c + 1]; j++)
			if (--pending[children[j]] == 0)
				heap32_push(&h, children[j]);
	}
	/* A commit graph cannot have cycles unless objects are forged; should
	 * one appear, its commits still get an order (after all others). */
	if (out < g->n) {
		uint8_t *seen = xcalloc(g->n, 1);
		for (i = 0; i < out; i++)
			seen[order[i]] = 1;
		for (i = 0; i < g->n; i++)
			if (!seen[i])
				order[out++] = (uint32_t)i;
		free(seen);
	}
	free(pending);
	free(nchild);
	free(children);
	heap32_release(&h);
	return order;
}


/* ---- grouping ------------------------------------------------------------- */

struct cand {
	size_t finding;
	uint32_t intro; /* index in h->intro: its order is the topological rank */
};

struct sorter {
	const struct finding_list *fl;
	const struct git_history *h;
};

static const struct sorter *sort_ctx; /* attribution runs on one thread */

static int cmp_cand(const void *x, const void *y)
{
	const struct cand *a = x, *b = y;
	const struct finding *fa = &sort_ctx->fl->v[a->finding], *fb = &sort_ctx->fl->v[b->finding];
	const struct git_intro *ia = &sort_ctx->h->intro[a->intro], *ib = &sort_ctx->h->intro[b->intro];
	int c;

	if (fa->secret_len != fb->secret_len)
		return fa->secret_len < fb->secret_len ? -1 : 1;
	if ((c = memcmp(fa->secret, fb->secret, fa->secret_len)))
		return c;
	if ((c = strcmp(fa->rule->id, fb->rule->id)))
		return c;
	if (ia->path != ib->path &&
	    (c = strcmp(sort_ctx->h->paths.v[ia->path], sort_ctx->h->paths.v[ib->path])))
		return c;
	if (a->intro != b->intro)
		return a->intro < b->intro ? -1 : 1;
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
	d->root_path = s->root_path ? xstrdup(s->root_path) : NULL;
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

static void set_path(struct finding *f, const char *path)
{
	free(f->path);
	free(f->root_path);
	f->path = xstrdup(path);
	f->root_path = NULL;
}

/* ---- allowlists for the attributed path and commit ------------------------------ */

static int has_path_globs(const struct rule_set *rs)
{
	size_t i;

	if (rs->allow.paths.n)
		return 1;
	for (i = 0; i < rs->n; i++)
		if (rs->rules[i].allow.paths.n)
			return 1;
	return 0;
}

static int commit_listed(const struct strlist *l, const char *commit)
{
	size_t i, n;

	for (i = 0; i < l->n; i++) {
		n = strlen(l->v[i]);
		if (n >= 4 && n <= strlen(commit) && !strncasecmp(l->v[i], commit, n))
			return 1;
	}
	return 0;
}

/* Scanning blob `hex` again under its attributed path gives the
 * suppression path globs decide; findings are matched by rule and offset. */
struct rescan {
	git_odb *odb;
	struct scan_scratch *sc;
	struct finding_list last;
	char *last_blob, *last_path;
};

static void rescan_suppression(struct rescan *r, const struct rule_set *rs, struct finding *f,
			       struct scan_stats *stats)
{
	size_t i;

	if (!r->last_blob || strcmp(r->last_blob, f->blob) || strcmp(r->last_path, f->path)) {
		git_odb_object *obj = NULL;
		git_oid oid;
		struct scan_stats quiet;
		struct content c;
		struct err err = {0, ""};
		finding_list_release(&r->last);
		finding_list_init(&r->last);
		free(r->last_blob);
		free(r->last_path);
		r->last_blob = xstrdup(f->blob);
		r->last_path = xstrdup(f->path);
		if (!r->odb || !r->sc || git_oid_fromstr(&oid, f->blob) < 0 ||
		    git_odb_read(&obj, r->odb, &oid) < 0)
			return;
		stats_init(&quiet); /* problems were counted by the first scan */
		content_whole(&c, git_odb_object_data(obj), git_odb_object_size(obj), f->path);
		scan_content(rs, r->sc, &c, &r->last, &quiet, &err);
		stats_release(&quiet);
		git_odb_object_free(obj);
	}
	(void)stats;
	for (i = 0; i < r->last.n; i++)
		if (r->last.v[i].offset == f->offset && r->last.v[i].rule == f->rule) {
			f->suppressed = r->last.v[i].suppressed;
			return;
		}
}

static void apply_allowlists(git_repository *repo, const struct rule_set *rs,
			     struct finding_list *fl, size_t from, struct scan_stats *stats)
{
	struct rescan r;
	size_t i;
	int paths = has_path_globs(rs);

	memset(&r, 0, sizeof(r));
	finding_list_init(&r.last);
	if (paths) {
		git_repository_odb(&r.odb, repo);
		r.sc = scan_scratch_new(rs);
	}
	for (i = from; i < fl->n; i++) {
		struct finding *f = &fl->v[i];
		if (paths && f->blob && f->suppressed != SUPPRESS_INLINE)
			rescan_suppression(&r, rs, f, stats);
		if (f->commit && !f->suppressed &&
		    (commit_listed(&rs->allow.commits, f->commit) ||
		     (f->rule && commit_listed(&f->rule->allow.commits, f->commit))))
			f->suppressed = SUPPRESS_CONFIG;
	}
	finding_list_release(&r.last);
	free(r.last_blob);
	free(r.last_path);
	scan_scratch_free(r.sc);
	git_odb_free(r.odb);
}

void source_git_attribute(git_repository *repo, const struct git_history *h,
			  const struct rule_set *rs, struct finding_list *fl,
			  struct scan_stats *stats)
{
	uint32_t *target = NULL, *first = NULL, *list = NULL, ntargets = 0;
	struct cand *cands = NULL;
	size_t i, j, k, ncand = 0, capcand = 0;
	struct finding_list out;
	struct sorter ctx = {fl, h};

	/* which blobs had findings, and their introductions */
	target = xmalloc((h->blobs.n ? h->blobs.n : 1) * sizeof(uint32_t));
	for (i = 0; i < h->blobs.n; i++)
		target[i] = NONE;
	for (i = 0; i < fl->n; i++) {
		git_oid oid;
		uint32_t b;
		if (fl->v[i].blob && !fl->v[i].commit && git_oid_fromstr(&oid, fl->v[i].blob) == 0 &&
		    oidset_get(&h->blobs, &oid, &b) && target[b] == NONE)
			target[b] = ntargets++;
	}
	first = xcalloc((size_t)ntargets + 2, sizeof(uint32_t));
	for (i = 0; i < h->nintro; i++)
		if (target[h->intro[i].blob] != NONE)
			first[target[h->intro[i].blob] + 2]++;
	for (i = 2; i < (size_t)ntargets + 2; i++)
		first[i] += first[i - 1];
	list = xmalloc((first[ntargets + 1] ? first[ntargets + 1] : 1) * sizeof(uint32_t));
	for (i = 0; i < h->nintro; i++) /* in rank order */
		if (target[h->intro[i].blob] != NONE)
			list[first[target[h->intro[i].blob] + 1]++] = (uint32_t)i;
	/* now intros of target t are list[first[t] .. first[t + 1]) */
	finding_list_init(&out);
	for (i = 0; i < fl->n; i++) {
		struct finding *f = &fl->v[i];
		git_oid oid;
		uint32_t b, t;
		if (!f->blob || f->commit || git_oid_fromstr(&oid, f->blob) ||
		    !oidset_get(&h->blobs, &oid, &b) || (t = target[b]) == NONE ||
		    first[t] == first[t + 1]) {
			/* a message, or a blob no commit introduces: as scanned */
			struct finding *d = finding_list_push(&out);
			copy_finding(d, f);
			if (f->blob && !f->commit) {
				char label[64];
				if (!git_oid_fromstr(&oid, f->blob) && oidset_get(&h->blobs, &oid, &b)) {
					set_path(d, h->paths.v[h->blob_path[b]]);
				} else {
					snprintf(label, sizeof(label), "(unreachable blob %.12s)", f->blob);
					set_path(d, label);
				}
			}
			continue;
		}
		for (j = first[t]; j < first[t + 1]; j++) {
			void *v = cands;
			xgrow(&v, &capcand, ncand + 1, sizeof(*cands));
			cands = v;
			cands[ncand].finding = i;
			cands[ncand].intro = list[j];
			ncand++;
		}
	}
	sort_ctx = &ctx;
	if (ncand)
		qsort(cands, ncand, sizeof(*cands), cmp_cand);
	/* sorted by (secret, rule, path, rank): a secret's candidates are one
	 * block, and within it each path's candidates, oldest first */
	for (i = 0; i < ncand;) {
		const struct finding *f = &fl->v[cands[i].finding];
		size_t end = i + 1, intros = 1;
		while (end < ncand && same_secret(f, &fl->v[cands[end].finding])) {
			if (cands[end].intro != cands[end - 1].intro)
				intros++;
			end++;
		}
		for (k = i; k < end; k = j) {
			const struct git_intro *in = &h->intro[cands[k].intro];
			struct finding *d;
			for (j = k + 1; j < end && h->intro[cands[j].intro].path == in->path; j++)
				;
			d = finding_list_push(&out);
			copy_finding(d, &fl->v[cands[k].finding]);
			set_path(d, h->paths.v[in->path]);
			/* every other commit or path that introduced this secret */
			d->occurrences = (unsigned)(intros - 1);
			source_git_set_commit(d, repo, &h->g.v[in->commit].oid);
		}
		i = end;
	}
	finding_list_release(fl);
	*fl = out;
	apply_allowlists(repo, rs, fl, 0, stats);
	free(cands);
	free(list);
	free(first);
	free(target);
}
