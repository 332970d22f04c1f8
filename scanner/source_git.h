/* source_git.h - a git repository's history as a source of content.
 *
 * Full history: every commit reachable from every ref (branches, tags,
 * remotes, stash, notes, HEAD; with all_objects also every commit and blob in
 * the object store) is loaded once and walked oldest first; each commit's
 * tree is compared with its parents' trees by object id (identical subtrees
 * skipped), which lists every distinct blob and each (commit, path) that
 * introduced it. Every distinct blob is scanned once, in parallel, mostly
 * straight from the pack files in delta order (git_pack.h); commit and
 * annotated-tag messages are scanned too. Attribution then only looks up
 * the introductions of blobs that had findings (source_git_attrib.c).
 * Range mode (source_git_range.c) scans what the commits of a rev-list
 * range add (lines added relative to all parents).
 * Only libgit2 and git_pack.c read the repository: no git program, hook,
 * filter or textconv of the scanned repository ever runs.
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

/* ---- shared by source_git.c and source_git_attrib.c ----------------------- */

/* One commit of the walked graph. Parents are indexes into the graph. */
struct git_node {
	git_oid oid;
	git_oid tree;          /* zero when the commit could not be read */
	uint32_t first_parent; /* index into graph.parents */
	uint32_t nparents;
	int64_t time;
};

struct git_graph {
	struct git_node *v;
	size_t n, cap;
	uint32_t *parents;
	size_t np, capp;
	struct oidset index;   /* commit oid -> index in v */
};

/* Interned paths: id -> stable string (never moves, so worker threads may
 * hold the pointer while the walking thread adds more). */
struct git_paths {
	char **v;              /* by id */
	size_t n, cap;
	uint32_t *slots;       /* open addressing: id + 1, 0 = empty */
	size_t nslots;
	char *arena;           /* current chunk */
	size_t arena_used, arena_cap;
	char **chunks;
	size_t nchunks, capchunks;
};

void git_paths_init(struct git_paths *p);
void git_paths_release(struct git_paths *p);
/* Returns the id of path (len bytes), adding it if new. */
uint32_t git_paths_intern(struct git_paths *p, const char *path, size_t len);

/* Commit `commit` (graph index) has blob `blob` (index in history.blobs)
 * at path `path` (git_paths id), and none of its parents has it there. */
struct git_intro {
	uint32_t blob, commit, path;
};

/* What the walk learnt, for attribution. Introductions are recorded
 * commit by commit in topological order, oldest first. */
struct git_history {
	struct git_graph g;
	struct oidset blobs;    /* reachable blob -> index */
	uint32_t *blob_path;    /* index -> path id of its first introduction */
	size_t capblob;
	struct git_paths paths;
	struct git_intro *intro;
	size_t nintro, capintro;
};

/* Returns the index of oid in g, adding a node (time -1: not loaded) if
 * it is new. */
uint32_t git_graph_add(struct git_graph *g, const git_oid *oid);

/* Adds the commits of a shallow clone's boundary (.git/shallow), whose
 * parents are not in the repository, to out; returns how many. */
size_t source_git_read_shallow(git_repository *repo, struct oidset *out);

/* Parents before children; among commits ready at the same time, the
 * oldest commit time first. Returns a new array of g->n graph indexes. */
uint32_t *source_git_topo_order(const struct git_graph *g);

/* Attribution (source_git_attrib.c): for findings whose `blob` is set,
 * looks up the commits and paths that introduced those blobs, keeps one
 * finding per secret and path, attributed to the oldest introduction,
 * counts the other introductions of that secret in `occurrences`, fills
 * commit metadata, and re-applies path and commit allowlists for the
 * attributed path and commit. Findings of blobs no commit introduces (only
 * reachable from a tag of a tree or blob, or unreachable) keep the label
 * `unreachable_label` gives. Never prints. */
void source_git_attribute(git_repository *repo, const struct git_history *h,
			  const struct rule_set *rs, struct finding_list *fl,
			  struct scan_stats *stats);

#endif
