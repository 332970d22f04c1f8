/* index_tree.h - the index file's cache-tree: directories known to equal a
 * tree object.
 *
 * `git add` invalidates the cache-tree entries of the directories it
 * touches, so a directory whose cache-tree id equals HEAD's tree id for it
 * holds nothing staged; the staged scan then compares only the rest, and
 * costs what the change costs, not what the repository's size costs.
 */
#ifndef KH_INDEX_TREE_H
#define KH_INDEX_TREE_H

#include <stddef.h>

struct index_tree_dir {
	char *path;               /* "" for the top, else "a/b" */
	unsigned char oid[20];
};

struct index_tree {
	struct index_tree_dir *dirs; /* valid entries only, sorted by path */
	size_t n, cap;
};

void index_tree_init(struct index_tree *t);
/* Reads the cache-tree of the index file at index_path; leaves t empty when
 * there is none or the file is not understood (never an error: an empty
 * cache-tree only means comparing everything). */
void index_tree_read(struct index_tree *t, const char *index_path);
void index_tree_release(struct index_tree *t);
/* The raw tree id the index holds for directory dir, or NULL if unknown. */
const unsigned char *index_tree_lookup(const struct index_tree *t, const char *dir);

#endif
