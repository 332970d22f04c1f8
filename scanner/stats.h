/* stats.h - counters for what a scan did and did not cover, for every report.
 *
 * A scanner that quietly skips data gives false comfort: everything not
 * scanned is counted here and listed in `problems`.
 */
#ifndef KH_STATS_H
#define KH_STATS_H

#include <stddef.h>
#include <stdint.h>
#include <pthread.h>

struct problem {
	char *path;    /* owned; may be NULL */
	char *message; /* owned */
	int code;      /* KH_E* */
};

struct scan_stats {
	uint64_t files_scanned;      /* files or blobs whose content was scanned */
	uint64_t bytes_scanned;
	uint64_t blobs_scanned;      /* history scans: distinct blobs */
	uint64_t commits_scanned;    /* history scans */
	uint64_t skipped_size;       /* over --max-file-size */
	uint64_t skipped_binary;     /* (counted, still scanned) binary files */
	uint64_t skipped_archives;   /* archives not unpacked (zip, tar.gz, ...) */
	uint64_t skipped_lfs;        /* Git LFS pointer files */
	uint64_t skipped_submodules; /* submodules not descended into */
	uint64_t skipped_symlinks;   /* symlinks not followed */
	uint64_t errors;             /* items that could not be scanned */
	uint64_t limit_hits;         /* PCRE2 match/depth/JIT-stack limit hits */
	uint64_t decode_partial;     /* windows whose encoded text was decoded only in
				      * part (a run over 1 MiB, or over the budget);
				      * their plain bytes were all scanned */
	uint64_t suppressed_config, suppressed_inline, suppressed_ignore, suppressed_baseline;
	uint64_t findings;           /* reported (not suppressed) findings */
	double seconds;
	struct problem *problems;    /* errors and skips worth naming */
	size_t nproblems, capproblems;
	int shallow;                 /* history beyond a shallow boundary not scanned */
	pthread_mutex_t lock;        /* guards problems and counters when shared */
};

void stats_init(struct scan_stats *s);
void stats_release(struct scan_stats *s);
/* Thread-safe: records a problem (copied) and bumps `errors` when is_error. */
void stats_problem(struct scan_stats *s, const char *path, int code, int is_error,
		   const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Puts the problems in a stable order whatever the thread count: general
 * ones (no path) first, then by path, each path's in the order recorded. */
void stats_sort_problems(struct scan_stats *s);
/* Thread-safe add of another stats' counters (not problems). */
void stats_add(struct scan_stats *dst, const struct scan_stats *src);

#endif
