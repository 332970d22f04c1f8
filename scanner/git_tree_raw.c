/* git_tree_raw.c - tree entries parsed in place (see git_tree_raw.h). */
#include <stdlib.h>
#include <string.h>
#include "err.h"
#include "git_tree_raw.h"
#include "xalloc.h"

#define RAW_ID_LEN 20

void raw_tree_init(struct raw_tree *t)
{
	memset(t, 0, sizeof(*t));
}

void raw_tree_release(struct raw_tree *t)
{
	git_odb_object_free(t->obj);
	free(t->v);
	memset(t, 0, sizeof(*t));
}

static enum raw_kind kind_of(unsigned mode)
{
	switch (mode & 0170000u) {
	case 0040000u:
		return RAW_TREE;
	case 0100000u: /* regular file, any permission bits */
	case 0120000u: /* symbolic link: its target is the blob */
		return RAW_BLOB;
	default:       /* 0160000: a submodule's commit, not in this repository */
		return RAW_OTHER;
	}
}

int raw_tree_parse(struct raw_tree *t, const unsigned char *p, size_t len, const char **why)
{
	const unsigned char *end = p + len;

	t->n = 0;
	while (p < end) {
		unsigned mode = 0;
		const unsigned char *name, *nul;
		struct raw_entry *e;

		while (p < end && *p >= '0' && *p <= '7' && mode < (1u << 24))
			mode = mode * 8 + (unsigned)(*p++ - '0');
		if (p >= end || *p != ' ') {
			*why = "malformed tree entry mode";
			return KH_EGIT;
		}
		name = ++p;
		nul = memchr(p, '\0', (size_t)(end - p));
		if (!nul || nul == name || (size_t)(end - nul) < 1 + RAW_ID_LEN) {
			*why = "malformed tree entry name";
			return KH_EGIT;
		}
		if (t->n == t->cap) {
			void *v = t->v;
			xgrow(&v, &t->cap, t->n + 1, sizeof(*t->v));
			t->v = v;
		}
		e = &t->v[t->n++];
		e->name = (const char *)name;
		e->namelen = (size_t)(nul - name);
		e->id = nul + 1;
		e->kind = kind_of(mode);
		p = nul + 1 + RAW_ID_LEN;
	}
	return 0;
}

int raw_tree_read(struct raw_tree *t, git_odb *odb, const git_oid *oid, const char **why)
{
	int rc;

	git_odb_object_free(t->obj);
	t->obj = NULL;
	t->n = 0;
	*why = NULL;
	if ((rc = git_odb_read(&t->obj, odb, oid)) < 0)
		return rc;
	if (git_odb_object_type(t->obj) != GIT_OBJECT_TREE) {
		*why = "not a tree";
		return KH_EGIT;
	}
	return raw_tree_parse(t, git_odb_object_data(t->obj), git_odb_object_size(t->obj), why);
}

int raw_entry_cmp(const struct raw_entry *a, const struct raw_entry *b)
{
	size_t n = a->namelen < b->namelen ? a->namelen : b->namelen;
	int c = memcmp(a->name, b->name, n);
	unsigned char ca, cb;

	if (c)
		return c;
	/* past the common prefix: the next character, '/' for a tree's end */
	ca = n < a->namelen ? (unsigned char)a->name[n] : a->kind == RAW_TREE ? '/' : '\0';
	cb = n < b->namelen ? (unsigned char)b->name[n] : b->kind == RAW_TREE ? '/' : '\0';
	if (ca != cb || n < a->namelen || n < b->namelen)
		return ca < cb ? -1 : ca > cb ? 1 : a->namelen < b->namelen ? -1 : 1;
	return 0;
}
