/* source_git.h - a git repository's history as a source of content.
 *
 * Full history: every commit reachable from every ref (branches, tags,
 * remotes, stash, notes, HEAD; with all_objects also every commit and blob in
 * the object store) is walked once; every distinct tree is read once and every
 * distinct blob is scanned once, in parallel; commit and annotated-tag
 * messages are scanned too. Attribution comes afterwards and only for blobs
 * with findings (source_git_attrib.c). Range mode scans what the commits of a
 * rev-list range add (lines added relative to all parents).
 * Only libgit2 reads the repository: no git program, hook, filter or
 * textconv of the scanned repository ever runs.
 */
#ifndef KH_SOURCE_GIT_H
#define KH_SOURCE_GIT_H

#include <git2.h>
#include "err.h"
#include "finding.h"
#include "oidset.h"
#include "rules.h"
#include "stats.h"

struct source_git_opts {
	const char *repo_path;   /* as given by the user */
	const char *const *range; /* rev-list arguments, or NULL for full history */
	size_t nrange;
	int all_objects;
	int threads;
	int progress;            /* print a progress line on stderr */
	uint64_t max_file_size;  /* 0 = no limit */
};

/* One commit of the walked graph. Parents are indexes into the graph. */
struct git_node {
	git_oid oid;
	git_oid tree;
	uint32_t first_parent; /* index into graph.parents */
	uint32_t nparents;
	int64_t time;
};

struct git_graph {
	struct git_node *v;
	size_t n, cap;
	uint32_t *parents;
	size_t np, capp;
	struct oidset index;     /* commit oid -> index in v */
};

/* Scans the repository at o->repo_path into findings and stats. Findings of
 * blobs carry `blob`; attribution (commit, author, path of introduction) is
 * filled before return. Returns 0, or <0 with err for a fatal error (not a
 * repository, unknown revision); damaged objects are recorded in stats and
 * the scan goes on. */
int source_git_run(const struct source_git_opts *o, const struct rule_set *rs,
		   struct finding_list *out, struct scan_stats *stats, struct err *err);

/* Opens a repository for reading only, whatever its owner; bare, worktree
 * and .git paths work. */
int source_git_open(git_repository **out, const char *path, struct err *err);

/* Fills commit metadata (author, email, ISO 8601 author date, summary) of
 * finding f from commit oid. */
void source_git_set_commit(struct finding *f, git_repository *repo, const git_oid *oid);

/* Attribution (source_git_attrib.c): for findings whose `blob` is set, finds
 * the commits and paths that introduced those blobs (oldest first in
 * topological order), keeps one finding per secret and path, attributed to
 * the oldest, counts the rest in `occurrences`, and fills commit metadata. */
void source_git_attribute(git_repository *repo, const struct git_graph *g,
			  struct finding_list *fl, struct scan_stats *stats);

#endif
