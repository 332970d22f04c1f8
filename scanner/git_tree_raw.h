/* git_tree_raw.h - a tree object's entries, parsed in place from its raw bytes.
 *
 * The history walk compares each commit's trees with its parents' trees by
 * object id. libgit2's git_tree parses every tree into allocated entries and
 * finds names by binary search; here a tree is one git_odb_object and an
 * array of entries pointing into it, and two trees are compared by walking
 * both in git's sort order at once (a merge join). Read-only; never prints.
 *
 * Format (git's tree object): repeated "MODE SP NAME NUL" then the 20-byte
 * object id. Entries are sorted by name, a directory's name compared as if
 * it ended in '/'. A hostile tree may be unsorted or malformed: parsing
 * checks every bound, and an unsorted tree only makes more entries look new
 * (reported, never missed).
 */
#ifndef KH_GIT_TREE_RAW_H
#define KH_GIT_TREE_RAW_H

#include <git2.h>
#include <stddef.h>

enum raw_kind { RAW_BLOB, RAW_TREE, RAW_OTHER };

struct raw_entry {
	const char *name;           /* not NUL-terminated within the object */
	size_t namelen;
	const unsigned char *id;    /* 20 raw bytes */
	enum raw_kind kind;         /* RAW_OTHER: a submodule commit or unknown mode */
};

struct raw_tree {
	git_odb_object *obj;        /* owns the bytes the entries point into */
	struct raw_entry *v;
	size_t n, cap;
};

void raw_tree_init(struct raw_tree *t);
/* Reads and parses tree oid from odb (replacing what t held). Returns 0;
 * <0 when the object is missing (git_error_last() says why, *why is NULL),
 * or not a tree or malformed (the reason in *why). The caller checks the
 * tree's size first (it is read whole). */
int raw_tree_read(struct raw_tree *t, git_odb *odb, const git_oid *oid, const char **why);
/* Parses raw tree bytes (borrowed: they must outlive t's use). */
int raw_tree_parse(struct raw_tree *t, const unsigned char *data, size_t len, const char **why);
void raw_tree_release(struct raw_tree *t);

/* git's order of tree entries: <0, 0 or >0. Equal means the same name and
 * both trees or both not trees. */
int raw_entry_cmp(const struct raw_entry *a, const struct raw_entry *b);

#endif
