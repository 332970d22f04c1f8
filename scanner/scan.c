/* scan.c - content in, findings out.
 *
 * 1. The keyword prefilter runs once over the window and, for each rule
 *    whose keyword occurs, records a region around the occurrence (merged
 *    when they touch). A rule's match contains one of its keywords and is at
 *    most max_length bytes long, so the region [kw - max_length, kw_end +
 *    max_length] holds every match that keyword can be part of.
 * 2. The rule's PCRE2 pattern (JIT) runs only over those regions.
 * 3. Gates: the secret must start in the window's own region, pass the
 *    rule's entropy floor and checksum, and not be a placeholder or a
 *    published example key (placeholder.c); allowlists and inline
 *    `keyhound:allow` comments mark (not drop) findings as suppressed.
 * 4. Overlapping spans from several rules become one finding (the most
 *    specific rule wins), then lines and columns are computed.
 * Knows nothing about where content comes from or how findings are printed.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "bytes.h"
#include "checksum.h"
#include "decode.h"
#include "entropy.h"
#include "lines.h"
#include "pathglob.h"
#include "placeholder.h"
#include "prefilter.h"
#include "scan.h"
#include "xalloc.h"

#define MATCH_LIMIT 2000000u
#define DEPTH_LIMIT 20000u
#define HEAP_LIMIT_KB (64u * 1024u)
#define JIT_STACK_MIN (32u * 1024u)
#define JIT_STACK_MAX (4u * 1024u * 1024u)
#define MARGIN 32            /* extra context around a keyword region */
#define INLINE_ALLOW_MAX_LINE 1000
#define INLINE_ALLOW_TAG "keyhound:allow"

struct window {
	size_t start, end;
};

struct rule_windows {
	struct window *v;
	size_t n, cap;
};

struct candidate {
	unsigned rule;
	size_t start, end; /* secret span, relative to content data */
	int context_only;  /* copied from the rule, so ordering needs no rule_set */
	int severity;
};

struct scan_scratch {
	const struct rule_set *rs;
	pcre2_match_data *md;
	pcre2_match_context *mctx;
	pcre2_jit_stack *jit;
	struct rule_windows *win; /* one per rule */
	unsigned *active;         /* rules with windows in this content */
	size_t nactive;
	struct candidate *cand;
	size_t ncand, capcand;
	size_t len;               /* length of the content being scanned */
	struct scan_stats *stats; /* scan_content's, during the call (may be NULL) */
};

struct scan_scratch *scan_scratch_new(const struct rule_set *rs)
{
	struct scan_scratch *s = xcalloc(1, sizeof(*s));
	uint32_t maxgroups = 1;
	size_t i;

	for (i = 0; i < rs->n; i++) {
		uint32_t g = rs->rules[i].ngroups;
		if (g + 1 > maxgroups)
			maxgroups = g + 1;
	}
	s->rs = rs;
	s->md = pcre2_match_data_create(maxgroups, NULL);
	s->mctx = pcre2_match_context_create(NULL);
	s->jit = pcre2_jit_stack_create(JIT_STACK_MIN, JIT_STACK_MAX, NULL);
	if (!s->md || !s->mctx) {
		scan_scratch_free(s);
		return NULL;
	}
	pcre2_set_match_limit(s->mctx, MATCH_LIMIT);
	pcre2_set_depth_limit(s->mctx, DEPTH_LIMIT);
	pcre2_set_heap_limit(s->mctx, HEAP_LIMIT_KB);
	if (s->jit)
		pcre2_jit_stack_assign(s->mctx, NULL, s->jit);
	s->win = xcalloc(rs->n ? rs->n : 1, sizeof(*s->win));
	s->active = xcalloc(rs->n ? rs->n : 1, sizeof(*s->active));
	return s;
}

void scan_scratch_free(struct scan_scratch *s)
{
	size_t i;

	if (!s)
		return;
	if (s->win)
		for (i = 0; i < s->rs->n; i++)
			free(s->win[i].v);
	free(s->win);
	free(s->active);
	free(s->cand);
	pcre2_match_data_free(s->md);
	pcre2_match_context_free(s->mctx);
	pcre2_jit_stack_free(s->jit);
	free(s);
}

/* Prefilter callback: widen a keyword hit into a region for its rule. */
static int on_keyword(unsigned rule, size_t start, size_t end, void *payload)
{
	struct scan_scratch *s = payload;
	struct rule_windows *w = &s->win[rule];
	size_t reach = s->rs->rules[rule].max_length + MARGIN;
	size_t ws = start > reach ? start - reach : 0;
	size_t we = end + reach < s->len ? end + reach : s->len;

	if (w->n && ws <= w->v[w->n - 1].end) {
		/* hits arrive in nearly ascending order (see prefilter.h) */
		if (ws < w->v[w->n - 1].start)
			w->v[w->n - 1].start = ws;
		if (we > w->v[w->n - 1].end)
			w->v[w->n - 1].end = we;
		return 0;
	}
	if (!w->n)
		s->active[s->nactive++] = rule;
	{
		void *v = w->v;
		xgrow(&v, &w->cap, w->n + 1, sizeof(*w->v));
		w->v = v;
	}
	w->v[w->n].start = ws;
	w->v[w->n].end = we;
	w->n++;
	return 0;
}

static void add_candidate(struct scan_scratch *s, unsigned rule, size_t start, size_t end)
{
	void *v = s->cand;

	xgrow(&v, &s->capcand, s->ncand + 1, sizeof(*s->cand));
	s->cand = v;
	s->cand[s->ncand].rule = rule;
	s->cand[s->ncand].start = start;
	s->cand[s->ncand].end = end;
	s->cand[s->ncand].context_only = s->rs->rules[rule].context_only;
	s->cand[s->ncand].severity = (int)s->rs->rules[rule].severity;
	s->ncand++;
}

static int is_limit_error(int rc)
{
	return rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT ||
	       rc == PCRE2_ERROR_HEAPLIMIT || rc == PCRE2_ERROR_JIT_STACKLIMIT;
}

/* Runs one rule over its regions, adding candidates that pass the gates. */
static void run_rule(struct scan_scratch *s, unsigned ri, const struct content *c,
		     struct scan_stats *stats)
{
	const struct rule *r = &s->rs->rules[ri];
	struct rule_windows *w = &s->win[ri];
	size_t i;

	if (w->n && rule_set_ready(s->rs, ri) < 0) {
		if (stats)
			stats_problem(stats, c->path, KH_ERULE, 1, "rule '%s' could not be "
				      "compiled by this PCRE2 and did not run", r->id);
		return;
	}

	for (i = 0; i < w->n; i++) {
		size_t off = w->v[i].start, end = w->v[i].end;
		while (off < end) {
			int rc = pcre2_match(r->code, c->data, end, off, 0, s->md, s->mctx);
			PCRE2_SIZE *ov;
			size_t ss, se;
			if (rc == PCRE2_ERROR_NOMATCH)
				break;
			if (rc < 0) {
				if (stats) {
					PCRE2_UCHAR msg[128];
					pcre2_get_error_message(rc, msg, sizeof(msg));
					pthread_mutex_lock(&stats->lock);
					stats->limit_hits++;
					pthread_mutex_unlock(&stats->lock);
					stats_problem(stats, c->path, is_limit_error(rc) ? KH_ELIMIT : KH_EINVAL,
						      1, "rule '%s' stopped at byte %llu: %s", r->id,
						      (unsigned long long)(c->base_offset + off),
						      (const char *)msg);
				}
				break;
			}
			ov = pcre2_get_ovector_pointer(s->md);
			off = ov[1] > ov[0] ? ov[1] : ov[0] + 1;
			if (rc <= r->secret_group || ov[2 * r->secret_group] == PCRE2_UNSET)
				continue;
			ss = ov[2 * r->secret_group];
			se = ov[2 * r->secret_group + 1];
			if (se <= ss || ss < c->own_start || ss >= c->own_end)
				continue;
			if (r->min_entropy > 0 && shannon_entropy(c->data + ss, se - ss) < r->min_entropy)
				continue;
			if (placeholder_match(c->data + ss, se - ss))
				continue;
			if (r->checksum &&
			    checksum_verify(r->checksum, (const char *)c->data + ss, se - ss) == 0)
				continue;
			add_candidate(s, ri, ss, se);
		}
	}
	w->n = 0;
}

/* Is a more specific than b? Secrets beat context, then severity, then length. */
static int better(const struct candidate *a, const struct candidate *b)
{
	if (a->context_only != b->context_only)
		return a->context_only < b->context_only;
	if (a->severity != b->severity)
		return a->severity > b->severity;
	if ((a->end - a->start) != (b->end - b->start))
		return (a->end - a->start) > (b->end - b->start);
	return a->rule < b->rule;
}

static int cmp_candidate(const void *x, const void *y)
{
	const struct candidate *a = x, *b = y;

	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	if (better(a, b))
		return -1;
	return better(b, a) ? 1 : 0;
}

/* Keeps one candidate per group of overlapping spans (the best one). */
static size_t dedup_candidates(struct candidate *v, size_t n)
{
	size_t i, out = 0;

	qsort(v, n, sizeof(*v), cmp_candidate);
	for (i = 0; i < n; i++) {
		if (out && v[i].start < v[out - 1].end) {
			if (better(&v[i], &v[out - 1]))
				v[out - 1] = v[i];
			continue;
		}
		v[out++] = v[i];
	}
	return out;
}

/* Does any of the allowlist patterns match p[0, len)? They run with the scan's
 * match limits and JIT stack; a pattern that hits a limit does not allowlist
 * (the finding stays reported), and the limit hit is reported like a rule's. */
static int regex_any(struct scan_scratch *s, pcre2_code **codes, const struct strlist *src,
		     const unsigned char *p, size_t len, const char *path)
{
	size_t i;

	for (i = 0; i < src->n; i++) {
		int rc;
		if (!codes || !codes[i])
			continue;
		rc = pcre2_match(codes[i], p, len, 0, 0, s->md, s->mctx);
		if (rc >= 0)
			return 1;
		if (rc != PCRE2_ERROR_NOMATCH && s->stats) {
			PCRE2_UCHAR msg[128];
			pcre2_get_error_message(rc, msg, sizeof(msg));
			pthread_mutex_lock(&s->stats->lock);
			s->stats->limit_hits++;
			pthread_mutex_unlock(&s->stats->lock);
			stats_problem(s->stats, path, KH_ELIMIT, 1,
				      "allowlist pattern '%s' stopped: %s (the finding is reported)",
				      src->v[i], (const char *)msg);
		}
	}
	return 0;
}

static int stopword_any(const struct strlist *l, const unsigned char *p, size_t len)
{
	size_t i, j, k;

	for (i = 0; i < l->n; i++) {
		size_t wl = strlen(l->v[i]);
		if (!wl || wl > len)
			continue;
		for (j = 0; j + wl <= len; j++) {
			for (k = 0; k < wl; k++) {
				unsigned char a = p[j + k], b = (unsigned char)l->v[i][k];
				if ((a | 0x20) != (b | 0x20) || ((a ^ b) & ~0x20))
					break;
			}
			if (k == wl)
				return 1;
		}
	}
	return 0;
}

static int allowed_by(struct scan_scratch *s, const struct allowlist *a, const char *path,
		      const unsigned char *sec, size_t slen, const unsigned char *line, size_t llen)
{
	size_t i;

	if (path)
		for (i = 0; i < a->paths.n; i++)
			if (pathglob_match(a->paths.v[i], path))
				return 1;
	if (regex_any(s, a->regex_code, &a->regexes, sec, slen, path))
		return 1;
	if (stopword_any(&a->stopwords, sec, slen))
		return 1;
	if (line && regex_any(s, a->line_code, &a->lines, line, llen, path))
		return 1;
	return 0;
}

/* Counts UTF-8 characters (non-continuation bytes) in p[0..len). */
static uint64_t utf8_chars(const unsigned char *p, size_t len)
{
	uint64_t n = 0;
	size_t i;

	for (i = 0; i < len; i++)
		n += (p[i] & 0xC0) != 0x80;
	return n;
}

struct line_cursor {
	size_t pos;           /* relative offset counted up to */
	uint64_t line;        /* line number at pos */
	uint64_t line_start;  /* absolute offset where that line begins */
	/* Caches for more findings on the same line, so that a long line holding
	 * many keys is not rescanned for each (which would be quadratic). */
	uint64_t cache_line;  /* the line they describe; 0 = none */
	size_t eol_from, eol; /* no newline in [eol_from, eol); eol ends the line */
	size_t chars_pos;     /* UTF-8 characters from the line start to chars_pos */
	uint64_t chars;
};

static void cursor_init(struct line_cursor *lc, const struct content *c)
{
	memset(lc, 0, sizeof(*lc));
	lc->pos = c->own_start;
	lc->line = c->own_line;
	lc->line_start = c->own_line_start;
}

static void cursor_advance(struct line_cursor *lc, const struct content *c, size_t to)
{
	size_t last = 0, n = to > lc->pos ? lines_count(c->data + lc->pos, to - lc->pos, &last) : 0;

	if (n) {
		lc->line += n;
		lc->line_start = c->base_offset + lc->pos + last + 1;
	}
	lc->pos = to;
}

/* Line allowlist patterns see at most this much of a longer line (minified
 * code), centred on the secret, so that their work stays bounded. */
#define LINE_ALLOW_REACH 2048

static enum suppress_reason suppression(struct scan_scratch *s, const struct rule *r,
					const struct content *c, const unsigned char *sec,
					size_t slen, size_t ls, size_t le, size_t ss, int line_whole)
{
	const unsigned char *line = line_whole ? c->data + ls : NULL;
	const char *path = c->rel_path ? c->rel_path : c->path;
	size_t llen = le - ls;

	if (line_whole && le - ls <= INLINE_ALLOW_MAX_LINE &&
	    bytes_contains(c->data + ls, le - ls, INLINE_ALLOW_TAG))
		return SUPPRESS_INLINE;
	if (line && llen > 2 * LINE_ALLOW_REACH) {
		size_t from = ss > ls + LINE_ALLOW_REACH ? ss - LINE_ALLOW_REACH : ls;
		if (from + 2 * LINE_ALLOW_REACH > le)
			from = le - 2 * LINE_ALLOW_REACH;
		line = c->data + from;
		llen = 2 * LINE_ALLOW_REACH;
	}
	if (allowed_by(s, &s->rs->allow, path, sec, slen, line, llen) ||
	    allowed_by(s, &r->allow, path, sec, slen, line, llen))
		return SUPPRESS_CONFIG;
	return SUPPRESS_NONE;
}

/* Where a finding sits in the window, and what it holds. The location
 * [start, end) is in c->data; the secret may come from decoded bytes. */
struct hit {
	unsigned rule;
	size_t start, end;
	const unsigned char *secret;
	size_t secret_len;
	const char *encoding; /* NULL when found in plain bytes */
};

static void emit(struct scan_scratch *s, const struct content *c, const struct hit *h,
		 struct line_cursor *lc, struct finding_list *out)
{
	const struct rule *r = &s->rs->rules[h->rule];
	struct finding *f;
	size_t ls, le, lsrel;
	int line_whole;
	uint64_t abs = c->base_offset + h->start;

	cursor_advance(lc, c, h->start);
	/* The line around the secret, if it lies within this window. */
	line_whole = lc->line_start >= c->base_offset;
	lsrel = line_whole ? (size_t)(lc->line_start - c->base_offset) : 0;
	ls = lsrel;
	if (lc->cache_line != lc->line) {
		lc->cache_line = lc->line;
		lc->eol_from = lc->eol = 0;
		lc->chars_pos = lsrel;
		lc->chars = 0;
	}
	if (h->end >= lc->eol_from && h->end <= lc->eol && lc->eol) {
		le = lc->eol;
	} else {
		const unsigned char *nl = memchr(c->data + h->end, '\n', c->len - h->end);
		le = nl ? (size_t)(nl - c->data) : c->len;
		lc->eol_from = h->end;
		lc->eol = le;
	}
	if (le > ls && c->data[le - 1] == '\r')
		le--;

	f = finding_list_push(out);
	f->rule = r;
	f->path = xstrdup(c->path ? c->path : "");
	f->root_path = c->rel_path && strcmp(c->rel_path, f->path) ? xstrdup(c->rel_path) : NULL;
	f->line = lc->line;
	f->offset = abs;
	f->column = abs - lc->line_start + 1;
	f->end_column = f->column + (h->end - h->start);
	if (line_whole) {
		if (h->start < lc->chars_pos) {
			lc->chars_pos = lsrel;
			lc->chars = 0;
		}
		lc->chars += utf8_chars(c->data + lc->chars_pos, h->start - lc->chars_pos);
		lc->chars_pos = h->start;
		f->char_column = lc->chars + 1;
	} else
		f->char_column = f->column;
	f->char_end_column = f->char_column + utf8_chars(c->data + h->start, h->end - h->start);
	f->secret_len = h->secret_len;
	f->secret = xmemdup(h->secret, h->secret_len);
	f->redacted = redact_secret_for(r, f->secret, f->secret_len);
	f->decoded = h->encoding ? xstrdup(h->encoding) : NULL;
	f->suppressed = suppression(s, r, c, h->secret, h->secret_len, ls, le,
				    h->start >= ls && h->start <= le ? h->start : ls, line_whole);
}

/* Prefilter, rules and dedup over content d; leaves candidates in s->cand
 * and returns how many. */
static size_t find_candidates(const struct rule_set *rs, struct scan_scratch *s,
			      const struct content *d, struct scan_stats *stats)
{
	size_t i;

	s->len = d->len;
	s->nactive = 0;
	s->ncand = 0;
	prefilter_scan(rs->prefilter, d->data, d->len, on_keyword, s);
	for (i = 0; i < s->nactive; i++)
		run_rule(s, s->active[i], d, stats);
	return s->ncand ? dedup_candidates(s->cand, s->ncand) : 0;
}

/* ---- decoded content ------------------------------------------------------- */

#define DECODE_DEPTH 2

struct decode_ctx {
	const struct rule_set *rs;
	struct scan_scratch *s;
	const struct content *c;   /* the window the findings are reported in */
	struct finding_list *out;
	size_t first;              /* findings of this window start here in out */
	struct scan_stats *stats;
	int depth;
	size_t span_start, span_end; /* outermost encoded span (depth > 1) */
	struct decode_budget budget;
};

/* Is this secret already reported inside [start, end) of this window, by a
 * rule at least as severe as r? (A less severe one, e.g. the generic rule on
 * the plain text, gives way to r: replaces_plain.) */
static int already_found(const struct decode_ctx *x, const struct rule *r,
			 const unsigned char *sec, size_t len, size_t start, size_t end)
{
	uint64_t a = x->c->base_offset + start, b = x->c->base_offset + end;
	size_t i;

	for (i = x->first; i < x->out->n; i++) {
		const struct finding *f = &x->out->v[i];
		if (!f->dropped && f->secret_len == len && !memcmp(f->secret, sec, len) &&
		    f->offset >= a && f->offset < b &&
		    (f->rule == r || (int)f->rule->severity >= (int)r->severity))
			return 1;
	}
	return 0;
}

/* One finding per place: a plain finding over the encoded text (a generic
 * rule such as a Kubernetes Secret's data value) gives way to the key found
 * inside it unless it is more severe. Returns 1 when the decoded finding
 * should not be reported. */
static int replaces_plain(struct decode_ctx *x, const struct hit *h)
{
	uint64_t a = x->c->base_offset + h->start, b = x->c->base_offset + h->end;
	const struct rule *r = &x->rs->rules[h->rule];
	size_t i;

	for (i = x->first; i < x->out->n; i++) {
		struct finding *f = &x->out->v[i];
		if (f->dropped || f->decoded || f->offset >= b ||
		    f->offset + (f->end_column - f->column) <= a)
			continue;
		if ((int)f->rule->severity > (int)r->severity && !f->rule->context_only)
			return 1;
		f->dropped = 1; /* removed in one pass at the end (drop_replaced) */
	}
	return 0;
}

/* Removes the findings replaces_plain() marked, keeping the order. */
static void drop_replaced(struct finding_list *out, size_t first)
{
	size_t i, j;

	for (i = j = first; i < out->n; i++) {
		if (out->v[i].dropped)
			finding_release(&out->v[i]);
		else
			out->v[j++] = out->v[i];
	}
	out->n = j;
}

static int on_decoded(const struct decoded *d, void *payload)
{
	struct decode_ctx *x = payload;
	struct content dc;
	size_t i, n, ss = x->depth ? x->span_start : d->src_start;
	size_t se = x->depth ? x->span_end : d->src_end;

	content_whole(&dc, d->data, d->len, x->c->path);
	n = find_candidates(x->rs, x->s, &dc, x->stats);
	for (i = 0; i < n; i++) {
		const struct candidate *k = &x->s->cand[i];
		struct line_cursor lc;
		struct hit h;
		h.rule = k->rule;
		/* escapes map back to the secret's own encoded bytes; base64 (and
		 * anything nested) is located by its whole encoded span */
		h.start = !x->depth && d->map ? d->src_start + d->map[k->start] : ss;
		h.end = !x->depth && d->map ? d->src_start + d->map[k->end] : se;
		h.secret = d->data + k->start;
		h.secret_len = k->end - k->start;
		h.encoding = d->encoding;
		if (h.start < x->c->own_start || h.start >= x->c->own_end ||
		    already_found(x, &x->rs->rules[h.rule], h.secret, h.secret_len, ss, se) ||
		    replaces_plain(x, &h))
			continue;
		cursor_init(&lc, x->c);
		emit(x->s, x->c, &h, &lc, x->out);
	}
	if (x->depth + 1 < DECODE_DEPTH) {
		struct decode_ctx inner = *x;
		inner.depth = x->depth + 1;
		inner.span_start = ss;
		inner.span_end = se;
		decode_spans(d->data, d->len, 0, d->len, &inner.budget, on_decoded, &inner);
		x->budget = inner.budget;
	}
	return 0;
}

/* Columns of a UTF-16 finding: bytes from the start of its line's first code
 * unit (in little-endian text the '\n' byte that ends the previous line is
 * followed by its 0x00 half; a byte-order mark is not part of line 1), and
 * characters counted in code units. */
static void utf16_columns(struct finding *f, const struct content *c, int kind,
			  uint64_t line_start)
{
	uint64_t ls = line_start;

	if (kind == 1 && ls > 0)
		ls++;
	if (ls == 0 && c->base_offset == 0 && c->len >= 2 &&
	    ((c->data[0] == 0xff && c->data[1] == 0xfe) || (c->data[0] == 0xfe && c->data[1] == 0xff)))
		ls = 2;
	if (f->offset < ls)
		return;
	f->column = f->offset - ls + 1;
	f->end_column = f->column + 2 * f->secret_len;
	f->char_column = (f->offset - ls) / 2 + 1;
	f->char_end_column = f->char_column + f->secret_len;
}

/* A UTF-16 finding's inline comment and line allowlists are judged on the
 * narrowed text of its line (looked for at most UTF16_LINE_REACH code units
 * either way: a longer line is minified text, where only path and secret
 * allowlists apply). */
#define UTF16_LINE_REACH 4096
static enum suppress_reason utf16_suppression(struct scan_scratch *s, const struct content *c,
					      const struct content *dc, const struct finding *f,
					      size_t start, size_t end)
{
	size_t ls = start, le = end;
	struct content line = *dc;

	while (ls > 0 && dc->data[ls - 1] != '\n' && start - ls <= UTF16_LINE_REACH)
		ls--;
	while (le < dc->len && dc->data[le] != '\n' && le - end <= UTF16_LINE_REACH)
		le++;
	if (le > ls && dc->data[le - 1] == '\r')
		le--;
	line.rel_path = c->rel_path;
	return suppression(s, f->rule, &line, (const unsigned char *)f->secret, f->secret_len,
			   ls, le, start,
			   (ls == 0 || dc->data[ls - 1] == '\n') &&
				   (le == dc->len || dc->data[le] == '\n' || dc->data[le] == '\r'));
}

/* UTF-16 text: scan the narrowed text and report at the exact UTF-16
 * positions (decoded offset k is window offset adj + 2k). */
static void scan_utf16(const struct rule_set *rs, struct scan_scratch *s,
		       const struct content *c, struct finding_list *out,
		       struct scan_stats *stats)
{
	size_t adj = (size_t)(c->base_offset & 1), i, n;
	int kind = decode_utf16_kind(c->data + adj, c->len - adj);
	unsigned char *nar;
	struct content dc;
	struct line_cursor lc;

	if (!kind)
		return;
	nar = xmalloc((c->len - adj) / 2 + 1);
	decode_utf16_narrow(c->data + adj, c->len - adj, kind, nar);
	content_whole(&dc, nar, (c->len - adj) / 2, c->path);
	n = find_candidates(rs, s, &dc, stats);
	cursor_init(&lc, c);
	for (i = 0; i < n; i++) {
		const struct candidate *k = &s->cand[i];
		struct hit h;
		h.rule = k->rule;
		h.start = adj + 2 * k->start;
		h.end = adj + 2 * k->end;
		h.secret = nar + k->start;
		h.secret_len = k->end - k->start;
		h.encoding = "utf-16";
		if (h.start >= c->own_start && h.start < c->own_end && h.start >= lc.pos) {
			struct finding *f;
			emit(s, c, &h, &lc, out);
			f = &out->v[out->n - 1];
			utf16_columns(f, c, kind, lc.line_start);
			f->suppressed = utf16_suppression(s, c, &dc, f, k->start, k->end);
		}
	}
	free(nar);
}

int scan_content(const struct rule_set *rs, struct scan_scratch *s,
		 const struct content *c, struct finding_list *out,
		 struct scan_stats *stats, struct err *err)
{
	struct line_cursor lc;
	struct decode_ctx x;
	size_t i, n, first = out->n;
	int binary;

	(void)err;
	if (!c->len || !rs->prefilter)
		return 0;
	s->stats = stats;
	n = find_candidates(rs, s, c, stats);
	cursor_init(&lc, c);
	for (i = 0; i < n; i++) {
		const struct candidate *k = &s->cand[i];
		struct hit h;
		h.rule = k->rule;
		h.start = k->start;
		h.end = k->end;
		h.secret = c->data + k->start;
		h.secret_len = k->end - k->start;
		h.encoding = NULL;
		emit(s, c, &h, &lc, out);
	}
	binary = memchr(c->data, 0, c->len < 8192 ? c->len : 8192) != NULL;
	if (binary)
		scan_utf16(rs, s, c, out, stats);
	memset(&x, 0, sizeof(x));
	x.rs = rs;
	x.s = s;
	x.c = c;
	x.out = out;
	x.first = first;
	x.stats = stats;
	/* Decoding may cost at most a few times the window's own size. Binary
	 * data (compressed, images) is not searched for encoded text: its plain
	 * bytes were scanned above. */
	x.budget.left = 4 * (c->own_end - c->own_start) + 65536;
	if (!binary) {
		decode_spans(c->data, c->len, c->own_start, c->own_end, &x.budget, on_decoded, &x);
		if (x.budget.cut && stats) {
			pthread_mutex_lock(&stats->lock);
			stats->decode_partial++;
			pthread_mutex_unlock(&stats->lock);
		}
	}
	drop_replaced(out, first);
	return 0;
}
