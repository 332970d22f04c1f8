/* report_text.c - the human report: findings grouped by distinct secret.
 *
 *   openai-project-key  critical  sk-proj-…wxyz  (fingerprint 1a2b3c4d, 2 places)
 *     src/app.py:12:15
 *     config/.env:3:16  commit 0123456789ab Alice 2024-01-02 "add config"
 *   how to fix openai-project-key:
 *     Revoke this key at ...
 *   keyhound: 1 distinct secret in 2 places; 12 files, 0.1 MB scanned in 0.01 s
 *
 * Every path, name and message goes through sanitize_for_terminal(); colour
 * only when asked (the session decides: a terminal and no NO_COLOR).
 */
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

static const char *verify_mark(const struct finding *f, const struct report_opts *o)
{
	if (!o->verify || f->verified == VERIFY_NONE)
		return "";
	return f->verified == VERIFY_LIVE ? "  [live]" :
	       f->verified == VERIFY_INVALID ? "  [invalid]" : "  [unknown]";
}

static void place(FILE *out, const struct finding *f)
{
	fputs("    ", out);
	put_sanitized(out, f->path);
	fprintf(out, ":%llu:%llu", (unsigned long long)f->line, (unsigned long long)f->column);
	if (f->decoded)
		fprintf(out, "  (%s-encoded)", f->decoded);
	if (f->commit) {
		fprintf(out, "  commit %.12s ", f->commit);
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
static void group(FILE *out, const struct finding_list *fl, size_t first, char *done,
		  const struct report_opts *o, const struct style *st)
{
	const struct finding *f = &fl->v[first];
	size_t i, n = 0;

	for (i = first; i < fl->n; i++)
		if (!done[i] && !fl->v[i].suppressed &&
		    !strcmp(fl->v[i].fingerprint, f->fingerprint))
			n++;
	fprintf(out, "%s%s%s  %s%s%s  ", st->bold, f->rule->id, st->reset,
		sev_color(st, f->rule->severity), severity_name(f->rule->severity), st->reset);
	if (o->show_secrets) {
		char *t = sanitize_for_terminal(f->secret, f->secret_len);
		fputs(t, out);
		free(t);
	} else {
		put_sanitized(out, f->redacted);
	}
	fprintf(out, "  %s(fingerprint %.8s, %zu place%s)%s%s\n", st->dim, f->fingerprint, n,
		n == 1 ? "" : "s", st->reset, verify_mark(f, o));
	for (i = first; i < fl->n; i++) {
		if (done[i] || fl->v[i].suppressed || strcmp(fl->v[i].fingerprint, f->fingerprint))
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

static void summary(FILE *out, const struct finding_list *fl, const struct report_opts *o,
		    size_t distinct, size_t places, size_t context)
{
	const struct scan_stats *s = o->stats;
	size_t suppressed = 0, i;
	char size[32];

	for (i = 0; i < fl->n; i++)
		suppressed += fl->v[i].suppressed != SUPPRESS_NONE;
	if (!places)
		fprintf(out, "keyhound: no secrets found");
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
			fprintf(out, "; %llu blobs and %llu commits, %s scanned",
				(unsigned long long)s->blobs_scanned,
				(unsigned long long)s->commits_scanned, size);
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
		fprintf(out, "keyhound: not scanned:");
		if (s->errors)
			fprintf(out, " %llu could not be read or scanned (see errors);",
				(unsigned long long)s->errors);
		if (s->limit_hits)
			fprintf(out, " %llu rule match-limit hits;", (unsigned long long)s->limit_hits);
		if (s->skipped_size)
			fprintf(out, " %llu over --max-file-size;", (unsigned long long)s->skipped_size);
		if (s->skipped_archives)
			fprintf(out, " %llu archives not unpacked;", (unsigned long long)s->skipped_archives);
		if (s->skipped_lfs)
			fprintf(out, " %llu Git LFS pointers (content not here);",
				(unsigned long long)s->skipped_lfs);
		if (s->skipped_submodules)
			fprintf(out, " %llu submodules;", (unsigned long long)s->skipped_submodules);
		if (s->shallow)
			fprintf(out, " history beyond the shallow boundary;");
		fputc('\n', out);
	}
}

int report_text_write(FILE *out, const struct finding_list *fl, const struct report_opts *o,
		      struct err *err)
{
	struct style st = {"", "", "", "", ""};
	char *done = xcalloc(fl->n ? fl->n : 1, 1);
	const struct rule **fixes = xcalloc(fl->n ? fl->n : 1, sizeof(*fixes));
	size_t i, j, nfix = 0, distinct = 0, places = 0, context = 0;

	if (o->color) {
		st.bold = "\033[1m";
		st.red = "\033[31m";
		st.yellow = "\033[33m";
		st.dim = "\033[2m";
		st.reset = "\033[0m";
	}
	for (i = 0; i < fl->n; i++) {
		const struct finding *f = &fl->v[i];
		if (f->suppressed || done[i])
			continue;
		if (f->rule->context_only) {
			context++;
			continue;
		}
		distinct++;
		group(out, fl, i, done, o, &st);
		for (j = 0; j < nfix && fixes[j] != f->rule; j++)
			;
		if (j == nfix)
			fixes[nfix++] = f->rule;
	}
	for (i = 0; i < fl->n; i++)
		places += !fl->v[i].suppressed && !fl->v[i].rule->context_only;
	if (context) {
		fprintf(out, "%scontext (identifiers, not secrets):%s\n", st.dim, st.reset);
		for (i = 0; i < fl->n; i++) {
			const struct finding *f = &fl->v[i];
			if (f->suppressed || !f->rule->context_only)
				continue;
			fprintf(out, "  %s  ", f->rule->id);
			put_sanitized(out, f->redacted);
			fputc('\n', out);
			place(out, f);
		}
	}
	for (i = 0; i < nfix; i++) {
		const char *p = fixes[i]->remediation;
		if (!p)
			continue;
		fprintf(out, "\nhow to fix %s:\n", fixes[i]->id);
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
	}
	free(done);
	free(fixes);
	if (ferror(out))
		return err_set(err, KH_EIO, "cannot write the report");
	return 0;
}
