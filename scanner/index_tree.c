/* index_tree.c - the index file's cache-tree ("TREE" extension): which
 * directories of the index are known to equal a tree object (see
 * index_tree.h). Reads the index file itself, since libgit2 does not expose
 * the extension; only reads, never writes, never prints. Anything it does not
 * understand (another index version, a damaged extension) gives an empty
 * cache-tree, which only makes the staged scan slower, never wrong.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "buf.h"
#include "index_tree.h"
#include "xalloc.h"

#define OID_LEN 20 /* SHA-1 repositories */

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* git's offset varint (index v4 path compression). Returns bytes used, 0 if bad. */
static size_t varint(const unsigned char *p, const unsigned char *end, size_t *out)
{
	const unsigned char *q = p;
	size_t v;

	if (q >= end)
		return 0;
	v = *q & 127;
	while (*q++ & 128) {
		if (q >= end || v > ((size_t)-1 >> 8))
			return 0;
		v = ((v + 1) << 7) | (*q & 127);
	}
	*out = v;
	return (size_t)(q - p);
}

/* Skips the entries; returns the offset of the first extension, 0 if bad. */
static size_t skip_entries(const unsigned char *d, size_t len, uint32_t version, uint32_t n)
{
	size_t at = 12, prev_len = 0;
	uint32_t i;

	for (i = 0; i < n; i++) {
		size_t fixed = 62, name;
		const unsigned char *nul;
		if (at + fixed > len)
			return 0;
		if (version >= 3 && (d[at + 60] & 0x40))
			fixed += 2; /* extended flags */
		if (at + fixed > len)
			return 0;
		if (version == 4) {
			size_t strip, used = varint(d + at + fixed, d + len, &strip);
			if (!used || strip > prev_len)
				return 0;
			nul = memchr(d + at + fixed + used, 0, len - (at + fixed + used));
			if (!nul)
				return 0;
			name = (size_t)(nul - (d + at + fixed + used));
			prev_len = prev_len - strip + name;
			at = (size_t)(nul - d) + 1;
		} else {
			nul = memchr(d + at + fixed, 0, len - (at + fixed));
			if (!nul)
				return 0;
			name = (size_t)(nul - (d + at + fixed));
			at += (fixed + name + 8) & ~(size_t)7; /* 1 to 8 NULs pad to 8 */
		}
	}
	return at <= len ? at : 0;
}

static void add(struct index_tree *t, const char *path, size_t plen, const unsigned char *oid)
{
	void *v = t->dirs;

	xgrow(&v, &t->cap, t->n + 1, sizeof(*t->dirs));
	t->dirs = v;
	t->dirs[t->n].path = xstrndup(path, plen);
	memcpy(t->dirs[t->n].oid, oid, OID_LEN);
	t->n++;
}

/* Parses one TREE node at *at (path prefix `dir`) and its subtrees. */
static int parse_node(struct index_tree *t, const unsigned char *d, size_t end, size_t *at,
		      struct buf *dir, int depth)
{
	const unsigned char *nul, *nl;
	long entries, subtrees, i;
	size_t keep = dir->len;
	char *num_end;
	char line[64];

	if (depth > 4096 || !(nul = memchr(d + *at, 0, end - *at)))
		return -1;
	if (nul > d + *at) { /* not the root: "parent/name" */
		if (dir->len)
			buf_addch(dir, '/');
		buf_add(dir, d + *at, (size_t)(nul - (d + *at)));
	}
	*at = (size_t)(nul - d) + 1;
	if (!(nl = memchr(d + *at, '\n', end - *at)) || (size_t)(nl - (d + *at)) >= sizeof(line))
		return -1;
	memcpy(line, d + *at, (size_t)(nl - (d + *at)));
	line[nl - (d + *at)] = '\0';
	*at = (size_t)(nl - d) + 1;
	entries = strtol(line, &num_end, 10);
	if (*num_end != ' ')
		return -1;
	subtrees = strtol(num_end + 1, &num_end, 10);
	if (*num_end || subtrees < 0)
		return -1;
	if (entries >= 0) {
		if (*at + OID_LEN > end)
			return -1;
		add(t, dir->data ? dir->data : "", dir->len, d + *at);
		*at += OID_LEN;
	}
	for (i = 0; i < subtrees; i++)
		if (parse_node(t, d, end, at, dir, depth + 1) < 0)
			return -1;
	dir->len = keep;
	if (dir->data)
		dir->data[keep] = '\0';
	return 0;
}

static int cmp_dir(const void *a, const void *b)
{
	return strcmp(((const struct index_tree_dir *)a)->path,
		      ((const struct index_tree_dir *)b)->path);
}

void index_tree_init(struct index_tree *t)
{
	memset(t, 0, sizeof(*t));
}

void index_tree_release(struct index_tree *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->dirs[i].path);
	free(t->dirs);
	memset(t, 0, sizeof(*t));
}

/* The whole file at path in one allocation (NULL if unreadable or empty). */
static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *d = NULL;
	long size;

	*len = 0;
	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0) {
		d = xmalloc((size_t)size);
		*len = fread(d, 1, (size_t)size, f);
	}
	fclose(f);
	return d;
}

void index_tree_read(struct index_tree *t, const char *index_path)
{
	size_t len, at;
	unsigned char *d = slurp(index_path, &len);
	struct buf dir;
	uint32_t version;
	int ok = 0;

	index_tree_init(t);
	buf_init(&dir, 0);
	if (d && len >= 12 + OID_LEN && !memcmp(d, "DIRC", 4) &&
	    (version = be32(d + 4)) >= 2 && version <= 4 &&
	    (at = skip_entries(d, len - OID_LEN, version, be32(d + 8)))) {
		size_t end = len - OID_LEN;
		ok = 1;
		while (ok && at + 8 <= end) {
			uint32_t sz = be32(d + at + 4);
			if (sz > end - at - 8) {
				ok = 0;
				break;
			}
			if (!memcmp(d + at, "TREE", 4)) {
				size_t p = at + 8;
				ok = parse_node(t, d, at + 8 + sz, &p, &dir, 0) == 0;
			}
			at += 8 + sz;
		}
	}
	if (!ok)
		index_tree_release(t);
	else if (t->n > 1)
		qsort(t->dirs, t->n, sizeof(*t->dirs), cmp_dir);
	free(d);
	buf_release(&dir);
}

const unsigned char *index_tree_lookup(const struct index_tree *t, const char *dir)
{
	struct index_tree_dir key;
	const struct index_tree_dir *hit;

	key.path = (char *)dir;
	hit = t->n ? bsearch(&key, t->dirs, t->n, sizeof(*t->dirs), cmp_dir) : NULL;
	return hit ? hit->oid : NULL;
}
