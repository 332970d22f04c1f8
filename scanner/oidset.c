/* oidset.c - open-addressing set of object ids (see oidset.h). Object ids
 * are already uniformly distributed, so their first bytes are the hash. */
#include <stdlib.h>
#include <string.h>
#include "oidset.h"
#include "xalloc.h"

void oidset_init(struct oidset *s)
{
	memset(s, 0, sizeof(*s));
}

void oidset_release(struct oidset *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
}

static size_t hash(const git_oid *oid)
{
	size_t h;

	memcpy(&h, oid->id, sizeof(h));
	return h;
}

static struct oidset_entry *slot(struct oidset_entry *v, size_t cap, const git_oid *oid)
{
	size_t i = hash(oid) & (cap - 1);

	while (v[i].used && git_oid_cmp(&v[i].oid, oid))
		i = (i + 1) & (cap - 1);
	return &v[i];
}

static void grow(struct oidset *s)
{
	size_t ncap = s->cap ? s->cap * 2 : 1024, i;
	struct oidset_entry *nv = xcalloc(ncap, sizeof(*nv));

	for (i = 0; i < s->cap; i++)
		if (s->v[i].used)
			*slot(nv, ncap, &s->v[i].oid) = s->v[i];
	free(s->v);
	s->v = nv;
	s->cap = ncap;
}

int oidset_add(struct oidset *s, const git_oid *oid, uint32_t value, uint32_t *existing)
{
	struct oidset_entry *e;

	if ((s->n + 1) * 2 > s->cap)
		grow(s);
	e = slot(s->v, s->cap, oid);
	if (e->used) {
		if (existing)
			*existing = e->value;
		return 0;
	}
	git_oid_cpy(&e->oid, oid);
	e->value = value;
	e->used = 1;
	s->n++;
	return 1;
}

int oidset_get(const struct oidset *s, const git_oid *oid, uint32_t *value)
{
	const struct oidset_entry *e;

	if (!s->cap)
		return 0;
	e = slot(s->v, s->cap, oid);
	if (!e->used)
		return 0;
	if (value)
		*value = e->value;
	return 1;
}
