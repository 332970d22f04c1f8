/* pipeline.c - a bounded queue feeding worker threads that scan content.
 *
 * The source pushes items from the calling thread; each worker owns its
 * scan scratch, findings and stats, so the hot path takes no lock. Large
 * inputs are scanned through scan_fd() in overlapping windows, which keeps
 * memory bounded by the window size whatever the file size; the holes of a
 * sparse file (zeros that hold no line and no secret) are stepped over, not
 * read. An item that fails is recorded as a problem and the scan goes on.
 * Never prints.
 */
#define _GNU_SOURCE /* SEEK_DATA in glibc's unistd.h; other systems have it by default */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "envflag.h"
#include "lines.h"
#include "pipeline.h"
#include "xalloc.h"

#define DEFAULT_QUEUE 256
#define BATCH 32          /* items handed over per lock, to keep futex calls rare */
#define POP_BATCH 4       /* items a worker takes per lock */
#define WINDOW (8u << 20) /* own region of one window when reading a file */
#define MIN_HOLE (64u << 10) /* holes in sparse files this long are skipped */

volatile int kh_interrupted;

struct pipeline {
	struct pipeline_opts o;
	void **queue;
	size_t qcap, qhead, qlen;
	int closed;
	void *batch[BATCH];   /* the source's items not yet queued */
	size_t nbatch;
	int waiting_workers, waiting_source; /* signal only when someone waits */
	pthread_mutex_t lock;
	pthread_cond_t not_empty, not_full;
	struct worker *workers;
	pthread_t *tids;
	int nthreads;  /* workers allocated */
	int started;   /* threads running */
};

/* Takes up to max items (a fair share of what is queued, so that one
 * worker does not take everything) under one lock; returns how many, 0 when
 * the queue is closed and empty. The source is woken only when the queue
 * has drained to half, so that it refills a batch at a time instead of one
 * item per wake-up. */
static size_t pop(struct pipeline *p, void **out, size_t max)
{
	size_t n = 0, share;

	pthread_mutex_lock(&p->lock);
	while (!p->qlen && !p->closed) {
		p->waiting_workers++;
		pthread_cond_wait(&p->not_empty, &p->lock);
		p->waiting_workers--;
	}
	share = (p->qlen + (size_t)p->nthreads - 1) / (size_t)p->nthreads;
	if (share < max)
		max = share ? share : 1;
	while (p->qlen && n < max) {
		out[n++] = p->queue[p->qhead];
		p->qhead = (p->qhead + 1) % p->qcap;
		p->qlen--;
	}
	if (p->waiting_source && p->qlen <= p->qcap / 2)
		pthread_cond_signal(&p->not_full);
	pthread_mutex_unlock(&p->lock);
	return n;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct pipeline *p = w->owner;
	void *items[POP_BATCH];
	size_t n, i;

	while ((n = pop(p, items, POP_BATCH))) {
		for (i = 0; i < n; i++) {
			void *item = items[i];
			if (!kh_interrupted) {
				struct err err = {0, ""};
				if (p->o.process(w, item, p->o.payload, &err) < 0 &&
				    err.code != KH_EINTR)
					stats_problem(&w->stats,
						      p->o.item_name ? p->o.item_name(item) : NULL,
						      err.code, 1, "%s",
						      err.msg[0] ? err.msg : "scan failed");
			}
			if (p->o.item_free)
				p->o.item_free(item);
		}
	}
	return NULL;
}

int pipeline_new(struct pipeline **out, const struct pipeline_opts *o, struct err *err)
{
	struct pipeline *p = xcalloc(1, sizeof(*p));
	int i, rc = 0;

	p->o = *o;
	p->nthreads = o->threads > 0 ? o->threads : 1;
	p->qcap = o->queue_len ? o->queue_len : DEFAULT_QUEUE;
	p->queue = xcalloc(p->qcap, sizeof(void *));
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->not_empty, NULL);
	pthread_cond_init(&p->not_full, NULL);
	p->workers = xcalloc((size_t)p->nthreads, sizeof(*p->workers));
	p->tids = xcalloc((size_t)p->nthreads, sizeof(*p->tids));
	for (i = 0; i < p->nthreads; i++) {
		struct worker *w = &p->workers[i];
		w->id = i;
		w->rs = o->rs;
		w->owner = p;
		finding_list_init(&w->findings);
		stats_init(&w->stats);
		w->scratch = scan_scratch_new(o->rs);
		if (!w->scratch) {
			rc = err_set(err, KH_EINVAL, "cannot allocate PCRE2 match data");
			break;
		}
		if (o->local_new && !(w->local = o->local_new(o->payload, err))) {
			rc = err->code ? err->code : KH_EINVAL;
			break;
		}
	}
	for (i = 0; !rc && i < p->nthreads; i++) {
		if (pthread_create(&p->tids[i], NULL, worker_main, &p->workers[i])) {
			rc = err_set(err, KH_EINVAL, "cannot start worker thread");
			break;
		}
		p->started++;
	}
	if (rc) {
		struct finding_list fl;
		struct scan_stats st;
		finding_list_init(&fl);
		stats_init(&st);
		pipeline_finish(p, &fl, &st);
		finding_list_release(&fl);
		stats_release(&st);
		*out = NULL;
		return rc;
	}
	*out = p;
	return 0;
}

/* Moves the source's batch into the queue under one lock. */
static int flush_batch(struct pipeline *p)
{
	size_t i = 0;

	pthread_mutex_lock(&p->lock);
	while (i < p->nbatch) {
		while (p->qlen == p->qcap && !kh_interrupted) {
			if (p->waiting_workers)
				pthread_cond_broadcast(&p->not_empty);
			p->waiting_source++;
			pthread_cond_wait(&p->not_full, &p->lock);
			p->waiting_source--;
		}
		if (kh_interrupted)
			break;
		for (; i < p->nbatch && p->qlen < p->qcap; i++) {
			p->queue[(p->qhead + p->qlen) % p->qcap] = p->batch[i];
			p->qlen++;
		}
	}
	if (p->waiting_workers)
		pthread_cond_broadcast(&p->not_empty);
	pthread_mutex_unlock(&p->lock);
	if (i < p->nbatch) { /* interrupted: drop what was never queued */
		for (; i < p->nbatch; i++)
			if (p->o.item_free)
				p->o.item_free(p->batch[i]);
		p->nbatch = 0;
		return KH_EINTR;
	}
	p->nbatch = 0;
	return 0;
}

int pipeline_push(struct pipeline *p, void *item)
{
	p->batch[p->nbatch++] = item;
	if (p->nbatch == BATCH)
		return flush_batch(p);
	return kh_interrupted ? KH_EINTR : 0;
}

void pipeline_finish(struct pipeline *p, struct finding_list *out, struct scan_stats *stats)
{
	int i;

	if (!p)
		return;
	if (p->nbatch)
		flush_batch(p);
	pthread_mutex_lock(&p->lock);
	p->closed = 1;
	pthread_cond_broadcast(&p->not_empty);
	pthread_mutex_unlock(&p->lock);
	for (i = 0; i < p->started; i++)
		pthread_join(p->tids[i], NULL);
	for (i = 0; i < p->nthreads; i++) {
		struct worker *w = &p->workers[i];
		if (!w->owner) /* never initialised (setup failed before it) */
			continue;
		finding_list_move(out, &w->findings);
		finding_list_release(&w->findings);
		stats_add(stats, &w->stats);
		stats_release(&w->stats);
		if (w->local && p->o.local_free)
			p->o.local_free(w->local);
		scan_scratch_free(w->scratch);
		free(w->iobuf);
	}
	while (p->qlen) { /* interrupted: drop what was never scanned */
		if (p->o.item_free)
			p->o.item_free(p->queue[p->qhead]);
		p->qhead = (p->qhead + 1) % p->qcap;
		p->qlen--;
	}
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->not_empty);
	pthread_cond_destroy(&p->not_full);
	free(p->workers);
	free(p->tids);
	free(p->queue);
	free(p);
}

/* Where the data after a hole at file offset pos starts, when a hole of at
 * least MIN_HOLE bytes starts there; 0 otherwise (also where the system
 * cannot tell, or KEYHOUND_READ_HOLES is set). Leaves the file offset at pos
 * when it returns 0, and at the data after the hole otherwise. */
static uint64_t hole_end(int fd, uint64_t pos)
{
#ifdef SEEK_DATA
	off_t d;

	if (env_flag("KEYHOUND_READ_HOLES")) /* read them like data (tests) */
		return 0;
	d = lseek(fd, (off_t)pos, SEEK_DATA);
	if (d >= 0 && (uint64_t)d >= pos + MIN_HOLE)
		return (uint64_t)d; /* the offset is at d: the caller goes on there */
	if (d < 0 && errno == ENXIO) { /* a hole up to the end, or past the end */
		off_t e = lseek(fd, 0, SEEK_END);
		if (e >= 0 && (uint64_t)e >= pos + MIN_HOLE)
			return (uint64_t)e;
	}
	if (d != (off_t)pos)
		lseek(fd, (off_t)pos, SEEK_SET);
#else
	(void)fd;
	(void)pos;
#endif
	return 0;
}

/* Advances line bookkeeping over data[from, to). */
static void count_lines(const unsigned char *data, size_t from, size_t to, uint64_t base,
			uint64_t *line, uint64_t *line_start)
{
	size_t last = 0, n = lines_count(data + from, to - from, &last);

	if (n) {
		*line += n;
		*line_start = base + from + last + 1;
	}
}

int scan_fd(struct worker *w, int fd, int flags, const char *path, const char *rel_path,
	    struct err *err)
{
	size_t ov = w->rs->max_length + 64;
	size_t cap = WINDOW + 2 * ov;
	size_t have = 0, own_start = 0;
	uint64_t base = 0, line = 1, line_start = 0, skip_to = 0;
	int eof = 0;
	struct content c;

	if (w->iobuf_cap < cap) {
		free(w->iobuf);
		w->iobuf = xmalloc(cap);
		w->iobuf_cap = cap;
	}
	w->head_len = 0;
	for (;;) {
		size_t own_end;
		while (!eof && !skip_to && have < cap) {
			ssize_t n;
			/* A pipe may stay silent: wait in short slices so that an
			 * interrupt delivered to another thread still stops us. */
			struct pollfd pfd = {fd, POLLIN, 0};
			while (!(flags & SCAN_FD_REGULAR) && !kh_interrupted &&
			       poll(&pfd, 1, 200) == 0)
				;
			if (kh_interrupted)
				return err_set(err, KH_EINTR, "interrupted");
			if ((flags & SCAN_FD_REGULAR) && base + have >= WINDOW && /* not for small files */
			    (skip_to = hole_end(fd, base + have)))
				break; /* this window ends where the hole starts */
			n = read(fd, w->iobuf + have, cap - have);
			if (n < 0) {
				if (errno == EINTR && !kh_interrupted)
					continue;
				if (errno == EINTR)
					return err_set(err, KH_EINTR, "interrupted");
				return err_set(err, KH_EIO, "cannot read '%s': %s", path,
					       strerror(errno));
			}
			if (n == 0)
				eof = 1;
			have += (size_t)n;
		}
		if (kh_interrupted)
			return err_set(err, KH_EINTR, "interrupted");
		if (!base) {
			w->head_len = have < sizeof(w->head) ? have : sizeof(w->head);
			memcpy(w->head, w->iobuf, w->head_len);
		}
		own_end = eof || skip_to ? have : have - ov;
		c.data = w->iobuf;
		c.len = have;
		c.own_start = own_start;
		c.own_end = own_end;
		c.base_offset = base;
		c.own_line = line;
		c.own_line_start = line_start;
		c.path = path;
		c.rel_path = rel_path;
		scan_content(w->rs, w->scratch, &c, &w->findings, &w->stats, err);
		w->stats.bytes_scanned += own_end - own_start;
		if (eof)
			break;
		count_lines(w->iobuf, own_start, own_end, base, &line, &line_start);
		if (skip_to) { /* zeros: no line ends, columns stay counted from line_start */
			w->stats.bytes_scanned += skip_to - (base + have);
			base = skip_to;
			have = own_start = 0;
			skip_to = 0;
			continue;
		}
		{
			size_t keep = own_end - ov;
			memmove(w->iobuf, w->iobuf + keep, have - keep);
			have -= keep;
			base += keep;
			own_start = ov;
		}
	}
	return 0;
}

int scan_memory(struct worker *w, const void *data, size_t len, const char *path,
		struct err *err)
{
	struct content c;

	content_whole(&c, data, len, path);
	w->stats.bytes_scanned += len;
	return scan_content(w->rs, w->scratch, &c, &w->findings, &w->stats, err);
}
