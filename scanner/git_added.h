/* git_added.h - the lines a change adds: for the range scan (each commit
 * against its parents) and the staged scan (the index against HEAD).
 *
 * From a libgit2 diff with zero context lines, records per new-side file its
 * blob id and the line numbers it adds; binary files count as wholly added;
 * submodules (gitlinks) add nothing to read. Then scans those blobs and keeps
 * findings on added lines only.
 */
#ifndef KH_GIT_ADDED_H
#define KH_GIT_ADDED_H

#include <git2.h>
#include <stdint.h>
#include "err.h"
#include "finding.h"
#include "rules.h"
#include "scan.h"
#include "stats.h"

struct added_file {
	char *path;
	git_oid blob;
	int binary;      /* no line information: every finding counts */
	uint32_t *lines; /* ascending added line numbers (new side) */
	size_t n, cap;
};

struct added_set {
	struct added_file *v;
	size_t n, cap;
	uint64_t max_size; /* skip (and report) larger blobs; 0 = no limit */
	git_tree *tree;    /* borrowed, optional: the new side's tree, to report a
			    * hostile entry name holding '/' as one name ("a%2Fb"),
			    * as full scans do, not as the path a diff joins it into */
};

void added_set_init(struct added_set *s);
void added_set_release(struct added_set *s);
/* Adds what diff adds to s (renames found first, so a pure rename adds
 * nothing). Returns 0 or <0 with err. */
int added_set_from_diff(struct added_set *s, git_diff *diff, struct err *err);
/* Adds what new_blob adds relative to old_blob (NULL: a new file) at path,
 * comparing the two blobs alone (no rename detection): the range scan's way
 * through a commit whose trees libgit2 cannot compare whole (a damaged or
 * missing object). Returns 0 or <0 with err (new_blob unreadable, or
 * old_blob unreadable: then nothing is added, and the caller may treat the
 * file as new). */
int added_set_from_blobs(struct added_set *s, git_repository *repo, const git_oid *old_blob,
			 const git_oid *new_blob, const char *path, struct err *err);
/* Keeps in acc only lines also added in other (a merge adds what is new
 * relative to every parent). */
void added_set_intersect(struct added_set *acc, const struct added_set *other);
/* Reads each file's blob, scans it, appends findings that touch an added
 * line (a finding spanning several lines, such as a private key, counts if
 * any of its lines was added) to out, with path and blob set. Blobs over
 * max_size are skipped and reported. */
void added_set_scan(const struct added_set *s, git_repository *repo, const struct rule_set *rs,
		    struct scan_scratch *sc, struct finding_list *out, struct scan_stats *stats);

#endif
