/* git_pack.c - the blobs of pack files, by delta family (see git_pack.h).
 *
 * Formats (git's Documentation/gitformat-pack.txt): an .idx v2 file is
 * "\377tOc", version 2, a 256-entry fan-out table, N sorted object names,
 * N CRC32s, N 4-byte offsets (high bit set: index into a table of 8-byte
 * offsets), then checksums. A .pack holds "PACK", version, N, then N objects:
 * a type-and-size header, for an OFS_DELTA a negative offset to its base, for
 * a REF_DELTA the base's name, then zlib data. The compressed data of an
 * object ends where the next object (in offset order) begins.
 *
 * Inflates with libdeflate when built with KH_HAVE_LIBDEFLATE (whole-buffer
 * inflate, about twice zlib's speed), else with zlib, which libgit2 already
 * depends on.
 */
#include <dirent.h>
#include <limits.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#ifdef KH_HAVE_LIBDEFLATE
#include <libdeflate.h>
#endif
#include "git_pack.h"
#include "xalloc.h"

#define NONE UINT32_MAX
#define SMALL_STREAM 4096 /* bytes out: zlib is faster below (see inflate_zlib) */
#define OBJ_COMMIT 1
#define OBJ_TREE 2
#define OBJ_BLOB 3
#define OBJ_TAG 4
#define OBJ_OFS_DELTA 6
#define OBJ_REF_DELTA 7

struct pack {
	int fd;
	uint64_t size;              /* of the .pack file */
	unsigned char *idx;         /* the whole .idx file, owned */
	size_t idx_len;
	uint32_t n;                 /* objects */
	const unsigned char *names; /* n * 20 bytes, inside idx */
};

/* One blob (or a blob's delta base, which is a blob too) of some pack. */
struct entry {
	uint64_t off, end;   /* object header start; end of its compressed data */
	uint64_t size;       /* size from the header: object or delta data */
	uint32_t pack;
	uint32_t pos;        /* index in the pack's name table */
	uint32_t parent;     /* delta base entry, or NONE for a full object */
	uint32_t child, sibling;
	uint8_t hdrlen;      /* bytes before the zlib data */
	uint8_t claimed;     /* this copy is the one that is scanned */
	uint8_t want;        /* claimed, or the base of something wanted */
	volatile uint8_t status; /* enum pack_status, written by one worker */
};

struct packs {
	struct pack *p;
	size_t np;
	struct entry *e;
	size_t ne, cape;
	uint32_t *fam;       /* roots of families with wanted members */
	size_t nfam, capfam;
	struct oidset claimed; /* blob oid -> entry */
	uint64_t max_object;   /* larger objects are not built (left to the caller) */
	struct oidset meta;    /* commit, tree and tag oid -> index in meta_size */
	uint64_t *meta_size;   /* declared size (a delta's: what it builds) */
	size_t nmeta, capmeta;
	struct oidset corrupt; /* objects whose pack entry header does not parse */
	struct oidset good;    /* objects with a parsable copy (corrupt ones only) */
};

struct frame {
	uint32_t e;
	unsigned char *buf;
	size_t len;
	uint32_t next; /* next child to visit */
};

struct pack_scratch {
	unsigned char *in, *delta;
	size_t incap, deltacap;
	struct frame *st;
	size_t nst, capst;
#ifdef KH_HAVE_LIBDEFLATE
	struct libdeflate_decompressor *d;
#endif
};

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int read_all(const char *path, unsigned char **out, size_t *len)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t got = 0;

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || st.st_size < 8 + 1024) {
		close(fd);
		return -1;
	}
	*len = (size_t)st.st_size;
	*out = xmalloc(*len);
	while (got < *len) {
		ssize_t r = pread(fd, *out + got, *len - got, (off_t)got);
		if (r <= 0) {
			if (r < 0 && errno == EINTR)
				continue;
			free(*out);
			close(fd);
			return -1;
		}
		got += (size_t)r;
	}
	close(fd);
	return 0;
}

uint32_t pack_idx_lookup(const unsigned char *idx, const unsigned char *name)
{
	const unsigned char *fan = idx + 8, *names = idx + 8 + 1024;
	uint32_t lo = name[0] ? be32(fan + 4 * (name[0] - 1)) : 0, hi = be32(fan + 4 * name[0]);

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		int c = memcmp(names + 20 * (size_t)mid, name, 20);
		if (!c)
			return mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NONE;
}

int pack_idx_check(const unsigned char *idx, size_t len, uint32_t *n)
{
	uint32_t i, prev = 0;

	if (len < 8 + 1024 + 40 || memcmp(idx, "\377tOc", 4) || be32(idx + 4) != 2)
		return -1;
	for (i = 0; i < 256; i++) { /* a fan-out that goes down sends lookups astray */
		uint32_t f = be32(idx + 8 + 4 * i);
		if (f < prev)
			return -1;
		prev = f;
	}
	if ((uint64_t)prev * 28 > SIZE_MAX / 2 || len < 8 + 1024 + (size_t)prev * 28 + 40)
		return -1;
	*n = prev;
	return 0;
}

int pack_idx_offset(const unsigned char *idx, size_t len, uint32_t n, uint32_t pos, uint64_t *off)
{
	const unsigned char *o32 = idx + 8 + 1024 + 24 * (size_t)n;
	uint32_t o = be32(o32 + 4 * (size_t)pos);

	if (o & 0x80000000u) { /* an index into the table of large offsets */
		size_t at = 8 + 1024 + 28 * (size_t)n + 8 * (size_t)(o & 0x7fffffffu);
		if (at + 8 > len - 40)
			return -1;
		*off = (uint64_t)be32(idx + at) << 32 | be32(idx + at + 4);
	} else {
		*off = o;
	}
	return 0;
}

int pack_header_check(const unsigned char *hdr, uint32_t n)
{
	if (memcmp(hdr, "PACK", 4) || (be32(hdr + 4) != 2 && be32(hdr + 4) != 3) ||
	    be32(hdr + 8) != n)
		return -1;
	return 0;
}

/* The pack offset of index position pos; one the index cannot hold reads
 * as the end of the pack, where its entry is then found damaged. */
static uint64_t idx_offset(const struct pack *p, uint32_t pos)
{
	uint64_t off;

	return pack_idx_offset(p->idx, p->idx_len, p->n, pos, &off) == 0 ? off : p->size;
}

/* Loads an .idx v2 and checks its .pack header; 0 or -1 (pack skipped). */
static int pack_load(struct pack *p, const char *idx_path, const char *pack_path)
{
	unsigned char hdr[12];
	struct stat st;

	memset(p, 0, sizeof(*p));
	p->fd = -1;
	if (read_all(idx_path, &p->idx, &p->idx_len) < 0)
		return -1;
	if (pack_idx_check(p->idx, p->idx_len, &p->n) < 0)
		goto fail;
	p->names = p->idx + 8 + 1024;
	if ((p->fd = open(pack_path, O_RDONLY | O_CLOEXEC)) < 0 || fstat(p->fd, &st) < 0 ||
	    pread(p->fd, hdr, 12, 0) != 12 || pack_header_check(hdr, p->n) < 0)
		goto fail;
	p->size = (uint64_t)st.st_size;
	return 0;
fail:
	if (p->fd >= 0)
		close(p->fd);
	free(p->idx);
	memset(p, 0, sizeof(*p));
	p->fd = -1;
	return -1;
}

/* ---- indexing one pack ----------------------------------------------------- */

struct byoff {
	uint64_t off;
	uint32_t pos;
};

static int cmp_byoff(const void *a, const void *b)
{
	const struct byoff *x = a, *y = b;

	return x->off < y->off ? -1 : x->off > y->off;
}

/* A sequential reader over the pack for parsing headers. */
struct seq {
	int fd;
	unsigned char *buf;
	uint64_t start; /* file offset of buf[0] */
	size_t len;
};

static const unsigned char *seq_at(struct seq *s, uint64_t off, size_t want)
{
	if (off < s->start || off + want > s->start + s->len) {
		ssize_t r = pread(s->fd, s->buf, 1 << 16, (off_t)off);
		s->start = off;
		s->len = r > 0 ? (size_t)r : 0;
	}
	if (off + want > s->start + s->len)
		want = (size_t)(s->start + s->len - off);
	return want ? s->buf + (off - s->start) : NULL;
}

/* Parses an object header at off (avail bytes readable). Fills type, size,
 * header length, and for deltas the base offset or base name. 0 or -1. */
int pack_parse_header(const unsigned char *h, size_t avail, uint64_t off, int *type,
			uint64_t *size, unsigned *hdrlen, uint64_t *base_off,
			const unsigned char **base_name)
{
	size_t i = 0;
	unsigned shift = 4;
	unsigned char c;

	if (!avail)
		return -1;
	c = h[i++];
	*type = (c >> 4) & 7;
	*size = c & 15;
	while (c & 0x80) {
		if (i >= avail || shift > 57)
			return -1;
		c = h[i++];
		*size |= (uint64_t)(c & 0x7f) << shift;
		shift += 7;
	}
	if (*type == OBJ_OFS_DELTA) {
		uint64_t ofs;
		if (i >= avail)
			return -1;
		c = h[i++];
		ofs = c & 0x7f;
		while (c & 0x80) {
			if (i >= avail || ofs >> 56)
				return -1;
			c = h[i++];
			ofs = ((ofs + 1) << 7) | (c & 0x7f);
		}
		if (!ofs || ofs > off)
			return -1;
		*base_off = off - ofs;
	} else if (*type == OBJ_REF_DELTA) {
		if (i + 20 > avail)
			return -1;
		*base_name = h + i;
		i += 20;
	} else if (*type < OBJ_COMMIT || *type > OBJ_TAG) {
		return -1;
	}
	*hdrlen = (unsigned)i;
	return 0;
}

static uint32_t rank_of(const struct byoff *o, uint32_t n, uint64_t off)
{
	uint32_t lo = 0, hi = n;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (o[mid].off == off)
			return mid;
		if (o[mid].off < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NONE;
}

static int delta_varint(const unsigned char **p, const unsigned char *end, uint64_t *v);

/* The size a delta builds: the second number in its header, which is in
 * the first bytes of its zlib data. 0 or -1. */
static int delta_result_size(const struct pack *p, const struct entry *e, uint64_t *out)
{
	unsigned char in[256], head[32];
	uint64_t start = e->off + e->hdrlen, avail = e->end - start;
	const unsigned char *q = head, *qe;
	uint64_t src;
	z_stream z;
	ssize_t got;
	int rc;

	got = pread(p->fd, in, avail < sizeof(in) ? (size_t)avail : sizeof(in), (off_t)start);
	if (got <= 0)
		return -1;
	memset(&z, 0, sizeof(z));
	if (inflateInit(&z) != Z_OK)
		return -1;
	z.next_in = in;
	z.avail_in = (uInt)got;
	z.next_out = head;
	z.avail_out = sizeof(head);
	rc = inflate(&z, Z_SYNC_FLUSH);
	qe = head + (sizeof(head) - z.avail_out);
	inflateEnd(&z);
	if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR)
		return -1;
	return delta_varint(&q, qe, &src) < 0 || delta_varint(&q, qe, out) < 0 ? -1 : 0;
}

/* Records the declared size of every commit, tree and tag of the pack, so
 * that the history walk can refuse an oversized object before libgit2
 * allocates it (packs_meta_size). */
static void meta_sizes(struct packs *ps, const struct pack *p, const struct entry *tmp,
		       const uint8_t *type, const uint32_t *base)
{
	uint32_t r;

	for (r = 0; r < p->n; r++) {
		uint64_t size = tmp[r].size;
		git_oid oid;
		if (type[r] != OBJ_COMMIT && type[r] != OBJ_TREE && type[r] != OBJ_TAG)
			continue;
		if (base[r] != NONE && delta_result_size(p, &tmp[r], &size) < 0)
			continue; /* unknown: libgit2 reads it and says what is wrong */
		git_oid_fromraw(&oid, p->names + 20 * (size_t)tmp[r].pos);
		if (!oidset_add(&ps->meta, &oid, (uint32_t)ps->nmeta, NULL))
			continue;
		{
			void *v = ps->meta_size;
			xgrow(&v, &ps->capmeta, ps->nmeta + 1, sizeof(uint64_t));
			ps->meta_size = v;
		}
		ps->meta_size[ps->nmeta++] = size;
	}
}

int packs_damaged(const struct packs *ps, const git_oid *oid)
{
	return ps->corrupt.n && oidset_get(&ps->corrupt, oid, NULL) &&
	       !oidset_get(&ps->good, oid, NULL) && !oidset_get(&ps->claimed, oid, NULL) &&
	       !oidset_get(&ps->meta, oid, NULL);
}

int packs_meta_size(const struct packs *ps, const git_oid *oid, uint64_t *size)
{
	uint32_t i;

	if (!oidset_get(&ps->meta, oid, &i))
		return 0;
	*size = ps->meta_size[i];
	return 1;
}

/* Adds the pack's blob entries to ps. */
static void pack_index(struct packs *ps, uint32_t pi)
{
	struct pack *p = &ps->p[pi];
	struct byoff *o = xmalloc((p->n ? p->n : 1) * sizeof(*o));
	uint8_t *type = xcalloc(p->n ? p->n : 1, 1);  /* resolved type by rank */
	uint32_t *base = xmalloc((p->n ? p->n : 1) * sizeof(uint32_t)); /* base rank */
	uint32_t *ent = xmalloc((p->n ? p->n : 1) * sizeof(uint32_t));  /* rank -> entry */
	struct entry *tmp = xcalloc(p->n ? p->n : 1, sizeof(*tmp));
	uint32_t *path = xmalloc((p->n ? p->n : 1) * sizeof(uint32_t)); /* chain scratch */
	struct seq s = {p->fd, xmalloc(1 << 16), 0, 0};
	uint32_t i, r;

	for (i = 0; i < p->n; i++) {
		o[i].off = idx_offset(p, i);
		o[i].pos = i;
	}
	qsort(o, p->n, sizeof(*o), cmp_byoff);
	for (r = 0; r < p->n; r++) {
		const unsigned char *h = seq_at(&s, o[r].off, 64), *bn = NULL;
		uint64_t size = 0, boff = 0, end = r + 1 < p->n ? o[r + 1].off : p->size - 20;
		unsigned hl = 0;
		int t = 0;

		base[r] = NONE;
		ent[r] = NONE;
		if (!h || end <= o[r].off || end > p->size ||
		    pack_parse_header(h, (size_t)(s.start + s.len - o[r].off), o[r].off, &t, &size, &hl,
				 &boff, &bn) < 0)
		{
			/* a header that does not parse: the object is damaged (a
			 * good copy elsewhere is checked in packs_open) */
			git_oid oid;
			git_oid_fromraw(&oid, p->names + 20 * (size_t)o[r].pos);
			oidset_add(&ps->corrupt, &oid, 0, NULL);
			continue;
		}
		tmp[r].off = o[r].off;
		tmp[r].end = end;
		tmp[r].size = size;
		tmp[r].pos = o[r].pos;
		tmp[r].hdrlen = (uint8_t)hl;
		if (t == OBJ_OFS_DELTA) {
			base[r] = rank_of(o, p->n, boff);
		} else if (t == OBJ_REF_DELTA) {
			uint32_t bpos = pack_idx_lookup(p->idx, bn);
			base[r] = bpos == NONE ? NONE : rank_of(o, p->n, idx_offset(p, bpos));
		} else {
			type[r] = (uint8_t)t;
		}
		if ((t == OBJ_OFS_DELTA || t == OBJ_REF_DELTA) && base[r] == r)
			base[r] = NONE;
		if ((t == OBJ_OFS_DELTA || t == OBJ_REF_DELTA) && base[r] == NONE)
			type[r] = 0xff; /* base elsewhere: libgit2 reads it */
	}
	/* deltas take their base's type: follow each chain down to a typed
	 * object once, then type the whole path (linear however the pack is
	 * ordered; a cycle or a dead end leaves the path untyped) */
	for (r = 0; r < p->n; r++) {
		uint32_t k = r, n = 0, t;
		while (!type[k] && base[k] != NONE && tmp[k].end && n <= p->n) {
			path[n++] = k;
			type[k] = 0xfe; /* on the current path: a cycle stops here */
			k = base[k];
		}
		t = type[k] == 0xfe || type[k] == 0xff ? 0xff : type[k];
		if (!t)
			t = 0xff;
		while (n)
			type[path[--n]] = (uint8_t)t;
	}
	meta_sizes(ps, p, tmp, type, base);
	if (ps->corrupt.n) /* a damaged copy does not matter when a good one exists */
		for (r = 0; r < p->n; r++)
			if (tmp[r].end) {
				git_oid oid;
				git_oid_fromraw(&oid, p->names + 20 * (size_t)tmp[r].pos);
				if (oidset_get(&ps->corrupt, &oid, NULL))
					oidset_add(&ps->good, &oid, 0, NULL);
			}
	for (r = 0; r < p->n; r++) {
		struct entry *e;
		if (type[r] != OBJ_BLOB)
			continue;
		{
			void *v = ps->e;
			xgrow(&v, &ps->cape, ps->ne + 1, sizeof(*ps->e));
			ps->e = v;
		}
		e = &ps->e[ps->ne];
		*e = tmp[r];
		e->pack = pi;
		e->parent = e->child = e->sibling = NONE;
		ent[r] = (uint32_t)ps->ne++;
	}
	/* link each delta to its base; a base that is no usable blob entry
	 * leaves the delta to libgit2 (not claimed, see packs_open) */
	for (r = 0; r < p->n; r++) {
		struct entry *e;
		if (ent[r] == NONE || base[r] == NONE)
			continue;
		e = &ps->e[ent[r]];
		if (ent[base[r]] == NONE) {
			e->parent = ent[r]; /* marks "unbuildable": its own parent */
			continue;
		}
		e->parent = ent[base[r]];
	}
	free(s.buf);
	free(path);
	free(tmp);
	free(ent);
	free(base);
	free(type);
	free(o);
}

static int ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && !strcmp(s + a - b, suffix);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

size_t pack_idx_names(const char *pack_dir, char ***out)
{
	size_t n = 0, cap = 0;
	char **names = NULL;
	struct dirent *de;
	DIR *d = opendir(pack_dir);

	while (d && (de = readdir(d))) {
		void *v = names;
		if (!ends_with(de->d_name, ".idx") || strlen(de->d_name) > 200)
			continue;
		xgrow(&v, &cap, n + 1, sizeof(char *));
		names = v;
		names[n++] = xstrdup(de->d_name);
	}
	if (d)
		closedir(d);
	if (n)
		qsort(names, n, sizeof(char *), cmp_str);
	*out = names;
	return n;
}

/* Links children, marks what is claimed and wanted, lists families. */
static void build_families(struct packs *ps)
{
	size_t i;
	uint32_t k;
	uint32_t *stack = NULL;
	size_t nstack = 0, capstack = 0;
	uint8_t *bad = xcalloc(ps->ne ? ps->ne : 1, 1);

	/* unbuildable entries (own parent) and everything built on them */
	for (i = 0; i < ps->ne; i++)
		if (ps->e[i].parent == i)
			bad[i] = 1;
	for (i = 0; i < ps->ne; i++) {
		struct entry *e = &ps->e[i];
		if (bad[i] || e->parent == NONE)
			continue;
		e->sibling = ps->e[e->parent].child;
		ps->e[e->parent].child = (uint32_t)i;
	}
	/* roots are full objects; a delta chain that loops has no root and is
	 * never reached, so it stays unclaimed */
	for (i = 0; i < ps->ne; i++) {
		if (ps->e[i].parent != NONE)
			continue;
		nstack = 0;
		{
			void *v = stack;
			xgrow(&v, &capstack, 1, sizeof(*stack));
			stack = v;
		}
		stack[nstack++] = (uint32_t)i;
		while (nstack) {
			uint32_t c;
			k = stack[--nstack];
			bad[k] = 2; /* reachable from a root */
			for (c = ps->e[k].child; c != NONE; c = ps->e[c].sibling) {
				void *v = stack;
				xgrow(&v, &capstack, nstack + 1, sizeof(*stack));
				stack = v;
				stack[nstack++] = c;
			}
		}
	}
	oidset_init(&ps->claimed);
	for (i = 0; i < ps->ne; i++) {
		struct entry *e = &ps->e[i];
		git_oid oid;
		if (bad[i] != 2)
			continue;
		git_oid_fromraw(&oid, ps->p[e->pack].names + 20 * (size_t)e->pos);
		if (oidset_add(&ps->claimed, &oid, (uint32_t)i, NULL))
			e->claimed = e->want = 1;
	}
	/* want: claimed, or an ancestor of something claimed. Each claimed
	 * entry marks its chain up to the first entry already wanted, so every
	 * entry is marked once (linear whatever the pack's order). */
	for (i = 0; i < ps->ne; i++) {
		if (!ps->e[i].claimed)
			continue;
		for (k = ps->e[i].parent; k != NONE && bad[k] == 2 && !ps->e[k].want;
		     k = ps->e[k].parent)
			ps->e[k].want = 1;
	}
	for (i = 0; i < ps->ne; i++)
		if (ps->e[i].parent == NONE && ps->e[i].want) {
			void *v = ps->fam;
			xgrow(&v, &ps->capfam, ps->nfam + 1, sizeof(uint32_t));
			ps->fam = v;
			ps->fam[ps->nfam++] = (uint32_t)i;
		}
	free(stack);
	free(bad);
}

int packs_open(struct packs **out, const char *objects_dir, int with_cruft, uint64_t max_object,
	       struct err *err)
{
	struct packs *ps = xcalloc(1, sizeof(*ps));
	size_t dl = strlen(objects_dir), i, nnames;
	char *dir = xmalloc(dl + 8), **names = NULL;

	*out = ps;
	ps->max_object = max_object;
	oidset_init(&ps->meta);
	oidset_init(&ps->corrupt);
	oidset_init(&ps->good);
	snprintf(dir, dl + 8, "%s/pack", objects_dir);
	nnames = pack_idx_names(dir, &names);
	ps->p = xcalloc(nnames ? nnames : 1, sizeof(*ps->p));
	for (i = 0; i < nnames; i++) {
		size_t n = strlen(dir) + strlen(names[i]) + 16;
		char *idx = xmalloc(n), *pack = xmalloc(n), *mt = xmalloc(n);
		struct stat st;
		size_t stem = strlen(names[i]) - 4;
		snprintf(idx, n, "%s/%s", dir, names[i]);
		snprintf(pack, n, "%s/%.*s.pack", dir, (int)stem, names[i]);
		snprintf(mt, n, "%s/%.*s.mtimes", dir, (int)stem, names[i]);
		if ((with_cruft || stat(mt, &st) < 0) && pack_load(&ps->p[ps->np], idx, pack) == 0)
			pack_index(ps, (uint32_t)ps->np++);
		free(idx);
		free(pack);
		free(mt);
		free(names[i]);
	}
	free(names);
	free(dir);
	build_families(ps);
	(void)err;
	return 0;
}

void packs_free(struct packs *ps)
{
	size_t i;

	if (!ps)
		return;
	for (i = 0; i < ps->np; i++) {
		if (ps->p[i].fd >= 0)
			close(ps->p[i].fd);
		free(ps->p[i].idx);
	}
	free(ps->p);
	free(ps->e);
	free(ps->fam);
	oidset_release(&ps->claimed);
	oidset_release(&ps->meta);
	oidset_release(&ps->corrupt);
	oidset_release(&ps->good);
	free(ps->meta_size);
	free(ps);
}

size_t packs_nfamilies(const struct packs *ps)
{
	return ps->nfam;
}

uint64_t packs_family_weight(const struct packs *ps, size_t i)
{
	const struct entry *r = &ps->e[ps->fam[i]];

	return r->end - r->off;
}

size_t packs_nclaimed(const struct packs *ps)
{
	return ps->claimed.n;
}

int packs_claimed(const struct packs *ps, const git_oid *oid, enum pack_status *status)
{
	uint32_t i;

	if (!oidset_get(&ps->claimed, oid, &i))
		return 0;
	if (status)
		*status = (enum pack_status)ps->e[i].status;
	return 1;
}

void packs_foreach_claimed(const struct packs *ps,
			   void (*fn)(const git_oid *oid, enum pack_status st, void *payload),
			   void *payload)
{
	size_t i;

	for (i = 0; i < ps->ne; i++) {
		const struct entry *e = &ps->e[i];
		git_oid oid;
		if (!e->claimed)
			continue;
		git_oid_fromraw(&oid, ps->p[e->pack].names + 20 * (size_t)e->pos);
		fn(&oid, (enum pack_status)e->status, payload);
	}
}

/* ---- building objects ------------------------------------------------------ */

struct pack_scratch *pack_scratch_new(void)
{
	struct pack_scratch *sc = xcalloc(1, sizeof(*sc));

#ifdef KH_HAVE_LIBDEFLATE
	sc->d = libdeflate_alloc_decompressor();
	if (!sc->d) {
		free(sc);
		return NULL;
	}
#endif
	return sc;
}

void pack_scratch_free(struct pack_scratch *sc)
{
	size_t i;

	if (!sc)
		return;
	for (i = 0; i < sc->nst; i++)
		free(sc->st[i].buf);
#ifdef KH_HAVE_LIBDEFLATE
	libdeflate_free_decompressor(sc->d);
#endif
	free(sc->st);
	free(sc->in);
	free(sc->delta);
	free(sc);
}

/* zlib's inflater: the fallback without libdeflate, and the faster one for
 * single small streams (libdeflate builds full decode tables for each). */
static int inflate_zlib(const unsigned char *in, size_t n, unsigned char *out, size_t want)
{
	z_stream z;
	int rc;

	memset(&z, 0, sizeof(z));
	if (inflateInit(&z) != Z_OK)
		return -1;
	z.next_in = (unsigned char *)in;
	z.next_out = out;
	rc = Z_OK;
	/* zlib counts in uInt: feed huge objects in slices */
	while (rc == Z_OK) {
		size_t in_left = n - (size_t)((const unsigned char *)z.next_in - in);
		size_t out_left = want - (size_t)(z.next_out - out);
		z.avail_in = in_left > UINT_MAX ? UINT_MAX : (uInt)in_left;
		z.avail_out = out_left > UINT_MAX ? UINT_MAX : (uInt)out_left;
		rc = inflate(&z, Z_NO_FLUSH);
		if (rc == Z_BUF_ERROR && (z.avail_in || !z.avail_out))
			rc = Z_DATA_ERROR; /* no progress possible: truncated or too big */
	}
	rc = rc == Z_STREAM_END && (size_t)(z.next_out - out) == want ? 0 : -1;
	inflateEnd(&z);
	return rc;
}

/* Decompresses the zlib stream in[0..n) into exactly want bytes of out.
 * 0, or -1 when the stream is corrupt or does not hold exactly want bytes. */
static int inflate_exact(struct pack_scratch *sc, const unsigned char *in, size_t n,
			 unsigned char *out, size_t want)
{
#ifdef KH_HAVE_LIBDEFLATE
	size_t in_used = 0, out_len = 0;

	if (libdeflate_zlib_decompress_ex(sc->d, in, n, out, want, &in_used, &out_len) !=
		    LIBDEFLATE_SUCCESS ||
	    out_len != want)
		return -1;
	return 0;
#else
	(void)sc;
	return inflate_zlib(in, n, out, want);
#endif
}

/* One object at a time (git_odb_pack.c): most are small deltas, whose
 * streams zlib inflates faster. (A history scan's families, inflated by
 * the thousand, keep libdeflate: a trial with zlib there was no faster.) */
int pack_inflate(struct pack_scratch *sc, const unsigned char *in, size_t n, unsigned char *out,
		 size_t want)
{
	if (want < SMALL_STREAM)
		return inflate_zlib(in, n, out, want);
	return inflate_exact(sc, in, n, out, want);
}

/* Inflates entry e's data into out (exactly e->size bytes). 0 or -1. */
static int inflate_entry(const struct packs *ps, const struct entry *e, struct pack_scratch *sc,
			 unsigned char *out)
{
	const struct pack *p = &ps->p[e->pack];
	uint64_t start = e->off + e->hdrlen, n = e->end - start, got = 0;

	if (e->end < start || n > SIZE_MAX / 2)
		return -1;
	if (n > sc->incap) {
		free(sc->in);
		sc->incap = (size_t)n + (size_t)n / 4 + 64;
		sc->in = xmalloc(sc->incap);
	}
	while (got < n) {
		ssize_t r = pread(p->fd, sc->in + got, (size_t)(n - got), (off_t)(start + got));
		if (r <= 0) {
			if (r < 0 && errno == EINTR)
				continue;
			return -1;
		}
		got += (uint64_t)r;
	}
	return inflate_exact(sc, sc->in, (size_t)n, out, (size_t)e->size);
}

static int delta_varint(const unsigned char **p, const unsigned char *end, uint64_t *v)
{
	unsigned shift = 0;
	unsigned char c;

	*v = 0;
	do {
		if (*p >= end || shift > 63)
			return -1;
		c = *(*p)++;
		*v |= (uint64_t)(c & 0x7f) << shift;
		shift += 7;
	} while (c & 0x80);
	return 0;
}

/* Applies a git delta to base; returns a new buffer (*len set) or NULL. */
unsigned char *pack_apply_delta(const unsigned char *base, size_t base_len,
				const unsigned char *d, size_t dlen, uint64_t max_len, size_t *len)
{
	const unsigned char *p = d, *end = d + dlen;
	uint64_t src, dst;
	unsigned char *out, *o;

	if (delta_varint(&p, end, &src) < 0 || delta_varint(&p, end, &dst) < 0 ||
	    src != base_len || dst > max_len || dst > SIZE_MAX - 1)
		return NULL;
	if (!(out = o = malloc((size_t)dst + 1)))
		return NULL;
	while (p < end) {
		unsigned char op = *p++;
		if (op & 0x80) {
			uint64_t off = 0, sz = 0;
			int i;
			for (i = 0; i < 4; i++)
				if (op & (1u << i)) {
					if (p >= end)
						goto fail;
					off |= (uint64_t)*p++ << (8 * i);
				}
			for (i = 0; i < 3; i++)
				if (op & (0x10u << i)) {
					if (p >= end)
						goto fail;
					sz |= (uint64_t)*p++ << (8 * i);
				}
			if (!sz)
				sz = 0x10000;
			if (off + sz > base_len || sz > dst - (uint64_t)(o - out))
				goto fail;
			memcpy(o, base + off, (size_t)sz);
			o += sz;
		} else if (op) {
			if (op > (size_t)(end - p) || op > dst - (uint64_t)(o - out))
				goto fail;
			memcpy(o, p, op);
			o += op;
			p += op;
		} else {
			goto fail;
		}
	}
	if ((uint64_t)(o - out) != dst)
		goto fail;
	out[dst] = '\0';
	*len = (size_t)dst;
	return out;
fail:
	free(out);
	return NULL;
}

/* Builds entry e from its parent's data (NULL for a full object). Objects
 * (and delta data) over the size limit are not built, and buffers come from
 * malloc, not xmalloc: a hostile header asking for a huge buffer makes the
 * entry fail (and the caller report it) instead of aborting the scan. */
static unsigned char *build(const struct packs *ps, const struct entry *e, struct pack_scratch *sc,
			    const unsigned char *base, size_t base_len, size_t *len)
{
	unsigned char *out;

	if (e->size > ps->max_object || e->size > SIZE_MAX / 2)
		return NULL;
	if (!base) {
		if (!(out = malloc((size_t)e->size + 1)))
			return NULL;
		if (inflate_entry(ps, e, sc, out) < 0) {
			free(out);
			return NULL;
		}
		out[e->size] = '\0';
		*len = (size_t)e->size;
		return out;
	}
	if (e->size > sc->deltacap) {
		free(sc->delta);
		sc->deltacap = 0;
		if (!(sc->delta = malloc((size_t)e->size + 64)))
			return NULL;
		sc->deltacap = (size_t)e->size + 64;
	}
	if (inflate_entry(ps, e, sc, sc->delta) < 0)
		return NULL;
	return pack_apply_delta(base, base_len, sc->delta, (size_t)e->size, ps->max_object, len);
}

static void push_frame(struct pack_scratch *sc, uint32_t e, unsigned char *buf, size_t len,
		       uint32_t first_child)
{
	void *v = sc->st;

	xgrow(&v, &sc->capst, sc->nst + 1, sizeof(*sc->st));
	sc->st = v;
	sc->st[sc->nst].e = e;
	sc->st[sc->nst].buf = buf;
	sc->st[sc->nst].len = len;
	sc->st[sc->nst].next = first_child;
	sc->nst++;
}

/* Marks e and every wanted entry built on it as failed (the caller then
 * reads them through libgit2). Iterative: a hostile pack may chain deltas
 * deeper than the C stack. Uses sc's frame stack past its live frames. */
static void fail_subtree(const struct packs *ps, struct pack_scratch *sc, uint32_t e)
{
	struct entry *v = ((struct packs *)ps)->e;
	size_t base = sc->nst, top = base;

	push_frame(sc, e, NULL, 0, NONE);
	top = sc->nst;
	while (top > base) {
		uint32_t k = sc->st[--top].e, c;
		sc->nst = top;
		if (v[k].claimed)
			v[k].status = PACK_FAILED;
		for (c = v[k].child; c != NONE; c = v[c].sibling)
			if (v[c].want) {
				push_frame(sc, c, NULL, 0, NONE);
				top = sc->nst;
			}
	}
	sc->nst = base;
}

static uint32_t next_wanted(const struct packs *ps, uint32_t c)
{
	while (c != NONE && !ps->e[c].want)
		c = ps->e[c].sibling;
	return c;
}

/* Bytes of delta bases one family run may hold at once (see packs_family_run). */
#define PACK_PATH_BYTES ((size_t)512 << 20)

static int emit(const struct packs *ps, uint32_t e, const unsigned char *data, size_t len,
		pack_blob_fn fn, void *payload)
{
	git_oid oid;

	git_oid_fromraw(&oid, ps->p[ps->e[e].pack].names + 20 * (size_t)ps->e[e].pos);
	return fn(&oid, data, len, payload);
}

int packs_family_run(const struct packs *ps, size_t fi, struct pack_scratch *sc,
		     pack_blob_fn fn, void *payload)
{
	struct entry *v = ((struct packs *)ps)->e;
	uint32_t root = ps->fam[fi];
	unsigned char *buf;
	size_t len = 0, held;
	int stop = 0;

	sc->nst = 0;
	if (!(buf = build(ps, &v[root], sc, NULL, 0, &len))) {
		fail_subtree(ps, sc, root);
		return 0;
	}
	if (v[root].claimed) {
		v[root].status = PACK_DONE;
		stop = emit(ps, root, buf, len, fn, payload);
	}
	held = len;
	push_frame(sc, root, buf, len, next_wanted(ps, v[root].child));
	/* Depth first: a frame's buffer lives while its wanted children are
	 * built, so memory is the buffers on one delta path, at most
	 * PACK_PATH_BYTES plus one object. */
	while (sc->nst) {
		struct frame *f = &sc->st[sc->nst - 1];
		uint32_t c = f->next, kids;
		unsigned char *cb;
		size_t cl = 0;

		if (c == NONE || stop) {
			held -= f->len;
			free(f->buf);
			sc->nst--;
			continue;
		}
		f->next = next_wanted(ps, v[c].sibling);
		cb = build(ps, &v[c], sc, f->buf, f->len, &cl);
		if (f->next == NONE) { /* last child: the parent's data is no longer needed */
			held -= f->len;
			free(f->buf);
			sc->nst--;
		}
		if (!cb) {
			fail_subtree(ps, sc, c);
			continue;
		}
		if (v[c].claimed) {
			v[c].status = PACK_DONE;
			stop = emit(ps, c, cb, cl, fn, payload);
		}
		kids = next_wanted(ps, v[c].child);
		if (kids != NONE && !stop && held + cl > PACK_PATH_BYTES) {
			/* keeping this buffer for its deltas would pass the memory
			 * bound: they are left to the caller (libgit2) */
			uint32_t k;
			for (k = kids; k != NONE; k = next_wanted(ps, v[k].sibling))
				fail_subtree(ps, sc, k);
			kids = NONE;
		}
		if (kids == NONE || stop) {
			free(cb);
			continue;
		}
		held += cl;
		push_frame(sc, c, cb, cl, kids);
	}
	return stop;
}
