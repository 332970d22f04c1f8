/* stats.c - scan counters and the list of problems (see stats.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "stats.h"
#include "xalloc.h"

void stats_init(struct scan_stats *s)
{
	memset(s, 0, sizeof(*s));
	pthread_mutex_init(&s->lock, NULL);
}

void stats_release(struct scan_stats *s)
{
	size_t i;

	for (i = 0; i < s->nproblems; i++) {
		free(s->problems[i].path);
		free(s->problems[i].message);
	}
	free(s->problems);
	pthread_mutex_destroy(&s->lock);
	s->problems = NULL;
	s->nproblems = s->capproblems = 0;
}

void stats_problem(struct scan_stats *s, const char *path, int code, int is_error,
		   const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	struct problem *p;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&s->lock);
	{
		void *v = s->problems;
		xgrow(&v, &s->capproblems, s->nproblems + 1, sizeof(*s->problems));
		s->problems = v;
	}
	p = &s->problems[s->nproblems++];
	p->path = path ? xstrdup(path) : NULL;
	p->message = xstrdup(msg);
	p->code = code;
	if (is_error)
		s->errors++;
	pthread_mutex_unlock(&s->lock);
}

struct seq_problem {
	struct problem p;
	size_t seq;
};

static int cmp_problem(const void *a, const void *b)
{
	const struct seq_problem *x = a, *y = b;
	int c;

	if (!x->p.path != !y->p.path)
		return x->p.path ? 1 : -1;
	if (x->p.path && (c = strcmp(x->p.path, y->p.path)))
		return c;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void stats_sort_problems(struct scan_stats *s)
{
	struct seq_problem *v;
	size_t i;

	if (s->nproblems < 2)
		return;
	v = xcalloc(s->nproblems, sizeof(*v));
	for (i = 0; i < s->nproblems; i++) {
		v[i].p = s->problems[i];
		v[i].seq = i;
	}
	qsort(v, s->nproblems, sizeof(*v), cmp_problem);
	for (i = 0; i < s->nproblems; i++)
		s->problems[i] = v[i].p;
	free(v);
}

void stats_add(struct scan_stats *dst, const struct scan_stats *src)
{
	size_t i;

	pthread_mutex_lock(&dst->lock);
	dst->files_scanned += src->files_scanned;
	dst->bytes_scanned += src->bytes_scanned;
	dst->blobs_scanned += src->blobs_scanned;
	dst->commits_scanned += src->commits_scanned;
	dst->skipped_size += src->skipped_size;
	dst->skipped_binary += src->skipped_binary;
	dst->skipped_archives += src->skipped_archives;
	dst->skipped_lfs += src->skipped_lfs;
	dst->skipped_submodules += src->skipped_submodules;
	dst->skipped_symlinks += src->skipped_symlinks;
	dst->errors += src->errors;
	dst->limit_hits += src->limit_hits;
	dst->decode_partial += src->decode_partial;
	dst->suppressed_config += src->suppressed_config;
	dst->suppressed_inline += src->suppressed_inline;
	dst->suppressed_ignore += src->suppressed_ignore;
	dst->suppressed_baseline += src->suppressed_baseline;
	dst->findings += src->findings;
	dst->shallow |= src->shallow;
	for (i = 0; i < src->nproblems; i++) {
		void *v = dst->problems;
		struct problem *p;
		xgrow(&v, &dst->capproblems, dst->nproblems + 1, sizeof(*dst->problems));
		dst->problems = v;
		p = &dst->problems[dst->nproblems++];
		p->path = src->problems[i].path ? xstrdup(src->problems[i].path) : NULL;
		p->message = xstrdup(src->problems[i].message);
		p->code = src->problems[i].code;
	}
	pthread_mutex_unlock(&dst->lock);
}
