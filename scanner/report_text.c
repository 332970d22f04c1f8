/* report_text.c - the human report: findings grouped by distinct secret.
 *
 *   openai-project-key  critical  sk-proj-…wxyz  (fingerprint 1a2b…(32 hex), 2 places)
 *     src/app.py:12:15
 *     config/.env:3:16  commit 0123456789ab Alice 2024-01-02 "add config"
 *   how to fix openai-project-key:
 *     Revoke this key at ...
 *   keyhound: 1 distinct secret in 2 places; 12 files, 0.1 MB scanned in 0.01 s
 *
 * Every path, name and message goes through sanitize_for_terminal(); colour
 * only when asked (the session decides: a terminal and no NO_COLOR).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "report.h"
#include "xalloc.h"

struct style {
	const char *bold, *red, *yellow, *dim, *reset;
};

static void put_sanitized(FILE *out, const char *s)
{
	char *t = sanitize_for_terminal(s ? s : "", s ? strlen(s) : 0);

	fputs(t, out);
	free(t);
}

static const char *sev_color(const struct style *st, enum severity s)
{
	return s >= SEV_HIGH ? st->red : s == SEV_MEDIUM ? st->yellow : st->dim;
}

/* --verify: "  [live: openai-organization=org-…]", "  [invalid]",
 * "  [unknown: server error, HTTP 500]". The identity comes from a remote
 * server: sanitized like everything else. */
static void put_verify_mark(FILE *out, const struct finding *f, const struct report_opts *o,
			    const struct style *st)
{
	const char *sep = ": ";

	if (!o->verify || f->verified == VERIFY_NONE)
		return;
	fprintf(out, "  %s[%s", f->verified == VERIFY_LIVE ? st->red : st->dim,
		f->verified == VERIFY_LIVE ? "live" :
		f->verified == VERIFY_INVALID ? "invalid" : "unknown");
	if (f->verify_note) {
		fprintf(out, "%s%s", sep, f->verify_note);
		sep = ", ";
	}
	if (f->verified == VERIFY_UNKNOWN && f->verify_http_status) {
		fprintf(out, "%sHTTP %d", sep, f->verify_http_status);
		sep = ", ";
	}
	if (f->verify_identity) {
		fputs(sep, out);
		put_sanitized(out, f->verify_identity);
	}
	fprintf(out, "]%s", st->reset);
}

/* With --verify, live keys are listed first, then unknown, then invalid. */
static int verify_rank(const struct finding *f, const struct report_opts *o)
{
	if (!o->verify)
		return 0;
	return f->verified == VERIFY_LIVE ? 0 : f->verified == VERIFY_UNKNOWN ? 1 :
	       f->verified == VERIFY_INVALID ? 2 : 3;
}

static void place(FILE *out, const struct finding *f)
{
	fputs("    ", out);
	put_sanitized(out, f->path);
	fprintf(out, ":%llu:%llu", (unsigned long long)f->line, (unsigned long long)f->column);
	if (f->decoded) {
		fputs("  (", out);
		put_sanitized(out, f->decoded);
		fputs("-encoded)", out);
	}
	if (f->commit) {
		char shortid[13];
		snprintf(shortid, sizeof(shortid), "%s", f->commit);
		fputs("  commit ", out);
		put_sanitized(out, shortid);
		fputc(' ', out);
		put_sanitized(out, f->author);
		fputc(' ', out);
		put_sanitized(out, f->date);
		fputs(" \"", out);
		put_sanitized(out, f->message);
		fputc('"', out);
		if (f->occurrences)
			fprintf(out, " (+%u more commits/paths)", f->occurrences);
	}
	fputc('\n', out);
}

/* Prints every not-yet-printed finding with f's fingerprint and rule kind. */
/* next[i]: the next finding after i with the same fingerprint, or
 * SIZE_MAX; built with a hash table, so grouping is linear. */
static size_t *same_fingerprint_chain(const struct finding_list *fl)
{
	size_t n = fl->n, cap = 16, i, *next = xmalloc((n ? n : 1) * sizeof(size_t));
	size_t *last; /* per slot: the latest finding + 1 */

	while (cap < 2 * n)
		cap *= 2;
	last = xcalloc(cap, sizeof(size_t));
	for (i = 0; i < n; i++) {
		const char *fp = fl->v[i].fingerprint;
		size_t h = 5381, k, s;
		for (k = 0; fp[k]; k++)
			h = h * 33 + (unsigned char)fp[k];
		next[i] = SIZE_MAX;
		for (s = h & (cap - 1); last[s]; s = (s + 1) & (cap - 1))
			if (!strcmp(fl->v[last[s] - 1].fingerprint, fp))
				break;
		if (last[s])
			next[last[s] - 1] = i;
		last[s] = i + 1;
	}
	free(last);
	return next;
}

static void group(FILE *out, const struct finding_list *fl, size_t first, char *done,
		  const size_t *next, const struct report_opts *o, const struct style *st)
{
	const struct finding *f = &fl->v[first];
	size_t i, n = 0;

	for (i = first; i != SIZE_MAX; i = next[i])
		if (!done[i] && !fl->v[i].suppressed)
			n++;
	fputs(st->bold, out); /* rule ids may come from a scanned repository's config */
	put_sanitized(out, f->rule->id);
	fprintf(out, "%s  %s%s%s  ", st->reset, sev_color(st, f->rule->severity),
		severity_name(f->rule->severity), st->reset);
	if (o->show_secrets) {
		char *t = sanitize_for_terminal(f->secret, f->secret_len);
		fputs(t, out);
		free(t);
	} else {
		put_sanitized(out, f->redacted);
	}
	/* whole, so that it can be copied into .keyhoundignore */
	fprintf(out, "  %s(fingerprint %s, %zu place%s)%s", st->dim, f->fingerprint, n,
		n == 1 ? "" : "s", st->reset);
	put_verify_mark(out, f, o, st);
	fputc('\n', out);
	for (i = first; i != SIZE_MAX; i = next[i]) {
		if (done[i] || fl->v[i].suppressed)
			continue;
		done[i] = 1;
		place(out, &fl->v[i]);
	}
}

static void human_size(char *buf, size_t n, unsigned long long bytes)
{
	if (bytes >= 1024ull * 1024 * 1024)
		snprintf(buf, n, "%.1f GB", (double)bytes / (1024.0 * 1024 * 1024));
	else if (bytes >= 1024ull * 1024)
		snprintf(buf, n, "%.1f MB", (double)bytes / (1024.0 * 1024));
	else
		snprintf(buf, n, "%.1f KB", (double)bytes / 1024.0);
}

/* One "N things" part of the not-scanned line, when N > 0. */
static void not_scanned(FILE *out, const char **sep, unsigned long long n, const char *one,
			const char *many)
{
	if (!n)
		return;
	fprintf(out, "%s%llu %s", *sep, n, n == 1 ? one : many);
	*sep = "; ";
}

static void summary(FILE *out, const struct finding_list *fl, const struct report_opts *o,
		    size_t distinct, size_t places, size_t context)
{
	const struct scan_stats *s = o->stats;
	size_t suppressed = 0, i;
	char size[32];

	for (i = 0; i < fl->n; i++)
		suppressed += fl->v[i].suppressed != SUPPRESS_NONE;
	if (!places)
		/* never a plain "no secrets" when part of the scan failed */
		fprintf(out, "keyhound: no secrets found%s",
			s && (s->errors || s->limit_hits) ? " in what could be scanned" : "");
	else
		fprintf(out, "keyhound: %zu distinct secret%s in %zu place%s", distinct,
			distinct == 1 ? "" : "s", places, places == 1 ? "" : "s");
	if (context)
		fprintf(out, ", %zu context finding%s", context, context == 1 ? "" : "s");
	if (suppressed)
		fprintf(out, " (%zu suppressed by allowlist, allow comment, ignore file or baseline)",
			suppressed);
	if (s) {
		human_size(size, sizeof(size), (unsigned long long)s->bytes_scanned);
		if (s->blobs_scanned || s->commits_scanned)
			fprintf(out, "; %llu blob%s and %llu commit%s, %s scanned",
				(unsigned long long)s->blobs_scanned, s->blobs_scanned == 1 ? "" : "s",
				(unsigned long long)s->commits_scanned,
				s->commits_scanned == 1 ? "" : "s", size);
		else
			fprintf(out, "; %llu file%s, %s scanned", (unsigned long long)s->files_scanned,
				s->files_scanned == 1 ? "" : "s", size);
		if (s->seconds > 0)
			fprintf(out, " in %.2f s", s->seconds);
	}
	fputc('\n', out);
	if (!s)
		return;
	if (s->errors || s->skipped_size || s->skipped_archives || s->skipped_lfs ||
	    s->skipped_submodules || s->limit_hits || s->shallow) {
		const char *sep = "keyhound: not scanned: ";
		not_scanned(out, &sep, s->errors, "could not be read or scanned (see errors)",
			    "could not be read or scanned (see errors)");
		not_scanned(out, &sep, s->limit_hits, "rule match-limit hit", "rule match-limit hits");
		not_scanned(out, &sep, s->skipped_size, "file over --max-file-size",
			    "files over --max-file-size");
		not_scanned(out, &sep, s->skipped_archives, "archive (not unpacked)",
			    "archives (not unpacked)");
		not_scanned(out, &sep, s->skipped_lfs, "Git LFS pointer (content not here)",
			    "Git LFS pointers (content not here)");
		not_scanned(out, &sep, s->skipped_submodules, "submodule (scan it on its own)",
			    "submodules (scan them on their own)");
		if (s->shallow)
			fprintf(out, "%shistory beyond the shallow boundary", sep);
		fputs(".\n", out);
	}
}

int report_text_write(FILE *out, const struct finding_list *fl, const struct report_opts *o,
		      struct err *err)
{
	struct style st = {"", "", "", "", ""};
	char *done = xcalloc(fl->n ? fl->n : 1, 1);
	size_t *next = same_fingerprint_chain(fl);
	const struct rule **fixes = xcalloc(fl->n ? fl->n : 1, sizeof(*fixes));
	size_t i, j, nfix = 0, distinct = 0, places = 0, context = 0, checked[4] = {0};
	int pass;

	if (o->color) {
		st.bold = "\033[1m";
		st.red = "\033[31m";
		st.yellow = "\033[33m";
		st.dim = "\033[2m";
		st.reset = "\033[0m";
	}
	for (pass = 0; pass < 4; pass++) {
		for (i = 0; i < fl->n; i++) {
			const struct finding *f = &fl->v[i];
			if (f->suppressed || done[i] || verify_rank(f, o) != pass)
				continue;
			if (f->rule->context_only) {
				context++;
				continue;
			}
			distinct++;
			checked[f->verified]++;
			group(out, fl, i, done, next, o, &st);
			for (j = 0; j < nfix && fixes[j] != f->rule; j++)
				;
			if (j == nfix)
				fixes[nfix++] = f->rule;
		}
	}
	for (i = 0; i < fl->n; i++)
		places += !fl->v[i].suppressed && !fl->v[i].rule->context_only;
	if (context) {
		fprintf(out, "%scontext (identifiers, not secrets):%s\n", st.dim, st.reset);
		for (i = 0; i < fl->n; i++) {
			const struct finding *f = &fl->v[i];
			if (f->suppressed || !f->rule->context_only)
				continue;
			fputs("  ", out);
			put_sanitized(out, f->rule->id);
			fputs("  ", out);
			put_sanitized(out, f->redacted);
			fputc('\n', out);
			place(out, f);
		}
	}
	for (i = 0; i < nfix; i++) {
		const char *p = fixes[i]->remediation;
		for (j = 0; p && j < i; j++) /* rules sharing a text: said once */
			if (fixes[j]->remediation && !strcmp(fixes[j]->remediation, p))
				p = NULL;
		if (!p)
			continue;
		fputs("\nhow to fix ", out);
		put_sanitized(out, fixes[i]->id);
		for (j = i + 1; j < nfix; j++)
			if (fixes[j]->remediation && !strcmp(fixes[j]->remediation, p)) {
				fputs(", ", out);
				put_sanitized(out, fixes[j]->id);
			}
		fputs(":\n", out);
		while (*p) {
			const char *nl = strchr(p, '\n');
			size_t l = nl ? (size_t)(nl - p) : strlen(p);
			char *line = xstrndup(p, l);
			fputs("    ", out);
			put_sanitized(out, line);
			fputc('\n', out);
			free(line);
			p += l + (nl ? 1 : 0);
		}
	}
	if (!o->quiet) {
		if (distinct || context)
			fputc('\n', out);
		summary(out, fl, o, distinct, places, context);
		if (o->verify && distinct)
			fprintf(out, "keyhound: --verify: %zu live, %zu invalid, %zu unknown\n",
				checked[VERIFY_LIVE], checked[VERIFY_INVALID], checked[VERIFY_UNKNOWN]);
	}
	free(done);
	free(next);
	free(fixes);
	if (ferror(out))
		return err_set(err, KH_EIO, "cannot write the report");
	return 0;
}
