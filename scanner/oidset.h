/* oidset.h - an open-addressing hash set of git object ids, each with a
 * caller-defined 32-bit value (e.g. an index into a side table).
 *
 * Used to read each distinct blob and tree once however many commits hold
 * it. 24 bytes per entry at a load factor of at most 1/2. Not thread-safe:
 * filled by one thread, then read-only.
 */
#ifndef KH_OIDSET_H
#define KH_OIDSET_H

#include <git2.h>
#include <stddef.h>
#include <stdint.h>

struct oidset_entry {
	git_oid oid;
	uint32_t value;
	uint32_t used;
};

struct oidset {
	struct oidset_entry *v;
	size_t cap, n; /* cap is a power of two */
};

void oidset_init(struct oidset *s);
void oidset_release(struct oidset *s);
/* Inserts oid with value if absent. Returns 1 if inserted, 0 if it was there
 * (then *existing, if not NULL, receives its value). */
int oidset_add(struct oidset *s, const git_oid *oid, uint32_t value, uint32_t *existing);
/* Returns 1 and sets *value if present, else 0. */
int oidset_get(const struct oidset *s, const git_oid *oid, uint32_t *value);

#endif
