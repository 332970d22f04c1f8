/* source_dir.c - the directory walk (see source_dir.h).
 *
 * A directory's entries are read whole, the stream closed, and the walk
 * descends with openat(), keeping the descriptors of the first HOLD_DEPTH
 * levels; below that it holds one at a time, and coming back up reopens ".."
 * and checks it is the same directory (device, inode).
 * The walk is a loop over an explicit stack, not recursion, and builds paths
 * for display in one shared buffer on the heap, so neither PATH_MAX nor the
 * thread's stack limits the depth, and memory grows linearly with it.
 * Decides which files exist and are wanted; never scans bytes. Files are
 * opened by the workers, relative to a shared descriptor of their directory
 * (struct dir_handle), so that one walking thread does not open every file;
 * queued files hold those (at most one per queued file, as the open files
 * they replace did).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <git2.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/syscall.h>
#endif
#include "buf.h"
#include "source_dir.h"
#include "git_lib.h"
#include "xalloc.h"

#ifndef O_NOFOLLOW
#define O_NOFOLLOW 0
#endif
#ifndef O_DIRECTORY
#define O_DIRECTORY 0
#endif
#ifndef O_CLOEXEC
#define O_CLOEXEC 0
#endif

/* A directory some queued files are in: a descriptor of its own (a dup of
 * the walk's), shared by those files and closed by whoever lets go of it
 * last, so that workers open the files relative to the very directory the
 * walk listed (never by path: a component swapped for a symlink meanwhile
 * cannot lead them out of the tree). */
struct dir_handle {
	int fd;
	int refs; /* atomic */
};

static struct dir_handle *handle_hold(struct dir_handle *h)
{
	__atomic_add_fetch(&h->refs, 1, __ATOMIC_RELAXED);
	return h;
}

static void handle_release(struct dir_handle *h)
{
	if (h && __atomic_sub_fetch(&h->refs, 1, __ATOMIC_ACQ_REL) == 0) {
		close(h->fd);
		free(h);
	}
}

/* A file to scan: open already (fd, a file named on the command line), or
 * name in dir, opened by the worker that takes it (which spreads the opens,
 * the walk's largest cost, over the workers). */
struct dir_item {
	int fd;
	struct dir_handle *dir; /* with name; NULL once opened */
	char *name;
	int known_regular;      /* readdir said so: no fstat needed without a size limit */
	char *path;             /* display path */
	char *rel;              /* relative to the config root (allowlists), or NULL */
};

/* What git knows about the tree being walked (NULL repo: not in a repo). */
struct gitview {
	git_repository *repo;
	const char *workdir;    /* with trailing slash */
	char **tracked;         /* sorted index paths */
	size_t ntracked;
	char **submodules;      /* sorted gitlink paths */
	size_t nsubmodules;
};

struct walk {
	const struct source_dir_opts *o;
	struct pipeline *p;
	struct scan_stats *stats;
	struct gitview gv;
	const char *root_given;   /* as the user typed it */
	int root_ignored;         /* the root itself is ignored: named, so all of it is scanned */
	int deep_warned;          /* said that ignore rules stop at MAX_IGNORE_DEPTH */
	int prefix_root;          /* several roots: display paths start with the root */
	char *repo_prefix;        /* root's path relative to the work tree, "" or "a/b/" */
	char *cfg_prefix;         /* walk paths' base relative to o->cfg_root ("" or
				   * "a/b/"); NULL: outside it, allowlists see the
				   * display path */
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int sorted_has(char **v, size_t n, const char *s)
{
	return n && bsearch(&s, v, n, sizeof(char *), cmp_str) != NULL;
}

/* Does any tracked path lie below dir ("a/b/")? */
static int tracked_below(const struct gitview *gv, const char *dir)
{
	size_t lo = 0, hi = gv->ntracked, dl = strlen(dir);

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (strcmp(gv->tracked[mid], dir) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < gv->ntracked && !strncmp(gv->tracked[lo], dir, dl);
}

static void gitview_release(struct gitview *gv)
{
	size_t i;

	for (i = 0; i < gv->ntracked; i++)
		free(gv->tracked[i]);
	for (i = 0; i < gv->nsubmodules; i++)
		free(gv->submodules[i]);
	free(gv->tracked);
	free(gv->submodules);
	git_repository_free(gv->repo);
	memset(gv, 0, sizeof(*gv));
}

/* Opens the repository holding abs (if any) and loads its index paths. An
 * index that cannot be read leaves no repository: then nothing is taken as
 * ignored (tracked files that match .gitignore must not be skipped
 * unseen), and a warning says so. */
static void gitview_open(struct gitview *gv, const char *abs, struct scan_stats *stats)
{
	git_index *idx = NULL;
	size_t i, n;

	memset(gv, 0, sizeof(*gv));
	if (git_lib_open(&gv->repo, abs, 0) < 0 ||
	    git_repository_is_bare(gv->repo)) {
		git_repository_free(gv->repo);
		gv->repo = NULL;
		return;
	}
	gv->workdir = git_repository_workdir(gv->repo);
	if (git_repository_index(&idx, gv->repo) < 0) {
		const git_error *e = git_error_last();
		stats_problem(stats, gv->workdir, 0, 0,
			      "cannot read the git index (%s): .gitignore is not applied here, "
			      "every file is scanned", e && e->message ? e->message : "error");
		git_repository_free(gv->repo);
		gv->repo = NULL;
		return;
	}
	n = git_index_entrycount(idx);
	gv->tracked = xcalloc(n ? n : 1, sizeof(char *));
	gv->submodules = xcalloc(1, sizeof(char *));
	for (i = 0; i < n; i++) {
		const git_index_entry *e = git_index_get_byindex(idx, i);
		if ((e->mode & 0170000) == 0160000) {
			gv->submodules = xrealloc(gv->submodules,
						  (gv->nsubmodules + 1) * sizeof(char *));
			gv->submodules[gv->nsubmodules++] = xstrdup(e->path);
		} else {
			gv->tracked[gv->ntracked++] = xstrdup(e->path);
		}
	}
	git_index_free(idx);
	qsort(gv->tracked, gv->ntracked, sizeof(char *), cmp_str);
	qsort(gv->submodules, gv->nsubmodules, sizeof(char *), cmp_str);
}

char *source_dir_config_root(const char *root)
{
	git_repository *repo = NULL;
	struct stat st;
	char *abs = realpath(root, NULL), *out;

	if (!abs)
		return xstrdup(root);
	if (git_lib_open(&repo, abs, 0) == 0 && !git_repository_is_bare(repo)) {
		const char *wd = git_repository_workdir(repo);
		size_t l = strlen(wd);
		out = xstrndup(wd, l > 1 && wd[l - 1] == '/' ? l - 1 : l);
		git_repository_free(repo);
		free(abs);
		return out;
	}
	git_repository_free(repo);
	if (stat(abs, &st) == 0 && !S_ISDIR(st.st_mode)) {
		char *slash = strrchr(abs, '/');
		if (slash && slash != abs)
			*slash = '\0';
	}
	return abs;
}

/* Ignore rules are looked up only this many directories down: each lookup
 * re-reads the .gitignore of every directory above (libgit2), so in a
 * hostile tree thousands of levels deep the walk would grow with the cube
 * of the depth. Deeper, every file is scanned (and a warning says so). */
#define MAX_IGNORE_DEPTH 64

/* Is rel (relative to the work tree) excluded by git's ignore rules? */
static int ignored(struct walk *wk, const char *rel, int is_dir)
{
	int ign = 0;
	size_t depth = 0;
	const char *q;
	char *p;

	if (!wk->gv.repo || wk->o->no_ignore || wk->root_ignored)
		return 0;
	for (q = rel; (q = strchr(q, '/')); q++)
		depth++;
	if (depth >= MAX_IGNORE_DEPTH) {
		if (!wk->deep_warned) {
			wk->deep_warned = 1;
			stats_problem(wk->stats, NULL, 0, 0,
				      "directories more than %d levels deep: .gitignore is not "
				      "applied there, every file is scanned", MAX_IGNORE_DEPTH);
		}
		return 0;
	}
	if (!is_dir && sorted_has(wk->gv.tracked, wk->gv.ntracked, rel))
		return 0;
	if (is_dir) {
		size_t l = strlen(rel);
		p = xmalloc(l + 2);
		memcpy(p, rel, l);
		p[l] = '/';
		p[l + 1] = '\0';
		if (tracked_below(&wk->gv, p)) {
			free(p);
			return 0;
		}
	} else {
		p = xstrdup(rel);
	}
	if (git_ignore_path_is_ignored(&ign, wk->gv.repo, p) < 0)
		ign = 0;
	free(p);
	return ign;
}

static int push_item(struct walk *wk, struct dir_item *it, const char *display, const char *rel)
{
	it->path = xstrdup(display);
	it->rel = NULL;
	if (rel && wk->cfg_prefix) {
		size_t pl = strlen(wk->cfg_prefix), rl = strlen(rel);
		it->rel = xmalloc(pl + rl + 1);
		memcpy(it->rel, wk->cfg_prefix, pl);
		memcpy(it->rel + pl, rel, rl + 1);
	}
	return pipeline_push(wk->p, it);
}

static int push_file(struct walk *wk, int fd, const char *display, const char *rel)
{
	struct dir_item *it = xcalloc(1, sizeof(*it));

	it->fd = fd;
	return push_item(wk, it, display, rel);
}

/* Opens name (relative to dirfd) as the walk wants it: not through a
 * symlink, a regular file, within max_size (0: any size). Returns the
 * descriptor, or -1 with the file counted or reported in stats. */
static int open_checked(int dirfd, const char *name, const char *display, int known_regular,
			uint64_t max_size, struct scan_stats *stats)
{
	struct stat st;
	int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0) {
		if (errno == ELOOP) {
			pthread_mutex_lock(&stats->lock);
			stats->skipped_symlinks++;
			pthread_mutex_unlock(&stats->lock);
			return -1;
		}
		stats_problem(stats, display, KH_EIO, 1, "cannot open: %s", strerror(errno));
		return -1;
	}
	/* readdir said "regular file": skip the fstat unless a size limit needs
	 * it. Swapping in a FIFO meanwhile is harmless (O_NONBLOCK, reads 0 bytes);
	 * symlinks are refused by O_NOFOLLOW. */
	if (known_regular && !max_size)
		return fd;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		stats_problem(stats, display, 0, 0, "not a regular file: not scanned");
		return -1;
	}
	if (max_size && (uint64_t)st.st_size > max_size) {
		close(fd);
		pthread_mutex_lock(&stats->lock);
		stats->skipped_size++;
		pthread_mutex_unlock(&stats->lock);
		stats_problem(stats, display, 0, 0, "skipped: %llu bytes is over --max-file-size",
			      (unsigned long long)st.st_size);
		return -1;
	}
	/* O_NONBLOCK (which kept a FIFO swapped in from hanging the open) has no
	 * effect on reads of a regular file, so it is left set. */
	return fd;
}

/* Opens name (relative to dirfd) here and queues it. */
static int visit_file(struct walk *wk, int dirfd, const char *name, const char *display,
		      const char *rel, int known_regular)
{
	int fd = open_checked(dirfd, name, display, known_regular, wk->o->max_file_size, wk->stats);

	return fd < 0 ? 0 : push_file(wk, fd, display, rel);
}

/* Queues name, in the directory open at dirfd, to be opened by a worker;
 * *dh: the directory's handle, made on its first file. Without one (no
 * descriptor left to dup), the file is opened here instead. */
static int push_named(struct walk *wk, struct dir_handle **dh, int dirfd, const char *name,
		      const char *display, const char *rel, int known_regular)
{
	struct dir_item *it;

	if (!*dh) {
		int fd = dup(dirfd);
		if (fd < 0)
			return visit_file(wk, dirfd, name, display, rel, known_regular);
		*dh = xmalloc(sizeof(**dh));
		(*dh)->fd = fd;
		(*dh)->refs = 1; /* the walk's, until it leaves the directory */
	}
	it = xcalloc(1, sizeof(*it));
	it->fd = -1;
	it->dir = handle_hold(*dh);
	it->name = xstrdup(name);
	it->known_regular = known_regular;
	return push_item(wk, it, display, rel);
}

struct entry {
	char *name;
	unsigned char type; /* DT_* or DT_UNKNOWN */
};

static int cmp_entry(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->name, ((const struct entry *)b)->name);
}

static void free_entries(struct entry *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i].name);
	free(v);
}

/* Appends entry name (of type, a DT_* value) to v, skipping "." and "..". */
static void entries_add(struct entry **v, size_t *n, size_t *cap, const char *name,
			unsigned char type)
{
	void *p = *v;

	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return;
	xgrow(&p, cap, *n + 1, sizeof(**v));
	*v = p;
	(*v)[*n].name = xstrdup(name);
	(*v)[*n].type = type;
	(*n)++;
}

#if defined(__linux__) && defined(SYS_getdents64)
/* Reads all entries of the directory open at fd (fd stays open, its offset
 * at the end), sorted by name. Linux: getdents64 on fd itself, which saves
 * the dup, fcntl, fstat and close a DIR stream costs per directory. */
static struct entry *read_entries(int fd, size_t *n, int *err_no)
{
	/* the kernel's struct linux_dirent64 */
	struct kdirent {
		uint64_t ino;
		int64_t off;
		unsigned short reclen;
		unsigned char type;
		char name[];
	};
	union {
		char b[32768];
		uint64_t align;
	} buf;
	struct entry *v = NULL;
	size_t cap = 0;
	long got;

	*n = 0;
	*err_no = 0;
	while ((got = syscall(SYS_getdents64, fd, buf.b, sizeof(buf.b))) > 0) {
		long at = 0;
		while (at < got) {
			const struct kdirent *de = (const void *)(buf.b + at);
			if (de->reclen == 0)
				break;
			entries_add(&v, n, &cap, de->name, de->type);
			at += de->reclen;
		}
	}
	if (got < 0) {
		*err_no = errno;
		free_entries(v, *n);
		*n = 0;
		return NULL;
	}
	if (*n)
		qsort(v, *n, sizeof(*v), cmp_entry);
	return v;
}
#else
/* Reads all entries of the directory open at fd (fd stays open), sorted
 * by name. */
static struct entry *read_entries(int fd, size_t *n, int *err_no)
{
	int dfd = dup(fd);
	DIR *d;
	struct dirent *de;
	struct entry *v = NULL;
	size_t cap = 0;

	*n = 0;
	*err_no = 0;
	if (dfd < 0 || !(d = fdopendir(dfd))) {
		*err_no = errno;
		if (dfd >= 0)
			close(dfd);
		return NULL;
	}
	while ((de = readdir(d)))
#ifdef DT_UNKNOWN
		entries_add(&v, n, &cap, de->d_name, de->d_type);
#else
		entries_add(&v, n, &cap, de->d_name, 0);
#endif
	closedir(d);
	if (*n)
		qsort(v, *n, sizeof(*v), cmp_entry);
	return v;
}
#endif


/* One directory on the walk's path: its sorted entries, the next one to
 * visit, its identity (to check the way back up) and the lengths of the
 * shared display and relative paths at this level. */
struct frame {
	struct entry *ents;
	size_t n, next;
	int fd;                /* this directory, or -1 when let go (below HOLD_DEPTH) */
	struct dir_handle *dh; /* this directory's queued files' handle, or NULL */
	dev_t dev;
	ino_t ino;
	size_t dlen, rlen;
};

/* Appends "name" to the display path (with a '/' unless it is empty). */
static void path_push(struct buf *b, const char *name)
{
	if (b->len)
		buf_addch(b, '/');
	buf_adds(b, name);
}

/* The directories the walk keeps open on its way down: the first
 * HOLD_DEPTH levels, so that coming back up costs no path lookup; deeper
 * ones are let go on the way down and reopened through "..". */
#define HOLD_DEPTH 32

/* Reads the entries of the directory open at fd into a new frame on top of
 * the stack (which then owns fd). Returns 0, or -1 (problem recorded; fd
 * still the caller's) when it cannot be read. */
static int frame_push(struct walk *wk, struct frame **stack, size_t *depth, size_t *cap,
		      int fd, const struct buf *disp, const struct buf *rel)
{
	struct frame *fr;
	struct stat self;
	int e;

	memset(&self, 0, sizeof(self));
	/* identity, to check the way back up, of a directory that will be let go */
	if (*depth >= HOLD_DEPTH && fstat(fd, &self) < 0) {
		stats_problem(wk->stats, disp->len ? disp->data : wk->root_given, KH_EIO, 1,
			      "cannot read directory: %s", strerror(errno));
		return -1;
	}
	{
		void *v = *stack;
		xgrow(&v, cap, *depth + 1, sizeof(**stack));
		*stack = v;
	}
	fr = &(*stack)[*depth];
	memset(fr, 0, sizeof(*fr));
	fr->ents = read_entries(fd, &fr->n, &e);
	if (!fr->ents && e) {
		stats_problem(wk->stats, disp->len ? disp->data : wk->root_given, KH_EIO, 1,
			      "cannot read directory: %s", strerror(e));
		return -1;
	}
	fr->fd = fd;
	fr->dev = self.st_dev;
	fr->ino = self.st_ino;
	fr->dlen = disp->len;
	fr->rlen = rel->len;
	(*depth)++;
	return 0;
}

/* Visits one entry of the directory open at fd; disp and rel already hold
 * its display path and its path relative to the work tree. Sets *descend
 * when it is a directory to walk into (opened at *child). */
static int visit_entry(struct walk *wk, int fd, struct dir_handle **dh, const struct entry *ent,
		       const struct buf *disp, const struct buf *rel, int *child)
{
	struct stat st;
	int is_dir, known_regular = 0;

	*child = -1;
	memset(&st, 0, sizeof(st));
#ifdef DT_REG
	/* The entry type from readdir saves a stat per file; visit_file checks
	 * the opened file again with fstat. */
	if (ent->type == DT_REG) {
		st.st_mode = S_IFREG;
		known_regular = 1;
	} else if (ent->type == DT_DIR) {
		st.st_mode = S_IFDIR;
	} else if (ent->type == DT_LNK) {
		st.st_mode = S_IFLNK;
	}
#endif
	if (!st.st_mode && fstatat(fd, ent->name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		stats_problem(wk->stats, disp->data, KH_EIO, 1, "cannot stat: %s", strerror(errno));
		return 0;
	}
	is_dir = S_ISDIR(st.st_mode);
	if (S_ISLNK(st.st_mode)) {
		wk->stats->skipped_symlinks++;
	} else if (wk->gv.repo && is_dir &&
		   sorted_has(wk->gv.submodules, wk->gv.nsubmodules, rel->data)) {
		wk->stats->skipped_submodules++;
		stats_problem(wk->stats, disp->data, 0, 0, "submodule: not scanned (scan it on its own)");
	} else if (ignored(wk, rel->data, is_dir)) {
		/* excluded by .gitignore and not tracked */
	} else if (is_dir) {
		*child = openat(fd, ent->name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (*child < 0)
			stats_problem(wk->stats, disp->data, KH_EIO, 1, "cannot open directory: %s",
				      strerror(errno));
	} else if (S_ISREG(st.st_mode)) {
		return push_named(wk, dh, fd, ent->name, disp->data, rel->data, known_regular);
	} else {
		stats_problem(wk->stats, disp->data, 0, 0, "not a regular file: not scanned");
	}
	return 0;
}

/* The walk below the directory open at *fd (taken over: -1 on return once
 * the walk owns it), without recursion: one stack frame per directory on
 * the current path and one shared path buffer, so memory grows with the
 * depth, not with its square, and a tree deeper than PATH_MAX is walked
 * like any other. The walk descends with openat(); the first HOLD_DEPTH
 * levels keep their descriptors, deeper ones are let go on the way down
 * (so descriptors stay bounded however deep the tree) and reopened on the
 * way up through "..", checked against the device and inode left. display
 * is the root's display path ("" for none), rel its path relative to the
 * work tree. Returns <0 only when interrupted or when the walk cannot find
 * its way back up. */
static int walk_dir(struct walk *wk, int *fd, const char *display, const char *rel)
{
	struct frame *stack = NULL;
	size_t depth = 0, cap = 0;
	struct buf dp, rp;
	int rc = 0;

	buf_init(&dp, 0);
	buf_init(&rp, 0);
	buf_adds(&dp, display);
	buf_adds(&rp, rel);
	if (frame_push(wk, &stack, &depth, &cap, *fd, &dp, &rp) < 0)
		goto out;
	*fd = -1; /* the root's frame has it */
	while (depth && !rc) {
		struct frame *fr = &stack[depth - 1];
		const struct entry *ent;
		int child;

		if (kh_interrupted) {
			rc = KH_EINTR;
			break;
		}
		if (fr->next == fr->n) { /* done here: back up to the parent */
			int cur = fr->fd;
			free_entries(fr->ents, fr->n);
			handle_release(fr->dh);
			depth--;
			if (depth) {
				struct frame *up = &stack[depth - 1];
				struct stat back;
				if (up->fd < 0) { /* let go on the way down */
					up->fd = openat(cur, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
					if (up->fd < 0 || fstat(up->fd, &back) < 0 ||
					    back.st_dev != up->dev || back.st_ino != up->ino) {
						buf_truncate(&dp, up->dlen);
						stats_problem(wk->stats, dp.len ? dp.data : wk->root_given,
							      KH_EIO, 1, "directory changed during the scan");
						rc = KH_EIO;
					}
				}
				buf_truncate(&dp, up->dlen);
				buf_truncate(&rp, up->rlen);
			}
			close(cur);
			continue;
		}
		ent = &fr->ents[fr->next++];
		if (!strcmp(ent->name, ".git"))
			continue;
		buf_truncate(&dp, fr->dlen);
		buf_truncate(&rp, fr->rlen);
		path_push(&dp, ent->name);
		buf_adds(&rp, ent->name);
		rc = visit_entry(wk, fr->fd, &fr->dh, ent, &dp, &rp, &child);
		if (rc || child < 0)
			continue;
		buf_addch(&rp, '/');
		if (frame_push(wk, &stack, &depth, &cap, child, &dp, &rp) < 0) {
			close(child);
			continue;
		}
		fr = &stack[depth - 2]; /* the push may have moved the stack */
		if (depth - 2 >= HOLD_DEPTH) { /* deep: hold one descriptor at a time */
			close(fr->fd);
			fr->fd = -1;
		}
	}
out:
	for (; depth; depth--) { /* stopped early: free what is left */
		struct frame *fr = &stack[depth - 1];
		free_entries(fr->ents, fr->n);
		handle_release(fr->dh);
		if (fr->fd >= 0)
			close(fr->fd);
	}
	free(stack);
	buf_release(&dp);
	buf_release(&rp);
	return rc == KH_EIO ? KH_EIO : rc;
}

/* Where path lies under top (both absolute; trailing slashes ignored): ""
 * when they are the same directory, "sub/dir/" below it, NULL outside. */
static char *rel_prefix(const char *path, const char *top)
{
	size_t pl = strlen(path), tl = strlen(top), off;
	char *out;

	while (pl > 1 && path[pl - 1] == '/')
		pl--;
	while (tl > 1 && top[tl - 1] == '/')
		tl--;
	if (pl < tl || strncmp(path, top, tl))
		return NULL;
	if (pl == tl)
		return xstrdup("");
	if (path[tl] != '/' && tl != 1)
		return NULL;
	off = tl == 1 ? 1 : tl + 1;
	out = xmalloc(pl - off + 2);
	memcpy(out, path + off, pl - off);
	memcpy(out + pl - off, "/", 2);
	return out;
}

/* Sets wk->cfg_prefix for walk paths based at base (an absolute directory):
 * where base lies under the config root, or NULL when it does not. */
static void set_cfg_prefix(struct walk *wk, const char *base)
{
	free(wk->cfg_prefix);
	wk->cfg_prefix = wk->o->cfg_root ? rel_prefix(base, wk->o->cfg_root) : xstrdup("");
}

static int run_root(struct walk *wk, const char *root)
{
	struct stat st;
	char *abs;
	int rc = 0, in_tree;

	if (stat(root, &st) < 0) {
		stats_problem(wk->stats, root, KH_ENOTFOUND, 1, "cannot scan: %s", strerror(errno));
		return 0;
	}
	wk->root_given = root;
	if (!S_ISDIR(st.st_mode)) {
		/* A file named explicitly is scanned even if ignored; allowlists
		 * see its path relative to its config root (the work tree top). */
		const char *slash = strrchr(root, '/'), *base = slash ? slash + 1 : root;
		char *dir = slash ? xstrndup(root, slash == root ? 1 : (size_t)(slash - root))
				  : xstrdup(".");
		char *dabs = realpath(dir, NULL), *fabs = realpath(root, NULL);
		free(wk->cfg_prefix);
		wk->cfg_prefix = NULL;
		if (dabs)
			set_cfg_prefix(wk, dabs);
		/* a symlink named on the command line is the user's choice:
		 * followed, as a named directory is (links inside are not); its
		 * path for allowlists is where the link is */
		rc = visit_file(wk, AT_FDCWD, fabs ? fabs : root, root, base, 0);
		free(fabs);
		free(dabs);
		free(dir);
		return rc;
	}
	abs = realpath(root, NULL);
	gitview_open(&wk->gv, abs ? abs : root, wk->stats);
	free(wk->repo_prefix);
	wk->repo_prefix = wk->gv.repo && abs ? rel_prefix(abs, wk->gv.workdir) : NULL;
	in_tree = wk->repo_prefix != NULL;
	if (!in_tree)
		wk->repo_prefix = xstrdup("");
	/* walk paths are relative to the work tree top when the root is in
	 * one, else to the root */
	set_cfg_prefix(wk, in_tree ? wk->gv.workdir : abs ? abs : root);
	/* A directory named explicitly is scanned even if git ignores it (or
	 * something above it): then everything below it is. */
	wk->root_ignored = 0;
	if (wk->gv.repo && *wk->repo_prefix) {
		char *rel = xstrdup(wk->repo_prefix);
		rel[strlen(rel) - 1] = '\0';
		wk->root_ignored = ignored(wk, rel, 1);
		free(rel);
	}
	{
		int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0) {
			stats_problem(wk->stats, root, KH_EIO, 1, "cannot open directory: %s",
				      strerror(errno));
		} else {
			const char *display = "";
			char *trimmed = NULL;
			if (wk->prefix_root) {
				size_t l = strlen(root);
				while (l > 1 && root[l - 1] == '/')
					l--;
				trimmed = xstrndup(root, l);
				display = trimmed;
			}
			rc = walk_dir(wk, &fd, display, wk->repo_prefix);
			if (fd >= 0)
				close(fd);
			free(trimmed);
		}
	}
	gitview_release(&wk->gv);
	free(abs);
	return rc;
}

int source_dir_run(const struct source_dir_opts *o, struct pipeline *p,
		   struct scan_stats *stats, struct err *err)
{
	struct walk wk;
	size_t i;
	int rc = 0;

	memset(&wk, 0, sizeof(wk));
	wk.o = o;
	wk.p = p;
	wk.stats = stats;
	wk.prefix_root = o->nroots > 1;
	for (i = 0; i < o->nroots && !rc; i++)
		rc = run_root(&wk, o->roots[i]);
	free(wk.repo_prefix);
	free(wk.cfg_prefix);
	if (rc == KH_EINTR)
		return err_set(err, KH_EINTR, "interrupted");
	return 0;
}

/* Magic numbers of archive formats whose contents are not unpacked. */
static int is_archive(const unsigned char *p, size_t n)
{
	return (n >= 4 && !memcmp(p, "PK\x03\x04", 4)) || (n >= 2 && p[0] == 0x1f && p[1] == 0x8b) ||
	       (n >= 6 && !memcmp(p, "7z\xbc\xaf\x27\x1c", 6)) ||
	       (n >= 6 && !memcmp(p, "\xfd" "7zXZ", 5)) || (n >= 3 && !memcmp(p, "BZh", 3)) ||
	       (n >= 4 && !memcmp(p, "\x28\xb5\x2f\xfd", 4)) ||
	       (n >= 262 && !memcmp(p + 257, "ustar", 5));
}

int source_dir_process(struct worker *w, void *item, void *payload, struct err *err)
{
	const struct source_dir_opts *o = payload;
	struct dir_item *it = item;
	size_t n;
	int rc;

	if (it->dir) {
		it->fd = open_checked(it->dir->fd, it->name, it->path, it->known_regular,
				      o->max_file_size, &w->stats);
		handle_release(it->dir);
		it->dir = NULL;
		if (it->fd < 0)
			return 0;
	}
	rc = scan_fd(w, it->fd, SCAN_FD_REGULAR, it->path, it->rel, err);
	if (rc)
		return rc;
	w->stats.files_scanned++;
	n = w->head_len;
	if (is_archive(w->head, n))
		w->stats.skipped_archives++;
	else if (n >= 40 && !memcmp(w->head, "version https://git-lfs.github.com/spec/", 40))
		w->stats.skipped_lfs++;
	else if (memchr(w->head, 0, n))
		w->stats.skipped_binary++;
	return 0;
}

void source_dir_item_free(void *item)
{
	struct dir_item *it = item;

	if (it->fd >= 0)
		close(it->fd);
	handle_release(it->dir);
	free(it->name);
	free(it->path);
	free(it->rel);
	free(it);
}

const char *source_dir_item_name(void *item)
{
	return ((struct dir_item *)item)->path;
}
