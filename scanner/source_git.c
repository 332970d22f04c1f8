/* source_git.c - full-history scanning: every distinct blob once (see
 * source_git.h).
 *
 * The calling thread walks the commit graph from every ref, reads each
 * distinct tree once (an oid set), and streams each distinct blob into the
 * pipeline as soon as it is discovered, so scanning overlaps enumeration.
 * Worker threads each open their own repository handle (libgit2 objects are
 * not shared between threads) and read blobs from the object database: raw
 * bytes, no filters. Memory holds the oid sets, one path per distinct blob
 * and the blobs being scanned, never the history.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "pipeline.h"
#include "source_git.h"
#include "xalloc.h"

enum item_kind { ITEM_BLOB, ITEM_MESSAGE };

struct git_item {
	enum item_kind kind;
	git_oid oid;          /* blob, or the commit/tag the message belongs to */
	const char *path;     /* blob: first path seen (owned by the walk) */
	char *text;           /* message: owned copy */
	char *label;          /* message: display path, owned */
	int is_tag;
};

struct git_local {
	git_repository *repo;
	git_odb *odb;
};

struct walk {
	const struct source_git_opts *o;
	git_repository *repo;
	struct pipeline *p;
	struct scan_stats *stats;
	struct git_graph g;
	struct oidset trees, blobs, tags;
	char **paths;              /* first path of each distinct blob */
	size_t npaths, cappaths;
	struct oidset shallow;
	atomic_ullong done_blobs, done_bytes;
	double started, last_progress;
	int enumerated;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int source_git_open(git_repository **out, const char *path, struct err *err)
{
	int rc = git_repository_open_ext(out, path, 0, NULL);

	if (rc < 0) {
		const git_error *e = git_error_last();
		return err_set(err, rc == GIT_ENOTFOUND ? KH_ENOTFOUND : KH_EGIT,
			       "not a git repository: '%s'%s%s", path, e && e->message ? ": " : "",
			       e && e->message ? e->message : "");
	}
	return 0;
}

static void iso_date(char *buf, size_t n, const git_time *t)
{
	time_t secs = (time_t)t->time + (time_t)t->offset * 60;
	struct tm tm;
	int off = t->offset < 0 ? -t->offset : t->offset;

	gmtime_r(&secs, &tm);
	snprintf(buf, n, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		 t->offset < 0 ? '-' : '+', off / 60, off % 60);
}

void source_git_set_commit(struct finding *f, git_repository *repo, const git_oid *oid)
{
	git_commit *c = NULL;
	char hex[GIT_OID_HEXSZ + 1];

	git_oid_tostr(hex, sizeof(hex), oid);
	free(f->commit);
	f->commit = xstrdup(hex);
	if (git_commit_lookup(&c, repo, oid) == 0) {
		const git_signature *a = git_commit_author(c);
		const char *summary = git_commit_summary(c);
		char date[96];
		free(f->author);
		free(f->email);
		free(f->date);
		free(f->message);
		f->author = xstrdup(a && a->name ? a->name : "");
		f->email = xstrdup(a && a->email ? a->email : "");
		if (a) {
			iso_date(date, sizeof(date), &a->when);
			f->date = xstrdup(date);
		}
		f->message = xstrdup(summary ? summary : "");
		git_commit_free(c);
	}
}

/* ---- worker side ------------------------------------------------------------ */

static void *local_new(void *payload, struct err *err)
{
	struct walk *wk = payload;
	struct git_local *l = xcalloc(1, sizeof(*l));

	if (git_repository_open_ext(&l->repo, git_repository_path(wk->repo),
				    GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) < 0 ||
	    git_repository_odb(&l->odb, l->repo) < 0) {
		err_from_git(err, -1, "opening the repository for a worker");
		git_repository_free(l->repo);
		free(l);
		return NULL;
	}
	return l;
}

static void local_free(void *p)
{
	struct git_local *l = p;

	git_odb_free(l->odb);
	git_repository_free(l->repo);
	free(l);
}

static void item_free(void *p)
{
	struct git_item *it = p;

	free(it->text);
	free(it->label);
	free(it);
}

static const char *item_name(void *p)
{
	struct git_item *it = p;

	return it->kind == ITEM_BLOB ? it->path : it->label;
}

static int process(struct worker *w, void *p, void *payload, struct err *err)
{
	struct git_item *it = p;
	struct walk *wk = payload;
	struct git_local *l = w->local;
	size_t first = w->findings.n, i;
	char hex[GIT_OID_HEXSZ + 1];
	int rc;

	git_oid_tostr(hex, sizeof(hex), &it->oid);
	if (it->kind == ITEM_MESSAGE) {
		rc = scan_memory(w, it->text, strlen(it->text), it->label, err);
		for (i = first; i < w->findings.n; i++) {
			struct finding *f = &w->findings.v[i];
			if (!it->is_tag) {
				source_git_set_commit(f, l->repo, &it->oid);
			} else {
				f->commit = xstrdup(hex);
				f->message = xstrdup(it->label);
			}
		}
		return rc;
	} else {
		git_odb_object *obj = NULL;
		size_t size;
		if ((rc = git_odb_read(&obj, l->odb, &it->oid)) < 0)
			return err_from_git(err, rc, "cannot read blob %s (%s)", hex, it->path);
		size = git_odb_object_size(obj);
		atomic_fetch_add(&wk->done_blobs, 1);
		atomic_fetch_add(&wk->done_bytes, size);
		if (git_odb_object_type(obj) != GIT_OBJECT_BLOB) {
			git_odb_object_free(obj);
			return err_set(err, KH_EGIT, "object %s (%s) is not a blob", hex, it->path);
		}
		w->stats.blobs_scanned++;
		if (wk->o->max_file_size && size > wk->o->max_file_size) {
			w->stats.skipped_size++;
			stats_problem(&w->stats, it->path, 0, 0,
				      "skipped: blob %s is %zu bytes, over --max-file-size", hex, size);
			git_odb_object_free(obj);
			return 0;
		}
		if (size >= 40 && !memcmp(git_odb_object_data(obj),
					  "version https://git-lfs.github.com/spec/", 40))
			w->stats.skipped_lfs++;
		rc = scan_memory(w, git_odb_object_data(obj), size, it->path, err);
		git_odb_object_free(obj);
		for (i = first; i < w->findings.n; i++)
			w->findings.v[i].blob = xstrdup(hex);
		return rc;
	}
}

/* ---- enumeration ------------------------------------------------------------- */

static void progress(struct walk *wk, int final)
{
	double t = now(), rate;
	unsigned long long done = atomic_load(&wk->done_blobs);
	unsigned long long bytes = atomic_load(&wk->done_bytes);

	if (!wk->o->progress || (!final && t - wk->last_progress < 0.25))
		return;
	wk->last_progress = t;
	rate = (double)bytes / (1024.0 * 1024.0) / (t - wk->started > 0.001 ? t - wk->started : 0.001);
	if (wk->enumerated && done < wk->npaths && done > 0) {
		double eta = (t - wk->started) * (double)(wk->npaths - done) / (double)done;
		fprintf(stderr, "\rkeyhound: blobs %llu/%zu, %.1f MB/s, ETA %.0f s   ", done,
			wk->npaths, rate, eta);
	} else {
		fprintf(stderr, "\rkeyhound: blobs %llu/%zu%s, %.1f MB/s   ", done, wk->npaths,
			wk->enumerated ? "" : "+", rate);
	}
	if (final)
		fputc('\n', stderr);
	fflush(stderr);
}

static void push(struct walk *wk, struct git_item *it)
{
	pipeline_push(wk->p, it);
	progress(wk, 0);
}

static void add_blob(struct walk *wk, const git_oid *oid, const char *path)
{
	struct git_item *it;

	if (!oidset_add(&wk->blobs, oid, (uint32_t)wk->npaths, NULL))
		return;
	{
		void *v = wk->paths;
		xgrow(&v, &wk->cappaths, wk->npaths + 1, sizeof(char *));
		wk->paths = v;
	}
	wk->paths[wk->npaths] = xstrdup(path);
	it = xcalloc(1, sizeof(*it));
	it->kind = ITEM_BLOB;
	git_oid_cpy(&it->oid, oid);
	it->path = wk->paths[wk->npaths];
	wk->npaths++;
	push(wk, it);
}

/* Reads the tree once (whatever commits share it) and queues new blobs. */
static void walk_tree(struct walk *wk, const git_oid *oid, const char *prefix)
{
	git_tree *t = NULL;
	size_t i, n, pl = strlen(prefix);
	int rc;

	if (!oidset_add(&wk->trees, oid, 0, NULL) || kh_interrupted)
		return;
	if ((rc = git_tree_lookup(&t, wk->repo, oid)) < 0) {
		char hex[GIT_OID_HEXSZ + 1];
		const git_error *e = git_error_last();
		git_oid_tostr(hex, sizeof(hex), oid);
		stats_problem(wk->stats, *prefix ? prefix : NULL, KH_EGIT, 1,
			      "cannot read tree %s: %s", hex, e && e->message ? e->message : "error");
		return;
	}
	n = git_tree_entrycount(t);
	for (i = 0; i < n; i++) {
		const git_tree_entry *e = git_tree_entry_byindex(t, i);
		const char *name = git_tree_entry_name(e);
		size_t nl = strlen(name);
		char *path = xmalloc(pl + nl + 2);
		memcpy(path, prefix, pl);
		memcpy(path + pl, name, nl + 1);
		switch (git_tree_entry_type(e)) {
		case GIT_OBJECT_BLOB: /* files and symlink targets alike */
			add_blob(wk, git_tree_entry_id(e), path);
			break;
		case GIT_OBJECT_TREE:
			path[pl + nl] = '/';
			path[pl + nl + 1] = '\0';
			walk_tree(wk, git_tree_entry_id(e), path);
			break;
		default: /* gitlink (submodule commit): not in this repository */
			break;
		}
		free(path);
	}
	git_tree_free(t);
}

static void push_message(struct walk *wk, const git_oid *oid, const char *text,
			 const char *label, int is_tag)
{
	struct git_item *it;

	if (!text || !*text)
		return;
	it = xcalloc(1, sizeof(*it));
	it->kind = ITEM_MESSAGE;
	git_oid_cpy(&it->oid, oid);
	it->text = xstrdup(text);
	it->label = xstrdup(label);
	it->is_tag = is_tag;
	push(wk, it);
}

static uint32_t graph_add(struct git_graph *g, const git_oid *oid)
{
	uint32_t idx;
	void *v = g->v;

	if (!oidset_add(&g->index, oid, (uint32_t)g->n, &idx))
		return idx;
	xgrow(&v, &g->cap, g->n + 1, sizeof(*g->v));
	g->v = v;
	memset(&g->v[g->n], 0, sizeof(*g->v));
	git_oid_cpy(&g->v[g->n].oid, oid);
	g->v[g->n].time = -1; /* not loaded yet */
	return (uint32_t)g->n++;
}

/* Loads commit idx: its tree, parents (added to the graph), message. */
static int load_commit(struct walk *wk, uint32_t idx, uint32_t **stack, size_t *nstack,
		       size_t *capstack)
{
	struct git_graph *g = &wk->g;
	git_commit *c = NULL;
	git_oid oid = g->v[idx].oid;
	unsigned i, np;
	int rc;

	if ((rc = git_commit_lookup(&c, wk->repo, &oid)) < 0) {
		char hex[GIT_OID_HEXSZ + 1];
		const git_error *e = git_error_last();
		git_oid_tostr(hex, sizeof(hex), &oid);
		if (oidset_get(&wk->shallow, &oid, NULL) || git_repository_is_shallow(wk->repo)) {
			wk->stats->shallow = 1;
			g->v[idx].time = 0;
			return 0;
		}
		stats_problem(wk->stats, NULL, KH_EGIT, 1, "cannot read commit %s: %s", hex,
			      e && e->message ? e->message : "error");
		g->v[idx].time = 0;
		return 0;
	}
	wk->stats->commits_scanned++;
	git_oid_cpy(&g->v[idx].tree, git_commit_tree_id(c));
	g->v[idx].time = (int64_t)git_commit_time(c);
	np = git_commit_parentcount(c);
	/* a shallow commit's parents are not in this repository: it is a root */
	if (oidset_get(&wk->shallow, &oid, NULL))
		np = 0;
	g->v[idx].first_parent = (uint32_t)g->np;
	g->v[idx].nparents = np;
	for (i = 0; i < np; i++) {
		void *v = g->parents;
		uint32_t pidx = graph_add(g, git_commit_parent_id(c, i));
		xgrow(&v, &g->capp, g->np + 1, sizeof(uint32_t));
		g->parents = v;
		g->parents[g->np++] = pidx;
		if (g->v[pidx].time == -1) {
			void *s = *stack;
			g->v[pidx].time = -2; /* queued */
			xgrow(&s, capstack, *nstack + 1, sizeof(uint32_t));
			*stack = s;
			(*stack)[(*nstack)++] = pidx;
		}
	}
	{
		char label[64], hex[GIT_OID_HEXSZ + 1];
		git_oid_tostr(hex, 13, &oid);
		snprintf(label, sizeof(label), "(commit %s message)", hex);
		push_message(wk, &oid, git_commit_message(c), label, 0);
	}
	git_commit_free(c);
	return 0;
}

/* Adds a start point: peels tags (scanning their messages) down to a commit,
 * tree or blob. */
static void add_start(struct walk *wk, const git_oid *oid, const char *refname,
		      uint32_t **stack, size_t *nstack, size_t *capstack)
{
	git_object *obj = NULL;
	git_oid cur = *oid;
	int depth;

	for (depth = 0; depth < 32; depth++) {
		if (git_object_lookup(&obj, wk->repo, &cur, GIT_OBJECT_ANY) < 0) {
			char hex[GIT_OID_HEXSZ + 1];
			git_oid_tostr(hex, sizeof(hex), &cur);
			stats_problem(wk->stats, refname, KH_EGIT, 1, "cannot read object %s", hex);
			return;
		}
		switch (git_object_type(obj)) {
		case GIT_OBJECT_TAG: {
			git_tag *tag = (git_tag *)obj;
			if (oidset_add(&wk->tags, &cur, 0, NULL)) {
				char label[512];
				snprintf(label, sizeof(label), "(tag %s message)", git_tag_name(tag));
				push_message(wk, &cur, git_tag_message(tag), label, 1);
			}
			git_oid_cpy(&cur, git_tag_target_id(tag));
			git_object_free(obj);
			continue;
		}
		case GIT_OBJECT_COMMIT: {
			uint32_t idx = graph_add(&wk->g, &cur);
			if (wk->g.v[idx].time == -1) {
				void *s = *stack;
				wk->g.v[idx].time = -2;
				xgrow(&s, capstack, *nstack + 1, sizeof(uint32_t));
				*stack = s;
				(*stack)[(*nstack)++] = idx;
			}
			break;
		}
		case GIT_OBJECT_TREE:
			walk_tree(wk, &cur, "");
			break;
		case GIT_OBJECT_BLOB:
			add_blob(wk, &cur, refname);
			break;
		default:
			break;
		}
		git_object_free(obj);
		return;
	}
}

static void read_shallow(struct walk *wk)
{
	const char *dir = git_repository_commondir(wk->repo);
	size_t n = strlen(dir) + 16;
	char *path = xmalloc(n), line[128];
	FILE *f;

	snprintf(path, n, "%s/shallow", dir);
	f = fopen(path, "r");
	free(path);
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		git_oid oid;
		line[strcspn(line, "\r\n")] = '\0';
		if (git_oid_fromstr(&oid, line) == 0) {
			oidset_add(&wk->shallow, &oid, 0, NULL);
			wk->stats->shallow = 1;
		}
	}
	fclose(f);
}

struct odb_collect {
	git_odb *odb;
	git_oid *commits;
	size_t n, cap;
	git_oid *blobs;
	size_t nb, capb;
};

static int collect_object(const git_oid *oid, void *payload)
{
	struct odb_collect *c = payload;
	size_t len;
	git_object_t type;

	if (git_odb_read_header(&len, &type, c->odb, oid) < 0)
		return 0;
	if (type == GIT_OBJECT_COMMIT) {
		void *v = c->commits;
		xgrow(&v, &c->cap, c->n + 1, sizeof(git_oid));
		c->commits = v;
		git_oid_cpy(&c->commits[c->n++], oid);
	} else if (type == GIT_OBJECT_BLOB) {
		void *v = c->blobs;
		xgrow(&v, &c->capb, c->nb + 1, sizeof(git_oid));
		c->blobs = v;
		git_oid_cpy(&c->blobs[c->nb++], oid);
	}
	return 0;
}

static void enumerate(struct walk *wk)
{
	git_reference_iterator *it = NULL;
	git_reference *ref;
	uint32_t *stack = NULL;
	size_t nstack = 0, capstack = 0, i;
	struct odb_collect all;

	memset(&all, 0, sizeof(all));
	read_shallow(wk);
	if (git_reference_iterator_new(&it, wk->repo) == 0) {
		while (git_reference_next(&ref, it) == 0) {
			git_reference *res = NULL;
			if (git_reference_resolve(&res, ref) == 0) {
				add_start(wk, git_reference_target(res), git_reference_name(ref), &stack,
					  &nstack, &capstack);
				git_reference_free(res);
			}
			git_reference_free(ref);
		}
		git_reference_iterator_free(it);
	}
	{
		git_oid head;
		if (git_reference_name_to_id(&head, wk->repo, "HEAD") == 0)
			add_start(wk, &head, "HEAD", &stack, &nstack, &capstack);
	}
	if (wk->o->all_objects) {
		if (git_repository_odb(&all.odb, wk->repo) == 0) {
			git_odb_foreach(all.odb, collect_object, &all);
			for (i = 0; i < all.n; i++)
				add_start(wk, &all.commits[i], NULL, &stack, &nstack, &capstack);
			git_odb_free(all.odb);
		}
	}
	/* depth-first over the commit graph; each tree walk queues new blobs */
	while (nstack && !kh_interrupted) {
		uint32_t idx = stack[--nstack];
		load_commit(wk, idx, &stack, &nstack, &capstack);
		if (!git_oid_is_zero(&wk->g.v[idx].tree))
			walk_tree(wk, &wk->g.v[idx].tree, "");
	}
	/* objects no commit reaches (dropped stashes, force-pushed history) */
	for (i = 0; i < all.nb && !kh_interrupted; i++) {
		char label[64], hex[GIT_OID_HEXSZ + 1];
		git_oid_tostr(hex, 13, &all.blobs[i]);
		snprintf(label, sizeof(label), "(unreachable blob %s)", hex);
		add_blob(wk, &all.blobs[i], label);
	}
	free(all.commits);
	free(all.blobs);
	free(stack);
	wk->enumerated = 1;
}

/* Range mode lives in source_git_range.c. */
int source_git_range(const struct source_git_opts *o, git_repository *repo,
		     const struct rule_set *rs, struct finding_list *out,
		     struct scan_stats *stats, struct err *err);

int source_git_run(const struct source_git_opts *o, const struct rule_set *rs,
		   struct finding_list *out, struct scan_stats *stats, struct err *err)
{
	struct walk wk;
	struct pipeline_opts po;
	size_t i;
	int rc;

	/* A history scan reads each object once, so big caches buy little: bound
	 * the objects cached. (Pack files stay memory-mapped: that is page cache
	 * shared with the kernel, not the process's own memory.) */
	if (!o->range) {
		git_libgit2_opts(GIT_OPT_SET_CACHE_MAX_SIZE, (ssize_t)32 << 20);
		/* each tree is read once anyway (the tree oid set) */
		git_libgit2_opts(GIT_OPT_SET_CACHE_OBJECT_LIMIT, GIT_OBJECT_TREE, (size_t)0);
	}
	memset(&wk, 0, sizeof(wk));
	wk.o = o;
	wk.stats = stats;
	if ((rc = source_git_open(&wk.repo, o->repo_path, err)) < 0)
		return rc;
	if (o->range) {
		rc = source_git_range(o, wk.repo, rs, out, stats, err);
		git_repository_free(wk.repo);
		return rc;
	}
	oidset_init(&wk.trees);
	oidset_init(&wk.blobs);
	oidset_init(&wk.tags);
	oidset_init(&wk.shallow);
	oidset_init(&wk.g.index);
	atomic_init(&wk.done_blobs, 0);
	atomic_init(&wk.done_bytes, 0);
	wk.started = now();
	memset(&po, 0, sizeof(po));
	po.threads = o->threads;
	po.rs = rs;
	po.process = process;
	po.item_free = item_free;
	po.item_name = item_name;
	po.local_new = local_new;
	po.local_free = local_free;
	po.payload = &wk;
	if ((rc = pipeline_new(&wk.p, &po, err)) == 0) {
		enumerate(&wk);
		pipeline_finish(wk.p, out, stats);
		progress(&wk, 1);
		source_git_attribute(wk.repo, &wk.g, out, stats);
	}
	for (i = 0; i < wk.npaths; i++)
		free(wk.paths[i]);
	free(wk.paths);
	free(wk.g.v);
	free(wk.g.parents);
	oidset_release(&wk.g.index);
	oidset_release(&wk.trees);
	oidset_release(&wk.blobs);
	oidset_release(&wk.tags);
	oidset_release(&wk.shallow);
	git_repository_free(wk.repo);
	return rc;
}
