/* git_odb_pack.c - single packed objects read for libgit2 (see git_odb_pack.h).
 *
 * Pack indexes (.idx v2) and packs are mapped read-only; a lookup is the
 * index's fan-out and a binary search; an object is its delta chain walked
 * down to a full object (OFS_DELTA by offset, REF_DELTA by name in the same
 * pack), then inflated and the deltas applied going back up, with
 * git_pack.c's header parser, inflater and delta applier. Every offset and
 * size comes from untrusted files, so each is checked against the mapping
 * before use; anything odd makes the read GIT_PASSTHROUGH, never a guess.
 */
#include <errno.h>
#include <fcntl.h>
#include <git2/sys/odb_backend.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "buf.h"
#include "git_odb_pack.h"
#include "git_pack.h"
#include "xalloc.h"

#define NONE UINT32_MAX
#define MAX_CHAIN 10000              /* git writes chains of at most 4095 */
#define MAX_OBJECT ((uint64_t)1 << 40) /* larger: left to libgit2 */
#define MAX_ALTERNATE_DEPTH 5        /* as git */

struct pk {
	const unsigned char *idx, *pack; /* mapped */
	size_t idx_len, pack_len;
	uint32_t n;                      /* objects */
};

struct odb_packs {
	struct pk *p;
	size_t n, cap;
};

static const unsigned char *map_file(const char *path, size_t *len)
{
	struct stat st;
	void *m;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
	    (uint64_t)st.st_size > SIZE_MAX) {
		close(fd);
		return NULL;
	}
	m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (m == MAP_FAILED)
		return NULL;
	*len = (size_t)st.st_size;
	return m;
}

static void pk_unmap(struct pk *k)
{
	if (k->idx)
		munmap((void *)k->idx, k->idx_len);
	if (k->pack)
		munmap((void *)k->pack, k->pack_len);
	memset(k, 0, sizeof(*k));
}

/* Maps an .idx v2 and its .pack and checks that they agree; 0 or -1. */
static int pk_load(struct pk *k, const char *idx_path, const char *pack_path)
{
	memset(k, 0, sizeof(*k));
	if (!(k->idx = map_file(idx_path, &k->idx_len)) ||
	    pack_idx_check(k->idx, k->idx_len, &k->n) < 0 ||
	    !(k->pack = map_file(pack_path, &k->pack_len)) || k->pack_len < 12 + 20 ||
	    pack_header_check(k->pack, k->n) < 0) {
		pk_unmap(k);
		return -1;
	}
	return 0;
}

/* The pack offset of index position pos, checked to lie before the
 * pack's trailer; 0 or -1. */
static int pk_offset(const struct pk *k, uint32_t pos, uint64_t *off)
{
	if (pack_idx_offset(k->idx, k->idx_len, k->n, pos, off) < 0)
		return -1;
	return *off >= 12 && *off < k->pack_len - 20 ? 0 : -1;
}

struct link {
	uint64_t off, size;
	unsigned hdrlen;
};

/* Builds the object at off of pack k: GIT_PASSTHROUGH on any failure. */
static int pk_build(const struct pk *k, uint64_t off, unsigned char **data, size_t *len,
		    git_object_t *type)
{
	struct link *chain = NULL;
	size_t n = 0, cap = 0;
	unsigned char *buf = NULL, *delta = NULL;
	size_t blen = 0, end = k->pack_len - 20;
	struct pack_scratch *sc = NULL;
	int t = 0, rc = GIT_PASSTHROUGH;
	uint64_t size = 0;
	unsigned hdrlen = 0;

	for (;;) { /* down the chain to a full object */
		uint64_t base_off = 0;
		const unsigned char *base_name = NULL;
		void *v = chain;
		if (off >= end || n > MAX_CHAIN ||
		    pack_parse_header(k->pack + off, end - off, off, &t, &size, &hdrlen, &base_off,
				      &base_name) < 0 ||
		    size > MAX_OBJECT)
			goto out;
		if (t >= GIT_OBJECT_COMMIT && t <= GIT_OBJECT_TAG)
			break;
		xgrow(&v, &cap, n + 1, sizeof(*chain));
		chain = v;
		chain[n].off = off;
		chain[n].size = size;
		chain[n].hdrlen = hdrlen;
		n++;
		if (base_name) { /* REF_DELTA: its base must be in this pack */
			uint32_t pos = pack_idx_lookup(k->idx, base_name);
			if (pos == NONE || pk_offset(k, pos, &off) < 0)
				goto out;
		} else {
			off = base_off;
		}
	}
	if (!(sc = pack_scratch_new()) || !(buf = malloc((size_t)size + 1)) ||
	    pack_inflate(sc, k->pack + off + hdrlen, end - off - hdrlen, buf, (size_t)size) < 0)
		goto out;
	buf[size] = '\0';
	blen = (size_t)size;
	while (n--) { /* back up, applying each delta */
		const struct link *l = &chain[n];
		unsigned char *next;
		size_t nlen = 0;
		if (l->off + l->hdrlen >= end || !(delta = malloc((size_t)l->size + 1)) ||
		    pack_inflate(sc, k->pack + l->off + l->hdrlen, end - l->off - l->hdrlen, delta,
				 (size_t)l->size) < 0 ||
		    !(next = pack_apply_delta(buf, blen, delta, (size_t)l->size, MAX_OBJECT, &nlen)))
			goto out;
		free(delta);
		delta = NULL;
		free(buf);
		buf = next;
		blen = nlen;
	}
	*data = buf;
	*len = blen;
	*type = (git_object_t)t;
	buf = NULL;
	rc = 0;
out:
	free(buf);
	free(delta);
	free(chain);
	pack_scratch_free(sc);
	return rc;
}

int odb_packs_read(struct odb_packs *ps, const git_oid *oid, unsigned char **data, size_t *len,
		   git_object_t *type)
{
	size_t i;
	int rc = GIT_ENOTFOUND;

	for (i = 0; i < ps->n; i++) {
		const struct pk *k = &ps->p[i];
		uint32_t pos = pack_idx_lookup(k->idx, oid->id);
		uint64_t off;
		if (pos == NONE)
			continue;
		if (pk_offset(k, pos, &off) == 0 && pk_build(k, off, data, len, type) == 0)
			return 0;
		rc = GIT_PASSTHROUGH; /* another pack may hold a good copy */
	}
	return rc;
}

static void add_dir(struct odb_packs *ps, const char *objects, int depth);

/* objects/info/alternates: one directory per line, relative ones to
 * objects; comments and C-quoted lines (which libgit2 does not read
 * either) are skipped. */
static void add_alternates(struct odb_packs *ps, const char *objects, int depth)
{
	struct buf path, line;
	FILE *f;
	char tmp[4096];

	if (depth >= MAX_ALTERNATE_DEPTH)
		return;
	buf_init(&path, 0);
	buf_printf(&path, "%s/info/alternates", objects);
	f = fopen(path.data, "re");
	buf_release(&path);
	if (!f)
		return;
	buf_init(&line, 0);
	while (fgets(tmp, sizeof(tmp), f)) {
		size_t l = strlen(tmp);
		while (l && (tmp[l - 1] == '\n' || tmp[l - 1] == '\r'))
			tmp[--l] = '\0';
		if (!l || tmp[0] == '#' || tmp[0] == '"')
			continue;
		buf_truncate(&line, 0);
		if (tmp[0] != '/')
			buf_printf(&line, "%s/", objects);
		buf_adds(&line, tmp);
		add_dir(ps, line.data, depth + 1);
	}
	buf_release(&line);
	fclose(f);
}

static void add_dir(struct odb_packs *ps, const char *objects, int depth)
{
	struct buf dir, idx, pack;
	char **names = NULL;
	size_t i, n;

	buf_init(&dir, 0);
	buf_printf(&dir, "%s/pack", objects);
	buf_init(&idx, 0);
	buf_init(&pack, 0);
	n = pack_idx_names(dir.data, &names);
	for (i = 0; i < n; i++) {
		void *v = ps->p;
		buf_truncate(&idx, 0);
		buf_printf(&idx, "%s/%s", dir.data, names[i]);
		buf_truncate(&pack, 0);
		buf_add(&pack, idx.data, idx.len - 4);
		buf_adds(&pack, ".pack");
		xgrow(&v, &ps->cap, ps->n + 1, sizeof(*ps->p));
		ps->p = v;
		if (pk_load(&ps->p[ps->n], idx.data, pack.data) == 0)
			ps->n++;
		free(names[i]);
	}
	free(names);
	buf_release(&dir);
	buf_release(&idx);
	buf_release(&pack);
	add_alternates(ps, objects, depth);
}

struct odb_packs *odb_packs_open(const char *objects_dir)
{
	struct odb_packs *ps = xcalloc(1, sizeof(*ps));

	add_dir(ps, objects_dir, 0);
	return ps;
}

void odb_packs_free(struct odb_packs *ps)
{
	size_t i;

	if (!ps)
		return;
	for (i = 0; i < ps->n; i++)
		pk_unmap(&ps->p[i]);
	free(ps->p);
	free(ps);
}

/* ---- the libgit2 backend ----------------------------------------------------- */

struct backend {
	git_odb_backend parent; /* first: libgit2 hands back this pointer */
	struct odb_packs *ps;
};

static int backend_read(void **out, size_t *len, git_object_t *type, git_odb_backend *b,
			const git_oid *oid)
{
	struct backend *be = (struct backend *)b;
	unsigned char *data = NULL;
	size_t n = 0;
	int rc = odb_packs_read(be->ps, oid, &data, &n, type);

	if (rc < 0)
		return rc;
	/* libgit2 frees what a backend returns with its own allocator */
	if (!(*out = git_odb_backend_data_alloc(b, n + 1))) {
		free(data);
		return GIT_PASSTHROUGH;
	}
	memcpy(*out, data, n + 1);
	*len = n;
	free(data);
	return 0;
}

static void backend_free(git_odb_backend *b)
{
	struct backend *be = (struct backend *)b;

	odb_packs_free(be->ps);
	free(be);
}

int git_odb_pack_attach(git_repository *repo)
{
	struct backend *be;
	struct buf objects;
	git_odb *odb = NULL;
	int rc;

	/* a repository whose objects live elsewhere: leave it all to libgit2 */
	if (getenv("GIT_OBJECT_DIRECTORY") || git_repository_odb(&odb, repo) < 0)
		return -1;
	be = xcalloc(1, sizeof(*be));
	buf_init(&objects, 0);
	buf_printf(&objects, "%sobjects", git_repository_commondir(repo));
	be->ps = odb_packs_open(objects.data);
	buf_release(&objects);
	if (!be->ps->n || git_odb_init_backend(&be->parent, GIT_ODB_BACKEND_VERSION) < 0) {
		backend_free(&be->parent);
		git_odb_free(odb);
		return -1;
	}
	be->parent.read = backend_read;
	be->parent.free = backend_free;
	/* above libgit2's own packed (1) and loose (2) backends: asked first */
	if ((rc = git_odb_add_backend(odb, &be->parent, 100)) < 0)
		backend_free(&be->parent);
	git_odb_free(odb);
	return rc < 0 ? -1 : 0;
}
