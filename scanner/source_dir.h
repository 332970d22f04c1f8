/* source_dir.h - files and directories on disk as a source of content.
 *
 * Walks each root without following symlinks, with openat() and a bounded
 * number of directory descriptors, so neither deep trees nor PATH_MAX limit
 * it. Inside a git
 * working tree it scans what git would see: tracked files, and untracked
 * files that are not ignored (rules read by libgit2; the git program is
 * never run). Hands each file to the pipeline as a name in a directory
 * descriptor of its own; the worker opens it there (no symlinks, regular
 * files only) and reads and scans it in bounded windows.
 */
#ifndef KH_SOURCE_DIR_H
#define KH_SOURCE_DIR_H

#include <stdint.h>
#include "err.h"
#include "pipeline.h"
#include "stats.h"

struct source_dir_opts {
	const char *const *roots; /* paths as given */
	size_t nroots;
	int no_ignore;            /* scan ignored files too */
	uint64_t max_file_size;   /* 0 = no limit */
	const char *cfg_root;     /* source_dir_config_root(roots[0]): allowlist
				   * paths are relative to it (NULL: to each root) */
};

/* The directory whose .keyhound.yaml applies to roots[0]: the top of the git
 * working tree holding it, else the directory itself (or the file's
 * directory). Returns a new string. */
char *source_dir_config_root(const char *root);

/* Walks every root, pushing files into p. Problems (unreadable, not found,
 * skipped) are recorded in stats. Returns 0, or KH_EINTR when interrupted. */
int source_dir_run(const struct source_dir_opts *o, struct pipeline *p,
		   struct scan_stats *stats, struct err *err);

/* The pipeline callback for items pushed by source_dir_run(); payload: the
 * same struct source_dir_opts (the pipeline's payload). */
int source_dir_process(struct worker *w, void *item, void *payload, struct err *err);
void source_dir_item_free(void *item);
const char *source_dir_item_name(void *item);

#endif
