/* source_git.c - full-history scanning: every distinct blob once (see
 * source_git.h).
 *
 * Three things run at once. Worker threads build the blobs of the pack files
 * family by family (git_pack.h) and scan them, not yet knowing which are
 * reachable. Meanwhile the calling thread loads the commit graph from every
 * ref, orders it oldest first, and compares each commit's tree with its
 * parents' trees by object id: this lists the reachable blobs and every
 * (commit, path) that introduced one. Blobs the packs do not hold (loose
 * objects, alternates) and commit and tag messages are queued to the same
 * workers, which read them through their own libgit2 handle. Then the
 * findings of unreachable blobs are dropped (unless --all-objects) and
 * attribution looks up the introductions of the blobs that had findings.
 *
 * Memory: the oid sets, the graph, one 12-byte record per introduction and
 * the interned paths, plus the blobs being built. Never prints except the
 * progress line, which only cmd_git asks for.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "clock.h"
#include "buf.h"
#include "git_pack.h"
#include "git_tree_raw.h"
#include "pipeline.h"
#include "safepath.h"
#include "source_git.h"
#include "git_lib.h"
#include "xalloc.h"

enum item_kind { ITEM_FAMILIES, ITEM_BLOB };

struct git_item {
	enum item_kind kind;
	git_oid oid;          /* blob */
	const char *path;     /* blob: first path (interned, lives with the walk) */
	size_t first, last;   /* families [first, last) */
};

struct git_local {
	git_repository *repo;
	git_odb *odb;
	struct pack_scratch *pack;
};

/* A pack blob that is a Git LFS pointer: counted in the stats only if it
 * turns out reachable. */
struct deferred {
	git_oid oid;
};

struct walk {
	const struct source_git_opts *o;
	const struct rule_set *rs;
	git_repository *repo;
	struct pipeline *p;
	struct scan_stats *stats;
	struct packs *packs;
	struct git_history h;
	struct scan_scratch *msg_scratch; /* commit and tag messages, this thread */
	struct finding_list msgs;
	git_odb *odb;              /* this thread's, for the walk's raw tree reads */
	struct oidset trees;       /* trees reached directly from refs */
	struct oidset tags;
	struct oidset shallow;
	git_oid *loose_blobs;      /* --all-objects: blobs in the store, not packed */
	size_t nloose, caploose;
	size_t pushed, queued_blobs;
	unsigned bad_refs;         /* unreadable refs reported (a runaway store stops at 1000) */
	atomic_ullong done_items, done_blobs, done_bytes;
	pthread_mutex_t lock;      /* guards deferred */
	struct deferred *deferred;
	size_t ndeferred, capdeferred;
	double started, last_progress;
};

int source_git_open(git_repository **out, const char *path, struct err *err)
{
	int rc = git_lib_open(out, path, 0);

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

static void set_signature(struct finding *f, const git_signature *a)
{
	char date[96];

	free(f->author);
	free(f->email);
	free(f->date);
	f->author = xstrdup(a && a->name ? a->name : "");
	f->email = xstrdup(a && a->email ? a->email : "");
	f->date = NULL;
	if (a) {
		iso_date(date, sizeof(date), &a->when);
		f->date = xstrdup(date);
	}
}

void source_git_set_commit(struct finding *f, git_repository *repo, const git_oid *oid)
{
	git_commit *c = NULL;
	char hex[GIT_OID_HEXSZ + 1];

	git_oid_tostr(hex, sizeof(hex), oid);
	free(f->commit);
	f->commit = xstrdup(hex);
	if (git_commit_lookup(&c, repo, oid) == 0) {
		const char *summary = git_commit_summary(c);
		set_signature(f, git_commit_author(c));
		free(f->message);
		f->message = xstrdup(summary ? summary : "");
		git_commit_free(c);
	}
}

/* A tag message finding: the tagger, the tag's first line, and the commit
 * the tag points to (the tag object's id if it points to no commit). */
static void set_tag(struct finding *f, git_repository *repo, const git_oid *oid)
{
	git_tag *t = NULL;
	git_object *peeled = NULL;
	char hex[GIT_OID_HEXSZ + 1];

	git_oid_tostr(hex, sizeof(hex), oid);
	free(f->commit);
	f->commit = NULL;
	if (git_tag_lookup(&t, repo, oid) == 0) {
		const char *msg = git_tag_message(t);
		size_t n = msg ? strcspn(msg, "\n") : 0;
		set_signature(f, git_tag_tagger(t));
		free(f->message);
		f->message = xstrndup(msg ? msg : "", n);
		if (git_tag_peel(&peeled, t) == 0 && git_object_type(peeled) == GIT_OBJECT_COMMIT)
			git_oid_tostr(hex, sizeof(hex), git_object_id(peeled));
		git_object_free(peeled);
		git_tag_free(t);
	}
	f->commit = xstrdup(hex);
}

/* ---- interned paths ---------------------------------------------------------- */

void git_paths_init(struct git_paths *p)
{
	memset(p, 0, sizeof(*p));
}

void git_paths_release(struct git_paths *p)
{
	size_t i;

	for (i = 0; i < p->nchunks; i++)
		free(p->chunks[i]);
	free(p->chunks);
	free(p->v);
	free(p->slots);
	memset(p, 0, sizeof(*p));
}

static uint64_t hash_str(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return h;
}

static void paths_rehash(struct git_paths *p)
{
	size_t n = p->nslots ? p->nslots * 2 : 1024, i;

	free(p->slots);
	p->slots = xcalloc(n, sizeof(uint32_t));
	p->nslots = n;
	for (i = 0; i < p->n; i++) {
		size_t s = hash_str(p->v[i], strlen(p->v[i])) & (n - 1);
		while (p->slots[s])
			s = (s + 1) & (n - 1);
		p->slots[s] = (uint32_t)i + 1;
	}
}

uint32_t git_paths_intern(struct git_paths *p, const char *path, size_t len)
{
	size_t s;
	char *copy;

	if ((p->n + 1) * 2 > p->nslots)
		paths_rehash(p);
	s = hash_str(path, len) & (p->nslots - 1);
	while (p->slots[s]) {
		const char *q = p->v[p->slots[s] - 1];
		if (!strncmp(q, path, len) && !q[len])
			return p->slots[s] - 1;
		s = (s + 1) & (p->nslots - 1);
	}
	if (p->arena_used + len + 1 > p->arena_cap) { /* a new chunk; old ones stay */
		void *v = p->chunks;
		p->arena_cap = len + 1 > 65536 ? len + 1 : 65536;
		p->arena = xmalloc(p->arena_cap);
		p->arena_used = 0;
		xgrow(&v, &p->capchunks, p->nchunks + 1, sizeof(char *));
		p->chunks = v;
		p->chunks[p->nchunks++] = p->arena;
	}
	copy = p->arena + p->arena_used;
	memcpy(copy, path, len);
	copy[len] = '\0';
	p->arena_used += len + 1;
	{
		void *v = p->v;
		xgrow(&v, &p->cap, p->n + 1, sizeof(char *));
		p->v = v;
	}
	p->v[p->n] = copy;
	p->slots[s] = (uint32_t)p->n + 1;
	return (uint32_t)p->n++;
}

/* ---- worker side ------------------------------------------------------------ */

static void *local_new(void *payload, struct err *err)
{
	struct walk *wk = payload;
	struct git_local *l = xcalloc(1, sizeof(*l));

	if (git_lib_open(&l->repo, git_repository_path(wk->repo),
				    GIT_REPOSITORY_OPEN_NO_SEARCH) < 0 ||
	    git_repository_odb(&l->odb, l->repo) < 0 || !(l->pack = pack_scratch_new())) {
		err_from_git(err, -1, "opening the repository for a worker");
		git_odb_free(l->odb);
		git_repository_free(l->repo);
		free(l);
		return NULL;
	}
	return l;
}

static void local_free(void *p)
{
	struct git_local *l = p;

	pack_scratch_free(l->pack);
	git_odb_free(l->odb);
	git_repository_free(l->repo);
	free(l);
}

static void item_free(void *p)
{
	free(p);
}

static const char *item_name(void *p)
{
	struct git_item *it = p;

	return it->kind == ITEM_BLOB ? it->path : NULL;
}

static int is_lfs_pointer(const unsigned char *data, size_t size)
{
	return size >= 40 && size < 1024 &&
	       !memcmp(data, "version https://git-lfs.github.com/spec/", 40);
}

static void defer_lfs(struct walk *wk, const git_oid *oid)
{
	void *v;

	pthread_mutex_lock(&wk->lock);
	v = wk->deferred;
	xgrow(&v, &wk->capdeferred, wk->ndeferred + 1, sizeof(*wk->deferred));
	wk->deferred = v;
	git_oid_cpy(&wk->deferred[wk->ndeferred].oid, oid);
	wk->ndeferred++;
	pthread_mutex_unlock(&wk->lock);
}

/* One object is held whole in memory while it is scanned, so every object
 * read has a size limit, checked from its header before anything is
 * allocated: a hostile repository can declare (or build from a tiny delta)
 * objects of any size. Blobs: --max-file-size if given, else GIT_BLOB_MAX;
 * trees, commits and tags: GIT_META_MAX. Nothing over a limit is skipped
 * silently. */
#define GIT_BLOB_MAX ((uint64_t)2 << 30)
#define GIT_META_MAX ((uint64_t)256 << 20)

static uint64_t blob_limit(const struct walk *wk)
{
	return wk->o->max_file_size ? wk->o->max_file_size : GIT_BLOB_MAX;
}

/* Reports a blob over the limit: a skip the user asked for with
 * --max-file-size, else an error (the scan is incomplete). */
static void over_limit(const struct walk *wk, struct scan_stats *st, const char *path,
		       const git_oid *oid, uint64_t size)
{
	char hex[GIT_OID_HEXSZ + 1];

	git_oid_tostr(hex, sizeof(hex), oid);
	st->skipped_size++;
	if (wk->o->max_file_size)
		stats_problem(st, path, 0, 0, "skipped: blob %s is %llu bytes, over --max-file-size",
			      hex, (unsigned long long)size);
	else
		stats_problem(st, path, KH_ELIMIT, 1,
			      "blob %s is %llu bytes, over the 2 GiB limit for one object: not "
			      "scanned (--max-file-size sets the limit)",
			      hex, (unsigned long long)size);
}

/* A damaged pack entry (git_pack.h) is reported here, never handed to
 * libgit2. Returns 1 when oid is damaged. */
static int damaged(const struct walk *wk, struct scan_stats *st, const git_oid *oid,
		   const char *what, const char *path)
{
	char hex[GIT_OID_HEXSZ + 1];

	if (!packs_damaged(wk->packs, oid))
		return 0;
	git_oid_tostr(hex, sizeof(hex), oid);
	stats_problem(st, path && *path ? path : NULL, KH_EGIT, 1,
		      "cannot read %s %s: its entry in the pack file is damaged", what, hex);
	return 1;
}

/* Reads blob oid through libgit2 if its header says it fits the limit.
 * Returns 0 with *obj set, 1 when it is over the limit (*size set), or <0
 * with err. */
static int read_blob(git_odb_object **obj, uint64_t *size, git_odb *odb, const git_oid *oid,
		     uint64_t limit, struct err *err)
{
	char hex[GIT_OID_HEXSZ + 1];
	/* (libgit2 1.5 can return success from a damaged pack entry without
	 * setting these: start from values that say so; it can also hand back
	 * an uninitialised size, which at worst makes the blob "too large" or
	 * its read fail: both are reported) */
	git_object_t type = GIT_OBJECT_INVALID;
	size_t len = 0;
	int rc;

	*obj = NULL;
	git_oid_tostr(hex, sizeof(hex), oid);
	if ((rc = git_odb_read_header(&len, &type, odb, oid)) < 0)
		return err_from_git(err, rc, "cannot read blob %s", hex);
	if (type == GIT_OBJECT_INVALID)
		return err_set(err, KH_EGIT, "cannot read blob %s: its header is damaged", hex);
	if (type != GIT_OBJECT_BLOB)
		return err_set(err, KH_EGIT, "object %s is not a blob", hex);
	*size = len;
	if (len > limit)
		return 1;
	if ((rc = git_odb_read(obj, odb, oid)) < 0)
		return err_from_git(err, rc, "cannot read blob %s", hex);
	return 0;
}

/* Scans one blob's bytes; findings get the blob id. */
static int scan_blob(struct worker *w, struct walk *wk, const git_oid *oid,
		     const unsigned char *data, size_t size, const char *path, struct err *err)
{
	size_t first = w->findings.n, i;
	char hex[GIT_OID_HEXSZ + 1];
	int rc;

	atomic_fetch_add(&wk->done_blobs, 1);
	atomic_fetch_add(&wk->done_bytes, size);
	git_oid_tostr(hex, sizeof(hex), oid);
	if (is_lfs_pointer(data, size)) {
		if (path)
			w->stats.skipped_lfs++;
		else
			defer_lfs(wk, oid);
	}
	if (!path) { /* a pack blob: its path is known after the walk */
		char label[64];
		snprintf(label, sizeof(label), "(blob %.12s)", hex);
		rc = scan_memory(w, data, size, label, err);
	} else {
		rc = scan_memory(w, data, size, path, err);
	}
	for (i = first; i < w->findings.n; i++)
		w->findings.v[i].blob = xstrdup(hex);
	return rc;
}

struct family_ctx {
	struct worker *w;
	struct walk *wk;
};

static int on_pack_blob(const git_oid *oid, const unsigned char *data, size_t len, void *payload)
{
	struct family_ctx *x = payload;
	struct err err = {0, ""};

	if (scan_blob(x->w, x->wk, oid, data, len, NULL, &err) < 0) {
		char hex[GIT_OID_HEXSZ + 1];
		git_oid_tostr(hex, sizeof(hex), oid);
		stats_problem(&x->w->stats, NULL, err.code, 1, "blob %s: %s", hex, err.msg);
	}
	return kh_interrupted;
}

static int process(struct worker *w, void *p, void *payload, struct err *err)
{
	struct git_item *it = p;
	struct walk *wk = payload;
	struct git_local *l = w->local;
	size_t i;
	int rc = 0;

	if (it->kind == ITEM_FAMILIES) {
		struct family_ctx x = {w, wk};
		for (i = it->first; i < it->last && !kh_interrupted; i++)
			packs_family_run(wk->packs, i, l->pack, on_pack_blob, &x);
	} else {
		git_odb_object *obj = NULL;
		uint64_t size = 0;
		if (damaged(wk, &w->stats, &it->oid, "blob", it->path)) {
			atomic_fetch_add(&wk->done_items, 1);
			return 0;
		}
		rc = read_blob(&obj, &size, l->odb, &it->oid, blob_limit(wk), err);
		if (rc == 1) {
			over_limit(wk, &w->stats, it->path, &it->oid, size);
			rc = 0;
		} else if (rc == 0) {
			w->stats.blobs_scanned++;
			rc = scan_blob(w, wk, &it->oid, git_odb_object_data(obj),
				       git_odb_object_size(obj), it->path, err);
		}
		git_odb_object_free(obj);
	}
	atomic_fetch_add(&wk->done_items, 1);
	return rc;
}

/* ---- progress ------------------------------------------------------------------ */

static void progress(struct walk *wk, int final)
{
	double t = clock_seconds(), rate, el;
	unsigned long long done = atomic_load(&wk->done_blobs);
	unsigned long long bytes = atomic_load(&wk->done_bytes);
	unsigned long long total = packs_nclaimed(wk->packs) + wk->queued_blobs;

	if (!wk->o->progress || (!final && t - wk->last_progress < 0.25))
		return;
	wk->last_progress = t;
	el = t - wk->started > 0.001 ? t - wk->started : 0.001;
	rate = (double)bytes / (1024.0 * 1024.0) / el;
	if (done > total)
		total = done;
	if (!final && done > 0 && done < total)
		fprintf(stderr, "\rkeyhound: blobs %llu/%llu, %.1f MB/s, ETA %.0f s   ", done, total,
			rate, el * (double)(total - done) / (double)done);
	else
		fprintf(stderr, "\rkeyhound: blobs %llu/%llu, %.1f MB/s          ", done, total, rate);
	if (final)
		fputc('\n', stderr);
	fflush(stderr);
}

static void push(struct walk *wk, struct git_item *it)
{
	wk->pushed++;
	pipeline_push(wk->p, it);
	progress(wk, 0);
}

/* ---- the walk ----------------------------------------------------------------- */

/* Scans a commit or tag message on this thread (they are small) and
 * fills the commit fields of its findings. */
static void scan_message(struct walk *wk, const git_oid *oid, const char *text,
			 const char *label, int is_tag)
{
	struct content c;
	struct err err = {0, ""};
	size_t first = wk->msgs.n, i;

	if (!text || !*text || !wk->msg_scratch)
		return;
	content_whole(&c, text, strlen(text), label);
	wk->stats->bytes_scanned += c.len; /* this thread's, like the walk's stats */
	scan_content(wk->rs, wk->msg_scratch, &c, &wk->msgs, wk->stats, &err);
	for (i = first; i < wk->msgs.n; i++) {
		if (is_tag)
			set_tag(&wk->msgs.v[i], wk->repo, oid);
		else
			source_git_set_commit(&wk->msgs.v[i], wk->repo, oid);
	}
}

/* Notes a reachable blob; queues it when the packs do not hold it.
 * Returns its index. */
static uint32_t add_blob(struct walk *wk, const git_oid *oid, const char *path, size_t len)
{
	struct git_history *h = &wk->h;
	uint32_t idx = (uint32_t)h->blobs.n, existing;

	if (!oidset_add(&h->blobs, oid, idx, &existing))
		return existing;
	{
		void *v = h->blob_path;
		xgrow(&v, &h->capblob, idx + 1, sizeof(uint32_t));
		h->blob_path = v;
	}
	h->blob_path[idx] = git_paths_intern(&h->paths, path, len);
	if (!packs_claimed(wk->packs, oid, NULL)) {
		struct git_item *it = xcalloc(1, sizeof(*it));
		it->kind = ITEM_BLOB;
		git_oid_cpy(&it->oid, oid);
		it->path = h->paths.v[h->blob_path[idx]];
		wk->queued_blobs++;
		push(wk, it);
	}
	return idx;
}

static void introduce(struct walk *wk, uint32_t commit, const git_oid *oid, const char *path,
		      size_t len)
{
	struct git_history *h = &wk->h;
	uint32_t b = add_blob(wk, oid, path, len);
	void *v = h->intro;

	xgrow(&v, &h->capintro, h->nintro + 1, sizeof(*h->intro));
	h->intro = v;
	h->intro[h->nintro].blob = b;
	h->intro[h->nintro].commit = commit;
	h->intro[h->nintro].path = git_paths_intern(&h->paths, path, len);
	h->nintro++;
}

/* libgit2's message for its last error; some failures leave it empty. */
static const char *git_reason(const git_error *e)
{
	return e && e->message && *e->message ? e->message : "the object is missing or damaged";
}

/* why: a parse problem, or NULL for libgit2's last error. */
static void tree_problem(struct walk *wk, const git_oid *oid, const char *path, const char *why)
{
	char hex[GIT_OID_HEXSZ + 1];
	const git_error *e = git_error_last();

	if (!why)
		why = git_reason(e);
	git_oid_tostr(hex, sizeof(hex), oid);
	stats_problem(wk->stats, path && *path ? path : NULL, KH_EGIT, 1, "cannot read tree %s: %s",
		      hex, why);
}

/* Is commit, tag or tree oid over GIT_META_MAX? Then it is reported and not
 * read. Packed objects' sizes come from the pack index (git_pack.h), loose
 * ones' from their header. A missing object is not reported here (the read
 * that follows says why); blobs have their own limit (blob_limit). */
static int meta_fits(struct walk *wk, const git_oid *oid, uint64_t *size)
{
	git_object_t type = GIT_OBJECT_ANY;
	size_t len;

	if (packs_damaged(wk->packs, oid))
		return 0; /* reported where it was met first */

	if (!packs_meta_size(wk->packs, oid, size)) {
		if (git_odb_read_header(&len, &type, wk->odb, oid) < 0 || type == GIT_OBJECT_BLOB)
			return 1;
		*size = len;
	}
	return *size <= GIT_META_MAX;
}

static int meta_too_big(struct walk *wk, const git_oid *oid, const char *what, const char *path)
{
	char hex[GIT_OID_HEXSZ + 1];
	uint64_t size = 0;

	if (damaged(wk, wk->stats, oid, what, path))
		return 1;
	if (meta_fits(wk, oid, &size))
		return 0;
	git_oid_tostr(hex, sizeof(hex), oid);
	stats_problem(wk->stats, path && *path ? path : NULL, KH_ELIMIT, 1,
		      "%s %s is %llu bytes, over the 256 MiB limit: not read", what, hex,
		      (unsigned long long)size);
	return 1;
}

/* Trees nest one directory per level; git itself refuses paths deeper than
 * a few thousand levels. Deeper trees (a hostile repository) would exhaust
 * the stack: they are reported, and not descended. */
#define MAX_TREE_DEPTH 4096

static int too_deep(struct walk *wk, unsigned depth, const struct buf *path)
{
	if (depth < MAX_TREE_DEPTH)
		return 0;
	stats_problem(wk->stats, NULL, KH_ELIMIT, 1,
		      "tree nested deeper than %d levels (under '%.200s'): not scanned",
		      MAX_TREE_DEPTH, path->data);
	return 1;
}

static int is_blob_entry(const git_tree_entry *e)
{
	return git_tree_entry_type(e) == GIT_OBJECT_BLOB &&
	       git_tree_entry_filemode(e) != GIT_FILEMODE_COMMIT;
}

/* Lists what tree `oid` (at path->data) holds that none of the parents'
 * trees ptree[0..np) (NULL: absent) holds at the same path. Both sides are
 * walked in git's entry order at once (a merge join), so each entry costs
 * one comparison per parent. */
static void diff_tree(struct walk *wk, uint32_t commit, const git_oid *oid,
		      const git_oid *const *ptree, size_t np, struct buf *path, unsigned depth)
{
	struct raw_tree t, tstack[4], *pt = np <= 4 ? tstack : xcalloc(np, sizeof(*pt));
	size_t cstack[4], *cur = np <= 4 ? cstack : xcalloc(np, sizeof(*cur));
	git_oid ostack[4], *subid = np <= 4 ? ostack : xcalloc(np, sizeof(*subid));
	const git_oid *sstack[4], **sub = np <= 4 ? sstack : xcalloc(np, sizeof(*sub));
	size_t i, k, plen = path->len;
	const char *why = NULL;
	uint64_t psize;

	raw_tree_init(&t);
	for (k = 0; k < np; k++) {
		raw_tree_init(&pt[k]);
		cur[k] = 0;
	}
	if (too_deep(wk, depth, path) || meta_too_big(wk, oid, "tree", path->data))
		goto out;
	if (raw_tree_read(&t, wk->odb, oid, &why) < 0) {
		tree_problem(wk, oid, path->data, why);
		goto out;
	}
	for (k = 0; k < np; k++) /* a parent's problems were reported at that commit */
		if (ptree[k] && (!meta_fits(wk, ptree[k], &psize) ||
				 raw_tree_read(&pt[k], wk->odb, ptree[k], &why) < 0))
			pt[k].n = 0;
	for (i = 0; i < t.n && !kh_interrupted; i++) {
		const struct raw_entry *e = &t.v[i];
		git_oid id;
		int same = 0;

		if (e->kind == RAW_OTHER) /* a submodule's commit: not in this repository */
			continue;
		git_oid_fromraw(&id, e->id);
		for (k = 0; k < np; k++) {
			int c = 1;
			sub[k] = NULL;
			while (cur[k] < pt[k].n && (c = raw_entry_cmp(&pt[k].v[cur[k]], e)) < 0)
				cur[k]++;
			if (cur[k] >= pt[k].n || c != 0 || pt[k].v[cur[k]].kind != e->kind)
				continue;
			if (!memcmp(pt[k].v[cur[k]].id, e->id, GIT_OID_RAWSZ))
				same = 1;
			git_oid_fromraw(&subid[k], pt[k].v[cur[k]].id);
			sub[k] = &subid[k];
		}
		if (same)
			continue;
		safepath_add_name(path, e->name, e->namelen);
		if (e->kind == RAW_BLOB) {
			introduce(wk, commit, &id, path->data, path->len);
		} else {
			buf_addch(path, '/');
			diff_tree(wk, commit, &id, sub, np, path, depth + 1);
		}
		path->len = plen;
		path->data[plen] = '\0';
	}
out:
	for (k = 0; k < np; k++)
		raw_tree_release(&pt[k]);
	raw_tree_release(&t);
	if (pt != tstack) {
		free(pt);
		free(cur);
		free(subid);
		free(sub);
	}
}

/* Every blob of a tree a ref points to directly (no commit introduces it). */
static void walk_tree(struct walk *wk, const git_oid *oid, struct buf *path, unsigned depth)
{
	git_tree *t = NULL;
	size_t i, n, plen = path->len;

	if (!oidset_add(&wk->trees, oid, 0, NULL) || kh_interrupted || too_deep(wk, depth, path))
		return;
	if (git_tree_lookup(&t, wk->repo, oid) < 0) {
		tree_problem(wk, oid, path->data, NULL);
		return;
	}
	n = git_tree_entrycount(t);
	for (i = 0; i < n; i++) {
		const git_tree_entry *e = git_tree_entry_byindex(t, i);
		safepath_add_name(path, git_tree_entry_name(e), strlen(git_tree_entry_name(e)));
		if (is_blob_entry(e)) {
			add_blob(wk, git_tree_entry_id(e), path->data, path->len);
		} else if (git_tree_entry_type(e) == GIT_OBJECT_TREE) {
			buf_addch(path, '/');
			walk_tree(wk, git_tree_entry_id(e), path, depth + 1);
		}
		path->len = plen;
		path->data[plen] = '\0';
	}
	git_tree_free(t);
}

uint32_t git_graph_add(struct git_graph *g, const git_oid *oid)
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

struct stack {
	uint32_t *v;
	size_t n, cap;
};

static void stack_push(struct stack *s, uint32_t x)
{
	void *v = s->v;

	xgrow(&v, &s->cap, s->n + 1, sizeof(uint32_t));
	s->v = v;
	s->v[s->n++] = x;
}

/* Loads commit idx: its tree, parents (queued), message (scanned). */
static void load_commit(struct walk *wk, uint32_t idx, struct stack *todo)
{
	struct git_graph *g = &wk->h.g;
	git_commit *c = NULL;
	git_oid oid = g->v[idx].oid;
	char hex[GIT_OID_HEXSZ + 1], label[64];
	unsigned i, np;

	g->v[idx].time = 0;
	g->v[idx].first_parent = (uint32_t)g->np;
	if (meta_too_big(wk, &oid, "commit", NULL))
		return;
	if (git_commit_lookup(&c, wk->repo, &oid) < 0) {
		const git_error *e = git_error_last();
		git_oid_tostr(hex, sizeof(hex), &oid);
		if (oidset_get(&wk->shallow, &oid, NULL) || git_repository_is_shallow(wk->repo))
			wk->stats->shallow = 1; /* beyond the boundary: not in this clone */
		else
			stats_problem(wk->stats, NULL, KH_EGIT, 1, "cannot read commit %s: %s", hex,
				      git_reason(e));
		return;
	}
	wk->stats->commits_scanned++;
	git_oid_cpy(&g->v[idx].tree, git_commit_tree_id(c));
	g->v[idx].time = (int64_t)git_commit_time(c);
	np = git_commit_parentcount(c);
	/* a shallow commit's parents are not in this repository: it is a root */
	if (oidset_get(&wk->shallow, &oid, NULL))
		np = 0;
	g->v[idx].nparents = np;
	for (i = 0; i < np; i++) {
		void *v = g->parents;
		uint32_t pidx = git_graph_add(g, git_commit_parent_id(c, i));
		xgrow(&v, &g->capp, g->np + 1, sizeof(uint32_t));
		g->parents = v;
		g->parents[g->np++] = pidx;
		if (g->v[pidx].time == -1) {
			g->v[pidx].time = -2; /* queued */
			stack_push(todo, pidx);
		}
	}
	git_oid_tostr(hex, 13, &oid);
	snprintf(label, sizeof(label), "(commit %s message)", hex);
	scan_message(wk, &oid, git_commit_message(c), label, 0);
	git_commit_free(c);
}

/* A start point: peels tags (scanning their messages) down to a commit,
 * tree or blob. */
static void add_start(struct walk *wk, const git_oid *oid, const char *refname,
		      struct stack *todo)
{
	git_object *obj = NULL;
	git_oid cur = *oid;
	int depth;

	for (depth = 0; depth < 32; depth++) {
		if (meta_too_big(wk, &cur, "object", refname))
			return;
		if (git_object_lookup(&obj, wk->repo, &cur, GIT_OBJECT_ANY) < 0) {
			char hex[GIT_OID_HEXSZ + 1];
			const git_error *e = git_error_last();
			git_oid_tostr(hex, sizeof(hex), &cur);
			stats_problem(wk->stats, refname, KH_EGIT, 1, "cannot read object %s: %s", hex,
				      git_reason(e));
			return;
		}
		switch (git_object_type(obj)) {
		case GIT_OBJECT_TAG: {
			git_tag *tag = (git_tag *)obj;
			if (oidset_add(&wk->tags, &cur, 0, NULL)) {
				char label[512];
				snprintf(label, sizeof(label), "(tag %s message)", git_tag_name(tag));
				scan_message(wk, &cur, git_tag_message(tag), label, 1);
			}
			git_oid_cpy(&cur, git_tag_target_id(tag));
			git_object_free(obj);
			continue;
		}
		case GIT_OBJECT_COMMIT: {
			uint32_t idx = git_graph_add(&wk->h.g, &cur);
			if (wk->h.g.v[idx].time == -1) {
				wk->h.g.v[idx].time = -2;
				stack_push(todo, idx);
			}
			break;
		}
		case GIT_OBJECT_TREE: {
			struct buf path;
			buf_init(&path, 0);
			walk_tree(wk, &cur, &path, 0);
			buf_release(&path);
			break;
		}
		case GIT_OBJECT_BLOB: {
			char label[512];
			snprintf(label, sizeof(label), "(%s)", refname ? refname : "blob");
			add_blob(wk, &cur, label, strlen(label));
			break;
		}
		default:
			break;
		}
		git_object_free(obj);
		return;
	}
}

size_t source_git_read_shallow(git_repository *repo, struct oidset *out)
{
	const char *dir = git_repository_commondir(repo);
	size_t n = strlen(dir) + 16, count = 0;
	char *path = xmalloc(n), line[128];
	FILE *f;

	snprintf(path, n, "%s/shallow", dir);
	f = fopen(path, "r");
	free(path);
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		git_oid oid;
		line[strcspn(line, "\r\n")] = '\0';
		if (git_oid_fromstr(&oid, line) == 0) {
			oidset_add(out, &oid, 0, NULL);
			count++;
		}
	}
	fclose(f);
	return count;
}

struct odb_collect {
	struct walk *wk;
	git_odb *odb;
	git_oid *commits;      /* and annotated tags: start points */
	size_t n, cap;
};

static int collect_object(const git_oid *oid, void *payload)
{
	struct odb_collect *c = payload;
	struct walk *wk = c->wk;
	size_t len;
	git_object_t type;

	if (packs_claimed(wk->packs, oid, NULL)) /* a packed blob */
		return kh_interrupted;
	if (git_odb_read_header(&len, &type, c->odb, oid) < 0)
		return kh_interrupted; /* found unreadable when (if) reached */
	if (type == GIT_OBJECT_COMMIT || type == GIT_OBJECT_TAG) {
		void *v = c->commits;
		xgrow(&v, &c->cap, c->n + 1, sizeof(git_oid));
		c->commits = v;
		git_oid_cpy(&c->commits[c->n++], oid);
	} else if (type == GIT_OBJECT_BLOB) {
		void *v = wk->loose_blobs;
		xgrow(&v, &wk->caploose, wk->nloose + 1, sizeof(git_oid));
		wk->loose_blobs = v;
		git_oid_cpy(&wk->loose_blobs[wk->nloose++], oid);
	}
	return kh_interrupted;
}

/* Queues the pack families, a few MB of compressed data per item. */
static void push_families(struct walk *wk)
{
	size_t n = packs_nfamilies(wk->packs), i, first = 0;
	uint64_t total = 0, acc = 0, target;

	for (i = 0; i < n; i++)
		total += packs_family_weight(wk->packs, i);
	target = total / 256;
	if (target < (256u << 10)) /* at most 257 items */
		target = 256u << 10;
	for (i = 0; i < n; i++) {
		acc += packs_family_weight(wk->packs, i);
		if (acc >= target || i + 1 == n) {
			struct git_item *it = xcalloc(1, sizeof(*it));
			it->kind = ITEM_FAMILIES;
			it->first = first;
			it->last = i + 1;
			push(wk, it);
			first = i + 1;
			acc = 0;
		}
	}
}

/* Every stash entry, not only the newest (refs/stash): the older ones live
 * in its reflog (stash@{1}, ...), and they are stashes all the same. */
static void add_stash_entries(struct walk *wk, struct stack *todo)
{
	git_reflog *log = NULL;
	size_t i, n;

	if (git_reflog_read(&log, wk->repo, "refs/stash") < 0)
		return;
	n = git_reflog_entrycount(log);
	for (i = 1; i < n; i++) {
		const git_reflog_entry *e = git_reflog_entry_byindex(log, i);
		char name[64];
		snprintf(name, sizeof(name), "refs/stash@{%zu}", i);
		if (e && !git_oid_is_zero(git_reflog_entry_id_new(e)))
			add_start(wk, git_reflog_entry_id_new(e), name, todo);
	}
	git_reflog_free(log);
}

/* The HEADs of the other worktrees of this repository (each may be on a
 * commit no branch holds), and of the main one when scanning from a linked
 * worktree: git's `--all` takes them all. */
static void add_worktree_heads(struct walk *wk, struct stack *todo)
{
	git_strarray names = {NULL, 0};
	git_repository *main = NULL;
	git_oid head;
	size_t i;

	if (git_repository_is_worktree(wk->repo) &&
	    git_lib_open(&main, git_repository_commondir(wk->repo),
				    GIT_REPOSITORY_OPEN_NO_SEARCH) == 0) {
		if (git_reference_name_to_id(&head, main, "HEAD") == 0)
			add_start(wk, &head, "HEAD (main worktree)", todo);
	}
	if (git_worktree_list(&names, main ? main : wk->repo) < 0)
		names.count = 0;
	for (i = 0; i < names.count; i++) {
		git_worktree *wt = NULL;
		git_repository *r = NULL;
		char label[256];
		if (git_worktree_lookup(&wt, main ? main : wk->repo, names.strings[i]) == 0 &&
		    git_repository_open_from_worktree(&r, wt) == 0 &&
		    git_reference_name_to_id(&head, r, "HEAD") == 0) {
			snprintf(label, sizeof(label), "HEAD (worktree %s)", names.strings[i]);
			add_start(wk, &head, label, todo);
		}
		git_repository_free(r);
		git_worktree_free(wt);
	}
	git_strarray_dispose(&names);
	git_repository_free(main);
}

static void enumerate(struct walk *wk)
{
	git_reference_iterator *it = NULL;
	git_reference *ref;
	struct stack todo = {NULL, 0, 0};
	struct odb_collect all;
	struct buf path;
	uint32_t *order;
	size_t i;

	memset(&all, 0, sizeof(all));
	all.wk = wk;
	if (source_git_read_shallow(wk->repo, &wk->shallow))
		wk->stats->shallow = 1;
	if (git_reference_iterator_new(&it, wk->repo) == 0) {
		int rc;
		while ((rc = git_reference_next(&ref, it)) != GIT_ITEROVER) {
			git_reference *res = NULL;
			if (rc < 0) {
				/* an unreadable or malformed ref: what it points to may
				 * hold history no other ref reaches */
				const git_error *e = git_error_last();
				stats_problem(wk->stats, NULL, KH_EGIT, 1, "cannot read a ref: %s",
					      git_reason(e));
				if (kh_interrupted || ++wk->bad_refs > 1000)
					break;
				continue;
			}
			if (git_reference_resolve(&res, ref) == 0) {
				add_start(wk, git_reference_target(res), git_reference_name(ref), &todo);
				git_reference_free(res);
			} else if (git_reference_type(ref) == GIT_REFERENCE_DIRECT) {
				const git_error *e = git_error_last();
				stats_problem(wk->stats, git_reference_name(ref), KH_EGIT, 1,
					      "cannot resolve the ref: %s", git_reason(e));
			} /* a symbolic ref to a branch that is gone (origin/HEAD): nothing there */
			git_reference_free(ref);
		}
		git_reference_iterator_free(it);
	} else {
		const git_error *e = git_error_last();
		stats_problem(wk->stats, NULL, KH_EGIT, 1, "cannot list the refs: %s", git_reason(e));
	}
	{
		git_oid head;
		if (git_reference_name_to_id(&head, wk->repo, "HEAD") == 0)
			add_start(wk, &head, "HEAD", &todo);
	}
	add_stash_entries(wk, &todo);
	add_worktree_heads(wk, &todo);
	if (wk->o->all_objects && git_repository_odb(&all.odb, wk->repo) == 0) {
		git_odb_foreach(all.odb, collect_object, &all);
		for (i = 0; i < all.n; i++)
			add_start(wk, &all.commits[i], NULL, &todo);
		git_odb_free(all.odb);
	}
	/* the commit graph (messages are queued as commits load) */
	while (todo.n && !kh_interrupted)
		load_commit(wk, todo.v[--todo.n], &todo);
	/* oldest first: each commit against its parents */
	order = source_git_topo_order(&wk->h.g);
	buf_init(&path, 0);
	for (i = 0; i < wk->h.g.n && !kh_interrupted; i++) {
		const struct git_graph *g = &wk->h.g;
		const struct git_node *c = &g->v[order[i]];
		const git_oid *pstack[4], **pt;
		uint32_t k, np = c->nparents;
		int same = 0;

		if (git_oid_is_zero(&c->tree))
			continue;
		pt = np <= 4 ? pstack : xcalloc(np, sizeof(*pt));
		for (k = 0; k < np; k++) {
			const struct git_node *p = &g->v[g->parents[c->first_parent + k]];
			pt[k] = git_oid_is_zero(&p->tree) ? NULL : &p->tree;
			if (pt[k] && git_oid_equal(pt[k], &c->tree))
				same = 1;
		}
		if (!same)
			diff_tree(wk, order[i], &c->tree, pt, np, &path, 0);
		if (pt != pstack)
			free(pt);
		progress(wk, 0);
	}
	buf_release(&path);
	free(order);
	/* --all-objects: loose blobs no commit reaches (packed ones were
	 * scanned with their pack) */
	for (i = 0; i < wk->nloose && !kh_interrupted; i++) {
		char label[64], hex[GIT_OID_HEXSZ + 1];
		if (oidset_get(&wk->h.blobs, &wk->loose_blobs[i], NULL))
			continue;
		git_oid_tostr(hex, 13, &wk->loose_blobs[i]);
		snprintf(label, sizeof(label), "(unreachable blob %s)", hex);
		add_blob(wk, &wk->loose_blobs[i], label, strlen(label));
	}
	free(all.commits);
	free(todo.v);
}

/* ---- after the scan -------------------------------------------------------------- */

struct settle {
	struct walk *wk;
	struct oidset drop;       /* scanned, but not reachable */
	git_oid *failed;          /* reachable, the pack reader could not build */
	size_t nfailed, capfailed;
};

static int wanted(const struct walk *wk, const git_oid *oid)
{
	return wk->o->all_objects || oidset_get(&wk->h.blobs, oid, NULL);
}

static void settle_one(const git_oid *oid, enum pack_status st, void *payload)
{
	struct settle *s = payload;

	if (!wanted(s->wk, oid)) {
		if (st == PACK_DONE)
			oidset_add(&s->drop, oid, 0, NULL);
	} else if (st == PACK_DONE) {
		s->wk->stats->blobs_scanned++;
	} else {
		void *v = s->failed;
		xgrow(&v, &s->capfailed, s->nfailed + 1, sizeof(git_oid));
		s->failed = v;
		git_oid_cpy(&s->failed[s->nfailed++], oid);
	}
}

static const char *blob_label(const struct walk *wk, const git_oid *oid, char *buf, size_t n)
{
	uint32_t idx;
	char hex[GIT_OID_HEXSZ + 1];

	if (oidset_get(&wk->h.blobs, oid, &idx))
		return wk->h.paths.v[wk->h.blob_path[idx]];
	git_oid_tostr(hex, 13, oid);
	snprintf(buf, n, "(unreachable blob %s)", hex);
	return buf;
}

/* Pack blobs: count what was reachable, drop findings of what was not,
 * retry through libgit2 what the pack reader could not build, and report
 * the skips that were deferred until paths were known. */
static void settle_packs(struct walk *wk, struct finding_list *out)
{
	struct settle s;
	size_t i, j;
	char lb[64];

	memset(&s, 0, sizeof(s));
	s.wk = wk;
	oidset_init(&s.drop);
	packs_foreach_claimed(wk->packs, settle_one, &s);
	for (i = 0; i < wk->ndeferred; i++)
		if (wanted(wk, &wk->deferred[i].oid))
			wk->stats->skipped_lfs++;
	if (s.drop.n) {
		for (i = j = 0; i < out->n; i++) {
			git_oid oid;
			if (out->v[i].blob && git_oid_fromstr(&oid, out->v[i].blob) == 0 &&
			    oidset_get(&s.drop, &oid, NULL))
				finding_release(&out->v[i]);
			else
				out->v[j++] = out->v[i];
		}
		out->n = j;
	}
	if (s.nfailed) {
		struct scan_scratch *sc = scan_scratch_new(wk->rs);
		git_odb *odb = NULL;
		git_repository_odb(&odb, wk->repo);
		for (i = 0; i < s.nfailed; i++) {
			git_odb_object *obj = NULL;
			char hex[GIT_OID_HEXSZ + 1];
			const char *path = blob_label(wk, &s.failed[i], lb, sizeof(lb));
			size_t first = out->n;
			uint64_t size = 0;
			struct err e = {0, ""};
			int rc;
			git_oid_tostr(hex, sizeof(hex), &s.failed[i]);
			if (!odb) {
				stats_problem(wk->stats, path, KH_EGIT, 1, "cannot read blob %s", hex);
				continue;
			}
			if (damaged(wk, wk->stats, &s.failed[i], "blob", path))
				continue;
			if ((rc = read_blob(&obj, &size, odb, &s.failed[i], blob_limit(wk), &e)) == 1) {
				over_limit(wk, wk->stats, path, &s.failed[i], size);
				continue;
			}
			if (rc < 0) {
				stats_problem(wk->stats, path, e.code, 1, "%s", e.msg);
				continue;
			}
			if (sc) {
				struct content c;
				struct err err = {0, ""};
				content_whole(&c, git_odb_object_data(obj), git_odb_object_size(obj), path);
				scan_content(wk->rs, sc, &c, out, wk->stats, &err);
				wk->stats->bytes_scanned += git_odb_object_size(obj);
			}
			wk->stats->blobs_scanned++;
			for (j = first; j < out->n; j++)
				out->v[j].blob = xstrdup(hex);
			git_odb_object_free(obj);
		}
		git_odb_free(odb);
		scan_scratch_free(sc);
	}
	free(s.failed);
	oidset_release(&s.drop);
}

/* Range mode lives in source_git_range.c. */
int source_git_range(const struct source_git_opts *o, git_repository *repo,
		     const struct rule_set *rs, struct finding_list *out,
		     struct scan_stats *stats, struct err *err);

static void history_release(struct git_history *h)
{
	free(h->g.v);
	free(h->g.parents);
	oidset_release(&h->g.index);
	oidset_release(&h->blobs);
	free(h->blob_path);
	git_paths_release(&h->paths);
	free(h->intro);
}

int source_git_run(const struct source_git_opts *o, const struct rule_set *rs,
		   struct finding_list *out, struct scan_stats *stats, struct err *err)
{
	struct walk wk;
	struct pipeline_opts po;
	int rc;

	memset(&wk, 0, sizeof(wk));
	wk.o = o;
	wk.rs = rs;
	wk.stats = stats;
	if ((rc = source_git_open(&wk.repo, o->repo_path, err)) < 0)
		return rc;
	if (o->range) {
		rc = source_git_range(o, wk.repo, rs, out, stats, err);
		git_repository_free(wk.repo);
		return rc;
	}
	/* Caching parsed trees (each is read about twice: as a commit's and as
	 * its child's parent's) costs more memory than the time it saves; pack
	 * files stay mapped (page cache, shared with the kernel). */
	git_libgit2_opts(GIT_OPT_SET_CACHE_OBJECT_LIMIT, GIT_OBJECT_TREE, (size_t)0);
	/* (Strict hash verification is off for every mode: git_lib.c.) */
	git_libgit2_opts(GIT_OPT_SET_CACHE_MAX_SIZE, (ssize_t)32 << 20);
	oidset_init(&wk.trees);
	oidset_init(&wk.tags);
	oidset_init(&wk.shallow);
	oidset_init(&wk.h.g.index);
	oidset_init(&wk.h.blobs);
	git_paths_init(&wk.h.paths);
	pthread_mutex_init(&wk.lock, NULL);
	atomic_init(&wk.done_items, 0);
	atomic_init(&wk.done_blobs, 0);
	atomic_init(&wk.done_bytes, 0);
	wk.started = clock_seconds();
	finding_list_init(&wk.msgs);
	wk.msg_scratch = scan_scratch_new(rs);
	if ((rc = git_repository_odb(&wk.odb, wk.repo)) < 0) {
		rc = err_from_git(err, rc, "opening the object database");
		goto out;
	}
	{
		size_t n = strlen(git_repository_commondir(wk.repo)) + 16;
		char *objects = xmalloc(n);
		snprintf(objects, n, "%sobjects", git_repository_commondir(wk.repo));
		rc = packs_open(&wk.packs, objects, o->all_objects, blob_limit(&wk), err);
		free(objects);
		if (rc < 0)
			goto out;
	}
	memset(&po, 0, sizeof(po));
	po.threads = o->threads;
	po.queue_len = 1024 + 512; /* the family items (<= 512) never block the walk */
	po.rs = rs;
	po.process = process;
	po.item_free = item_free;
	po.item_name = item_name;
	po.local_new = local_new;
	po.local_free = local_free;
	po.payload = &wk;
	if ((rc = pipeline_new(&wk.p, &po, err)) == 0) {
		push_families(&wk);
		enumerate(&wk);
		/* let the progress line move while the workers finish */
		while (wk.o->progress && !kh_interrupted &&
		       atomic_load(&wk.done_items) + 2 * (size_t)o->threads < wk.pushed) {
			struct timespec ts = {0, 100 * 1000 * 1000};
			nanosleep(&ts, NULL);
			progress(&wk, 0);
		}
		pipeline_finish(wk.p, out, stats);
		progress(&wk, 1);
		settle_packs(&wk, out);
		finding_list_move(out, &wk.msgs);
		source_git_attribute(wk.repo, &wk.h, rs, out, stats);
	}
out:
	finding_list_release(&wk.msgs);
	scan_scratch_free(wk.msg_scratch);
	git_odb_free(wk.odb);
	packs_free(wk.packs);
	free(wk.deferred);
	free(wk.loose_blobs);
	pthread_mutex_destroy(&wk.lock);
	history_release(&wk.h);
	oidset_release(&wk.trees);
	oidset_release(&wk.tags);
	oidset_release(&wk.shallow);
	git_repository_free(wk.repo);
	return rc;
}
