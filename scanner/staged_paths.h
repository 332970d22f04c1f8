/* staged_paths.h - which paths the index changes relative to HEAD, found in
 * time proportional to the change, not to the repository.
 *
 * libgit2's tree-to-index diff reads every tree of HEAD (thousands in a large
 * repository) before it finds the few files a commit touches. Here HEAD's
 * trees are read only below directories the index's cache-tree does not
 * vouch for; the staged scan then diffs just the paths found.
 */
#ifndef KH_STAGED_PATHS_H
#define KH_STAGED_PATHS_H

#include <git2.h>
#include "err.h"

struct staged_paths {
	char **v;    /* sorted, distinct; owned */
	size_t n, cap;
};

void staged_paths_init(struct staged_paths *p);
void staged_paths_release(struct staged_paths *p);
/* Fills p with every path whose index entry differs from head's (modified,
 * mode changed, added, deleted, conflicted). head may not be NULL. Returns 0
 * or <0 with err (an unreadable tree). */
int staged_paths_find(struct staged_paths *p, git_repository *repo, git_tree *head,
		      git_index *idx, struct err *err);

#endif
