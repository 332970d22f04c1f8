/* pipeline.h - the only glue: a source pushes items, worker threads scan them.
 *
 * A source (dir walk, git blobs, ...) runs on the calling thread and pushes
 * opaque items; `threads` workers pop them and call the source's process
 * callback with their own worker (scratch, findings, stats). At the end,
 * pipeline_finish() joins the workers and merges their findings and stats.
 * The pipeline never prints.
 */
#ifndef KH_PIPELINE_H
#define KH_PIPELINE_H

#include <stddef.h>
#include <stdint.h>
#include "err.h"
#include "finding.h"
#include "rules.h"
#include "scan.h"
#include "stats.h"

struct worker {
	int id;
	const struct rule_set *rs;
	struct scan_scratch *scratch;
	struct finding_list findings; /* this thread's findings */
	struct scan_stats stats;      /* this thread's counters and problems */
	void *local;                  /* per-thread source state (local_new) */
	unsigned char *iobuf;         /* scratch read buffer for scan_fd */
	size_t iobuf_cap;
	size_t head_len;              /* after scan_fd: bytes of the item's start */
	unsigned char head[512];      /* copy of the item's first bytes */
	struct pipeline *owner;       /* internal */
};

/* Processes one item on a worker thread. Returns 0, or <0 to record the
 * item as failed (message in err, counted in stats; the scan goes on). */
typedef int (*pipeline_item_fn)(struct worker *w, void *item, void *payload,
				struct err *err);

struct pipeline_opts {
	int threads;                 /* >= 1 */
	size_t queue_len;            /* bounded queue; 0 = default */
	const struct rule_set *rs;
	pipeline_item_fn process;
	void (*item_free)(void *item);          /* may be NULL */
	const char *(*item_name)(void *item);   /* for error messages; may be NULL */
	void *(*local_new)(void *payload, struct err *err); /* may be NULL */
	void (*local_free)(void *local);        /* may be NULL */
	void *payload;
};

struct pipeline;

/* Starts the workers. Returns 0 or <0 (e.g. local_new failed). */
int pipeline_new(struct pipeline **out, const struct pipeline_opts *o, struct err *err);
/* Queues item (ownership passes to the pipeline); blocks while the queue is
 * full. Returns KH_EINTR if the scan was interrupted. */
int pipeline_push(struct pipeline *p, void *item);
/* Closes the queue, joins the workers, moves all findings into out and adds
 * all stats into stats, then frees p. */
void pipeline_finish(struct pipeline *p, struct finding_list *out, struct scan_stats *stats);

/* Set from a signal handler: workers and sources stop promptly. */
extern volatile int kh_interrupted;

/* scan_fd flags: the descriptor is a regular file, whose reads never block,
 * so there is no need to poll before each read (a pipe may stay silent, and
 * is polled in short slices so that an interrupt stops the scan). */
#define SCAN_FD_REGULAR 1

/* Scans an open file descriptor in overlapping windows of bounded size, so
 * memory does not grow with the file. path is the display path, rel_path the
 * path allowlists match (NULL = path). Returns 0 or KH_EIO (read error,
 * message in err). Findings go to w->findings; the first bytes of the item
 * are left in w->head (w->head_len of them) for sniffing file types. */
int scan_fd(struct worker *w, int fd, int flags, const char *path, const char *rel_path,
	    struct err *err);
/* Scans a whole buffer already in memory. */
int scan_memory(struct worker *w, const void *data, size_t len, const char *path,
		struct err *err);

#endif
